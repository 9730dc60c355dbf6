// `npm run screenshots`: serves the repository, opens each example in
// headless Chromium (the browser tests' flags, plus a fake microphone), lets
// it run until its canvases show data, and writes
// docs/screenshots/<name>.png at 1200x800. Build first (`npm run build`).
// The player has a picture of each tab in a dark and a light theme
// (player-<tab>-<theme>.png), playing its built-in demo loop, and
// player.png for the index and the README.
// Pass names to take only some: `node scripts/screenshots.mjs eq-analyser`.
import { chromium } from 'playwright-core';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEV_IMPORTS, serve } from './serve.mjs';
import { CHROMIUM_ARGS } from '../test/browser/harness.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(ROOT, 'docs', 'screenshots');
const VIEWPORT = { width: 1200, height: 800 };
const MAX_BYTES = 200 * 1024;

/**
 * Plays the player's demo loop on a fresh playlist, in `theme`.
 * @param {import('playwright-core').Page} page
 * @param {string} theme
 */
async function playerPlaying(page, theme) {
  await page.waitForFunction(() => /** @type {any} */ (window).ringletExample?.idle !== undefined, null, {
    timeout: 20000,
  });
  await page.click('#tabbtn-settings');
  await page.selectOption('#theme', theme);
  await page.click('#clear-list');
  await page.click('#demo-track');
  await page.waitForFunction(() => /** @type {any} */ (window).ringletExample.now.overviewState === 'ready', null, {
    timeout: 20000,
  });
}

/**
 * The player's scene for one tab in one theme.
 * @param {string} tab
 * @param {string} theme
 * @returns {Scene}
 */
const playerScene = (tab, theme) => ({
  path: 'player',
  run: async (page) => {
    await playerPlaying(page, theme);
    await page.click(`#tabbtn-${tab}`);
    if (tab === 'eq') {
      await page.selectOption('#preset', 'loudness');
      const h = await page.evaluate(() => /** @type {any} */ (window).ringletExample.eq.curve.handlePosition(5));
      await page.mouse.move(h.x, h.y);
      await page.mouse.down();
      await page.mouse.move(h.x + 10, h.y - 30, { steps: 6 });
      await page.mouse.up();
    }
    if (tab === 'spectrum') await page.click('[data-mode="bars"]');
    // A-B over a stretch, so the overview shows it.
    await page.evaluate(() => {
      const seek = /** @type {HTMLInputElement} */ (document.getElementById('seek'));
      seek.value = '1';
      seek.dispatchEvent(new Event('change'));
    });
    await page.waitForFunction(() => {
      const p = /** @type {any} */ (window).ringletExample.stream.position;
      return p > 1.2 && p < 2;
    });
    await page.click('#mark-a');
    await page.waitForFunction(() => /** @type {any} */ (window).ringletExample.stream.position > 2.6);
    await page.click('#mark-b');
    await page.waitForTimeout(1500);
  },
});

/**
 * @typedef {(page: import('playwright-core').Page) => Promise<void>} SceneRun
 * @typedef {SceneRun | { path: string, run: SceneRun }} Scene
 */

const PLAYER_SCENES = Object.fromEntries(
  ['eq', 'spectrum', 'generator', 'recorder', 'settings'].flatMap((tab) =>
    ['studio-dark', 'latte'].map((theme) => [`player-${tab}-${theme}`, playerScene(tab, theme)]),
  ),
);

/**
 * What to do on each page before the picture: start it and let it run.
 * A scene of another page than its name says gives `path`.
 * @type {Record<string, Scene>}
 */
const SCENES = {
  player: playerScene('eq', 'studio-dark'),
  ...PLAYER_SCENES,
  'stream-player': async (page) => {
    await page.waitForFunction(() => !(/** @type {HTMLButtonElement} */ (document.getElementById('play')).disabled));
    await page.click('#play');
    await page.waitForTimeout(2600);
  },
  'eq-analyser': async (page) => {
    await page.waitForFunction(() => !(/** @type {HTMLButtonElement} */ (document.getElementById('start')).disabled));
    await page.selectOption('#preset', 'loudness');
    await page.click('#start');
    // Lift band 5 by dragging its handle, as a user would.
    const h = await page.evaluate(() => /** @type {any} */ (window).ringletExample.handlePosition(4));
    await page.mouse.move(h.x, h.y);
    await page.mouse.down();
    await page.mouse.move(h.x + 40, h.y - 60, { steps: 8 });
    await page.mouse.up();
    await page.waitForTimeout(2200);
  },
  'offline-render': async (page) => {
    await page.waitForFunction(() => document.getElementById('lufs-before')?.textContent !== '—', null, {
      timeout: 20000,
    });
    await page.click('#render');
    await page.waitForFunction(() => /** @type {any} */ (window).ringletExample.state === 'done', null, {
      timeout: 30000,
    });
    await page.waitForTimeout(300);
  },
  recorder: async (page) => {
    await page.waitForFunction(() => !(/** @type {HTMLButtonElement} */ (document.getElementById('record')).disabled));
    // The fake microphone only beeps now and then: the generator draws a steadier picture.
    await page.selectOption('#gen-type', 'triangle');
    await page.click('#use-gen');
    await page.fill('#limit', '1.5');
    await page.dispatchEvent('#limit', 'change');
    await page.click('#record');
    await page.waitForSelector('a.download', { timeout: 10000 });
    await page.fill('#limit', '6');
    await page.dispatchEvent('#limit', 'change');
    await page.click('#record');
    await page.waitForTimeout(2300);
  },
  status: async (page) => {
    await page.waitForFunction(() => document.getElementById('node-state')?.textContent === 'running');
    if (await page.isEnabled('#use-hooks')) {
      await page.check('#use-hooks');
      await page.waitForFunction(
        () => !(/** @type {HTMLButtonElement} */ (document.getElementById('force-panic')).disabled),
      );
      await page.click('#force-panic');
      await page.waitForFunction(() => document.getElementById('node-state')?.textContent === 'panicked');
      await page.click('#reset');
      await page.waitForFunction(() => document.getElementById('node-state')?.textContent === 'running');
    }
    await page.click('#run-tasks');
    await page.waitForTimeout(1500);
  },
  tone: async (page) => {
    await page.click('#play');
    await page.waitForTimeout(1200);
  },
  tonejs: async (page) => {
    await page.click('#play');
    await page.waitForTimeout(1500);
  },
};

const only = process.argv.slice(2);
const names = Object.keys(SCENES).filter((n) => only.length === 0 || only.includes(n));
mkdirSync(OUT, { recursive: true });
const server = await serve({ root: ROOT, imports: DEV_IMPORTS });
const userDataDir = mkdtempSync(join(tmpdir(), 'ringlet-screenshots-'));
const browser = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  viewport: VIEWPORT,
  deviceScaleFactor: 1,
  args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
});
let failed = 0;
try {
  for (const name of names) {
    const page = await browser.newPage();
    /** @type {string[]} */
    const errors = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    try {
      const scene = SCENES[name];
      await page.goto(`${server.url}/examples/${typeof scene === 'function' ? name : scene.path}/`);
      await (typeof scene === 'function' ? scene : scene.run)(page);
      const file = join(OUT, `${name}.png`);
      await page.screenshot({ path: file });
      const bytes = statSync(file).size;
      const note = bytes > MAX_BYTES ? `  (over ${MAX_BYTES / 1024} KB)` : '';
      if (note) failed++;
      console.log(`docs/screenshots/${name}.png  ${(bytes / 1024).toFixed(0)} KB${note}`);
      for (const e of errors) console.log(`  console error: ${e}`);
      if (errors.length) failed++;
    } catch (error) {
      failed++;
      console.error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await page.close();
    }
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
process.exitCode = failed ? 1 : 0;
