// Loads .env files the way Next.js does (`@next/env`): .env.$(NODE_ENV).local, .env.local (not in
// tests), .env.$(NODE_ENV), .env; the first file to set a variable wins, and the shell's environment
// wins over every file. Import it first in a script, before anything that reads the environment.
import nextEnv from '@next/env';

const quiet = { info: () => undefined, error: console.error };

/**
 * (Re)loads the files for development (the default unless NODE_ENV=production) or production, as
 * `next dev` and `next start` would; returns the files read.
 */
export function loadEnvFiles({ production = process.env.NODE_ENV === 'production', dir = process.cwd() } = {}): string[] {
  const { loadedEnvFiles } = nextEnv.loadEnvConfig(dir, !production, quiet, true);
  // Next.js skips its own loading when this marker is inherited; a child `next dev` should load (and watch) the files itself.
  delete process.env.__NEXT_PROCESSED_ENV;
  return loadedEnvFiles.map((file) => file.path);
}

loadEnvFiles();
