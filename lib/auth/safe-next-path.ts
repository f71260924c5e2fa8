// Any fixed origin will do: the check is whether the path keeps to it, whatever the real host is.
const SITE = 'https://site.invalid';

/**
 * Where to go after signing in: a path of this site only. The value is parsed as a browser would
 * (tabs and newlines dropped, `\` read as `/`, percent-escapes of them too), and anything that lands
 * on another origin, or carries control characters or backslashes at all, goes to `/dashboard`.
 */
export function safeNextPath(value: unknown): string {
  const fallback = '/dashboard';
  if (typeof value !== 'string' || !value.startsWith('/')) return fallback;
  let decoded = value;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return fallback;
  }
  if (/[\u0000-\u001f\u007f\\]/.test(decoded) || decoded.startsWith('//')) return fallback;
  let parsed: URL;
  try {
    parsed = new URL(value, SITE);
  } catch {
    return fallback;
  }
  if (parsed.origin !== SITE) return fallback;
  return `${parsed.pathname}${parsed.search}${parsed.hash}`;
}
