// Real-browser harness: one test file runs in one engine per Jest project
// (jest.config.js makes a project per engine RINGLET_BROWSERS selects:
// Chromium, Firefox, WebKit with and without SharedArrayBuffer). Pages are
// served from 127.0.0.1 by scripts/serve.mjs and driven through one page API
// (page.js), whatever the engine.
//
// A test file imports `test` and `describe` from here instead of
// @jest/globals: they put the engine in front of each top-level name
// (`[firefox] …`). `engine` says which engine runs the file. Outside Jest
// (benchmarks, scripts) openBrowser() opens the engine the RINGLET_ENGINE
// environment variable names (chromium, firefox, webkit-shared or
// webkit-message; default chromium), and for WebKit starts the display and
// audio daemons (daemons.js) itself when no Jest globalSetup did;
// launchEngine() opens any engine (the consumer tests run in each). This
// module takes Jest's functions from its globals only when a test registers,
// so it loads outside Jest too.
import { startDaemons } from './daemons.js';
import { engineById } from './engines.js';
import { OFFLINE_SUSPEND } from './offline-suspend.js';
import { LISTENER_COUNTER, Page, RECORDER } from './page.js';
import { serve } from '../../scripts/serve.mjs';

export { CHROMIUM_ARGS } from './drivers/chromium.js';

/**
 * The engine this file runs in: jest.config.js's project global; outside a
 * Jest project the RINGLET_ENGINE environment variable, else Chromium.
 */
export const engine = engineById(
  String(
    /** @type {{ RINGLET_ENGINE?: string }} */ (globalThis).RINGLET_ENGINE ??
      (process.env.RINGLET_ENGINE || 'chromium'),
  ),
);

const ROOT = new URL('../..', import.meta.url).pathname;

/** @param {import('./engines.js').Engine['family']} family */
async function driverFor(family) {
  if (family === 'chromium') return import('./drivers/chromium.js');
  if (family === 'firefox') return import('./drivers/firefox.js');
  return import('./drivers/webkit.js');
}

/**
 * @typedef {object} LaunchOptions
 * @property {boolean} [fakeMedia] a fake microphone getUserMedia may use without asking
 * @property {boolean} [countListeners] install the in-page listener counter (engines without DevTools' listener list)
 * @property {string[]} [chromiumArgs] extra Chromium switches (Chromium only)
 */

/**
 * @typedef {object} OpenOptions
 * @property {boolean} [isolate] serve with COOP/COEP (default true)
 * @property {boolean} [fakeMedia] a fake microphone getUserMedia may use without asking
 * @property {boolean} [countListeners] install the in-page listener counter (engines without DevTools' listener list)
 * @property {string[]} [chromiumArgs] extra Chromium switches (Chromium only)
 * @property {import('../../scripts/serve.mjs').RouteHandler} [handle] extra server routes
 * @property {(path: string) => Record<string, string>} [headers] extra response headers for each file served, by path
 * @property {Record<string, string>} [imports] bare module specifiers mapped to URLs in the .js files served (serve()'s `imports`)
 */

/**
 * Launches one engine, with no server of its own: pages opened on it get
 * the harness's page API, its error collection and its init scripts. Init
 * scripts that WebKit's driver cannot install travel in the pages a server
 * sends: pass `prelude` to every serve() whose pages this browser opens.
 * openBrowser() is this plus one server; scripts that serve pages from many
 * servers (test/consumer) launch an engine once and share it.
 * @param {import('./engines.js').Engine} which
 * @param {LaunchOptions} [options]
 */
export async function launchEngine(which, { fakeMedia = false, countListeners = false, chromiumArgs } = {}) {
  /** Init scripts the server puts in every page (WebKit, which has no init-script hook). */
  /** @type {string[]} */
  const serverInit = [];
  const options = { fakeMedia, chromiumArgs, sharedArrayBuffer: which.sharedArrayBuffer };
  // In Jest, a context in the worker's shared browser (environment.js).
  const shared = /** @type {{ __ringletSharedBrowsers?: import('./shared-browsers.js').SharedBrowsers }} */ (globalThis)
    .__ringletSharedBrowsers;
  const driver = shared
    ? await shared.open(which.family, options)
    : await (await driverFor(which.family)).launch(options);
  /** @type {string[]} */
  const errors = [];
  const addServerInit = (/** @type {string} */ source) => {
    serverInit.push(source);
  };
  /** @param {import('./drivers/types.js').Backend} backend */
  const pageOf = async (backend) => {
    const p = new Page(backend, { engine: which, errors, addServerInit });
    if (!backend.onError && !serverInit.includes(RECORDER)) serverInit.unshift(RECORDER);
    // Firefox has no OfflineAudioContext.suspend(): a test-only stand-in (offline-suspend.js).
    if (which.family === 'firefox' && backend.addInitScript) await backend.addInitScript(OFFLINE_SUSPEND);
    if (countListeners && which.family !== 'chromium') {
      if (backend.addInitScript) await backend.addInitScript(LISTENER_COUNTER);
      else if (!serverInit.includes(LISTENER_COUNTER)) serverInit.push(LISTENER_COUNTER);
    }
    return p;
  };
  return {
    engine: which,
    driver,
    /** Console errors and uncaught page errors of every page opened here, in order. */
    errors,
    /** The HTML a server puts at the start of each page it sends (serve()'s `prelude`). */
    prelude: () => serverInit.map((s) => `<script>${s}</script>`).join(''),
    /** The page the browser opened with. */
    firstPage: async () => pageOf(await driver.firstPage()),
    /** A new page (tab); it shares `errors`. */
    newPage: async () => pageOf(await driver.newPage()),
    close: () => driver.close(),
  };
}

/**
 * Starts a server and a browser of this file's engine. `page` is a blank
 * page (cross-origin isolated, or not with isolate: false) at the server's
 * origin; console errors and uncaught page errors are collected in `errors`.
 * @param {OpenOptions} [options]
 */
export async function openBrowser({
  isolate = true,
  fakeMedia = false,
  countListeners = false,
  chromiumArgs,
  handle,
  headers,
  imports,
} = {}) {
  /** @type {Awaited<ReturnType<typeof launchEngine>> | null} */
  let session = null;
  const server = await serve({
    root: ROOT,
    isolate,
    handle,
    headers,
    imports,
    prelude: () => session?.prelude() ?? '',
  });
  let page;
  // Outside Jest nobody started WebKit's display and audio daemons: start
  // them for this browser and stop them when it closes.
  /** @type {import('./daemons.js').Daemons | null} */
  let daemons = null;
  try {
    if (engine.family === 'webkit' && (!process.env.RINGLET_DISPLAY || !process.env.RINGLET_PULSE_SERVER)) {
      daemons = await startDaemons();
      process.env.RINGLET_DISPLAY = daemons.display;
      process.env.RINGLET_PULSE_SERVER = daemons.pulseServer;
    }
    session = await launchEngine(engine, { fakeMedia, countListeners, chromiumArgs });
  } catch (error) {
    await stopDaemons(daemons);
    await server.close();
    throw error;
  }
  const launched = session;
  const { driver, errors } = launched;
  try {
    page = await launched.firstPage();
    await page.goto(`${server.url}/test/browser/blank.html`);
  } catch (error) {
    await driver.close().catch(() => {});
    await stopDaemons(daemons);
    await server.close();
    throw error;
  }
  /** @type {import('playwright-core').CDPSession | null} */
  let cdpSession = null;
  const b = {
    engine,
    server,
    page,
    errors,
    driver,
    /** The engine's own browser object (Chromium: Playwright's BrowserContext). */
    browser: driver.raw,
    /** A second page (tab) in the same browser; it shares `errors`. */
    newPage: () => launched.newPage(),
    /**
     * Chromium only: a DevTools session on `page` (Playwright's CDPSession).
     * Tests that use it name Chromium as the engine they need and say why.
     */
    async cdp() {
      if (engine.family !== 'chromium')
        throw new Error(`cdp(): DevTools protocol is Chromium's; this is ${engine.label}`);
      const raw = /** @type {import('playwright-core').Page} */ (b.page.raw);
      cdpSession ??= await raw.context().newCDPSession(raw);
      return cdpSession;
    },
    /**
     * Live event listeners on the page object `expression` evaluates to
     * (optionally only these types): DevTools' list in Chromium, the in-page
     * counter (openBrowser({ countListeners: true })) elsewhere.
     * @param {string} expression
     * @param {string[]} [types]
     */
    async listenerCount(expression, types) {
      if (engine.family === 'chromium') {
        const cdp = await b.cdp();
        const { result } = await cdp.send('Runtime.evaluate', { expression });
        const objectId = /** @type {string} */ (result.objectId);
        const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId });
        await cdp.send('Runtime.releaseObject', { objectId });
        return listeners.filter((l) => !types || types.includes(l.type)).length;
      }
      if (!countListeners) throw new Error('listenerCount: open the browser with { countListeners: true }');
      return b.page.evaluate(
        ({ expression: e, types: t }) => /** @type {any} */ (globalThis).__ringletListeners((0, eval)(e), t),
        { expression, types },
      );
    },
    /**
     * The page's JS heap in bytes after a full garbage collection, or null
     * where no engine tooling can force a collection and read the heap
     * (Chromium: CDP HeapProfiler and Runtime.getHeapUsage; Firefox's and
     * WebKit's drivers expose neither).
     * @returns {Promise<number | null>}
     */
    async heapUsed() {
      if (engine.family !== 'chromium') return null;
      const cdp = await b.cdp();
      await cdp.send('HeapProfiler.collectGarbage');
      await cdp.send('HeapProfiler.collectGarbage');
      return (await cdp.send('Runtime.getHeapUsage')).usedSize;
    },
    /** The engine's name and version, as its driver reports them (e.g. 'Firefox 153.8.0'). */
    version: () => b.driver.version(),
    /** Whether the page still answers within 10 s (a page that crashed takes WebKit's session with it). */
    async alive() {
      let timer;
      const late = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer within 10 s')), 10000);
      });
      try {
        return (await Promise.race([b.page.evaluate(() => 1), late])) === 1;
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    /**
     * Replaces a browser whose page crashed: a new session of the same
     * engine on the same server, its first page at blank.html.
     */
    async reopen() {
      cdpSession = null;
      await b.driver.close().catch(() => {});
      const next = await launchEngine(engine, { fakeMedia, countListeners, chromiumArgs });
      session = next;
      b.driver = next.driver;
      b.browser = next.driver.raw;
      b.errors = next.errors;
      b.newPage = () => next.newPage();
      b.page = await next.firstPage();
      await b.page.goto(`${server.url}/test/browser/blank.html`);
    },
    async close() {
      opened.delete(b);
      try {
        if (cdpSession) await cdpSession.detach().catch(() => {});
        await b.driver.close();
      } finally {
        await server.close();
        await stopDaemons(daemons);
      }
    },
  };
  opened.add(b);
  return b;
}

/** The browsers this test file has open (openBrowser), for crash recovery in test(). */
/** @type {Set<Awaited<ReturnType<typeof openBrowser>>>} */
const opened = new Set();

/**
 * The open browser whose page crashed, if `error` is a driver's report of a
 * lost page or session (not an assertion) and one of them no longer answers.
 * @param {unknown} error
 */
async function crashedBrowser(error) {
  const e = /** @type {{ name?: unknown, message?: unknown } | null} */ (error);
  const text = `${String(e?.name ?? '')}: ${String(e?.message ?? '')}`;
  if (
    !/crash|session deleted|no ?such ?session|^WebDriverError: $|Could not parse script result|Target closed|Session closed/i.test(
      text,
    )
  )
    return null;
  for (const b of opened) if (!(await b.alive())) return b;
  return null;
}

/**
 * Stops daemons openBrowser() started (none when Jest's globalSetup did).
 * @param {import('./daemons.js').Daemons | null} daemons
 */
async function stopDaemons(daemons) {
  if (!daemons) return;
  if (process.env.RINGLET_DISPLAY === daemons.display) delete process.env.RINGLET_DISPLAY;
  if (process.env.RINGLET_PULSE_SERVER === daemons.pulseServer) delete process.env.RINGLET_PULSE_SERVER;
  await daemons.stop();
}

/** @type {number} */
let depth = 0;
/** @param {string} name */
const named = (name) => (depth === 0 ? `[${engine.id}] ${name}` : name);

/** Jest's own test and describe (its injected globals). */
const jest = () => /** @type {{ test: any, describe: any }} */ (/** @type {unknown} */ (globalThis));

/**
 * Jest's `test`, with the engine in front of top-level names.
 * @param {string} name
 * @param {() => unknown} fn
 * @param {number} [timeout]
 */
export function test(name, fn, timeout) {
  const jestTest = jest().test;
  const need = needs;
  needs = null;
  if (need && !meets(need.engines))
    return jestTest.skip(named(`${name} (needs ${need.engines.join(' or ')}: ${need.why})`), fn, timeout);
  return jestTest(named(name), () => rerunAfterCrash(name, fn), timeout);
}

/**
 * Runs a test; if the browser's page crashed under it (the engine's own
 * fault: WebKitGTK 2.50's audio thread can segfault as a realtime context
 * closes, see the README's Safari and WebKit section), the browser
 * is replaced and the test runs once more, with a warning naming the crash.
 * Any other failure, or a second crash, fails the test as it is.
 * @param {string} name
 * @param {() => unknown} fn
 */
async function rerunAfterCrash(name, fn) {
  try {
    return await fn();
  } catch (error) {
    const crashed = await crashedBrowser(error);
    if (!crashed) throw error;
    console.warn(
      `[${engine.id}] ${name}: the browser's page crashed (${String(/** @type {Error} */ (error).message ?? error).split('\n')[0]}); the test runs once more in a new browser`,
    );
    await crashed.reopen();
    return await fn();
  }
}
/**
 * @param {readonly any[]} table
 * @returns {(name: string, fn: (...args: any[]) => unknown, timeout?: number) => void}
 */
test.each = (table) => (name, fn, timeout) =>
  jest().test.each(/** @type {any[]} */ (table))(
    named(name),
    (/** @type {any[]} */ ...args) => rerunAfterCrash(name, () => fn(...args)),
    timeout,
  );

/** @type {{ engines: Need[], why: string } | null} */
let needs = null;

/**
 * @typedef {import('./engines.js').Engine['family'] | import('./engines.js').EngineId | 'sharedArrayBuffer'} Need
 */

/**
 * True when this file's engine is one of `engines` ('sharedArrayBuffer': any
 * engine whose isolated pages have it, so not WebKit's message mode).
 * @param {Need[]} engines
 */
function meets(engines) {
  return (
    engines.includes(engine.family) ||
    engines.includes(engine.id) ||
    (engines.includes('sharedArrayBuffer') && engine.sharedArrayBuffer)
  );
}

/**
 * Marks the next `test` as needing one engine's tooling (CDP, say), or
 * SharedArrayBuffer: elsewhere it is registered as skipped, its name saying
 * what it needs and why. One line above the test, so the test itself is
 * unchanged:
 *   test.needs(['chromium'], 'only CDP can …');
 *   test('…', async () => { … });
 * @param {Need[]} engines
 * @param {string} why
 */
test.needs = (engines, why) => {
  needs = { engines, why };
};

/**
 * Jest's `describe`, with the engine in front of top-level names.
 * @param {string} name
 * @param {() => void} fn
 */
export function describe(name, fn) {
  return jest().describe(named(name), () => {
    depth += 1;
    try {
      fn();
    } finally {
      depth -= 1;
    }
  });
}
