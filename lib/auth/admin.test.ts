import { describe, expect, it } from 'vitest';
import { adminEmails } from '../env';
import { isAdmin } from './admin';

describe('admin guard', () => {
  it('admits only allow-listed emails, case-insensitively', () => {
    const allowList = ['ops@example.com', 'cto@example.com'];
    expect(isAdmin({ email: 'ops@example.com' }, allowList)).toBe(true);
    expect(isAdmin({ email: 'OPS@Example.com' }, allowList)).toBe(true);
    expect(isAdmin({ email: 'user@example.com' }, allowList)).toBe(false);
    expect(isAdmin({ email: null }, allowList)).toBe(false);
    expect(isAdmin(null, allowList)).toBe(false);
  });

  it('admits nobody when no administrator is configured', () => {
    expect(isAdmin({ email: 'ops@example.com' }, [])).toBe(false);
    expect(adminEmails({ ADMIN_EMAILS: '' } as Parameters<typeof adminEmails>[0])).toEqual([]);
    expect(adminEmails({ ADMIN_EMAILS: ' Ops@Example.com , ,cto@example.com' } as Parameters<typeof adminEmails>[0])).toEqual(['ops@example.com', 'cto@example.com']);
  });
});
