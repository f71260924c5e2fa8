/** A request body refused while reading it: more than the limit, or not all there before the deadline. */
export class BodyLimitError extends Error {
  constructor(readonly kind: 'too_large' | 'timeout') {
    super(kind === 'too_large' ? 'Request body too large' : 'Request body not received in time');
    this.name = 'BodyLimitError';
  }
}

/**
 * Reads a request's raw body bytes, refusing more than `limit` bytes (declared or sent) and bodies
 * that trickle in slower than `timeoutMs`, so neither can tie up a handler.
 */
export async function readBoundedBody(request: Request, limit: number, timeoutMs: number): Promise<Buffer> {
  const declared = Number(request.headers.get('content-length') ?? 0);
  if (declared > limit) throw new BodyLimitError('too_large');
  if (!request.body) return Buffer.alloc(0);

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BodyLimitError('timeout')), timeoutMs);
  });
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), deadline]);
      if (done) break;
      total += value.byteLength;
      if (total > limit) throw new BodyLimitError('too_large');
      chunks.push(value);
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks);
}
