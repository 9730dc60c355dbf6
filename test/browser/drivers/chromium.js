// Chromium: Debian's /usr/bin/chromium, headless, through playwright-core.
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // Without these, the closed network makes Chromium retry connections constantly.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

/** @typedef {import('./types.js').LaunchOptions} LaunchOptions */
/** @typedef {import('./types.js').Backend} Backend */

/**
 * @param {LaunchOptions} options
 * @returns {Promise<import('./types.js').Driver>}
 */
export async function launch(options) {
  const args = [...CHROMIUM_ARGS, ...(options.chromiumArgs ?? [])];
  if (options.fakeMedia) args.push('--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args,
  });
  /** @param {import('playwright-core').Page} page @returns {Backend} */
  const wrap = (page) => ({
    raw: page,
    evaluateRaw: (expression) => page.evaluate(expression),
    goto: async (url) => {
      await page.goto(url);
    },
    reload: async () => {
      await page.reload();
    },
    url: async () => page.url(),
    click: (selector) => page.click(selector),
    mouseMove: (x, y) => page.mouse.move(x, y),
    mouseDown: () => page.mouse.down(),
    mouseUp: () => page.mouse.up(),
    addInitScript: (source) => page.addInitScript(source),
    onError: (push) => {
      page.on('console', (m) => {
        if (m.type() === 'error') push(m.text());
      });
      page.on('pageerror', (e) => push(String(e)));
    },
    close: () => page.close(),
  });
  const version = async () => `Chromium ${browser.version()}`;
  /**
   * A browser context of its own (storage, service workers, permissions and
   * init scripts), as a fresh profile would have.
   * @returns {Promise<import('./types.js').Context>}
   */
  const openContext = async () => {
    const context = await browser.newContext();
    return {
      raw: context,
      firstPage: async () => wrap(context.pages()[0] ?? (await context.newPage())),
      newPage: async () => wrap(await context.newPage()),
      version,
      close: () => context.close(),
    };
  };
  const main = await openContext();
  return {
    ...main,
    openContext,
    concurrentContexts: true,
    alive: async () => browser.isConnected(),
    close: () => browser.close(),
  };
}
