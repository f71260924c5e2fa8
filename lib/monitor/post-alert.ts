import { z } from 'zod';

const POST_TIMEOUT_MS = 5_000;

/**
 * Posts `{"text": ...}` to an incoming webhook (Slack, Discord's /slack endpoint, Mattermost, most chat
 * tools); throws unless it answers 2xx within five seconds. The URL itself is never put in an error.
 */
export async function postAlert(url: string, text: string): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: z.string().min(1).parse(text) }),
    signal: AbortSignal.timeout(POST_TIMEOUT_MS),
  }).catch((error: unknown) => {
    throw new Error(`Alert receiver unreachable: ${error instanceof Error ? error.name : 'error'}`);
  });
  if (!response.ok) throw new Error(`Alert receiver answered ${response.status}`);
}
