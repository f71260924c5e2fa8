import { describe, expect, it } from 'vitest';
import { EventShapeError, parseEventObject, subscriptionFields } from './event-fields';

// The reason an operator reads on a failed event whose fields do not parse.

describe('parseEventObject', () => {
  it('names the first three fields that do not parse (of four here), with their paths', () => {
    const failure = (() => {
      try {
        parseEventObject(subscriptionFields, 'customer.subscription.updated', {
          id: 5,
          customer: 7,
          status: 1,
          metadata: {},
          cancel_at_period_end: 'no',
          items: { data: [] },
        });
      } catch (error) {
        return error;
      }
    })() as Error;
    expect(failure).toBeInstanceOf(EventShapeError);
    expect(failure.name).toBe('EventShapeError');
    expect(failure.message).toBe(
      'customer.subscription.updated does not carry the fields this handler reads: ' +
        'data.object.id: Invalid input: expected string, received number; data.object.customer: Invalid input; ' +
        'data.object.status: Invalid input: expected string, received number',
    );
  });

  it('returns the fields it reads, expanded objects read as their id', () => {
    const fields = parseEventObject(subscriptionFields, 'customer.subscription.updated', {
      id: 'sub_1',
      customer: { id: 'cus_1', object: 'customer' },
      status: 'active',
      metadata: { user_id: 'user_1' },
      cancel_at_period_end: false,
      items: { data: [{ current_period_end: 1_800_000_000, price: { id: 'price_1', recurring: { interval: 'month' } } }] },
    });
    expect(fields).toEqual({
      id: 'sub_1',
      customer: 'cus_1',
      status: 'active',
      metadata: { user_id: 'user_1' },
      cancel_at_period_end: false,
      items: { data: [{ current_period_end: 1_800_000_000, price: { id: 'price_1', recurring: { interval: 'month' } } }] },
    });
  });
});
