import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort } from './app-server.ts';

// A transaction-mode pooler in front of a test database, as hosted poolers are (Supabase's and Neon's
// pooled URLs, PgBouncer in front of serverless functions): Debian's PgBouncer with its defaults, so
// it refuses unknown startup parameters and keeps no prepared statement from one transaction to the next.

export type Pooler = {
  /** The pooled URL: same user, password and database as the direct one, the pooler's port. */
  url: string;
  port: number;
  /** The daemon's process id (the benchmark reads its CPU time), once it is running. */
  pid: () => number | undefined;
  logs: () => string;
  stop: () => Promise<void>;
};

const CANDIDATES = ['/usr/sbin/pgbouncer', '/usr/local/sbin/pgbouncer', '/usr/local/bin/pgbouncer', '/opt/homebrew/bin/pgbouncer'];

/** The pgbouncer binary: on PATH, or where Debian and Homebrew put it. */
export function pgbouncerBinary(): string | undefined {
  const onPath = (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .map((dir) => path.join(dir, 'pgbouncer'));
  return [...onPath, ...CANDIDATES].find((file) => existsSync(file));
}

/** Why the pooled tests cannot run here, or undefined when they can. */
export function pgbouncerUnavailable(): string | undefined {
  return pgbouncerBinary()
    ? undefined
    : 'pgbouncer is not installed (Debian: `apt-get install pgbouncer`; macOS: `brew install pgbouncer`)';
}

const isRoot = () => process.getuid?.() === 0;

/** PgBouncer refuses to run as root; as root it runs as the `postgres` user, like the embedded PostgreSQL. */
function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts PgBouncer in transaction mode on a free loopback port in front of `databaseUrl` (a server on
 * 127.0.0.1). Everything else is PgBouncer's default: no `ignore_startup_parameters`, pool sizes,
 * timeouts, prepared-statement handling.
 */
export async function startPgbouncer({ databaseUrl }: { databaseUrl: string }): Promise<Pooler> {
  const binary = pgbouncerBinary();
  if (!binary) throw new Error(`Cannot start the pooler: ${pgbouncerUnavailable()}`);
  const direct = new URL(databaseUrl);
  const user = decodeURIComponent(direct.username);
  const password = decodeURIComponent(direct.password);
  const database = direct.pathname.slice(1);
  const port = await freePort();

  const dir = await mkdtemp(path.join(tmpdir(), 'pgbouncer-'));
  const file = (name: string) => path.join(dir, name);
  const quote = (value: string) => `"${value.replace(/"/g, '""')}"`;
  await writeFile(file('userlist.txt'), `${quote(user)} ${quote(password)}\n`);
  await writeFile(
    file('pgbouncer.ini'),
    [
      '[databases]',
      `${database} = host=${direct.hostname} port=${direct.port || 5432} dbname=${database}`,
      '',
      '[pgbouncer]',
      'pool_mode = transaction',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${file('userlist.txt')}`,
      `logfile = ${file('pgbouncer.log')}`,
      `pidfile = ${file('pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  if (isRoot()) {
    const { uid, gid } = postgresUser();
    for (const name of ['', 'userlist.txt', 'pgbouncer.ini']) await chown(path.join(dir, name), uid, gid);
  }
  await chmod(dir, 0o700);

  const logs = () => (existsSync(file('pgbouncer.log')) ? readFileSync(file('pgbouncer.log'), 'utf8') : '');
  const [command, args] = isRoot()
    ? ['runuser', ['-u', 'postgres', '--', binary, '-d', file('pgbouncer.ini')]]
    : [binary, ['-d', file('pgbouncer.ini')]];
  const started = spawnSync(command, args, { encoding: 'utf8' });
  if (started.status !== 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`pgbouncer did not start (exit ${started.status}):\n${started.stdout}${started.stderr}${logs()}`);
  }

  const pid = (): number | undefined => {
    const text = existsSync(file('pgbouncer.pid')) ? readFileSync(file('pgbouncer.pid'), 'utf8').trim() : '';
    return text ? Number(text) : undefined;
  };
  const url = `postgresql://${direct.username}:${direct.password}@127.0.0.1:${port}/${database}`;
  // A daemon outlives its parent: stop it when the test process exits without calling stop().
  const killOnExit = () => {
    const id = pid();
    if (id && alive(id)) process.kill(id, 'SIGKILL');
  };
  process.once('exit', killOnExit);
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      process.off('exit', killOnExit);
      const id = pid();
      if (id && alive(id)) {
        process.kill(id, 'SIGTERM');
        const deadline = Date.now() + 5_000;
        while (alive(id) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        if (alive(id)) process.kill(id, 'SIGKILL');
      }
      await rm(dir, { recursive: true, force: true });
    })();
    return stopping;
  };

  // Ready when a query goes through it to the server.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) {
        const output = logs();
        await stop();
        throw new Error(
          `pgbouncer on port ${port} did not pass a query to ${direct.host} within 15 s: ${error instanceof Error ? error.message : String(error)}\n${output}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return { url, port, pid, logs, stop };
}
