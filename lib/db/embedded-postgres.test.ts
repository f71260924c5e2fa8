import { existsSync } from 'node:fs';
import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../tests/support/app-server';
import { startEmbeddedPostgres, type EmbeddedDatabase } from './embedded-postgres';

const dataDir = `.data/test/superuser-password-${process.pid}`;
let passwordFile: string | undefined;

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
  if (passwordFile) await rm(passwordFile, { force: true });
});

/** Runs one query over `url` and closes the connection; rejects as the server answers. */
async function queryOnce(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one ?? 0;
  } finally {
    await client.end();
  }
}

const withPassword = (db: EmbeddedDatabase, password: string) => {
  const url = new URL(db.url);
  url.password = password;
  return url.href;
};

const filePassword = async (db: EmbeddedDatabase) => (await readFile(db.passwordFile, 'utf8')).trim();

describe('the embedded PostgreSQL superuser password', () => {
  it(
    'is random, kept beside the data folder for its owner only, required, and kept across restarts; a cluster with the old public one is moved to a random one',
    { timeout: 120_000 },
    async () => {
      await rm(dataDir, { recursive: true, force: true });
      const first = await startEmbeddedPostgres({ dataDir, port: await freePort(), fsync: false });
      passwordFile = first.passwordFile;
      let password: string;
      try {
        expect(first.passwordFile).toBe(`${first.dataDir}.password`);
        expect((await stat(first.passwordFile)).mode & 0o777).toBe(0o600);
        password = await filePassword(first);
        expect(password).toMatch(/^[\w-]{32}$/);
        expect(password).not.toBe('postgres');
        expect(new URL(first.url).password).toBe(password);
        expect(await queryOnce(first.url)).toBe(1);
        await expect(queryOnce(withPassword(first, 'postgres'))).rejects.toMatchObject({ code: '28P01' });
        // initdb's copy of the password is gone, and every TCP login needs the password (SCRAM, never trust).
        expect(existsSync(path.join(path.dirname(first.dataDir), `.${path.basename(first.dataDir)}-initdb-password`))).toBe(false);
        const rules = (await readFile(path.join(first.dataDir, 'pg_hba.conf'), 'utf8')).split('\n').filter((line) => /^host/.test(line));
        expect(rules.length).toBeGreaterThan(0);
        for (const rule of rules) expect(rule.trim().split(/\s+/).at(-1)).toBe('scram-sha-256');
      } finally {
        await first.stop();
      }

      const second = await startEmbeddedPostgres({ dataDir, port: await freePort(), fsync: false });
      try {
        expect(await filePassword(second)).toBe(password);
        expect(new URL(second.url).password).toBe(password);
        expect(await queryOnce(second.url)).toBe(1);

        // A cluster created before the password file: the public password and no file beside it.
        const admin = new pg.Client({ connectionString: second.url });
        await admin.connect();
        await admin.query(`ALTER ROLE postgres PASSWORD 'postgres'`);
        await admin.end();
      } finally {
        await second.stop();
      }
      await rm(second.passwordFile);

      const legacy = await startEmbeddedPostgres({ dataDir, port: await freePort(), fsync: false });
      try {
        const rotated = await filePassword(legacy);
        expect(rotated).toMatch(/^[\w-]{32}$/);
        expect(rotated).not.toBe(password);
        expect((await stat(legacy.passwordFile)).mode & 0o777).toBe(0o600);
        expect(await queryOnce(legacy.url)).toBe(1);
        expect(new URL(legacy.url).password).toBe(rotated);
        await expect(queryOnce(withPassword(legacy, 'postgres'))).rejects.toMatchObject({ code: '28P01' });
      } finally {
        await legacy.stop();
      }
    },
  );
});
