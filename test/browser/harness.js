// Real-browser harness: Debian's Chromium, headless, driven by playwright-core,
// with pages served from 127.0.0.1 by scripts/serve.mjs.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '../../scripts/serve.mjs';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

/**
 * Starts a server and a browser. `page` is a blank, cross-origin isolated page
 * (or not, with isolate: false) at the server's origin; its console errors and
 * page errors are collected in `errors`. `handle` is scripts/serve.mjs's:
 * custom routes that see each request first.
 * @param {{ isolate?: boolean, handle?: import('../../scripts/serve.mjs').RouteHandler }} [options]
 */
export async function openBrowser({ isolate = true, handle } = {}) {
  const server = await serve({ root: new URL('../..', import.meta.url).pathname, isolate, handle });
  const userDataDir = mkdtempSync(join(tmpdir(), 'ringlet-chromium-'));
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const page = browser.pages()[0] ?? (await browser.newPage());
  /** @type {string[]} */
  const errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${server.url}/test/browser/blank.html`);
  return {
    server,
    browser,
    page,
    errors,
    async close() {
      await browser.close();
      await server.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}
