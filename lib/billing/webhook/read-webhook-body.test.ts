import { describe, expect, it, vi } from 'vitest';
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
    await expect(readWebhookBody(post('x', { 'content-length': String(2 * 1024 * 1024) }))).rejects.toMatchObject({
      reason: 'payload_too_large',
    });
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 3; i += 1) controller.enqueue(new Uint8Array(10));
        controller.close();
      },
    });
    await expect(readWebhookBody(post(stream), 25)).rejects.toBeInstanceOf(WebhookRejection);
  });

  it('gives up on a body that trickles in too slowly', async () => {
    const stalled = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(1));
      },
    });
    await expect(readWebhookBody(post(stalled), 1024, 100)).rejects.toMatchObject({ reason: 'body_timeout' });
  });
});

describe('readWebhookBody at the limit', () => {
  const stream = (sizes: number[]) =>
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const size of sizes) controller.enqueue(new Uint8Array(size).fill(120));
        controller.close();
      },
    });

  it('accepts exactly the limit, declared or streamed, and refuses one byte more', async () => {
    expect((await readWebhookBody(post('x'.repeat(25), { 'content-length': '25' }), 25)).toString()).toBe('x'.repeat(25));
    await expect(readWebhookBody(post('x'.repeat(26), { 'content-length': '26' }), 25)).rejects.toMatchObject({
      reason: 'payload_too_large',
    });
    expect((await readWebhookBody(post(stream([10, 10, 5])), 25)).toString()).toBe('x'.repeat(25));
    await expect(readWebhookBody(post(stream([10, 10, 6])), 25)).rejects.toMatchObject({ reason: 'payload_too_large' });
  });

  it('accepts a body of 1 MiB by default and refuses a larger declared one', async () => {
    const mebibyte = 1024 * 1024;
    expect((await readWebhookBody(post(stream([mebibyte])))).length).toBe(mebibyte);
    await expect(readWebhookBody(post('x', { 'content-length': String(mebibyte + 1) }))).rejects.toMatchObject({
      reason: 'payload_too_large',
    });
  });

  it('leaves no deadline timer behind once the body is read', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      expect((await readWebhookBody(post(stream([10])), 25, 5_000)).length).toBe(10);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops reading a body it refuses', async () => {
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new Uint8Array(10));
      },
      cancel() {
        cancelled = true;
      },
    });
    await expect(readWebhookBody(post(endless), 25)).rejects.toMatchObject({ reason: 'payload_too_large' });
    await vi.waitFor(() => expect(cancelled).toBe(true));
  });
});
