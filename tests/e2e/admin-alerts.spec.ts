import { expect, test, type Page } from '@playwright/test';
import { baseUrl, signIn, withDatabase } from './helpers';

const ADMIN = 'admin@example.com';

async function signInAsAdmin(page: Page) {
  await signIn(page, ADMIN);
  await withDatabase((client) => client.query(`UPDATE users SET role = 'admin' WHERE email = $1`, [ADMIN]));
}

test('an administrator sees what the last monitor run found firing, and a post that did not go out', async ({ page }) => {
  // As the monitor run leaves them: one firing (posted), one firing whose post failed, one cleared.
  await withDatabase((client) =>
    client.query(`
    INSERT INTO stripe_monitor_alerts (name, firing, notified, message, since, last_error) VALUES
      ('failed_events', true, true, '3 webhook events failed, newest evt_e2e_alert', now() - interval '2 hours', NULL),
      ('stripe_endpoint_disabled', true, false, 'Stripe reports the webhook endpoint we_e2e disabled', now() - interval '1 hour', 'Alert receiver answered 500'),
      ('signature_failures', false, false, '0 webhook signature failures in an hour', now(), NULL)
    ON CONFLICT (name) DO UPDATE SET firing = EXCLUDED.firing, notified = EXCLUDED.notified, message = EXCLUDED.message, since = EXCLUDED.since, last_error = EXCLUDED.last_error`),
  );
  try {
    await signInAsAdmin(page);
    await page.goto(`${baseUrl()}/admin/webhooks`);
    const alerts = page.getByRole('region', { name: 'Alerts' });
    await expect(alerts.getByRole('listitem')).toHaveCount(2);
    await expect(alerts.getByRole('listitem').nth(0)).toContainText('failed_events 3 webhook events failed, newest evt_e2e_alert');
    await expect(alerts.getByRole('listitem').nth(1)).toContainText(
      'stripe_endpoint_disabled Stripe reports the webhook endpoint we_e2e disabled',
    );
    await expect(alerts.getByRole('listitem').nth(1)).toContainText('not posted: Alert receiver answered 500');
    await expect(alerts).not.toContainText('signature_failures');

    await withDatabase((client) => client.query(`UPDATE stripe_monitor_alerts SET firing = false`));
    await page.reload();
    await expect(alerts).toContainText('Nothing firing as of the last monitor run');
  } finally {
    await withDatabase((client) => client.query(`DELETE FROM stripe_monitor_alerts`));
  }
});
