import { describe, expect, it } from 'vitest';
import { authorizeMetricsRequest } from './authorize-metrics-request';

const request = (authorization?: string) =>
  new Request('http://localhost/api/metrics', { headers: authorization ? { authorization } : {} });

describe('authorizeMetricsRequest', () => {
  it('answers 404 when no token is configured, whatever the request sends', () => {
    expect(authorizeMetricsRequest(request('Bearer '), undefined)).toBe(404);
    expect(authorizeMetricsRequest(request(), undefined)).toBe(404);
  });

  it('answers 401 without the bearer token or with another one', () => {
    for (const header of [undefined, 'Bearer', 'Bearer tok', 'Bearer token2', 'bearer token', 'token', 'Basic token']) {
      expect([header, authorizeMetricsRequest(request(header), 'token')]).toEqual([header, 401]);
    }
  });

  it('lets the configured bearer token in', () => {
    expect(authorizeMetricsRequest(request('Bearer token'), 'token')).toBeNull();
  });
});
