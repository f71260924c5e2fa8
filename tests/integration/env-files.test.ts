import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { freePort } from '../support/app-server';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');
const WITH_DATABASE = path.join(ROOT, 'scripts/with-database.ts');
const PRINT_ENV = 'console.log("ENV " + JSON.stringify({ DATABASE_URL: process.env.DATABASE_URL, PORT: process.env.PORT }))';

const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) {
    const data = await realpath(path.join(folder, '.data/postgres')).catch(() => undefined);
    await rm(folder, { recursive: true, force: true });
    if (data) await rm(data, { recursive: true, force: true });
    if (data) await rm(`${data}.password`, { force: true });
  }
});

/**
 * A working folder for with-database.ts (it reads .env files and keeps .data/ in the current folder),
 * with the project's files linked so that `prisma migrate deploy` finds its config there too.
 */
async function projectWith(files: Record<string, string>): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), 'env-files-'));
  folders.push(folder);
  for (const name of ['package.json', 'prisma.config.ts', 'prisma', 'scripts', 'node_modules']) {
    await symlink(path.join(ROOT, name), path.join(folder, name));
  }
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(folder, name), text);
  return folder;
}

async function withDatabase(folder: string, args: string[], shell: Record<string, string> = {}) {
  const { stdout } = await run(TSX, [WITH_DATABASE, ...args], {
    cwd: folder,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'development', ...shell },
    timeout: 80_000,
  });
  return stdout;
}

function printed(stdout: string, tag: string): unknown {
  const line = stdout.split('\n').find((text) => text.startsWith(`${tag} `));
  return line ? JSON.parse(line.slice(tag.length + 1)) : undefined;
}

describe('.env files in npm scripts (scripts/with-database.ts)', () => {
  it('takes DATABASE_URL and PORT from .env.local over .env, and the shell over both', async () => {
    const databaseUrl = inject('databaseUrl');
    const folder = await projectWith({
      '.env.local': `DATABASE_URL=${databaseUrl}\nPORT=4123\n`,
      '.env': 'DATABASE_URL=postgresql://nobody@127.0.0.1:9/none\nPORT=4999\n',
    });

    const fromFiles = await withDatabase(folder, [process.execPath, '-e', PRINT_ENV]);
    expect(fromFiles).not.toContain('Embedded PostgreSQL');
    expect(printed(fromFiles, 'ENV')).toEqual({ DATABASE_URL: databaseUrl, PORT: '4123' });

    const fromShell = await withDatabase(folder, [process.execPath, '-e', PRINT_ENV], { PORT: '5555' });
    expect(printed(fromShell, 'ENV')).toEqual({ DATABASE_URL: databaseUrl, PORT: '5555' });
  });

  it.each(['DIRECT_URL', 'DATABASE_URL_UNPOOLED', 'POSTGRES_URL_NON_POOLING'])(
    '--migrate runs the migrations on %s, and the command gets DATABASE_URL',
    async (name) => {
      const databaseUrl = inject('databaseUrl');
      const pooled = 'postgresql://nobody@127.0.0.1:9/pooled';
      const folder = await projectWith({ '.env.local': `DATABASE_URL=${pooled}\n${name}=${databaseUrl}\n` });

      const stdout = await withDatabase(folder, ['--migrate', process.execPath, '-e', PRINT_ENV]);
      expect(stdout).toContain('No pending migrations to apply.');
      expect(printed(stdout, 'ENV')).toEqual({ DATABASE_URL: pooled });
    },
  );

  it('.env.local.example copied as it is sets nothing, and the embedded database starts with it on the port .env names', async () => {
    const example = await readFile(path.join(ROOT, '.env.local.example'), 'utf8');
    const assigned = example
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    expect(assigned).toEqual([]);

    const port = await freePort();
    const folder = await projectWith({ '.env': `EMBEDDED_POSTGRES_PORT=${port}\n` });
    await copyFile(path.join(ROOT, '.env.local.example'), path.join(folder, '.env.local'));
    const stdout = await withDatabase(folder, [process.execPath, '-e', PRINT_ENV]);

    expect(stdout).toContain(`Embedded PostgreSQL on 127.0.0.1:${port}`);
    // The superuser's password is the random one kept beside the cluster's folder, never printed.
    const password = (await readFile(`${await realpath(path.join(folder, '.data/postgres'))}.password`, 'utf8')).trim();
    expect(password).toMatch(/^[\w-]{32}$/);
    expect(
      stdout
        .split('\n')
        .filter((line) => !line.startsWith('ENV '))
        .join('\n'),
    ).not.toContain(password);
    expect(printed(stdout, 'ENV')).toEqual({
      DATABASE_URL: `postgresql://postgres:${password}@127.0.0.1:${port}/billing`,
      PORT: undefined,
    });
  });
});
