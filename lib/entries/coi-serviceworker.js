// @ts-check
// ringlet's cross-origin isolation service worker: makes pages cross-origin
// isolated (so SharedArrayBuffer exists) on hosts that cannot send headers.
//
// A classic script, dependency-free: module service workers are not
// universal. Register it through ensureCrossOriginIsolation(), or by hand as
//   navigator.serviceWorker.register('/coi-serviceworker.js?coep=require-corp&corp=same-site')
// Its configuration lives in its own URL's query, so it survives restarts.
//
// Per GET request from a controlled page:
// - cross-origin requests are not intercepted at all: only the other origin
//   can vouch for its resources (CORP), and an opaque response can't be read;
// - same-origin responses that are successful (2xx, type 'basic') are rebuilt
//   with Cross-Origin-Resource-Policy (default same-site; a CORP the server
//   sent is kept, never loosened) and, for documents and workers,
//   Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy;
// - opaque, opaque-redirect and error responses (404, 500, ...) pass through
//   untouched, never rebuilt;
// - a response that followed a same-origin redirect is answered with a
//   redirect to its final URL, so the browser fetches that URL through this
//   worker and the response keeps its real URL (a rebuilt Response would lose
//   it, breaking relative module imports) and gets the headers.
//
// Cache: network first. Successful (200) same-origin GET responses whose path
// ends in .wasm, .js or .mjs (query included in the key) are stored, and are
// served only when the network fails. At most MAX_ENTRIES entries, least
// recently used evicted first. A response's body is read to its end before
// its store joins the one queue of cache operations, so a body that stalls
// holds up nothing else; one that takes over STORE_READ_MS is not stored. Why network first: a stale ringlet.js served
// beside a fresh ringlet.wasm (or the reverse) fails the version check, and
// stale app scripts after a deploy surprise people who installed this worker
// for its headers; the browser's HTTP cache already makes repeat loads fast.

/** The package version; the build refuses to copy this file when it differs from package.json. */
const RINGLET_COI_VERSION = '0.1.0';

/**
 * The parts of ServiceWorkerGlobalScope used here. TypeScript's DOM library,
 * which this project checks against, does not describe service workers.
 * @typedef {{ waitUntil(promise: Promise<unknown>): void }} CoiExtendableEvent
 * @typedef {CoiExtendableEvent & { readonly request: Request, respondWith(response: Promise<Response>): void }} CoiFetchEvent
 * @typedef {CoiExtendableEvent & { readonly data: unknown, readonly ports: readonly MessagePort[] }} CoiMessageEvent
 * @typedef {((type: 'fetch', listener: (event: CoiFetchEvent) => void) => void)
 *   & ((type: 'message', listener: (event: CoiMessageEvent) => void) => void)
 *   & ((type: 'install' | 'activate', listener: (event: CoiExtendableEvent) => void) => void)} CoiAddListener
 * @typedef {{
 *   readonly location: { readonly href: string, readonly origin: string },
 *   readonly registration: { readonly scope: string },
 *   readonly clients: { claim(): Promise<void> },
 *   skipWaiting(): Promise<void>,
 *   addEventListener: CoiAddListener,
 * }} CoiScope
 * @typedef {{
 *   version: string, cacheName: string, coep: string, corp: string, maxEntries: number,
 *   requests: number, rebuilt: number, passedThrough: number, redirected: number,
 *   cacheHits: number, cacheMisses: number, cacheStores: number, pendingStores: number,
 *   cacheEntries: number, evictions: number, errors: number,
 * }} CoiStats
 */

(() => {
  'use strict';

  const scope = /** @type {CoiScope} */ (/** @type {unknown} */ (self));

  const COEP_VALUES = ['require-corp', 'credentialless'];
  const CORP_VALUES = ['same-site', 'same-origin', 'cross-origin'];
  const config = new URL(scope.location.href).searchParams;
  const COEP = config.get('coep') ?? 'require-corp';
  const CORP = config.get('corp') ?? 'same-site';
  // Thrown while the script evaluates, so register() rejects: loud, not a silent default.
  if (!COEP_VALUES.includes(COEP))
    throw new TypeError(`coi-serviceworker: coep must be 'require-corp' or 'credentialless'; got '${COEP}'`);
  if (!CORP_VALUES.includes(CORP))
    throw new TypeError(`coi-serviceworker: corp must be 'same-site', 'same-origin' or 'cross-origin'; got '${CORP}'`);

  const CACHE_PREFIX = 'ringlet-coi-';
  // The scope is in the name so two registrations on one origin never evict each other's entries.
  const CACHE_NAME = `${CACHE_PREFIX}${RINGLET_COI_VERSION}@${scope.registration.scope}`;
  const MAX_ENTRIES = 100;
  /** How long a response's body may take to arrive for it to be stored. */
  const STORE_READ_MS = 60000;
  /** How long GET_STATS waits for stores under way before it replies. */
  const STATS_WAIT_MS = 1000;
  const CACHEABLE_PATH = /\.(?:wasm|js|mjs)$/;
  const ISOLATED_DESTINATIONS = new Set(['document', 'iframe', 'frame', 'embed', 'object', 'worker', 'sharedworker']);
  // new Response() throws when one of these statuses comes with a body.
  const NULL_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

  /** How many documents' COEP NAVIGATED remembers. */
  const MAX_NAVIGATIONS = 32;
  /**
   * The COEP this worker sent with each of the latest navigations it answered
   * with ringlet's headers, by URL (without fragment), oldest first. A page
   * that is still not cross-origin isolated after such a load asks for its URL
   * (GET_NAVIGATION): the browser got COOP and COEP and ignored them (WebKit
   * and Safari ignore COEP credentialless), so reloading again cannot help.
   * Forgotten when the worker restarts.
   * @type {Map<string, string>}
   */
  const NAVIGATED = new Map();

  /** @type {CoiStats} Counts since this worker started; the browser restarts idle workers, which resets them. */
  const stats = {
    version: RINGLET_COI_VERSION,
    cacheName: CACHE_NAME,
    coep: COEP,
    corp: CORP,
    maxEntries: MAX_ENTRIES,
    requests: 0,
    rebuilt: 0,
    passedThrough: 0,
    redirected: 0,
    cacheHits: 0,
    cacheMisses: 0,
    cacheStores: 0,
    pendingStores: 0,
    cacheEntries: 0,
    evictions: 0,
    errors: 0,
  };

  /**
   * Recency order of the cache's URLs, least recently used first. Rebuilt from
   * cache.keys() when the worker starts: the Cache API lists keys in the order
   * of their last put, and every use re-puts its entry, so that order is the
   * recency order and survives restarts.
   * @type {Map<string, true>}
   */
  const lru = new Map();
  /** @type {Promise<Cache> | null} */
  let opened = null;
  /** Stores under way: their bodies being read, or their put queued. @type {Set<Promise<void>>} */
  const storing = new Set();
  // Every cache operation runs in this one queue, so the stored order always matches `lru`.
  /** @type {Promise<unknown>} */
  let queue = Promise.resolve();

  function openCache() {
    if (opened === null) {
      const opening = caches.open(CACHE_NAME).then(async (cache) => {
        lru.clear();
        for (const request of await cache.keys()) lru.set(request.url, true);
        await trim(cache);
        return cache;
      });
      opening.catch(() => {
        if (opened === opening) opened = null;
      });
      opened = opening;
    }
    return opened;
  }

  /**
   * Runs `task` after every earlier cache task; a failure is counted, and
   * rejects only the returned promise.
   * @template T
   * @param {(cache: Cache) => Promise<T>} task
   * @returns {Promise<T>}
   */
  function withCache(task) {
    const run = queue.then(() => openCache()).then(task);
    queue = run.catch(() => {
      stats.errors += 1;
    });
    return run;
  }

  /** @param {Cache} cache */
  async function trim(cache) {
    while (lru.size > MAX_ENTRIES) {
      const oldest = /** @type {string} */ (lru.keys().next().value);
      lru.delete(oldest);
      stats.evictions += 1;
      await cache.delete(oldest);
    }
    stats.cacheEntries = lru.size;
  }

  /**
   * Stores (or re-stores) `response` as the most recently used entry.
   * @param {Cache} cache
   * @param {string} url
   * @param {Response} response
   */
  async function put(cache, url, response) {
    lru.delete(url);
    lru.set(url, true);
    try {
      await cache.put(url, response);
    } catch (error) {
      lru.delete(url);
      stats.cacheEntries = lru.size;
      throw error;
    }
    await trim(cache);
  }

  /**
   * `response` with its whole body in memory, or a rejection if the body does
   * not arrive within STORE_READ_MS (the read is then cancelled).
   * @param {Response} response
   * @returns {Promise<Response>}
   */
  async function buffered(response) {
    const init = { status: response.status, statusText: response.statusText, headers: response.headers };
    if (response.body === null) return new Response(null, init);
    const reader = response.body.getReader();
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reader.cancel().catch(() => undefined);
    }, STORE_READ_MS);
    /** @type {Uint8Array[]} */
    const chunks = [];
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (late) throw new Error(`the body did not arrive within ${STORE_READ_MS} ms`);
        if (done) break;
        chunks.push(value);
      }
    } finally {
      clearTimeout(timer);
    }
    return new Response(new Blob(/** @type {BlobPart[]} */ (chunks)), init);
  }

  /** @param {string} url @param {Response} response */
  function store(url, response) {
    stats.pendingStores += 1;
    const done = buffered(response)
      .catch((error) => {
        stats.errors += 1;
        throw error;
      })
      .then((whole) =>
        withCache(async (cache) => {
          await put(cache, url, whole);
          stats.cacheStores += 1;
        }),
      )
      .finally(() => {
        stats.pendingStores -= 1;
        storing.delete(done);
      });
    storing.add(done);
    return done;
  }

  /** Resolves once the stores under way have finished, or after `ms`, whichever is first. @param {number} ms */
  function settledStores(ms) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      Promise.allSettled([...storing])
        .then(() => queue)
        .then(() => {
          clearTimeout(timer);
          resolve(undefined);
        });
    });
  }

  /**
   * The cached response for `url`, now the most recently used; or undefined.
   * @param {string} url
   * @returns {Promise<Response | undefined>}
   */
  function recall(url) {
    return withCache(async (cache) => {
      const hit = await cache.match(url, { ignoreVary: true });
      if (hit) await put(cache, url, hit.clone());
      return hit;
    });
  }

  /** @param {Request} request @param {URL} url */
  function isCacheable(request, url) {
    return request.mode !== 'navigate' && CACHEABLE_PATH.test(url.pathname) && !request.headers.has('Range');
  }

  /** @param {Request} request */
  function needsIsolation(request) {
    return request.mode === 'navigate' || ISOLATED_DESTINATIONS.has(request.destination);
  }

  /** Records that the navigation to `url` got this worker's COOP and COEP. @param {string} url */
  function remember(url) {
    const key = url.split('#')[0];
    NAVIGATED.delete(key);
    NAVIGATED.set(key, COEP);
    while (NAVIGATED.size > MAX_NAVIGATIONS) NAVIGATED.delete(/** @type {string} */ (NAVIGATED.keys().next().value));
  }

  /**
   * A copy of a successful same-origin response with ringlet's headers. The
   * body stream moves over unread; status and statusText are kept.
   * @param {Request} request
   * @param {Response} response
   */
  function withHeaders(request, response) {
    const headers = new Headers(response.headers);
    if (!headers.has('Cross-Origin-Resource-Policy')) headers.set('Cross-Origin-Resource-Policy', CORP);
    if (needsIsolation(request)) {
      headers.set('Cross-Origin-Opener-Policy', 'same-origin');
      headers.set('Cross-Origin-Embedder-Policy', COEP);
      if (request.mode === 'navigate') remember(request.url);
    }
    stats.rebuilt += 1;
    return new Response(NULL_BODY_STATUS.has(response.status) ? null : response.body, {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  }

  /**
   * @param {CoiFetchEvent} event
   * @param {URL} url
   * @returns {Promise<Response>}
   */
  async function respond(event, url) {
    const request = event.request;
    const cacheable = isCacheable(request, url);
    /** @type {Response} */
    let response;
    try {
      response = await fetch(request);
    } catch (error) {
      if (cacheable) {
        const hit = await recall(url.href).catch(() => undefined);
        if (hit) {
          stats.cacheHits += 1;
          return withHeaders(request, hit);
        }
        stats.cacheMisses += 1;
      }
      stats.errors += 1;
      throw error;
    }
    if (response.type !== 'basic' || !response.ok) {
      stats.passedThrough += 1;
      return response;
    }
    // A 'basic' response that was redirected ended on this origin; navigations
    // never get here (their redirects arrive as 'opaqueredirect').
    if (response.redirected) {
      stats.redirected += 1;
      response.body?.cancel().catch(() => undefined); // never read; frees the connection
      return Response.redirect(response.url, 302);
    }
    if (cacheable && response.status === 200) {
      event.waitUntil(store(url.href, response.clone()).catch(() => undefined));
    }
    return withHeaders(request, response);
  }

  scope.addEventListener('install', (event) => {
    event.waitUntil(scope.skipWaiting());
  });

  scope.addEventListener('activate', (event) => {
    event.waitUntil(
      (async () => {
        // Only ringlet's caches of other versions: other apps' caches, and this
        // version's caches for other scopes, are left alone.
        for (const name of await caches.keys()) {
          if (name.startsWith(CACHE_PREFIX) && !name.startsWith(`${CACHE_PREFIX}${RINGLET_COI_VERSION}@`)) {
            await caches.delete(name);
          }
        }
        await scope.clients.claim();
      })(),
    );
  });

  scope.addEventListener('fetch', (event) => {
    stats.requests += 1;
    const request = event.request;
    const url = new URL(request.url);
    // Not intercepted: the browser's own fetch handles these exactly as it
    // would without a service worker. fetch() rejects an only-if-cached
    // request that is not same-origin mode (DevTools sends them).
    if (
      request.method !== 'GET' ||
      url.origin !== scope.location.origin ||
      (request.cache === 'only-if-cached' && request.mode !== 'same-origin')
    ) {
      stats.passedThrough += 1;
      return;
    }
    event.respondWith(respond(event, url));
  });

  scope.addEventListener('message', (event) => {
    const data = /** @type {{ type?: unknown } | null} */ (event.data);
    const port = event.ports[0];
    if (!port) return;
    const type = data !== null && typeof data === 'object' ? data.type : undefined;
    event.waitUntil(
      (async () => {
        try {
          if (type === 'GET_STATS') {
            // Stores under way are counted once done; one whose body is slow is not waited for.
            await settledStores(STATS_WAIT_MS);
            port.postMessage({ ...stats });
          } else if (type === 'CLEAR_CACHE') {
            const cleared = await withCache(async (cache) => {
              const keys = await cache.keys();
              for (const request of keys) await cache.delete(request);
              lru.clear();
              stats.cacheEntries = 0;
              return keys.length;
            });
            port.postMessage({ cleared });
          } else if (type === 'GET_NAVIGATION') {
            const url = /** @type {{ url?: unknown }} */ (data).url;
            if (typeof url !== 'string') throw new TypeError(`GET_NAVIGATION: url must be a string; got ${typeof url}`);
            port.postMessage({ coep: NAVIGATED.get(url.split('#')[0]) ?? null });
          } else if (type === 'SKIP_WAITING') {
            await scope.skipWaiting();
            port.postMessage({ ok: true });
          } else {
            port.postMessage({
              error: `unknown message type ${JSON.stringify(type)}; expected 'GET_STATS', 'GET_NAVIGATION', 'CLEAR_CACHE' or 'SKIP_WAITING'`,
            });
          }
        } catch (error) {
          stats.errors += 1;
          port.postMessage({ error: String(error) });
        }
      })(),
    );
  });
})();
