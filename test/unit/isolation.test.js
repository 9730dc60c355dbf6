// ensureCrossOriginIsolation's option checks and thread check, and the
// service worker's version constant, shipping and per-response decisions,
// run in Node. The browser behaviour is in test/browser/isolation.test.js.
import { describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import vm from 'node:vm';
import { ensureCrossOriginIsolation } from '../../lib/isolation/isolation.js';
import { VERSION } from '../../lib/shared/version.js';
import { PACKAGE_JSON_PATH, ROOT } from './helpers.js';

const pkg = JSON.parse(readFileSync(PACKAGE_JSON_PATH, 'utf8'));
const SW_SOURCE = readFileSync(join(ROOT, 'lib/entries/coi-serviceworker.js'), 'utf8');

/** @param {unknown} options */
async function refusal(options) {
  try {
    await ensureCrossOriginIsolation(/** @type {any} */ (options));
  } catch (error) {
    return /** @type {Error} */ (error);
  }
  throw new Error('resolved');
}

describe('ensureCrossOriginIsolation options', () => {
  test.each([
    [null, TypeError, /options must be an object; got null/],
    ['x', TypeError, /options must be an object; got string/],
    [
      { coep: 'require-corp-please' },
      TypeError,
      /coep must be one of 'require-corp', 'credentialless'; got 'require-corp-please'/,
    ],
    [{ coep: 1 }, TypeError, /coep must be one of 'require-corp', 'credentialless'; got number/],
    [{ corp: 'anyone' }, TypeError, /corp must be one of 'same-site', 'same-origin', 'cross-origin'; got 'anyone'/],
    [{ corp: null }, TypeError, /corp must be one of .*; got null/],
    [{ swUrl: 42 }, TypeError, /swUrl must be a string or URL; got number/],
    [{ scope: {} }, TypeError, /scope must be a string or URL; got Object/],
    [{ timeoutMs: -1 }, RangeError, /timeoutMs must be a finite number/],
    [{ timeoutMs: Infinity }, RangeError, /timeoutMs must be a finite number/],
    [{ timeoutMs: '5' }, TypeError, /timeoutMs must be a number/],
  ])('%j is refused with %p', async (options, type, message) => {
    const error = await refusal(options);
    expect(error).toBeInstanceOf(type);
    expect(error.message).toMatch(/^ensureCrossOriginIsolation: /);
    expect(error.message).toMatch(message);
  });

  test.each([
    [undefined],
    [{}],
    [{ swUrl: '/coi-serviceworker.js', scope: '/', coep: 'credentialless', corp: 'same-origin', timeoutMs: 0 }],
    [{ swUrl: new URL('https://example.test/sw.js'), coep: 'require-corp', corp: 'cross-origin' }],
  ])('valid options %j reach the thread check: NOT_MAIN_THREAD outside a Window', async (options) => {
    const error = await refusal(options);
    expect(error).toMatchObject({ name: 'RingletError', code: 'NOT_MAIN_THREAD' });
  });

  test('it is exported from the package entry and returns a promise even when it refuses', async () => {
    const entry = await import('../../lib/index.js');
    expect(entry.ensureCrossOriginIsolation).toBe(ensureCrossOriginIsolation);
    const result = ensureCrossOriginIsolation({ coep: 'nope' });
    expect(result).toBeInstanceOf(Promise);
    await expect(result).rejects.toThrow(TypeError);
  });
});

describe('the service worker file', () => {
  test('its version constant equals package.json and lib/shared/version.js', () => {
    const found = /^const RINGLET_COI_VERSION = '([^']*)';$/m.exec(SW_SOURCE)?.[1];
    expect(found).toBe(pkg.version);
    expect(found).toBe(VERSION);
  });

  test('it is a classic script: no import, export or import.meta', () => {
    expect(SW_SOURCE).not.toMatch(/^\s*(import|export)\b/m);
    expect(SW_SOURCE).not.toMatch(/import\s*\(|import\.meta/);
    expect(() => new vm.Script(SW_SOURCE)).not.toThrow();
  });

  test('the build minifies it to dist/ as a classic script with the same version, and the exports map points there', () => {
    const dist = join(ROOT, 'dist/coi-serviceworker.js');
    expect(existsSync(dist)).toBe(true);
    const built = readFileSync(dist, 'utf8');
    expect(built.length).toBeLessThan(SW_SOURCE.length / 2);
    expect(built).toContain(pkg.version);
    expect(built).not.toMatch(/^\s*(import|export)\b/m);
    expect(() => new vm.Script(built)).not.toThrow();
    expect(pkg.exports['./coi-serviceworker.js']).toBe('./dist/coi-serviceworker.js');
    expect(createRequire(import.meta.url).resolve('ringlet/coi-serviceworker.js')).toBe(dist);
  });
});

/**
 * A Response as fetch() gives it for a same-origin URL: type 'basic' (Node's
 * constructed responses say 'default').
 * @param {ConstructorParameters<typeof Response>} args
 */
function basic(...args) {
  return Object.defineProperty(new Response(...args), 'type', { value: 'basic' });
}

/**
 * Runs the worker script in a fresh context with a fake global scope, and
 * returns its listeners.
 * @param {string} query
 * @param {(request: Request) => Promise<any>} [fetchImpl]
 */
function loadWorker(query, fetchImpl = () => Promise.reject(new Error('no network'))) {
  /** @type {Record<string, Function>} */
  const listeners = {};
  const scope = {
    location: { href: `https://app.test/coi-serviceworker.js${query}`, origin: 'https://app.test' },
    registration: { scope: 'https://app.test/' },
    clients: { claim: async () => {} },
    skipWaiting: async () => {},
    addEventListener: (/** @type {string} */ type, /** @type {Function} */ listener) => {
      listeners[type] = listener;
    },
  };
  vm.runInNewContext(SW_SOURCE, { self: scope, URL, Headers, Request, Response, fetch: fetchImpl, caches: undefined });
  return listeners;
}

/**
 * Dispatches a fetch event; resolves with what respondWith got, or 'not intercepted'.
 * @param {Record<string, Function>} listeners
 * @param {Request} request
 */
async function dispatchFetch(listeners, request) {
  /** @type {Promise<Response> | string} */
  let answer = 'not intercepted';
  listeners.fetch({
    request,
    respondWith: (/** @type {Promise<Response>} */ p) => {
      answer = p;
    },
    waitUntil: () => {},
  });
  return answer;
}

describe("the service worker's decisions (fake scope, Node fetch types)", () => {
  test('it refuses a bad configuration while evaluating, so register() would reject', () => {
    expect(() => loadWorker('?coep=none')).toThrow(/coep must be 'require-corp' or 'credentialless'; got 'none'/);
    expect(() => loadWorker('?corp=everyone')).toThrow(
      /corp must be 'same-site', 'same-origin' or 'cross-origin'; got 'everyone'/,
    );
    expect(Object.keys(loadWorker('')).sort()).toEqual(['activate', 'fetch', 'install', 'message']);
  });

  test('opaque, error and opaque-redirect responses are returned as the very same object', async () => {
    const responses = [
      { type: 'opaque', status: 0, ok: false, redirected: false },
      { type: 'opaqueredirect', status: 0, ok: false, redirected: false },
      { type: 'error', status: 0, ok: false, redirected: false },
      { type: 'basic', status: 404, ok: false, redirected: false },
      { type: 'basic', status: 500, ok: false, redirected: false },
      { type: 'cors', status: 200, ok: true, redirected: false },
    ];
    for (const original of responses) {
      const listeners = loadWorker('', async () => original);
      expect(await dispatchFetch(listeners, new Request('https://app.test/page.html'))).toBe(original);
    }
  });

  test('cross-origin and non-GET requests are not intercepted at all', async () => {
    const listeners = loadWorker('', async () => {
      throw new Error('must not fetch');
    });
    expect(await dispatchFetch(listeners, new Request('https://cdn.test/lib.js'))).toBe('not intercepted');
    expect(await dispatchFetch(listeners, new Request('https://app.test/api', { method: 'POST', body: 'x' }))).toBe(
      'not intercepted',
    );
  });

  test('a successful same-origin response is rebuilt with CORP, keeping status, statusText, headers and body', async () => {
    const original = basic('hello', {
      status: 203,
      statusText: 'Fine',
      headers: { 'X-Kept': 'yes', 'Content-Type': 'text/plain' },
    });
    const listeners = loadWorker('?coep=credentialless&corp=same-origin', async () => original);
    const rebuilt = /** @type {Response} */ (await dispatchFetch(listeners, new Request('https://app.test/data.txt')));
    expect(rebuilt).not.toBe(original);
    expect([rebuilt.status, rebuilt.statusText, await rebuilt.text()]).toEqual([203, 'Fine', 'hello']);
    expect(Object.fromEntries(rebuilt.headers)).toEqual({
      'content-type': 'text/plain',
      'x-kept': 'yes',
      'cross-origin-resource-policy': 'same-origin',
    });
  });

  test('a CORP header the server sent is kept, never loosened', async () => {
    const original = basic('x', { headers: { 'Cross-Origin-Resource-Policy': 'same-origin' } });
    const rebuilt = /** @type {Response} */ (
      await dispatchFetch(
        loadWorker('?corp=cross-origin', async () => original),
        new Request('https://app.test/a.txt'),
      )
    );
    expect(rebuilt.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  });

  test('a 204 is rebuilt without a body rather than throwing', async () => {
    // An (empty) body stream on a null-body status: new Response(body, { status: 204 }) would throw.
    const original = Object.defineProperty(basic(null, { status: 204 }), 'body', { value: new ReadableStream() });
    const rebuilt = /** @type {Response} */ (
      await dispatchFetch(
        loadWorker('', async () => original),
        new Request('https://app.test/ping'),
      )
    );
    expect(rebuilt.status).toBe(204);
    expect(rebuilt.headers.get('cross-origin-resource-policy')).toBe('same-site');
  });
});
