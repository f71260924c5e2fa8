import { previousAttributesFields } from '../event-fields';

/** The status a subscription event moved on from (`previous_attributes.status`), when Stripe sent it. */
export function previousStatusOf(event: { data: { previous_attributes?: unknown } }): string | null {
  return previousAttributesFields.safeParse(event.data.previous_attributes).data?.status ?? null;
}
