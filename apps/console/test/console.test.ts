// The operator console in a real browser (the machine's Chromium, driven by playwright-core) against
// the real server in simulation mode: sign in, watch a session appear and become ready without a
// reload, act on it, approve an override, read the cost chart, search the menu, force a shutdown,
// and see the error states; every page is screenshotted at a laptop's and a phone's size, and no
// page may load anything from anywhere but the server. Skipped, saying so, only without Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Session, ShopperClient } from '@gpu-shopper/sdk';
import { formatUsd } from '../src/format';
import { windowStart } from '../src/cost-shapes';
import { CHROMIUM, haveChromium, launchBrowser, screenshotBothSizes, type RecordedBrowser } from './support/browser';
import { ADMIN_KEY, buildConsole, startConsoleStack, type ConsoleStack } from './support/console-stack';

const MS_PER_HOUR = 3_600_000;

if (!haveChromium()) {
  console.warn(`console browser tests SKIPPED: no Chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run installs it)`);
}

describe.skipIf(!haveChromium())('operator console in Chromium', () => {
  let stack: ConsoleStack;
  let chromium: RecordedBrowser;
  let page: Page;
  let atlasKey: string;
  let atlas: ShopperClient;
  let session: Session;

  beforeAll(async () => {
    await buildConsole();
    stack = await startConsoleStack();
    atlasKey = (await stack.operator.admin.createKey.mutate({ consumer: 'atlas' })).key;
    atlas = stack.client(atlasKey);
    chromium = await launchBrowser();
    ({ page } = await chromium.newPage());
    page.setDefaultTimeout(20_000);
  }, 120_000);

  afterAll(async () => {
    await chromium?.close();
    await stack?.close();
  });

  /** Waits for the session's agent to report after the clock moved (so a tick sees it alive), then ticks. */
  const tickOnceHeardSince = async (at: number) => {
    await stack.waitUntil('a heartbeat after the clock moved', async () => {
      const detail = await atlas.sessions.get.query({ id: session.id });
      return detail.lastHeartbeatAt !== null && Date.parse(detail.lastHeartbeatAt) >= at;
    });
    await stack.server.tick();
  };

  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name });

  it('refuses a wrong key, then signs in with the operator key and shows the empty live list', async () => {
    await page.goto(`${stack.url}/console`);
    await heading('GPU Shopper console').waitFor();
    await screenshotBothSizes(page, 'sign-in');

    await page.getByLabel('API key').fill('gss_not-a-key-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Key rejected' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    await page.getByLabel('API key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await heading('Sessions').waitFor();
    await page.getByText('No live sessions.').waitFor();
    // Kept for this tab only: session storage, never local storage.
    expect(await page.evaluate(() => [Object.values(sessionStorage), localStorage.length])).toEqual([[ADMIN_KEY], 0]);

    // Keyboard only: signed in, focus is on the page's heading; on a fresh load the skip link comes
    // first; the navigation works with Tab and Enter.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Sessions');
    await page.reload();
    await heading('Sessions').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    for (let presses = 0; presses < 10 && (await page.evaluate(() => document.activeElement?.textContent)) !== 'Inventory'; presses += 1) await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await heading('Inventory').waitFor();
    await page.goBack();
    await heading('Sessions').waitFor();
  }, 60_000);

  it('shows a session appear as it is requested and turn ready, without a reload', async () => {
    await page.evaluate(() => Object.assign(window, { consoleTestMarker: 'still the same document' }));
    session = await atlas.sessions.create.mutate({ gpu: '4090', hours: 2, workload: 'training' });
    const row = page.getByRole('row').filter({ hasText: 'atlas' });
    await row.waitFor();
    await stack.tickUntil('the session to be ready', async () => (await atlas.sessions.get.query({ id: session.id })).state === 'ready');
    await row.getByText('ready', { exact: true }).waitFor();
    await row.getByText(/s ago|just now/).waitFor();
    expect(await row.textContent()).toMatch(/RTX 4090/);
    expect(await page.evaluate(() => (window as unknown as { consoleTestMarker?: string }).consoleTestMarker)).toBe('still the same document');
    await screenshotBothSizes(page, 'sessions');
  }, 90_000);

  it('opens the session with its history, node and cost, and extends it after confirming', async () => {
    await page.getByRole('link', { name: session.id.slice(0, 12) }).click();
    await heading(`Session ${session.id}`).waitFor();
    for (const section of ['Summary', 'Node', 'Cost', 'History', 'Provisioning attempts']) await page.getByRole('heading', { level: 2, name: section }).waitFor();
    await page.getByRole('row').filter({ hasText: 'ready' }).first().waitFor();

    const endsBefore = Date.parse((await atlas.sessions.get.query({ id: session.id })).reservation.endsAt);
    await page.getByLabel('Extend by (hours)').fill('1');
    await page.getByRole('button', { name: 'Extend…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Extend the reservation?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Extend by 1 h' }).click();
    await page.getByRole('status').filter({ hasText: 'Extended' }).waitFor();
    expect(Date.parse((await atlas.sessions.get.query({ id: session.id })).reservation.endsAt) - endsBefore).toBe(MS_PER_HOUR);
    await screenshotBothSizes(page, 'session');
  }, 60_000);

  it('draws spend stacked by consumer, with the figures the API reports, and the budgets', async () => {
    await stack.operator.budgets.create.mutate({ consumer: 'atlas', limitUsd: 25, period: 'day', thresholdsPercent: [50, 80, 100], action: 'alert' });
    // Two hours of use on the server's clock, silent as far as the server knows: the tick that follows
    // (the lifecycle and the accounting) raises a heartbeat-loss alert, until the agent is heard again.
    stack.clock.advance(2 * MS_PER_HOUR);
    await stack.server.tick();
    await tickOnceHeardSince(stack.clock.now().getTime());

    await page.getByRole('link', { name: 'Costs' }).click();
    await heading('Costs').waitFor();
    await page.locator('.recharts-bar-rectangle').first().waitFor();
    const report = await stack.operator.costs.summary.query({ period: 'day', from: windowStart('day', stack.clock.now().getTime()), group_by: 'consumer' });
    expect(report.totalUsd).toBeGreaterThan(0);
    expect(await page.getByTestId('spend-total').textContent()).toBe(formatUsd(report.totalUsd));
    expect(await page.locator('.recharts-legend-item-text').allTextContents()).toEqual(['atlas']);

    await page.getByText('Figures per day').click();
    const table = page.getByRole('table', { name: 'Spend per day by consumer' });
    expect(await table.getByRole('columnheader').allTextContents()).toEqual(['Day (UTC)', 'atlas', 'Total']);
    const totals = await table.locator('tbody tr td:last-child').allTextContents();
    expect(totals).toEqual(report.buckets.map((bucket) => formatUsd(bucket.costUsd)));

    const budget = page.getByRole('row').filter({ hasText: 'set by an operator' });
    expect(await budget.textContent()).toMatch(/\$25\.00.*50% · 80% · 100%/);
    await page.getByRole('heading', { name: 'Reconciliation with provider bills' }).waitFor();
    await screenshotBothSizes(page, 'costs');
  }, 60_000);

  it('lists an override request under Needs you, with alerts and failing webhooks, and approves it after confirming', async () => {
    const extended = await atlas.sessions.extend.mutate({ id: session.id, hours: 10 });
    const request = extended.overrideRequests.find((item) => item.status === 'pending');
    expect(request).toBeDefined();

    await page.getByRole('link', { name: /Needs you/ }).click();
    await heading('Needs you').waitFor();
    const card = page.getByRole('listitem').filter({ hasText: 'asks for 10 more hours' });
    await card.waitFor();
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    const alert = page.getByRole('listitem').filter({ hasText: 'Heartbeat lost' });
    await alert.getByRole('link', { name: session.id.slice(0, 12) }).waitFor();
    await page.getByRole('heading', { name: 'Webhook delivery failures' }).waitFor();
    await page.getByRole('cell', { name: 'http://127.0.0.1:9/webhook' }).first().waitFor();
    await screenshotBothSizes(page, 'needs-you');

    // Escape backs out of a confirmation without doing anything.
    await card.getByRole('button', { name: 'Deny…' }).click();
    await page.getByRole('dialog', { name: 'Deny the override?' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Deny the override?' }).waitFor({ state: 'hidden' });

    await card.getByRole('button', { name: 'Approve…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Approve the override?' });
    await dialog.getByRole('button', { name: 'Approve', exact: true }).click();
    await page.getByText('No reservation waits for approval.').waitFor();
    const { overrides } = await stack.operator.overrides.list.query({ status: 'approved' });
    expect(overrides.map((item) => item.id)).toEqual([request!.id]);
  }, 60_000);

  it('searches the menu with the API’s filters and sorts it by price per GPU-hour', async () => {
    await page.getByRole('link', { name: 'Inventory' }).click();
    await heading('Inventory').waitFor();
    await page.getByLabel('GPU', { exact: true }).fill('4090');
    await page.getByLabel('Max $/h').fill('5');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('status').filter({ hasText: /offers?$/ }).waitFor();
    const rows = page.locator('table tbody tr');
    await page.waitForFunction(() => [...document.querySelectorAll('table tbody tr td:first-child')].every((cell) => cell.textContent?.includes('4090')));
    expect(await rows.count()).toBeGreaterThan(0);

    const priceHeader = page.getByRole('columnheader', { name: '$/h', exact: true });
    await priceHeader.getByRole('button').click();
    expect(await priceHeader.getAttribute('aria-sort')).toBe('ascending');
    await priceHeader.getByRole('button').click();
    expect(await priceHeader.getAttribute('aria-sort')).toBe('descending');
    const prices = (await page.locator('table tbody tr td:nth-child(4)').allTextContents()).map((text) => Number(text.replace(/[$,]|\/h/g, '')));
    expect(prices).toEqual([...prices].sort((a, b) => b - a));
    await screenshotBothSizes(page, 'inventory');
  }, 60_000);

  it('forces a shutdown after confirming, and the session ends', async () => {
    await tickOnceHeardSince(stack.clock.now().getTime());
    await page.goto(`${stack.url}/console/sessions/${encodeURIComponent(session.id)}`);
    await heading(`Session ${session.id}`).waitFor();
    await page.getByRole('button', { name: 'Force shutdown…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Force a shutdown?' });
    await dialog.getByRole('button', { name: 'Shut down now' }).click();
    await page.getByRole('status').filter({ hasText: 'Shutdown requested' }).waitFor();
    await stack.tickUntil('the session to be terminated', async () => (await atlas.sessions.get.query({ id: session.id })).state === 'terminated');
    await page.getByText('terminated', { exact: true }).first().waitFor();
    expect((await atlas.sessions.get.query({ id: session.id })).endReason).toBe('forced');
  }, 90_000);

  it('says when the server is unreachable or rate-limits, and signs out once the key is refused', async () => {
    const { context, page: consumer } = await chromium.newPage();
    consumer.setDefaultTimeout(20_000);
    await consumer.goto(`${stack.url}/console/`);
    await consumer.getByLabel('API key').fill(atlasKey);
    await consumer.getByRole('button', { name: 'Sign in' }).click();
    await consumer.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor();
    await consumer.getByText('Consumer atlas').waitFor();

    await consumer.route('**/trpc/**', (route) => route.abort('connectionrefused'));
    await consumer.getByRole('alert').filter({ hasText: 'Cannot reach the server' }).waitFor();
    await consumer.unroute('**/trpc/**');
    await consumer.getByRole('alert').filter({ hasText: 'Cannot reach the server' }).waitFor({ state: 'hidden' });

    // The server's own 429 (rate-limit.ts) in tRPC's envelope, with its Retry-After.
    await consumer.route('**/trpc/**', (route) =>
      route.fulfill({
        status: 429,
        headers: { 'content-type': 'application/json', 'retry-after': '3' },
        body: JSON.stringify({ error: { message: 'too many requests with this API key; retry in 3 s', code: -32029, data: { code: 'TOO_MANY_REQUESTS', httpStatus: 429, field: null, fieldErrors: null } } }),
      }),
    );
    await consumer.getByRole('alert').filter({ hasText: 'Too many requests' }).filter({ hasText: 'trying again in 3 s' }).waitFor();
    await consumer.unroute('**/trpc/**');
    // Retried after the 3 s asked for: answered, the banner goes.
    await consumer.getByRole('alert').filter({ hasText: 'Too many requests' }).waitFor({ state: 'hidden' });

    const { keys } = await stack.operator.admin.listKeys.query({});
    await stack.operator.admin.revokeKey.mutate({ id: keys.find((key) => key.consumerName === 'atlas')!.id });
    // No reload: the next refresh is refused, and the console goes back to the sign-in.
    await consumer.getByText('The server no longer accepts this key').waitFor();
    await consumer.getByLabel('API key').waitFor();
    expect(await consumer.evaluate(() => sessionStorage.length)).toBe(0);
    await context.close();
  }, 90_000);

  it('loaded nothing from outside the server, and no page reported an error', () => {
    expect(chromium.requests.length).toBeGreaterThan(0);
    expect(chromium.requests.filter((url) => !url.startsWith(`${stack.url}/`))).toEqual([]);
    expect(chromium.errors).toEqual([]);
  });
});
