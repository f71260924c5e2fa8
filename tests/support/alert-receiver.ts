import { createServer } from 'node:http';

/**
 * A local incoming webhook, like Slack's: records every `{"text": ...}` posted to it. `failNext(n)`
 * answers the next n posts 500; `delayMs` holds each answer back (to overlap two monitor runs).
 */
export async function startAlertReceiver() {
  const texts: string[] = [];
  let failures = 0;
  let delayMs = 0;
  const server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk: Buffer) => {
      raw += chunk.toString();
    });
    request.on('end', () => {
      setTimeout(() => {
        if (failures > 0) {
          failures -= 1;
          response.writeHead(500).end('receiver down');
          return;
        }
        const body = JSON.parse(raw) as { text?: unknown };
        texts.push(typeof body.text === 'string' ? body.text : `not text: ${raw}`);
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hooks/alerts`,
    texts,
    failNext: (count: number) => {
      failures = count;
    },
    setDelay: (ms: number) => {
      delayMs = ms;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
