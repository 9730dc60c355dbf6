// Browsers shared by the test files one Jest worker runs. Launching an engine
// and loading its driver library for every file cost about 3 s a file in
// Chromium and 6 s in Firefox; here a worker launches each of them once (per
// set of launch options) and gives every file a context of its own in it
// (drivers/types.js: Context), closed when the file closes its browser.
// WebKit is launched per file (SHARED, below), its driver loaded once here.
//
// This module runs in the worker's own Node context, not a test file's:
// environment.js loads it and hands it to each test file as the global
// __ringletSharedBrowsers, which harness.js's launchEngine() uses when it is
// there. A browser that stops answering, or whose context does not close, is
// closed and launched anew for the next file.
//
// The browsers end with the worker; in a run in Jest's own process
// (--runInBand, or one test file) global-teardown.js closes them.

/** @typedef {import('./drivers/types.js').Driver} Driver */
/** @typedef {import('./drivers/types.js').Context} Context */
/** @typedef {import('./drivers/types.js').LaunchOptions} LaunchOptions */
/** @typedef {import('./engines.js').Engine['family']} Family */

/** The most browsers a worker keeps open between files; the least recently used closes first. */
const KEEP = 4;

/**
 * The engines whose browsers are shared. WebKit's is not: its test files ran
 * slower the longer one session had served (a loaded run: player.test.js
 * 122 s to 279 s in webkit-shared, stream.test.js 205 s to 241 s), and the
 * session keeps website data across files. Each WebKit file launches its own,
 * as before, and closing its context quits it.
 */
const SHARED = new Set(['chromium', 'firefox']);

/** @param {Family} family */
async function driverFor(family) {
  if (family === 'chromium') return import('./drivers/chromium.js');
  if (family === 'firefox') return import('./drivers/firefox.js');
  return import('./drivers/webkit.js');
}

/**
 * @typedef {object} Entry
 * @property {string} key
 * @property {Promise<Driver>} driver
 * @property {number} open contexts open now
 * @property {number} used when a context was last opened (a counter)
 */

/** @type {Map<string, Entry>} */
const entries = new Map();
let clock = 0;

/** @param {Entry} entry */
async function discard(entry) {
  if (entries.get(entry.key) === entry) entries.delete(entry.key);
  const driver = await entry.driver.catch(() => null);
  await driver?.close().catch(() => {});
}

/** Closes the least recently used idle browsers beyond KEEP. */
async function evict() {
  const idle = [...entries.values()].filter((e) => e.open === 0).sort((a, b) => a.used - b.used);
  while (entries.size > KEEP && idle.length > 0) await discard(/** @type {Entry} */ (idle.shift()));
}

/**
 * A context in a browser of `family` launched with `options`: the worker's
 * shared one when it is free (or allows contexts side by side) and answers,
 * else a newly launched one. Its close() closes the context; a browser
 * launched only because the shared one was busy closes with it.
 * @param {Family} family
 * @param {LaunchOptions} options
 * @returns {Promise<Context>}
 */
async function open(family, options) {
  const { launch } = await driverFor(family);
  if (!SHARED.has(family)) return launch(options);
  const key = JSON.stringify([family, options.sharedArrayBuffer, !!options.fakeMedia, options.chromiumArgs ?? []]);
  let entry = entries.get(key);
  if (entry) {
    const driver = await entry.driver.catch(() => null);
    const free = entry.open === 0 || driver?.concurrentContexts;
    if (free && !(driver && (await driver.alive()))) {
      await discard(entry);
      entry = undefined;
    } else if (!free) {
      // WebKit's one session is busy with this file's other browser: a browser of its own.
      const own = await launch(options);
      const context = await own.openContext().catch(async (error) => {
        await own.close().catch(() => {});
        throw error;
      });
      return {
        ...context,
        close: async () => {
          await context.close().catch(() => {});
          await own.close();
        },
      };
    }
  }
  if (!entry) {
    entry = { key, driver: launch(options), open: 0, used: 0 };
    entries.set(key, entry);
    const launched = entry;
    launched.driver.catch(() => {
      if (entries.get(key) === launched) entries.delete(key);
    });
  }
  const held = entry;
  held.used = ++clock;
  held.open += 1;
  /** @type {Context} */
  let context;
  try {
    context = await (await held.driver).openContext();
  } catch (error) {
    held.open -= 1;
    await discard(held);
    throw error;
  }
  await evict();
  let closed = false;
  return {
    ...context,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await context.close();
      } catch {
        // A context that will not close (its page crashed and took the
        // session) leaves its browser unfit for the next file.
        await discard(held);
      } finally {
        held.open -= 1;
      }
    },
  };
}

/** Closes every shared browser (a run in Jest's own process is ending). */
async function closeAll() {
  const all = [...entries.values()];
  entries.clear();
  await Promise.all(all.map(discard));
}

// jest-worker's child protocol: [CHILD_MESSAGE_END (2), …] ends the worker,
// which Jest then expects to exit within half a second. Closing the browsers
// one by one takes longer under load, so the worker exits here, and the
// drivers' exit hooks kill the browsers' processes and remove their profiles
// (Playwright's for Chromium, drivers/firefox.js's, drivers/webkit.js's).
if (process.send) {
  /** @param {unknown} message */
  const onMessage = (message) => {
    if (!Array.isArray(message) || message[0] !== 2) return;
    process.off('message', onMessage);
    if (entries.size > 0) process.exit(0);
  };
  process.on('message', onMessage);
}

/** @typedef {{ open: typeof open, closeAll: typeof closeAll }} SharedBrowsers */

/** @type {SharedBrowsers} */
export const sharedBrowsers = { open, closeAll };
