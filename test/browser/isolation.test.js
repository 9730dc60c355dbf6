// Cross-origin isolation through ringlet's service worker, in each engine,
// on servers that send no COOP/COEP/CORP (isolate: false): the headers it
// adds, what it must leave alone, its bounded LRU cache, and the reload guard
// of ensureCrossOriginIsolation().
//
// The page reports each outcome to the server (fixtures/isolation/page.js),
// and the server records each document request, so reports and navigations
// are seen the same way in every engine. The headers the service worker put
// on its responses are visible only to Playwright's network events (Chromium);
// elsewhere their effects are checked (an isolated page and worker, scripts
// that load under COEP).
import { afterAll, beforeAll, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve } from '../../scripts/serve.mjs';
import { describe, engine, openBrowser, test } from './harness.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = '/test/browser/fixtures/isolation/';
const PAGE = `${DIR}page.html`;
const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
const TOKEN = `ringlet-${Date.now()}`;

/** What the tests switch on the first server. */
const state = { offline: false, flakyStatus: 200 };
/** Responses to stalled-body.js: headers and part of the body sent, the rest held back until a test ends them. */
/** @type {import('node:http').ServerResponse[]} */
const stalledBodies = [];

/**
 * Where the page servers put reports and document requests: the browser
 * launch() opened last (the describe blocks run one after another).
 * @type {{ reports: Record<string, any>[], navigations: string[] } | null}
 */
let sink = null;

/**
 * Routes of the page server. `/coi-serviceworker.js` stands for the copy of
 * dist/coi-serviceworker.js an app puts at its site root.
 * @type {import('../../scripts/serve.mjs').RouteHandler}
 */
function pageRoutes(req, res, url) {
  const path = url.pathname;
  const js = { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' };
  if (path === '/__ringlet-report' && req.method === 'POST') {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const report = JSON.parse(body);
      // Beacons may arrive out of order: keep the reports in page-load order.
      const list = sink?.reports;
      if (list) list.splice(list.filter((r) => r.at <= report.at).length, 0, report);
      res.writeHead(204).end();
    });
    return true;
  }
  // A navigation, direct or forwarded by the service worker with the page's own
  // request headers (Sec-Fetch-Dest would do, but is not sent to insecure origins).
  if (req.method === 'GET' && req.headers.accept?.startsWith('text/html'))
    sink?.navigations.push(`http://${req.headers.host}${req.url}`);
  if (path === '/coi-serviceworker.js') {
    res.writeHead(200, js).end(readFileSync(join(ROOT, 'dist/coi-serviceworker.js')));
    return true;
  }
  if (path === '/stalled-serviceworker.js') {
    return true; // never answered: a stalled server (the server closes the connection at the end)
  }
  if (state.offline && path === `${DIR}asset.js`) {
    req.socket.destroy(); // a network failure, as the service worker's fetch sees it
    return true;
  }
  if (path === `${DIR}error-page.html`) {
    res
      .writeHead(500, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
      .end(readFileSync(join(ROOT, PAGE)));
    return true;
  }
  if (path === `${DIR}status.js`) {
    const status = Number(url.searchParams.get('code'));
    res.writeHead(status, 'Ringlet Test Status', js).end(`// status ${status}\n`);
    return true;
  }
  if (path === `${DIR}stalled-body.js`) {
    res.writeHead(200, js);
    res.write('// the first part\n');
    stalledBodies.push(res);
    return true;
  }
  if (path === `${DIR}flaky.js`) {
    res.writeHead(state.flakyStatus, js).end(`// flaky ${state.flakyStatus}\n`);
    return true;
  }
  if (path === `${DIR}redirect.js`) {
    res.writeHead(302, { Location: `${DIR}asset.js?n=redirected` }).end();
    return true;
  }
  if (path === `${DIR}go`) {
    res.writeHead(302, { Location: `${PAGE}?sw=/coi-serviceworker.js` }).end();
    return true;
  }
  if (path === `${DIR}to-other-origin.js`) {
    res.writeHead(302, { Location: `${other.url}/xo.js?via=redirect` }).end();
    return true;
  }
  return false;
}

/**
 * The second origin: scripts whose bytes and headers the service worker must
 * not touch. xo.js vouches for cross-origin use (CORP cross-origin);
 * xo-nocorp.js does not.
 * @type {import('../../scripts/serve.mjs').RouteHandler}
 */
function otherRoutes(_req, res, url) {
  const corp = url.pathname === '/xo.js';
  if (!corp && url.pathname !== '/xo-nocorp.js') return false;
  const name = corp ? 'ringletXo' : 'ringletXoNoCorp';
  /** @type {Record<string, string>} */
  const headers = {
    'Content-Type': 'text/javascript; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Ringlet-Probe': 'original',
  };
  if (corp) headers['Cross-Origin-Resource-Policy'] = 'cross-origin';
  res.writeHead(200, headers).end(`globalThis.${name} = ${JSON.stringify(TOKEN + url.search)};\n`);
  return true;
}

/** @type {Awaited<ReturnType<typeof serve>>} */
let other;

/**
 * A server (isolate: false) and a fresh browser of this file's engine.
 * Reports posted by fixtures/isolation/page.js and main-frame navigations are
 * collected; in Chromium, so are the responses the page received
 * (`responses`, with the service worker's headers), null elsewhere.
 */
async function launch() {
  const browser = await openBrowser({ isolate: false, handle: pageRoutes });
  const { page, server } = browser;
  /** @type {import('playwright-core').Response[] | null} */
  let responses = null;
  if (browser.engine.family === 'chromium') {
    // Only Playwright's network events show a service worker's responses.
    const raw = /** @type {import('playwright-core').Page} */ (page.raw);
    const list = /** @type {import('playwright-core').Response[]} */ ([]);
    raw.on('response', (r) => list.push(r));
    responses = list;
  }
  const b = {
    ...browser,
    server,
    page,
    /** @type {Record<string, any>[]} */
    reports: [],
    /** @type {string[]} */
    navigations: [],
    responses,
    /**
     * Navigates (or reloads, given 'reload'), then waits for the page's final
     * (not 'reloading') report and for any further navigation to show up.
     * @param {string} url
     */
    async settle(url) {
      const reportsFrom = b.reports.length;
      const navigationsFrom = b.navigations.length;
      if (url === 'reload') await page.reload();
      else await page.goto(url);
      const deadline = Date.now() + 20000;
      while (!b.reports.slice(reportsFrom).some((r) => r.status !== 'reloading')) {
        if (Date.now() > deadline)
          throw new Error(`no final report from ${url}: ${JSON.stringify(b.reports.slice(reportsFrom))}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      await new Promise((r) => setTimeout(r, 750)); // long enough for a second reload to start
      return { reports: b.reports.slice(reportsFrom), navigations: b.navigations.slice(navigationsFrom) };
    },
  };
  sink = b;
  return b;
}

/**
 * Posts a message to the active service worker over a MessageChannel and
 * resolves with its reply.
 * @param {import('./page.js').Page} page
 * @param {{ type: string }} message
 */
function tell(page, message) {
  return page.evaluate(async (msg) => {
    const registration = await navigator.serviceWorker.ready;
    const channel = new MessageChannel();
    const reply = new Promise((resolve) => {
      channel.port1.onmessage = (e) => resolve(e.data);
    });
    /** @type {ServiceWorker} */ (registration.active).postMessage(msg, [channel.port2]);
    return Promise.race([
      reply,
      new Promise((_, reject) => setTimeout(() => reject(new Error('no reply from the service worker')), 5000)),
    ]);
  }, message);
}

/** @param {import('./page.js').Page} page */
const stats = (page) => /** @type {Promise<Record<string, any>>} */ (tell(page, { type: 'GET_STATS' }));

/**
 * The service worker's counters once no cache store is under way. GET_STATS
 * waits up to a second for the stores in progress; on a loaded machine 500
 * serial cache writes take longer, so ask again until none is pending (at
 * most 60 s: the counts then judge what was stored, not how fast).
 * @param {import('./page.js').Page} page
 */
async function settledStats(page) {
  const deadline = Date.now() + 60000;
  let s = await stats(page);
  while (s.pendingStores > 0 && Date.now() < deadline) s = await stats(page);
  return s;
}

/**
 * The service worker's cache entries, as path + query, in the Cache API's order.
 * @param {import('./page.js').Page} page
 */
async function cacheKeys(page) {
  const { cacheName } = await settledStats(page);
  return page.evaluate(async (name) => {
    const keys = await (await caches.open(name)).keys();
    return keys.map((k) => {
      const u = new URL(k.url);
      return u.pathname + u.search;
    });
  }, cacheName);
}

/**
 * Fetches same-origin URLs from the page in order, `parallel` at a time.
 * @param {import('./page.js').Page} page
 * @param {string[]} urls
 * @param {number} [parallel]
 */
function fetchAll(page, urls, parallel = 1) {
  return page.evaluate(
    async ({ list, n }) => {
      const out = [];
      for (let i = 0; i < list.length; i += n) {
        out.push(
          ...(await Promise.all(
            list.slice(i, i + n).map(async (u) => {
              try {
                const r = await fetch(u);
                return { status: r.status, body: await r.text(), corp: r.headers.get('cross-origin-resource-policy') };
              } catch (error) {
                return { status: -1, body: String(error), corp: null };
              }
            }),
          )),
        );
      }
      return out;
    },
    { list: urls, n: parallel },
  );
}

/** @param {string} url */
const pathOf = (url) => {
  const u = new URL(url);
  return u.pathname + u.search;
};

beforeAll(async () => {
  other = await serve({ root: join(ROOT, 'test/browser/fixtures/isolation'), isolate: false, handle: otherRoutes });
});

afterAll(async () => {
  await other?.close();
});

describe('service worker at the site root, COEP require-corp', () => {
  /** @type {Awaited<ReturnType<typeof launch>>} */
  let b;
  /** @type {Awaited<ReturnType<Awaited<ReturnType<typeof launch>>['settle']>>} */
  let first;
  const oldCaches = ['ringlet-coi-0.0.1@http://127.0.0.1/', 'ringlet-coi-0.0.1', 'another-app-v1'];

  beforeAll(async () => {
    b = await launch();
    await b.page.goto(`${b.server.url}/test/browser/blank.html`);
    await b.page.evaluate(async (names) => {
      for (const n of names) await (await caches.open(n)).put('/x', new Response('x'));
    }, oldCaches);
    first = await b.settle(`${b.server.url}${PAGE}?sw=/coi-serviceworker.js`);
  });

  afterAll(async () => {
    await b?.close();
  });

  test('after one reload the page is cross-origin isolated, with COOP, COEP and CORP same-site added by the worker', async () => {
    expect(first.reports.map((r) => r.status)).toEqual(['reloading', 'isolated']);
    expect(first.navigations).toHaveLength(2);
    const final = first.reports[1];
    const sab = b.engine.sharedArrayBuffer ? 'function' : 'undefined'; // WebKit without JSC_useSharedArrayBuffer: none
    expect(final).toMatchObject({ crossOriginIsolated: true, sharedArrayBuffer: sab, controlled: true });
    expect(await b.page.evaluate(() => [crossOriginIsolated, typeof SharedArrayBuffer])).toEqual([true, sab]);

    // The server sent none of these: the worker added them.
    const served = b.server.responses.filter((r) => r.path === PAGE);
    expect(served.length).toBeGreaterThanOrEqual(2);
    for (const r of served) {
      expect(r.headers).not.toHaveProperty('cross-origin-opener-policy');
      expect(r.headers).not.toHaveProperty('cross-origin-embedder-policy');
      expect(r.headers).not.toHaveProperty('cross-origin-resource-policy');
    }
    if (b.responses) {
      // Chromium: the headers the service worker put on its responses.
      const seen = b.responses.filter((r) => r.fromServiceWorker());
      const documentResponse = seen.find((r) => pathOf(r.url()).startsWith(PAGE));
      const script = seen.find((r) => pathOf(r.url()) === '/dist/ringlet.js');
      expect(documentResponse).toBeDefined();
      expect(script).toBeDefined();
      expect(await documentResponse?.allHeaders()).toMatchObject({
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
        'cross-origin-resource-policy': 'same-site',
        'content-type': 'text/html; charset=utf-8',
      });
      const scriptHeaders = await script?.allHeaders();
      expect(scriptHeaders?.['cross-origin-resource-policy']).toBe('same-site');
      expect(scriptHeaders).not.toHaveProperty('cross-origin-embedder-policy'); // only documents and workers
      expect(await script?.body()).toEqual(readFileSync(join(ROOT, 'dist/ringlet.js')));
    }
    // The guard is cleared once isolation succeeded.
    expect(await b.page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith('ringlet:')))).toEqual(
      [],
    );
  });

  test.needs(['sharedArrayBuffer'], 'the shared ring');
  test('ringlet renders through the shared ring on that page, its wasm served with CORP same-site', async () => {
    const from = b.responses?.length ?? 0;
    const r = await b.page.evaluate(async () => {
      const { RingletNode } = await import('/dist/ringlet.js');
      const frames = 2048;
      const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: frames, sampleRate: 48000 });
      const node = await RingletNode.create(ctx, { channels: 1, capacityFrames: 2048 });
      const ramp = new Float32Array(frames);
      for (let i = 0; i < frames; i++) ramp[i] = (0.5 * i) / frames; // under any limiter ceiling
      const written = node.writer.tryWrite(ramp);
      node.connect(ctx.destination);
      const out = (await ctx.startRendering()).getChannelData(0);
      let mismatches = 0;
      for (let i = 0; i < frames; i++) if (out[i] !== ramp[i]) mismatches++;
      return {
        written,
        mismatches,
        transport: node.transport,
        shared: node.writerHandle.buffer instanceof SharedArrayBuffer,
      };
    });
    expect(r).toEqual({ written: 2048, mismatches: 0, transport: 'shared', shared: true });
    if (b.responses) {
      // Chromium: the headers the service worker put on its responses.
      const wasm = b.responses
        .slice(from)
        .filter((x) => x.fromServiceWorker() && new URL(x.url()).pathname.endsWith('.wasm'));
      expect(wasm.length).toBeGreaterThanOrEqual(1);
      for (const x of wasm) expect((await x.allHeaders())['cross-origin-resource-policy']).toBe('same-site');
    }
  });

  test('a dedicated worker gets COEP on its script and is cross-origin isolated too', async () => {
    const from = b.responses?.length ?? 0;
    const r = await b.page.evaluate(
      (dir) =>
        new Promise((resolve, reject) => {
          const w = new Worker(`${dir}isolated.worker.js`);
          w.onmessage = (e) => {
            resolve(e.data);
            w.terminate();
          };
          w.onerror = (e) => reject(new Error(e.message));
        }),
      DIR,
    );
    expect(r).toEqual({
      crossOriginIsolated: true,
      sharedArrayBuffer: b.engine.sharedArrayBuffer ? 'function' : 'undefined',
    });
    if (b.responses) {
      // Chromium: the headers the service worker put on its responses.
      const script = b.responses.slice(from).find((x) => pathOf(x.url()) === `${DIR}isolated.worker.js`);
      expect(await script?.allHeaders()).toMatchObject({
        'cross-origin-embedder-policy': 'require-corp',
        'cross-origin-resource-policy': 'same-site',
      });
    }
  });

  test("activation deleted older ringlet caches and kept other apps' caches", async () => {
    const names = await b.page.evaluate(() => caches.keys());
    expect(names).toContain('another-app-v1');
    expect(names).not.toContain('ringlet-coi-0.0.1');
    expect(names).not.toContain('ringlet-coi-0.0.1@http://127.0.0.1/');
    const { cacheName, version } = await settledStats(b.page);
    expect(version).toBe(VERSION);
    expect(cacheName).toBe(`ringlet-coi-${VERSION}@${b.server.url}/`);
  });

  test('a cross-origin no-cors script passes through with its bytes and headers untouched, counted but neither rebuilt nor cached', async () => {
    const before = await settledStats(b.page);
    const from = b.responses?.length ?? 0;
    const loaded = await b.page.evaluate(
      (src) =>
        new Promise((resolve) => {
          const s = document.createElement('script');
          s.src = src;
          s.onload = () => resolve(/** @type {any} */ (globalThis).ringletXo);
          s.onerror = () => resolve('blocked');
          document.head.append(s);
        }),
      `${other.url}/xo.js?n=1`,
    );
    expect(loaded).toBe(`${TOKEN}?n=1`);
    const after = await settledStats(b.page);
    expect(after.requests - before.requests).toBe(1);
    expect(after.passedThrough - before.passedThrough).toBe(1);
    expect(after.rebuilt - before.rebuilt).toBe(0);
    expect(after.cacheStores - before.cacheStores).toBe(0);

    if (b.responses) {
      // Chromium: the response the page got is the other origin's, bytes and headers.
      const original = other.responses.find((r) => r.path === '/xo.js' && r.search === '?n=1');
      const seen = b.responses.slice(from).find((r) => r.url() === `${other.url}/xo.js?n=1`);
      expect(original).toBeDefined();
      expect(seen).toBeDefined();
      const headers = await seen?.allHeaders();
      for (const name of ['content-type', 'cache-control', 'x-ringlet-probe', 'cross-origin-resource-policy']) {
        expect([name, headers?.[name]]).toEqual([name, original?.headers[name]]);
      }
      expect(headers?.['cross-origin-resource-policy']).toBe('cross-origin');
      expect(headers).not.toHaveProperty('cross-origin-embedder-policy');
      expect((await seen?.body())?.toString()).toBe(`globalThis.ringletXo = ${JSON.stringify(`${TOKEN}?n=1`)};\n`);
    }
    expect((await cacheKeys(b.page)).filter((k) => k.includes('xo'))).toEqual([]);

    // Without CORP the same script is blocked: COEP require-corp is in force.
    const blocked = await b.page.evaluate(
      (src) =>
        new Promise((resolve) => {
          const s = document.createElement('script');
          s.src = src;
          s.onload = () => resolve(/** @type {any} */ (globalThis).ringletXoNoCorp);
          s.onerror = () => resolve('blocked');
          document.head.append(s);
        }),
      `${other.url}/xo-nocorp.js`,
    );
    expect(blocked).toBe('blocked');
  });

  test('an opaque response (same-origin URL redirected to another origin) is returned untouched, never rebuilt', async () => {
    const before = await settledStats(b.page);
    const loaded = await b.page.evaluate(
      (src) =>
        new Promise((resolve) => {
          delete (/** @type {any} */ (globalThis).ringletXo);
          const s = document.createElement('script');
          s.src = src;
          s.onload = () => resolve(/** @type {any} */ (globalThis).ringletXo);
          s.onerror = () => resolve('failed');
          document.head.append(s);
        }),
      `${DIR}to-other-origin.js`,
    );
    // A rebuilt opaque response would have an empty body: the global would be unset.
    expect(loaded).toBe(`${TOKEN}?via=redirect`);
    const after = await settledStats(b.page);
    expect(after.passedThrough - before.passedThrough).toBe(1);
    expect(after.rebuilt - before.rebuilt).toBe(0);
    expect(after.redirected - before.redirected).toBe(0);
  });

  test('a same-origin redirect ends at its real URL, with the headers, and only the final URL is cached', async () => {
    const before = await settledStats(b.page);
    const r = await b.page.evaluate(async (url) => {
      const res = await fetch(url);
      return {
        status: res.status,
        redirected: res.redirected,
        url: res.url,
        corp: res.headers.get('cross-origin-resource-policy'),
        body: await res.text(),
      };
    }, `${DIR}redirect.js`);
    expect(r).toEqual({
      status: 200,
      // WebKit does not flag a fetch that followed the worker's Response.redirect() as redirected.
      redirected: b.engine.family !== 'webkit',
      url: `${b.server.url}${DIR}asset.js?n=redirected`,
      corp: 'same-site',
      body: readFileSync(join(ROOT, DIR, 'asset.js'), 'utf8'),
    });
    const after = await settledStats(b.page);
    expect(after.redirected - before.redirected).toBe(1);
    const keys = await cacheKeys(b.page);
    expect(keys).toContain(`${DIR}asset.js?n=redirected`);
    expect(keys.filter((k) => k.includes('redirect.js'))).toEqual([]);

    // A redirected navigation passes its redirect through and lands on an isolated page.
    const nav = await b.settle(`${b.server.url}${DIR}go`);
    expect(nav.navigations).toEqual([`${b.server.url}${DIR}go`, `${b.server.url}${PAGE}?sw=/coi-serviceworker.js`]); // one redirect, no reload
    expect(nav.reports).toEqual([expect.objectContaining({ status: 'isolated', crossOriginIsolated: true })]);
    expect(await b.page.url()).toBe(`${b.server.url}${PAGE}?sw=/coi-serviceworker.js`);
  });

  test('the cache holds at most 100 entries after 500 distinct asset requests', async () => {
    expect(await tell(b.page, { type: 'CLEAR_CACHE' })).toHaveProperty('cleared');
    const before = await settledStats(b.page);
    const urls = Array.from({ length: 500 }, (_, i) => `${DIR}asset.js?n=${i + 1}`);
    const results = await fetchAll(b.page, urls, 20);
    expect(results.filter((x) => x.status !== 200 || x.corp !== 'same-site')).toEqual([]);
    const after = await settledStats(b.page);
    expect(after.pendingStores).toBe(0);
    expect(after.cacheStores - before.cacheStores).toBe(500);
    expect(after.evictions - before.evictions).toBe(400);
    expect(after.cacheEntries).toBe(100);
    expect(after.maxEntries).toBe(100);
    const keys = await cacheKeys(b.page);
    expect(keys).toHaveLength(100);
    expect(keys.every((k) => k.startsWith(`${DIR}asset.js?n=`))).toBe(true);
    expect(keys.map((k) => Number(k.split('=')[1])).every((n) => n > 400)).toBe(true);
  });

  test('eviction is least-recently-used: uses and offline cache hits refresh an entry, and the order survives a worker restart', async () => {
    await tell(b.page, { type: 'CLEAR_CACHE' });
    const url = (/** @type {number} */ k) => `${DIR}asset.js?lru=${k}`;
    const has = async (/** @type {number[]} */ ks) => {
      const keys = new Set(await cacheKeys(b.page));
      return ks.map((k) => keys.has(url(k)));
    };
    await fetchAll(
      b.page,
      Array.from({ length: 100 }, (_, i) => url(i + 1)),
    );
    expect((await settledStats(b.page)).cacheEntries).toBe(100);

    // Use entry 1 again, then add one more: 2, the least recently used, goes.
    await fetchAll(b.page, [url(1), url(101)]);
    expect(await has([1, 2, 3, 101])).toEqual([true, false, true, true]);

    // Offline: entry 3 comes from the cache (a hit that makes it most recent); 2 is a miss.
    const before = await settledStats(b.page);
    state.offline = true;
    let offline;
    try {
      offline = await fetchAll(b.page, [url(3), url(2)]);
    } finally {
      state.offline = false;
    }
    expect(offline[0]).toEqual({
      status: 200,
      body: readFileSync(join(ROOT, DIR, 'asset.js'), 'utf8'),
      corp: 'same-site',
    });
    expect(offline[1].status).toBe(-1);
    const afterOffline = await settledStats(b.page);
    expect(afterOffline.cacheHits - before.cacheHits).toBe(1);
    expect(afterOffline.cacheMisses - before.cacheMisses).toBe(1);
    await fetchAll(b.page, [url(102)]);
    expect(await has([3, 4, 5, 102])).toEqual([true, false, true, true]);

    // Restart the worker: its in-memory order is gone and must be rebuilt from
    // the cache. Chromium only: CDP stops service workers on demand; Firefox's
    // and WebKit's drivers cannot, so there the order is checked unrestarted.
    if (b.engine.family === 'chromium') {
      const cdp = await b.cdp();
      await cdp.send('ServiceWorker.enable');
      await cdp.send('ServiceWorker.stopAllWorkers');
      const restarted = await settledStats(b.page);
      expect(restarted.requests).toBeLessThan(afterOffline.requests); // counters restarted from zero
    }
    await fetchAll(b.page, [url(103)]);
    // Order now: 5..100, 1, 101, 3, 102, 103. Entries 1 and 3 were used after 5.
    expect(await has([1, 3, 5, 6, 103])).toEqual([true, true, false, true, true]);
    expect((await settledStats(b.page)).cacheEntries).toBe(100);
  });

  test('error responses pass through untouched and are never cached; a cached entry survives a later 500', async () => {
    const before = await settledStats(b.page);
    const r = await b.page.evaluate(async (dir) => {
      const out = [];
      for (const u of [`${dir}missing.js`, `${dir}status.js?code=500`, `${dir}status.js?code=404`]) {
        const res = await fetch(u);
        out.push({
          status: res.status,
          statusText: res.statusText,
          corp: res.headers.get('cross-origin-resource-policy'),
          body: await res.text(),
        });
      }
      return out;
    }, DIR);
    expect(r).toEqual([
      { status: 404, statusText: 'Not Found', corp: null, body: 'not found' },
      { status: 500, statusText: 'Ringlet Test Status', corp: null, body: '// status 500\n' },
      { status: 404, statusText: 'Ringlet Test Status', corp: null, body: '// status 404\n' },
    ]);
    const after = await settledStats(b.page);
    expect(after.cacheStores - before.cacheStores).toBe(0);
    expect(after.rebuilt - before.rebuilt).toBe(0);
    expect(after.passedThrough - before.passedThrough).toBe(3);
    const keys = await cacheKeys(b.page);
    expect(keys.filter((k) => k.includes('missing') || k.includes('status'))).toEqual([]);

    // flaky.js is cached while it answers 200; its later 500 reaches the page and leaves the entry alone.
    state.flakyStatus = 200;
    expect((await fetchAll(b.page, [`${DIR}flaky.js`]))[0].status).toBe(200);
    state.flakyStatus = 500;
    expect((await fetchAll(b.page, [`${DIR}flaky.js`]))[0]).toMatchObject({ status: 500, body: '// flaky 500\n' });
    const cached = await b.page.evaluate(
      async ({ name, u }) => {
        const hit = await (await caches.open(name)).match(u);
        return hit ? { status: hit.status, body: await hit.text() } : null;
      },
      { name: after.cacheName, u: `${DIR}flaky.js` },
    );
    expect(cached).toEqual({ status: 200, body: '// flaky 200\n' });
  });

  test('a cacheable response whose body stalls holds up no other cache operation: stats and offline hits still answer', async () => {
    await fetchAll(b.page, [`${DIR}asset.js?stall=cached`]);
    const before = await settledStats(b.page);
    // The page gets the headers and stops reading; the server holds back the rest of the body.
    await b.page.evaluate((u) => {
      globalThis.stalledFetch = new AbortController();
      return fetch(u, { signal: globalThis.stalledFetch.signal }).then((r) => r.status);
    }, `${DIR}stalled-body.js`);
    expect(stalledBodies).toHaveLength(1);
    try {
      const during = await stats(b.page); // tell() gives up after 5 s
      state.offline = true;
      let offline;
      try {
        offline = await fetchAll(b.page, [`${DIR}asset.js?stall=cached`]);
      } finally {
        state.offline = false;
      }
      expect(during.cacheStores).toBe(before.cacheStores);
      expect(during.pendingStores).toBe(1);
      expect(offline[0].status).toBe(200);
    } finally {
      for (const res of stalledBodies.splice(0)) res.end('// the rest\n');
      await b.page.evaluate(() => globalThis.stalledFetch.abort());
    }
    // The body completed, so it is stored now, whole.
    const after = await settledStats(b.page);
    expect(after.pendingStores).toBe(0);
    expect(after.cacheStores).toBe(before.cacheStores + 1);
    const cached = await b.page.evaluate(async ({ name, u }) => (await (await caches.open(name)).match(u))?.text(), {
      name: after.cacheName,
      u: `${DIR}stalled-body.js`,
    });
    expect(cached).toBe('// the first part\n// the rest\n');
  });

  test('where the worker cannot isolate (an error page), the page reloads exactly once, then resolves failed, and stays failed; only a stale reload marker is ignored', async () => {
    const errorPage = `${b.server.url}${DIR}error-page.html?sw=/coi-serviceworker.js`;
    const once = await b.settle(errorPage);
    expect(once.navigations).toEqual([errorPage, errorPage]);
    expect(once.reports.map((r) => r.status)).toEqual(['reloading', 'failed']);
    expect(once.reports[1]).toMatchObject({ reason: 'headers-missing', controlled: true, crossOriginIsolated: false });
    expect(once.reports[1].message).toMatch(/not reloading again/);

    // Same tab, same page: the guard holds, no reload at all.
    const again = await b.settle(errorPage);
    expect(again.navigations).toEqual([errorPage]);
    expect(again.reports.map((r) => [r.status, r.reason])).toEqual([['failed', 'headers-missing']]);

    // The failure is remembered as such: a guard is ignored only when it is an
    // old reload marker, never followed by a failed load (the success case).
    const key = `ringlet:coi-reloaded:${DIR}error-page.html`;
    expect(JSON.parse(await b.page.evaluate((k) => sessionStorage.getItem(k) ?? 'null', key))).toMatchObject({
      failed: true,
    });
    const staleMarker = JSON.stringify({ at: Date.now() - 60000, failed: false });
    await b.page.evaluate(({ k, v }) => sessionStorage.setItem(k, v), { k: key, v: staleMarker });
    const stale = await b.settle(errorPage);
    expect(stale.navigations).toEqual([errorPage, errorPage]);
    expect(stale.reports.map((r) => r.status)).toEqual(['reloading', 'failed']);
    // The same when the user reloads: a reload 60 s after the marker is not the one it marked.
    await b.page.evaluate(({ k, v }) => sessionStorage.setItem(k, v), { k: key, v: staleMarker });
    const reloaded = await b.settle('reload');
    expect(reloaded.navigations).toEqual([errorPage, errorPage]);
    expect(reloaded.reports.map((r) => r.status)).toEqual(['reloading', 'failed']);
  });

  test('off the main thread it rejects with NOT_MAIN_THREAD; the worker answers SKIP_WAITING, and unknown messages with an error', async () => {
    await b.page.goto(`${b.server.url}${PAGE}?sw=/coi-serviceworker.js`);
    const r = await b.page.evaluate(
      (dir) =>
        new Promise((resolve, reject) => {
          const w = new Worker(`${dir}not-main.worker.js`, { type: 'module' });
          w.onmessage = (e) => {
            resolve(e.data);
            w.terminate();
          };
          w.onerror = (e) => reject(new Error(e.message));
        }),
      DIR,
    );
    expect(r).toMatchObject({ name: 'RingletError', code: 'NOT_MAIN_THREAD' });
    expect(await tell(b.page, { type: 'NOPE' })).toEqual({
      error: expect.stringMatching(/unknown message type "NOPE"/),
    });
    expect(await tell(b.page, { type: 'SKIP_WAITING' })).toEqual({ ok: true });
  });
});

describe('COEP credentialless', () => {
  /** @type {Awaited<ReturnType<typeof launch>>} */
  let b;

  beforeAll(async () => {
    b = await launch();
  });
  afterAll(async () => {
    await b?.close();
  });

  // WebKit (and so Safari) does not implement COEP credentialless and treats
  // it as unsafe-none: the page is not isolated, and cross-origin no-cors
  // scripts load as on any page. The worker sent the headers all the same, so
  // ensureCrossOriginIsolation() says why instead of reloading again.
  const ignoresCredentialless = engine.family === 'webkit';

  test(
    ignoresCredentialless
      ? "COEP credentialless, which WebKit ignores: after one reload it resolves 'credentialless-unsupported' and never reloads again; the script without CORP loads; coep 'require-corp' then isolates the page"
      : 'the page is isolated with COEP credentialless, and a cross-origin script without CORP loads',
    async () => {
      const url = `${b.server.url}${PAGE}?sw=/coi-serviceworker.js&coep=credentialless&corp=same-origin`;
      const run = await b.settle(url);
      expect(run.navigations).toEqual([url, url]);
      if (ignoresCredentialless) {
        expect(run.reports.map((r) => r.status)).toEqual(['reloading', 'failed']);
        expect(run.reports[1]).toMatchObject({
          reason: 'credentialless-unsupported',
          controlled: true,
          crossOriginIsolated: false,
        });
        expect(run.reports[1].message).toMatch(
          /does not support COEP credentialless.*not reloading again.*require-corp/,
        );
      } else {
        expect(run.reports.map((r) => r.status)).toEqual(['reloading', 'isolated']);
      }
      if (b.responses) {
        // Chromium: the headers the service worker put on its responses.
        const doc = b.responses.filter((r) => r.fromServiceWorker() && pathOf(r.url()).startsWith(PAGE)).at(-1);
        expect(await doc?.allHeaders()).toMatchObject({
          'cross-origin-opener-policy': 'same-origin',
          'cross-origin-embedder-policy': 'credentialless',
          'cross-origin-resource-policy': 'same-origin',
        });
      }
      // Every engine got COEP credentialless with the page, as the worker tells.
      expect(await tell(b.page, { type: 'GET_NAVIGATION', url: `${url}#frag` })).toEqual({ coep: 'credentialless' });
      expect(await tell(b.page, { type: 'GET_NAVIGATION', url: `${b.server.url}${DIR}never-opened.html` })).toEqual({
        coep: null,
      });
      expect(await tell(b.page, { type: 'GET_NAVIGATION' })).toEqual({
        error: expect.stringMatching(/GET_NAVIGATION: url must be a string/),
      });
      const loaded = await b.page.evaluate(
        (src) =>
          new Promise((resolve) => {
            const s = document.createElement('script');
            s.src = src;
            s.onload = () => resolve(/** @type {any} */ (globalThis).ringletXoNoCorp);
            s.onerror = () => resolve('blocked');
            document.head.append(s);
          }),
        `${other.url}/xo-nocorp.js?c=1`,
      );
      expect(loaded).toBe(`${TOKEN}?c=1`);
      expect(await stats(b.page)).toMatchObject({ coep: 'credentialless', corp: 'same-origin' });
      if (!ignoresCredentialless) return;

      // The same page again: the worker still sends credentialless, so no reload.
      const again = await b.settle(url);
      expect(again.navigations).toEqual([url]);
      expect(again.reports.map((r) => [r.status, r.reason])).toEqual([['failed', 'credentialless-unsupported']]);

      // The way out the message names: require-corp isolates the page in WebKit.
      const strict = `${b.server.url}${PAGE}?sw=/coi-serviceworker.js&coep=require-corp&corp=same-origin`;
      const fallback = await b.settle(strict);
      expect(fallback.navigations).toEqual([strict, strict]);
      expect(fallback.reports.map((r) => r.status)).toEqual(['reloading', 'isolated']);
      expect(await stats(b.page)).toMatchObject({ coep: 'require-corp', corp: 'same-origin' });
    },
  );
});

describe('a fresh profile: refusals without a reload, and a registration by hand', () => {
  /** @type {Awaited<ReturnType<typeof launch>>} */
  let b;

  beforeAll(async () => {
    b = await launch();
  });
  afterAll(async () => {
    await b?.close();
  });

  test("'unsupported' without navigator.serviceWorker, and nothing registered", async () => {
    // The page removes navigator.serviceWorker before it asks (no-sw).
    const url = `${b.server.url}${PAGE}?sw=/coi-serviceworker.js&no-sw`;
    const run = await b.settle(url);
    expect(run.navigations).toEqual([url]);
    expect(run.reports).toEqual([
      expect.objectContaining({ status: 'unsupported', reason: 'no-service-worker', crossOriginIsolated: false }),
    ]);
    await b.page.goto(`${b.server.url}/test/browser/blank.html`);
    expect(await b.page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
  });

  test("'unsupported' in an insecure context (http:// on an address that is not loopback)", async () => {
    // The machine's own non-loopback address: no engine counts it as a secure context.
    const address = Object.values(networkInterfaces())
      .flat()
      .find((a) => a?.family === 'IPv4' && !a.internal)?.address;
    if (!address) throw new Error('this test needs a non-loopback IPv4 address on the machine');
    const lan = await serve({ root: ROOT, host: address, isolate: false, handle: pageRoutes });
    try {
      const url = `${lan.url}${PAGE}?sw=/coi-serviceworker.js`;
      const run = await b.settle(url);
      expect(run.navigations).toEqual([url]);
      expect(run.reports).toEqual([expect.objectContaining({ status: 'unsupported', reason: 'insecure-context' })]);
    } finally {
      await lan.close();
    }
  });

  test("'failed' without a reload when the worker's scope cannot cover the page (the default dist/ URL) or its script is missing", async () => {
    const bundled = `${b.server.url}${PAGE}`; // default swUrl: /dist/coi-serviceworker.js, scope /dist/
    const outOfScope = await b.settle(bundled);
    expect(outOfScope.navigations).toEqual([bundled]);
    expect(outOfScope.reports).toEqual([expect.objectContaining({ status: 'failed', reason: 'out-of-scope' })]);
    expect(outOfScope.reports[0].message).toMatch(/\/dist\/.*copy it to the site root/);

    const missing = `${b.server.url}${PAGE}?sw=/no-such-worker.js`;
    const run = await b.settle(missing);
    expect(run.navigations).toEqual([missing]);
    expect(run.reports).toEqual([expect.objectContaining({ status: 'failed', reason: 'register-failed' })]);

    const wideScope = `${b.server.url}${PAGE}?scope=/`;
    const refused = await b.settle(wideScope);
    expect(refused.navigations).toEqual([wideScope]);
    expect(refused.reports).toEqual([expect.objectContaining({ status: 'failed', reason: 'register-failed' })]);
    expect(refused.reports[0].message).toMatch(/Service-Worker-Allowed|scope/i);
  });

  test("'failed' with 'register-timeout' within timeoutMs when the server never answers for the worker's script", async () => {
    // register() itself stays pending (for 40 s and more here): the wait must have a bound of its own.
    // Its own scope: the browser runs one registration job at a time per scope, and this one never ends.
    const url = `${b.server.url}${PAGE}?sw=/stalled-serviceworker.js&scope=${DIR}&timeout=1000`;
    const run = await b.settle(url);
    expect(run.navigations).toEqual([url]);
    expect(run.reports).toEqual([expect.objectContaining({ status: 'failed', reason: 'register-timeout' })]);
    expect(run.reports[0].message).toMatch(/\/stalled-serviceworker\.js.* within 1000 ms/);
    expect(b.server.requests).toContain('/stalled-serviceworker.js');
  });

  test('registered by hand without a query, the worker defaults to COEP require-corp and CORP same-site', async () => {
    await b.page.goto(`${b.server.url}/test/browser/blank.html`);
    await b.page.evaluate(async () => {
      const registration = await navigator.serviceWorker.register('/coi-serviceworker.js', { scope: '/' });
      if (!registration.active) {
        const worker = /** @type {ServiceWorker} */ (registration.installing ?? registration.waiting);
        await new Promise((resolve) =>
          worker.addEventListener('statechange', () => {
            if (worker.state === 'activated') resolve(undefined);
          }),
        );
      }
    });
    expect(await stats(b.page)).toMatchObject({ coep: 'require-corp', corp: 'same-site' });
    const from = b.responses?.length ?? 0;
    await b.page.reload();
    expect(await b.page.evaluate(() => crossOriginIsolated)).toBe(true);
    if (b.responses) {
      // Chromium: the headers the service worker put on its responses.
      const doc = b.responses.slice(from).find((r) => pathOf(r.url()) === '/test/browser/blank.html');
      expect(await doc?.allHeaders()).toMatchObject({
        'cross-origin-embedder-policy': 'require-corp',
        'cross-origin-resource-policy': 'same-site',
      });
    }
  });
});
