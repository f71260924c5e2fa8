import Stripe from 'stripe';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEVELOPMENT_WEBHOOK_SECRET } from '../../env';
import { verifyStripeSignature } from './verify-stripe-signature';
import { WebhookConfigurationError, WebhookRejection } from './webhook-errors';

const secrets = ['whsec_first', 'whsec_second'];
const body = JSON.stringify({
  id: 'evt_1',
  object: 'event',
  type: 'customer.created',
  created: 1,
  livemode: false,
  api_version: null,
  data: { object: { id: 'cus_1' } },
});
const sign = (payload: string, secret: string, timestamp?: number) =>
  Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
const verify = (payload: string, header: string | null, options: { toleranceSeconds?: number } = {}) =>
  verifyStripeSignature({ rawBody: Buffer.from(payload), header, secrets, toleranceSeconds: options.toleranceSeconds ?? 300 });
const reasonOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof WebhookRejection ? error.reason : error;
  }
  return 'accepted';
};

describe('verifyStripeSignature', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('accepts a signature made with any configured secret', () => {
    expect(verify(body, sign(body, 'whsec_first')).id).toBe('evt_1');
    expect(verify(body, sign(body, 'whsec_second')).id).toBe('evt_1');
  });

  it('tries every v1 value in the header', () => {
    const good = sign(body, 'whsec_second');
    const [timestamp, v1] = good.split(',');
    expect(verify(body, `${timestamp},v1=${'0'.repeat(64)},${v1}`).id).toBe('evt_1');
  });

  it('rejects a missing header, a wrong secret, a tampered body and a malformed header', () => {
    expect(reasonOf(() => verify(body, null))).toBe('missing_signature');
    expect(reasonOf(() => verify(body, sign(body, 'whsec_other')))).toBe('invalid_signature');
    expect(reasonOf(() => verify(`${body} `, sign(body, 'whsec_first')))).toBe('invalid_signature');
    expect(reasonOf(() => verify(body, 'garbage'))).toBe('invalid_signature');
  });

  it('checks the timestamp the header names and the exact bytes of the body', () => {
    const now = Math.floor(Date.now() / 1000);
    const [, v1] = sign(body, 'whsec_first', now).split(',');
    expect(reasonOf(() => verify(body, `t=${now - 1},${v1}`))).toBe('invalid_signature');
    expect(reasonOf(() => verify(body, `${v1}`))).toBe('invalid_signature');
    expect(reasonOf(() => verify(body, `t=${now},v0=${v1?.slice(3)}`))).toBe('invalid_signature');
    expect(reasonOf(() => verify(body, `t=${now},v1=${v1?.slice(3).toUpperCase()}`))).toBe('invalid_signature');
    // Bytes that are not UTF-8 decode to U+FFFD: a signature over the decoded text must not pass for them.
    const invalidUtf8 = Buffer.concat([Buffer.from(body.slice(0, -1)), Buffer.from([0xff]), Buffer.from('}')]);
    const overDecodedText = sign(invalidUtf8.toString('utf8'), 'whsec_first');
    expect(reasonOf(() => verifyStripeSignature({ rawBody: invalidUtf8, header: overDecodedText, secrets, toleranceSeconds: 300 }))).toBe(
      'invalid_signature',
    );
  });

  it('accepts a timestamp ahead of the clock, as Stripe does, and any age when the tolerance is 0 outside production', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(reasonOf(() => verify(body, sign(body, 'whsec_first', now + 600)))).toBe('accepted');
    expect(reasonOf(() => verify(body, sign(body, 'whsec_first', now - 86_400), { toleranceSeconds: 0 }))).toBe('accepted');
  });

  it('rejects a replay outside the tolerance but accepts one inside it', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(reasonOf(() => verify(body, sign(body, 'whsec_first', now - 301)))).toBe('timestamp_out_of_tolerance');
    expect(reasonOf(() => verify(body, sign(body, 'whsec_first', now - 290)))).toBe('accepted');
  });

  it('accepts an age of exactly the tolerance and refuses one second more, as the SDK does', () => {
    vi.useFakeTimers({ now: 1_800_000_000_500 });
    expect(reasonOf(() => verify(body, sign(body, 'whsec_first', 1_800_000_000 - 300)))).toBe('accepted');
    expect(reasonOf(() => verify(body, sign(body, 'whsec_first', 1_800_000_000 - 301)))).toBe('timestamp_out_of_tolerance');
  });

  it('reads only t and v1 items: other schemes are ignored, malformed values refused without throwing', () => {
    const now = Math.floor(Date.now() / 1000);
    const good = sign(body, 'whsec_first', now);
    const [, v1] = good.split(',');
    expect(reasonOf(() => verify(body, `${good},v0=123,x=${now - 999}`))).toBe('accepted');
    expect(reasonOf(() => verify(body, `t=${now}x,${v1}`))).toBe('invalid_signature');
    expect(reasonOf(() => verify(body, `t=${now},v1=z${v1?.slice(3)}`))).toBe('invalid_signature');
    expect(reasonOf(() => verify(body, `t=${now},v1=${v1?.slice(4)}`))).toBe('invalid_signature');
  });

  it('rejects signed bodies that are not JSON or not a Stripe event', () => {
    expect(reasonOf(() => verify('not json', sign('not json', 'whsec_first')))).toBe('invalid_payload');
    const notEvent = JSON.stringify({ hello: 'world' });
    expect(reasonOf(() => verify(notEvent, sign(notEvent, 'whsec_first')))).toBe('invalid_payload');
  });

  it('refuses to verify when no secret is configured', () => {
    expect(() => verifyStripeSignature({ rawBody: Buffer.from(body), header: sign(body, 'x'), secrets: [] })).toThrow(
      WebhookConfigurationError,
    );
  });

  it('refuses to verify without replay protection (tolerance 0 in a production build), naming the variable', () => {
    expect(() =>
      verifyStripeSignature({ rawBody: Buffer.from(body), header: sign(body, 'whsec_first'), secrets, toleranceSeconds: null }),
    ).toThrow(
      new WebhookConfigurationError('STRIPE_WEBHOOK_TOLERANCE_SECONDS=0 turns off replay protection: a production build refuses it'),
    );
  });
});

describe('verifyStripeSignature with the configured secrets', () => {
  const body = JSON.stringify({
    id: 'evt_1',
    object: 'event',
    type: 'customer.created',
    created: 1,
    livemode: false,
    api_version: null,
    data: { object: { id: 'cus_1' } },
  });
  const sign = (secret: string, timestamp?: number) => Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });
  const reason = (header: string | null, secrets?: string[]) => {
    try {
      return verifyStripeSignature({ rawBody: Buffer.from(body), header, secrets }).id;
    } catch (error) {
      return error instanceof WebhookRejection ? error.reason : (error as Error).message;
    }
  };

  it('uses the development secret and a 300-second tolerance when nothing else is configured', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(reason(sign(DEVELOPMENT_WEBHOOK_SECRET))).toBe('evt_1');
    expect(reason(sign(DEVELOPMENT_WEBHOOK_SECRET, now - 280))).toBe('evt_1');
    expect(reason(sign(DEVELOPMENT_WEBHOOK_SECRET, now - 320))).toBe('timestamp_out_of_tolerance');
    expect(reason(sign('whsec_other'))).toBe('invalid_signature');
  });

  it('treats an empty header as missing, and says what is missing without a secret', () => {
    expect(reason('')).toBe('missing_signature');
    expect(reason(sign('whsec_a'), [])).toBe('STRIPE_WEBHOOK_SECRET is not configured');
  });

  it('refuses a signed body that is not a Stripe event envelope', () => {
    const signedReason = (value: unknown) => {
      const payload = JSON.stringify(value);
      try {
        return verifyStripeSignature({
          rawBody: Buffer.from(payload),
          header: Stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_a' }),
          secrets: ['whsec_a'],
        }).id;
      } catch (error) {
        return error instanceof WebhookRejection ? error.reason : (error as Error).message;
      }
    };
    const event = JSON.parse(body) as Record<string, unknown>;
    expect(signedReason(event)).toBe('evt_1');
    expect(signedReason({ ...event, id: 'xevt_1' })).toBe('invalid_payload');
    expect(signedReason({ ...event, data: {} })).toBe('invalid_payload');
    expect(signedReason({ ...event, data: { object: { id: 42 } } })).toBe('invalid_payload');
    expect(signedReason({ ...event, data: { object: { object: 'balance' } } })).toBe('evt_1');
  });

  it('finds the replay whichever configured secret signed it', () => {
    const old = Math.floor(Date.now() / 1000) - 3_600;
    expect(reason(sign('whsec_b', old), ['whsec_a', 'whsec_b'])).toBe('timestamp_out_of_tolerance');
    expect(reason(sign('whsec_a', old), ['whsec_a', 'whsec_b'])).toBe('timestamp_out_of_tolerance');
  });
});
