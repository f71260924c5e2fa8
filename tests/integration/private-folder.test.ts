import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from '../support/app-server';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const isRoot = process.getuid?.() === 0;

// Prints what the command run by with-database.ts finds in the database it was given.
const QUERY = `
const pg = require('pg');
const client = new pg.Client(process.env.DATABASE_URL);
client.connect()
  .then(() => client.query("SELECT (SELECT count(*)::int FROM _prisma_migrations WHERE finished_at IS NOT NULL) AS migrations, to_regclass('stripe_webhook_events') IS NOT NULL AS events_table"))
  .then((result) => { console.log('RESULT ' + JSON.stringify(result.rows[0])); return client.end(); });
`;

/** What `npm run dev` needs of the project, copied; node_modules hardlinked (fast, and as private as the folder). */
async function copyProject(target: string): Promise<void> {
  for (const name of ['package.json', 'tsconfig.json', 'prisma.config.ts', 'prisma', 'scripts', 'lib']) {
    await cp(path.join(ROOT, name), path.join(target, name), { recursive: true, verbatimSymlinks: true });
  }
  await run('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(target, 'node_modules')]);
}

// As root (containers, CI), PostgreSQL runs as the `postgres` user, which cannot enter a private
// folder; as any other user it runs as that user, who owns the folder, so there is nothing to show.
describe('a clone in a folder only root can enter', () => {
  it.skipIf(!isRoot)(
    'as root, `with-database.ts --migrate` starts the embedded PostgreSQL there and applies the migrations (skipped when not root: only a root process runs PostgreSQL as another user)',
    async () => {
      const folder = await mkdtemp(path.join(tmpdir(), 'private-clone-'));
      const project = path.join(folder, 'project');
      let data: string | undefined;
      try {
        expect((await stat(folder)).mode & 0o777).toBe(0o700);
        await copyProject(project);
        const port = await freePort();
        const { stdout } = await run(
          path.join(project, 'node_modules/.bin/tsx'),
          ['scripts/with-database.ts', '--migrate', process.execPath, '-e', QUERY],
          {
            cwd: project,
            env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'development', EMBEDDED_POSTGRES_PORT: String(port) },
            timeout: 80_000,
          },
        );
        data = await realpath(path.join(project, '.data/postgres')).catch(() => undefined);

        expect(stdout).toContain(`Embedded PostgreSQL on 127.0.0.1:${port}`);
        const migrations = (await readdir(path.join(ROOT, 'prisma/migrations'), { withFileTypes: true })).filter((entry) =>
          entry.isDirectory(),
        ).length;
        expect(stdout).toContain(`RESULT {"migrations":${migrations},"events_table":true}`);
        // The scenario is real: the user PostgreSQL runs as cannot enter the project.
        await expect(run('runuser', ['-u', 'postgres', '--', 'ls', project])).rejects.toThrow(/Permission denied/);
      } finally {
        await rm(folder, { recursive: true, force: true });
        if (data) await rm(data, { recursive: true, force: true });
      }
    },
  );
});
