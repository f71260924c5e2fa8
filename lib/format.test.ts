import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatUsd } from './format';

describe('format', () => {
  it('formats money and dates the same way everywhere', () => {
    expect(formatUsd(20_000)).toBe('$200');
    expect(formatUsd(1_667)).toBe('$16.67');
    expect(formatDate(new Date('2027-01-15T09:45:00Z'))).toBe('Jan 15, 2027');
    expect(formatDate(null)).toBe('—');
    expect(formatDateTime(new Date('2027-01-15T09:45:00.123Z'))).toBe('2027-01-15 09:45:00 UTC');
    expect(formatDateTime(undefined)).toBe('—');
  });
});
