import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { testPool } from '../tests/support/database';

const ROOT = path.resolve(import.meta.dirname, '..');
const databaseUrl = inject('databaseUrl');
const pool = testPool(databaseUrl);
afterAll(() => pool.end());

function adminGrant(...args: string[]) {
  const result = spawnSync(path.join(ROOT, 'node_modules/.bin/tsx'), ['scripts/admin-grant.ts', ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', DATABASE_URL: databaseUrl },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

describe('npm run admin:grant -- <email>', () => {
  it('makes an existing user with a verified email an administrator', async () => {
    const email = `ops-${randomBytes(4).toString('hex')}@example.com`;
    await pool.query('INSERT INTO users (email, email_verified) VALUES ($1, true)', [email]);
    expect(adminGrant(email.toUpperCase())).toEqual({ code: 0, stdout: `${email.toUpperCase()} is now an administrator.`, stderr: '' });
    expect((await pool.query('SELECT role FROM users WHERE email = $1', [email])).rows).toEqual([{ role: 'admin' }]);
  });

  it('exits 1 with a clear message when no user has that email, or no email is given', () => {
    expect(adminGrant('nobody@example.com')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'No user with the email nobody@example.com: they must sign up first, then run this again.',
    });
    expect(adminGrant()).toEqual({ code: 1, stdout: '', stderr: 'usage: npm run admin:grant -- <email> [--force]' });
  });

  it('refuses an unverified email unless --force', async () => {
    const email = `claimed-${randomBytes(4).toString('hex')}@example.com`;
    await pool.query('INSERT INTO users (email) VALUES ($1)', [email]);
    expect(adminGrant(email)).toEqual({
      code: 1,
      stdout: '',
      stderr: `${email} is not verified: anyone could have registered it. Run again with --force if you know it is theirs.`,
    });
    expect((await pool.query('SELECT role FROM users WHERE email = $1', [email])).rows).toEqual([{ role: 'user' }]);
    expect(adminGrant(email, '--force')).toEqual({ code: 0, stdout: `${email} is now an administrator.`, stderr: '' });
    expect((await pool.query('SELECT role FROM users WHERE email = $1', [email])).rows).toEqual([{ role: 'admin' }]);
  });
});
