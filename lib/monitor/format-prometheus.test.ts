import { describe, expect, it } from 'vitest';
import { formatPrometheus, PROMETHEUS_CONTENT_TYPE } from './format-prometheus';

describe('formatPrometheus', () => {
  it('writes HELP and TYPE before the samples, labels in order, one sample a line, a final newline', () => {
    const text = formatPrometheus([
      {
        name: 'a_total',
        help: 'Things.',
        type: 'counter',
        samples: [
          { labels: { type: 'x.y', outcome: 'processed' }, value: 3 },
          { labels: { type: 'z', outcome: 'failed' }, value: 0 },
        ],
      },
      { name: 'b_seconds', help: 'Age.', type: 'gauge', samples: [{ value: 1.5 }] },
      { name: 'c', help: 'Nothing yet.', type: 'gauge', samples: [] },
    ]);
    expect(text).toBe(
      [
        '# HELP a_total Things.',
        '# TYPE a_total counter',
        'a_total{type="x.y",outcome="processed"} 3',
        'a_total{type="z",outcome="failed"} 0',
        '# HELP b_seconds Age.',
        '# TYPE b_seconds gauge',
        'b_seconds 1.5',
        '# HELP c Nothing yet.',
        '# TYPE c gauge',
        '',
      ].join('\n'),
    );
  });

  it('escapes backslashes, quotes and newlines in label values and help, and spells special values as Prometheus does', () => {
    const text = formatPrometheus([
      {
        name: 'm',
        help: 'a\\b\nc',
        type: 'gauge',
        samples: [{ labels: { reason: 'say "hi"\\\n' }, value: Number.NaN }, { value: Infinity }, { value: -Infinity }],
      },
    ]);
    expect(text.split('\n')).toEqual([
      '# HELP m a\\\\b\\nc',
      '# TYPE m gauge',
      'm{reason="say \\"hi\\"\\\\\\n"} NaN',
      'm +Inf',
      'm -Inf',
      '',
    ]);
  });

  it('is served as the text format version 0.0.4', () => {
    expect(PROMETHEUS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
  });
});
