import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeEventsApi, type StripeEventsApi } from '../../../tests/support/stripe-events-api';
import { eventBody, type FixtureName, freshScenario } from '../../../tests/support/stripe-events';
import { listStripeEvents } from './list-stripe-events';

// The Events API double, driven by the real stripe-node client: its list semantics are what the
// reconciliation relies on, so they are checked here against Stripe's documented behaviour.

const T0 = 1_800_000_000;
const TYPES: FixtureName[] = [
  'customer.subscription.created',
  'invoice.payment_succeeded',
  'customer.created',
  'customer.subscription.updated',
];

let api: StripeEventsApi;
let stripe: Stripe;
const ids: string[] = []; // evt_0 .. evt_11, created T0 + 10 * i: evt_11 is the newest
beforeAll(async () => {
  api = await startStripeEventsApi();
  stripe = api.client();
  const scenario = freshScenario();
  for (let i = 0; i < 12; i += 1) {
    ids.push(`evt_${i}`);
    api.add(eventBody(TYPES[i % TYPES.length] as FixtureName, scenario, { id: `evt_${i}`, created: T0 + 10 * i }));
  }
});
afterAll(() => api.close());

const idsOf = (list: { data: { id: string }[] }) => list.data.map((event) => event.id);

describe('the Events API double', () => {
  it('lists newest first, `limit` at a time, with has_more, object and url', async () => {
    const page = await stripe.events.list({ limit: 3 });
    expect(idsOf(page)).toEqual(['evt_11', 'evt_10', 'evt_9']);
    expect(page.has_more).toBe(true);
    expect(page.object).toBe('list');
    expect(page.url).toBe('/v1/events');
    const all = await stripe.events.list({ limit: 100 });
    expect(all.data).toHaveLength(12);
    expect(all.has_more).toBe(false);
    expect((await stripe.events.list()).data).toHaveLength(10);
  });

  it('pages towards older events with starting_after and towards newer ones with ending_before', async () => {
    const older = await stripe.events.list({ limit: 3, starting_after: 'evt_9' });
    expect(idsOf(older)).toEqual(['evt_8', 'evt_7', 'evt_6']);
    expect(older.has_more).toBe(true);
    const last = await stripe.events.list({ limit: 3, starting_after: 'evt_2' });
    expect(idsOf(last)).toEqual(['evt_1', 'evt_0']);
    expect(last.has_more).toBe(false);
    // ending_before: the page nearest the cursor, still newest first.
    const newer = await stripe.events.list({ limit: 3, ending_before: 'evt_2' });
    expect(idsOf(newer)).toEqual(['evt_5', 'evt_4', 'evt_3']);
    expect(newer.has_more).toBe(true);
    const newest = await stripe.events.list({ limit: 3, ending_before: 'evt_9' });
    expect(idsOf(newest)).toEqual(['evt_11', 'evt_10']);
    expect(newest.has_more).toBe(false);
  });

  it('filters by created range and by types[], sent as types[0]=…', async () => {
    const range = await stripe.events.list({ created: { gte: T0 + 30, lte: T0 + 60 }, limit: 100 });
    expect(idsOf(range)).toEqual(['evt_6', 'evt_5', 'evt_4', 'evt_3']);
    expect(idsOf(await stripe.events.list({ created: { gt: T0 + 100 }, limit: 100 }))).toEqual(['evt_11']);
    const typed = await stripe.events.list({ types: ['customer.subscription.created', 'customer.subscription.updated'], limit: 100 });
    expect(idsOf(typed)).toEqual(['evt_11', 'evt_8', 'evt_7', 'evt_4', 'evt_3', 'evt_0']);
    const query = api.listRequests().at(-1)?.query;
    expect(query?.get('types[0]')).toBe('customer.subscription.created');
    expect(query?.get('types[1]')).toBe('customer.subscription.updated');
    expect(idsOf(await stripe.events.list({ type: 'invoice.*', limit: 100 }))).toEqual(['evt_9', 'evt_5', 'evt_1']);
  });

  it('yields oldest first under stripe-node auto-pagination with ending_before', async () => {
    const seen: string[] = [];
    for await (const event of stripe.events.list({ ending_before: 'evt_0', limit: 4 })) seen.push(event.id);
    expect(seen).toEqual(ids.slice(1));
    // Three pages of four, each asked with ending_before the newest event seen so far.
    expect(
      api
        .listRequests()
        .slice(-3)
        .map((request) => request.query.get('ending_before')),
    ).toEqual(['evt_0', 'evt_4', 'evt_8']);
  });

  it('answers an unknown cursor with 404 resource_missing and a wrong key with 401, as Stripe does', async () => {
    const missing = await stripe.events.list({ ending_before: 'evt_gone' }).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(missing).toMatchObject({ statusCode: 404, code: 'resource_missing', message: "No such event: 'evt_gone'" });
    const wrongKey = new Stripe('sk_test_wrong', { host: '127.0.0.1', port: api.port, protocol: 'http', maxNetworkRetries: 0 });
    await expect(wrongKey.events.list()).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    await expect(stripe.events.list({ limit: 101 })).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('listStripeEvents', () => {
  const collect = async (iterator: AsyncGenerator<{ id: string }>) => {
    const seen: string[] = [];
    for await (const event of iterator) seen.push(event.id);
    return seen;
  };

  it('without a cursor: every event of the given types since a moment, oldest first', async () => {
    const types = ['customer.subscription.created', 'customer.subscription.updated', 'invoice.payment_succeeded'];
    expect(await collect(listStripeEvents({ stripe, types, since: T0 + 20 }))).toEqual([
      'evt_3',
      'evt_4',
      'evt_5',
      'evt_7',
      'evt_8',
      'evt_9',
      'evt_11',
    ]);
    expect(await collect(listStripeEvents({ stripe, types, since: T0 + 1_000 }))).toEqual([]);
  });

  it('from a cursor: every newer event, oldest first, across pages', async () => {
    expect(
      await collect(
        listStripeEvents({ stripe, types: ['customer.created', 'customer.subscription.created'], cursorEventId: 'evt_3', since: T0 }),
      ),
    ).toEqual(['evt_4', 'evt_6', 'evt_8', 'evt_10']);
  });

  it('does not fall back when listing from the cursor fails otherwise (Stripe down)', async () => {
    const before = api.listRequests().length;
    api.failNext(1);
    await expect(
      collect(listStripeEvents({ stripe, types: ['customer.created'], cursorEventId: 'evt_3', since: T0 })),
    ).rejects.toMatchObject({
      statusCode: 500,
    });
    expect(api.listRequests().length - before).toBe(1);
  });

  it('falls back to the window when Stripe no longer has the cursor event', async () => {
    expect(await collect(listStripeEvents({ stripe, types: ['customer.created'], cursorEventId: 'evt_expired', since: T0 + 50 }))).toEqual([
      'evt_6',
      'evt_10',
    ]);
  });

  it('stops, without starting over from the window, when a later page loses its cursor', async () => {
    const scenario = freshScenario();
    for (let i = 0; i < 101; i += 1) api.add(eventBody('customer.created', scenario, { id: `evt_more_${i}`, created: T0 + 1_000 + i }));
    const seen: string[] = [];
    const listing = (async () => {
      for await (const event of listStripeEvents({ stripe, types: ['customer.created'], cursorEventId: 'evt_11', since: T0 })) {
        seen.push(event.id);
        // Stripe forgets every event once the first page is read: the next page's cursor is gone.
        if (seen.length === 100) api.reset();
      }
    })();
    await expect(listing).rejects.toMatchObject({ code: 'resource_missing' });
    expect(seen).toHaveLength(100);
  });
});
