import { describe, expect, it } from 'vitest';
import { safeNextPath } from './safe-next-path';

describe('safeNextPath', () => {
  it('keeps a path of this site, with its query and fragment', () => {
    expect(safeNextPath('/dashboard')).toBe('/dashboard');
    expect(safeNextPath('/pricing?plan=pro#annual')).toBe('/pricing?plan=pro#annual');
    expect(safeNextPath('/admin/webhooks/evt_1')).toBe('/admin/webhooks/evt_1');
  });

  it.each([
    ['a tab before the second slash (arrives decoded from %09)', '/\t/evil.example/login'],
    ['a newline before the second slash', '/\n/evil.example'],
    ['a carriage return', '/\r/evil.example'],
    ['the tab still encoded', '/%09/evil.example/login'],
    ['a protocol-relative URL', '//evil.example'],
    ['a backslash', '/\\evil.example'],
    ['an encoded backslash', '/%5Cevil.example'],
    ['an encoded slash', '/%2F/evil.example'],
    ['an absolute URL', 'https://evil.example/'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a relative path', 'dashboard'],
    ['an empty value', ''],
    ['a malformed escape', '/%E0%A4%A'],
    ['a NUL', '/dash\u0000board'],
  ])('sends %s to /dashboard', (_, value) => {
    expect(safeNextPath(value)).toBe('/dashboard');
  });

  it('never lets a browser leave the site, whatever the value', () => {
    for (const value of ['/\t/evil.example', '/%09/evil.example', '/\u000b/evil.example', '/ /evil.example', '/./evil.example']) {
      const next = safeNextPath(value);
      expect(new URL(next, 'https://app.example').origin).toBe('https://app.example');
    }
  });

  it('sends anything but a string to /dashboard', () => {
    expect(safeNextPath(undefined)).toBe('/dashboard');
    expect(safeNextPath(['/pricing'])).toBe('/dashboard');
  });
});
