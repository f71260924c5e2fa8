// Runs a command with a database: DATABASE_URL when set, else the embedded PostgreSQL under .data/.
// With --migrate, pending migrations are applied first (`prisma migrate deploy`).
//   tsx scripts/with-database.ts [--migrate] <command> [args...]
import { spawn } from 'node:child_process';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../lib/db/embedded-postgres.ts';

const EMBEDDED_PORT = Number(process.env.EMBEDDED_POSTGRES_PORT ?? 54329);

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

async function main() {
  const args = process.argv.slice(2);
  const migrate = args[0] === '--migrate';
  const [command, ...commandArgs] = migrate ? args.slice(1) : args;
  if (!command) throw new Error('usage: with-database.ts [--migrate] <command> [args...]');

  let embedded: EmbeddedDatabase | undefined;
  if (!process.env.DATABASE_URL) {
    embedded = await startEmbeddedPostgres({ dataDir: '.data/postgres', port: EMBEDDED_PORT });
    console.log(`Embedded PostgreSQL on 127.0.0.1:${EMBEDDED_PORT} (data in .data/postgres)`);
  }
  const env = { ...process.env, DATABASE_URL: process.env.DATABASE_URL ?? embedded?.url };
  let code = 0;
  try {
    if (migrate) code = await run(process.execPath, ['prisma/cli.mjs', 'migrate', 'deploy'], env);
    if (code === 0) code = await run(command, commandArgs, env);
  } finally {
    await embedded?.stop();
  }
  process.exit(code);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
