import { describe, expect, it } from 'vitest';
import { readWebhookBody } from './read-webhook-body';
import { WebhookRejection } from './webhook-errors';

const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request('http://localhost/api/webhooks/stripe', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);

describe('readWebhookBody', () => {
  it('returns the exact bytes', async () => {
    const bytes = Buffer.from('{"a":"é"}');
    expect((await readWebhookBody(post(bytes))).equals(bytes)).toBe(true);
    expect((await readWebhookBody(post(null))).length).toBe(0);
  });

  it('refuses a declared or streamed body over the limit', async () => {
    await expect(readWebhookBody(post('x', { 'content-length': String(2 * 1024 * 1024) }))).rejects.toMatchObject({ reason: 'payload_too_large' });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 3; i += 1) controller.enqueue(new Uint8Array(10));
        controller.close();
      },
    });
    await expect(readWebhookBody(post(stream), 25)).rejects.toBeInstanceOf(WebhookRejection);
  });

  it('gives up on a body that trickles in too slowly', async () => {
    const stalled = new ReadableStream<Uint8Array>({ start(controller) { controller.enqueue(new Uint8Array(1)); } });
    await expect(readWebhookBody(post(stalled), 1024, 100)).rejects.toMatchObject({ reason: 'body_timeout' });
  });
});
