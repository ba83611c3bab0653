// Chromium for the browser tests, driven by playwright-core: the machine's own build (no browser
// download), every request the pages make recorded, page errors (CSP refusals included) collected,
// and screenshots of each page at a laptop's and a phone's size.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CONSOLE_ROOT } from './console-stack';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

export const LAPTOP = { width: 1400, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** Where the test run writes its screenshots (ignored by git; `npm run screenshots:promote` copies them to docs/). */
export const SCREENSHOT_DIR = join(CONSOLE_ROOT, 'test-output', 'screenshots');

export function haveChromium(): boolean {
  return existsSync(CHROMIUM);
}

export interface RecordedBrowser {
  browser: Browser;
  /** Every URL any page of any context asked for. */
  requests: string[];
  /** Uncaught page errors and console errors (a CSP refusal is one), minus failed-status noise. */
  errors: string[];
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<RecordedBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const requests: string[] = [];
  const errors: string[] = [];
  return {
    browser,
    requests,
    errors,
    newPage: async () => {
      const context = await browser.newContext({ viewport: LAPTOP, locale: 'en-GB', timezoneId: 'UTC', reducedMotion: 'reduce' });
      context.on('request', (request) => requests.push(request.url()));
      const page = await context.newPage();
      page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
      // Chromium logs every 4xx/5xx answer as a console error; those are the server's answers under test, not faults.
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) errors.push(`console: ${message.text()}`);
      });
      return { context, page };
    },
    close: () => browser.close(),
  };
}

/** The page as it is now, at both sizes, as `<name>-1400x900.png` and `<name>-390x844.png`; back at the laptop size after. */
export async function screenshotBothSizes(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const size of [LAPTOP, PHONE]) {
    await page.setViewportSize(size);
    // Two frames: the layout settles and the charts re-measure their containers.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${size.width}x${size.height}.png`), animations: 'disabled', caret: 'hide' });
  }
  await page.setViewportSize(LAPTOP);
}
