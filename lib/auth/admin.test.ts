import { describe, expect, it } from 'vitest';
import { isAdmin } from './admin';

describe('admin guard', () => {
  it('admits only users whose role is admin', () => {
    expect(isAdmin({ role: 'admin' })).toBe(true);
    expect(isAdmin({ role: 'user' })).toBe(false);
    expect(isAdmin(null)).toBe(false);
  });
});
