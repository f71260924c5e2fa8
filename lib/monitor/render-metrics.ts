import { collectMetrics } from './collect-metrics';
import { countWebhookEvents } from './count-webhook-events';
import { formatPrometheus } from './format-prometheus';

/** The scrape: counts any hour that ended since the last count (usually none), then renders every series. */
export async function renderMetrics(): Promise<string> {
  await countWebhookEvents();
  return formatPrometheus(await collectMetrics());
}
