// Runs a command with a database: DATABASE_URL when set (shell, .env.local, .env...), else the
// embedded PostgreSQL under .data/. With --migrate, pending migrations are applied first
// (`prisma migrate deploy`, on DIRECT_URL when set: see prisma.config.ts).
//   tsx scripts/with-database.ts [--migrate] <command> [args...]
import { loadEnvFiles } from './load-env.ts';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../lib/db/embedded-postgres.ts';

const PRISMA_CLI = path.join(import.meta.dirname, '../prisma/cli.mjs');
const MIGRATION_URL_NAMES = ['DIRECT_URL', 'DATABASE_URL_UNPOOLED', 'POSTGRES_URL_NON_POOLING'];

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

/** `next start` and `next build` read the production files (.env.production); everything else the development ones. */
function isProductionCommand(args: string[]): boolean {
  const next = args.findIndex((arg) => path.basename(arg) === 'next');
  return process.env.NODE_ENV === 'production' || (next > -1 && ['start', 'build'].includes(args[next + 1] ?? ''));
}

async function main() {
  const args = process.argv.slice(2);
  const migrate = args[0] === '--migrate';
  const [command, ...commandArgs] = migrate ? args.slice(1) : args;
  if (!command) throw new Error('usage: with-database.ts [--migrate] <command> [args...]');

  const shellEnv = { ...process.env };
  loadEnvFiles({ production: isProductionCommand([command, ...commandArgs]) });
  let databaseUrl = process.env.DATABASE_URL || undefined;

  let embedded: EmbeddedDatabase | undefined;
  if (!databaseUrl) {
    const direct = MIGRATION_URL_NAMES.find((name) => process.env[name]);
    if (direct)
      throw new Error(
        `${direct} is set but DATABASE_URL is not: set both (DATABASE_URL for the app, ${direct} for migrations), or neither to use the embedded PostgreSQL.`,
      );
    const port = Number(process.env.EMBEDDED_POSTGRES_PORT || 54329);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error('EMBEDDED_POSTGRES_PORT must be a port number');
    embedded = await startEmbeddedPostgres({ dataDir: '.data/postgres', port });
    const linked = embedded.dataDir === path.resolve('.data/postgres') ? '' : `, linked to ${embedded.dataDir}`;
    console.log(`Embedded PostgreSQL on 127.0.0.1:${port} (data in .data/postgres${linked})`);
    databaseUrl = embedded.url;
  }
  // Next.js reads (and in development watches) the files itself, so it gets the shell's environment
  // and what it cannot find there: the database, and PORT, which it takes before reading the files.
  // Every other command gets everything the files set.
  const loadedEnv = { ...process.env, DATABASE_URL: databaseUrl };
  const runsNext = [command, ...commandArgs].some((arg) => path.basename(arg) === 'next');
  const commandEnv = runsNext
    ? { ...shellEnv, DATABASE_URL: databaseUrl, ...(process.env.PORT ? { PORT: process.env.PORT } : {}) }
    : loadedEnv;
  let code = 0;
  try {
    if (migrate) code = await run(process.execPath, [PRISMA_CLI, 'migrate', 'deploy'], loadedEnv);
    if (code === 0) code = await run(command, commandArgs, commandEnv);
  } finally {
    await embedded?.stop();
  }
  process.exit(code);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
