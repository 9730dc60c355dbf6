// Loading on a stalled server, in real Chromium: addModule and the wasm fetch
// are bounded by loadTimeoutMs, a stalled load ends with RingletError
// 'TIMEOUT' naming the URL, and the same load succeeds once the server
// answers. The server holds every request under /stall/ until released.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect } from '@jest/globals';
import { openBrowser, test } from './harness.js';

const DIST = new URL('../../dist/', import.meta.url);

/** Requests held unanswered, by path; `released` paths are served at once. */
/** @type {Map<string, Array<() => Promise<void>>>} */
const held = new Map();
/** @type {Set<string>} */
const released = new Set();
/** Paths whose held request the browser gave up on (closed the connection). @type {string[]} */
const abandoned = [];

/**
 * @param {import('node:http').IncomingMessage} _req
 * @param {import('node:http').ServerResponse} res
 * @param {URL} url
 */
async function stallRoute(_req, res, url) {
  if (!url.pathname.startsWith('/stall/')) return false;
  const name = url.pathname.split('/').at(-1) ?? '';
  const answer = async () => {
    const body = await readFile(new URL(name, DIST));
    const type = name.endsWith('.wasm') ? 'application/wasm' : 'text/javascript';
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' }).end(body);
  };
  if (released.has(url.pathname)) {
    await answer();
  } else {
    res.on('close', () => {
      if (!res.writableEnded) abandoned.push(url.pathname);
    });
    const queue = held.get(url.pathname) ?? [];
    queue.push(answer);
    held.set(url.pathname, queue);
  }
  return true;
}

/** Answers the held requests for `path`, and every later one. @param {string} path */
async function release(path) {
  released.add(path);
  for (const answer of held.get(path) ?? []) await answer();
  held.delete(path);
}

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;

beforeAll(async () => {
  b = await openBrowser({ isolate: false, handle: stallRoute });
  // The page's wasm compile is done once, up front: each test then stalls only what it means to.
  await b.page.evaluate(async () => {
    const { loadRinglet } = await import('/dist/ringlet.js');
    await loadRinglet(new OfflineAudioContext(1, 128, 48000), { loadTimeoutMs: 30000 });
  });
});

afterAll(async () => {
  await b?.close();
});

/**
 * Runs `call` in the page and settles with its outcome, or 'hung' after
 * `guardMs` (so the test itself never waits without a bound). In page.
 * @param {{ call: string, guardMs: number, arg?: unknown }} spec
 */
async function outcomeOf(spec) {
  const ringlet = await import('/dist/ringlet.js');
  const fn = new Function('ringlet', 'arg', `return (${spec.call})(ringlet, arg);`);
  const guard = new Promise((resolve) => setTimeout(() => resolve({ hung: true }), spec.guardMs));
  const run = Promise.resolve()
    .then(() => fn(ringlet, spec.arg))
    .then(
      (value) => ({ resolved: typeof value }),
      (e) => ({ name: e.name, code: e.code, message: e.message }),
    );
  return Promise.race([run, guard]);
}

test('a stalled worklet module: loadRinglet and RingletNode.create end with TIMEOUT naming the URL; the retry loads once the server answers', async () => {
  const url = '/stall/a/ringlet-worklet.js';
  const load = await b.page.evaluate(outcomeOf, {
    call: `async (r, url) => r.loadRinglet(new OfflineAudioContext(1, 128, 48000), { workletUrl: url, loadTimeoutMs: 300 })`,
    arg: url,
    guardMs: 5000,
  });
  expect(load).toMatchObject({ name: 'RingletError', code: 'TIMEOUT' });
  expect(load.message).toContain(url);
  expect(load.message).toMatch(/loadTimeoutMs \(300 ms\)/);

  // create() on a context of its own, so its load is not the one above.
  await b.page.evaluate(() => {
    globalThis.stallContext = new OfflineAudioContext(1, 128, 48000);
  });
  const create = await b.page.evaluate(outcomeOf, {
    call: `async (r, url) => r.RingletNode.create(globalThis.stallContext, { workletUrl: url, loadTimeoutMs: 300 })`,
    arg: url,
    guardMs: 5000,
  });
  expect(create).toMatchObject({ name: 'RingletError', code: 'TIMEOUT' });
  expect(create.message).toContain(url);

  await release(url);
  const retry = await b.page.evaluate(outcomeOf, {
    call: `async (r, url) => r.RingletNode.create(globalThis.stallContext, { workletUrl: url, loadTimeoutMs: 5000 })`,
    arg: url,
    guardMs: 10000,
  });
  expect(retry).toEqual({ resolved: 'object' });
});

test('a stalled wasm fetch ends with TIMEOUT naming the URL, and a retry fetches it again', async () => {
  const url = '/stall/b/ringlet.wasm';
  const first = await b.page.evaluate(outcomeOf, {
    call: `async (r, url) => r.loadRinglet(new OfflineAudioContext(1, 128, 48000), { wasmUrl: url, loadTimeoutMs: 300 })`,
    arg: url,
    guardMs: 5000,
  });
  expect(first).toMatchObject({ name: 'RingletError', code: 'TIMEOUT' });
  expect(first.message).toContain(url);
  expect(first.message).toMatch(/loadTimeoutMs \(300 ms\)/);
  // The stalled fetch was aborted, not left open (bounded wait for the server to see it).
  for (let i = 0; i < 100 && !abandoned.includes(url); i++) await new Promise((r) => setTimeout(r, 20));
  expect(abandoned).toContain(url);
  await release(url);
  const retry = await b.page.evaluate(outcomeOf, {
    call: `async (r, url) => r.loadRinglet(new OfflineAudioContext(1, 128, 48000), { wasmUrl: url, loadTimeoutMs: 5000 })`,
    arg: url,
    guardMs: 10000,
  });
  expect(retry).toEqual({ resolved: 'object' });
});

test('getAudioContext() with a stalled worklet module rejects with TIMEOUT naming the URL, and a later call retries', async () => {
  const url = '/stall/c/ringlet-worklet.js';
  const first = await b.page.evaluate(outcomeOf, {
    call: `async (r, url) => r.getAudioContext({ workletUrl: url, loadTimeoutMs: 300 })`,
    arg: url,
    guardMs: 5000,
  });
  expect(first).toMatchObject({ name: 'RingletError', code: 'TIMEOUT' });
  expect(first.message).toContain(url);
  await release(url);
  const retry = await b.page.evaluate(outcomeOf, {
    call: `async (r, url) => { const ctx = await r.getAudioContext({ workletUrl: url, loadTimeoutMs: 5000 }); const s = ctx.state; await ctx.close(); return s; }`,
    arg: url,
    guardMs: 10000,
  });
  expect(retry).toEqual({ resolved: 'string' });
});

test('loadTimeoutMs is checked like every timeout: a bad value is refused before anything loads', async () => {
  const r = await b.page.evaluate(outcomeOf, {
    call: `async (r) => r.loadRinglet(new OfflineAudioContext(1, 128, 48000), { loadTimeoutMs: -1 })`,
    guardMs: 5000,
  });
  expect(r).toMatchObject({ name: 'RangeError' });
  expect(r.message).toMatch(/loadTimeoutMs/);
});
