// One JSON object per line (what Vercel's log drains and `grep` both read): a fixed `msg` and
// queryable fields. Callers pass identifiers and outcomes only, never secrets or payloads.
type Fields = Record<string, string | number | boolean | null | undefined>;

function write(level: 'info' | 'warn' | 'error', msg: string, fields: Fields): void {
  const line = JSON.stringify({ level, time: new Date().toISOString(), msg, ...fields });
  if (level === 'info') console.log(line);
  else console.error(line);
}

/** The first line of an error's message: enough to act on, without stacks or echoed input. */
export function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

export const logger = {
  info: (msg: string, fields: Fields = {}) => write('info', msg, fields),
  warn: (msg: string, fields: Fields = {}) => write('warn', msg, fields),
  error: (msg: string, fields: Fields = {}) => write('error', msg, fields),
};
