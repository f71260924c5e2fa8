import { signatureHeader } from './stripe-events';

export type Delivery = { status: number; body: Record<string, unknown> };

/** POSTs a body to the webhook as Stripe does, signed with `secret` unless a header is given. */
export async function deliver(
  baseUrl: string,
  body: string | Buffer,
  { secret, header, path = '/api/webhooks/stripe' }: { secret?: string; header?: string | null; path?: string } = {},
): Promise<Delivery> {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  const signature =
    header === undefined && secret ? signatureHeader(typeof body === 'string' ? body : body.toString('utf8'), secret) : header;
  if (signature) headers['stripe-signature'] = signature;
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await response.text();
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { raw: text };
  }
  return { status: response.status, body: parsed };
}
