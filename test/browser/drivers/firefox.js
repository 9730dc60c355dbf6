// Firefox: Debian's firefox-esr, headless, through puppeteer-core over
// WebDriver BiDi (no geckodriver; puppeteer-core downloads no browser).
// Firefox allows one WebDriver session per browser, so each test file
// launches its own.
import puppeteer from 'puppeteer-core';

/** @typedef {import('./types.js').Backend} Backend */

/** Preferences the tests need, on top of puppeteer's own automation defaults. */
export const FIREFOX_PREFS = {
  // The machine has no sound device: without cubeb's mock context a realtime
  // AudioContext stays 'suspended'.
  'media.cubeb.force_mock_context': true,
  // Let AudioContexts start without a user gesture, as Chromium's
  // --autoplay-policy=no-user-gesture-required does.
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
};

/**
 * A fake microphone (a tone) that getUserMedia opens without a prompt, as
 * Chromium's --use-fake-device-for-media-stream and --use-fake-ui-for-media-stream.
 */
const FAKE_MEDIA_PREFS = { 'media.navigator.streams.fake': true, 'media.navigator.permission.disabled': true };
/**
 * No microphone to be had, as on this machine in Chromium: cubeb's mock
 * context lists fake inputs, so the microphone is blocked instead, and
 * getUserMedia rejects (NotAllowedError) rather than wait on a prompt.
 */
const NO_MEDIA_PREFS = { 'permissions.default.microphone': 2 };

/**
 * @param {import('./types.js').LaunchOptions} options
 * @returns {Promise<import('./types.js').Driver>}
 */
export async function launch(options) {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
    headless: true,
    extraPrefsFirefox: { ...FIREFOX_PREFS, ...(options.fakeMedia ? FAKE_MEDIA_PREFS : NO_MEDIA_PREFS) },
  });
  /** @param {import('puppeteer-core').Page} page @returns {Backend} */
  const wrap = (page) => ({
    raw: page,
    evaluateRaw: (expression) => page.evaluate(expression),
    goto: async (url) => {
      await page.goto(url, { waitUntil: 'load' });
    },
    reload: async () => {
      await page.reload({ waitUntil: 'load' });
    },
    url: async () => page.url(),
    click: (selector) => page.click(selector),
    mouseMove: (x, y) => page.mouse.move(x, y),
    mouseDown: () => page.mouse.down(),
    mouseUp: () => page.mouse.up(),
    addInitScript: async (source) => {
      await page.evaluateOnNewDocument(source);
    },
    onError: (push) => {
      page.on('console', (m) => {
        if (m.type() === 'error') push(m.text());
      });
      page.on('pageerror', (e) => push(String(e)));
    },
    close: () => page.close(),
  });
  return {
    raw: browser,
    firstPage: async () => wrap((await browser.pages())[0] ?? (await browser.newPage())),
    newPage: async () => wrap(await browser.newPage()),
    async version() {
      const v = await browser.version(); // 'firefox/128.5.0esr' over BiDi
      return `Firefox ${v.replace(/^firefox\//i, '')}`;
    },
    close: () => browser.close(),
  };
}
