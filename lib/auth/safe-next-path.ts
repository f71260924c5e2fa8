/** Where to go after signing in: a same-site path only (`//host` and `/\host` would leave the site). */
export function safeNextPath(value: unknown): string {
  const next = typeof value === 'string' ? value : '';
  return /^\/(?![/\\])/.test(next) ? next : '/dashboard';
}
