/** Display helpers for money and dates, kept in one place so every page says it the same way. */
export function formatUsd(cents: number): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: cents % 100 ? 2 : 0 }).format(
    cents / 100,
  );
}

export function formatDate(date: Date | null | undefined): string {
  return date ? new Intl.DateTimeFormat('en-US', { dateStyle: 'medium', timeZone: 'UTC' }).format(date) : '—';
}

export function formatDateTime(date: Date | null | undefined): string {
  return date ? `${date.toISOString().replace('T', ' ').slice(0, 19)} UTC` : '—';
}
