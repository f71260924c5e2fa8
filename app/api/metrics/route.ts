import { errorMessage, logger } from '@/lib/logger';
import { authorizeMetricsRequest } from '@/lib/monitor/authorize-metrics-request';
import { PROMETHEUS_CONTENT_TYPE } from '@/lib/monitor/format-prometheus';
import { renderMetrics } from '@/lib/monitor/render-metrics';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

/** Prometheus scrape (Bearer METRICS_TOKEN); 404 while no token is configured. */
export async function GET(request: Request): Promise<Response> {
  const refused = authorizeMetricsRequest(request);
  if (refused)
    return Response.json(
      { error: refused === 404 ? 'Not found' : 'Unauthorized: send Authorization: Bearer <METRICS_TOKEN>' },
      { status: refused },
    );
  try {
    return new Response(await renderMetrics(), { headers: { 'content-type': PROMETHEUS_CONTENT_TYPE, 'cache-control': 'no-store' } });
  } catch (error) {
    logger.error('Metrics failed', { error: errorMessage(error) });
    return Response.json({ error: 'Metrics unavailable: the database did not answer' }, { status: 503 });
  }
}
