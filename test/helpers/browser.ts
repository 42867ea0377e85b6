import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's chromium (`.ci/apt-packages.txt`); Playwright's own browser download cannot run here. */
const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts/playground');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM });
}

export interface OpenedPage {
  page: Page;
  /**
   * Console errors the test expects, each matched once by a pattern: the browser logs every 4xx response as an
   * error, so a test that provokes one (a refused key, an API error shown to the user) names it here.
   */
  expectConsoleError(pattern: RegExp): void;
}

/**
 * A fresh browser context at 1,024 px wide on `url`. When the test ends, a screenshot is saved under
 * test-artifacts/playground/, and the test fails on any console error or page error it did not expect (and on any
 * expected one that never came).
 */
export async function openPage(t: TestContext, browser: Browser, url: string): Promise<OpenedPage> {
  const context = await browser.newContext({ viewport: { width: 1024, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  const expected: RegExp[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  t.after(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const name = t.fullName
      .replace(/[^a-z0-9]+/gi, '-')
      .replace(/^-|-$/g, '')
      .slice(0, 120);
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true }).catch(() => undefined);
    await context.close();
    const unexpected = [...errors];
    const missing: string[] = [];
    for (const pattern of expected) {
      const index = unexpected.findIndex((error) => pattern.test(error));
      if (index === -1) missing.push(String(pattern));
      else unexpected.splice(index, 1);
    }
    assert.deepEqual(unexpected, [], 'errors in the browser console');
    assert.deepEqual(missing, [], 'expected console errors that never came');
  });
  await page.goto(url);
  return { page, expectConsoleError: (pattern) => expected.push(pattern) };
}
