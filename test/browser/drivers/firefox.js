// Firefox: Debian's firefox-esr, headless, through puppeteer-core over
// WebDriver BiDi (no geckodriver; puppeteer-core downloads no browser).
// Firefox allows one WebDriver session per browser: test files that share
// one browser (shared-browsers.js) each get a user context of their own.
import puppeteer from 'puppeteer-core';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
  // A profile of our own: puppeteer removes its temporary one only after
  // Firefox has exited, asynchronously, which an exiting process never does.
  const userDataDir = mkdtempSync(join(tmpdir(), 'ringlet-firefox-'));
  const removeProfile = () => rmSync(userDataDir, { recursive: true, force: true });
  const browser = await puppeteer
    .launch({
      userDataDir,
      browser: 'firefox',
      executablePath: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
      headless: true,
      // Every page the size of the window (1366 × 682 here), as the page it
      // opens with is: puppeteer would make new ones 800 × 600.
      defaultViewport: null,
      // shared-browsers.js ends the browsers of a Jest worker that is ending;
      // on a signal, puppeteer would close Firefox but leave the process running.
      handleSIGTERM: false,
      handleSIGHUP: false,
      extraPrefsFirefox: { ...FIREFOX_PREFS, ...(options.fakeMedia ? FAKE_MEDIA_PREFS : NO_MEDIA_PREFS) },
    })
    .catch((error) => {
      removeProfile();
      throw error;
    });
  // A process that exits with Firefox open (a Jest worker that is ending) kills it.
  const killNow = () => {
    browser.process()?.kill('SIGKILL');
    // Removing a profile takes a tenth of a second or more: a process of its own does it.
    spawn('rm', ['-rf', userDataDir], { detached: true, stdio: 'ignore' }).unref();
  };
  process.once('exit', killNow);
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
  const version = async () => {
    const v = await browser.version(); // 'firefox/128.5.0esr' over BiDi
    return `Firefox ${v.replace(/^firefox\//i, '')}`;
  };
  return {
    raw: browser,
    firstPage: async () => wrap((await browser.pages())[0] ?? (await browser.newPage())),
    newPage: async () => wrap(await browser.newPage()),
    version,
    /**
     * A user context of its own (WebDriver BiDi): storage, service workers
     * and content processes apart from every other context's.
     */
    async openContext() {
      const context = await browser.createBrowserContext();
      /** @type {Promise<Backend> | null} */
      let first = null;
      return {
        raw: context,
        firstPage: () => (first ??= context.newPage().then(wrap)),
        newPage: async () => wrap(await context.newPage()),
        version,
        close: () => context.close(),
      };
    },
    concurrentContexts: true,
    alive: async () => browser.connected,
    async close() {
      process.off('exit', killNow);
      await browser.close();
      removeProfile();
    },
  };
}
