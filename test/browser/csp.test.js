// ringlet on locked-down pages, in every engine: pages served under a strict
// Content-Security-Policy (no unsafe-eval, no unsafe-inline, blob: nowhere
// unless said) and under Trusted Types. Each entry plays (a source node
// renders a ramp exactly) and renders offline (renderOffline halves a ramp
// exactly), and the page records every securitypolicyviolation event: none
// where the README's "Content-Security-Policy" section says none. Refusals
// become RingletError 'BLOCKED_BY_POLICY', and the pool does not retry them.
// The page (fixtures/csp/page.js) has no inline script; every file the
// server sends carries the policy of the test that runs.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect } from '@jest/globals';
import { serve } from '../../scripts/serve.mjs';
import { describe, openBrowser, test } from './harness.js';

const STRICT = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'";
const POLICIES = {
  strict: STRICT,
  /** What ringlet/inline's embedded worklet needs: blob: in script-src (AudioWorklet.addModule takes a URL only). */
  blob: "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' blob:; worker-src 'self'; connect-src 'self'",
  trusted: `${STRICT}; require-trusted-types-for 'script'; trusted-types ringlet`,
  forbidden: `${STRICT}; require-trusted-types-for 'script'; trusted-types other`,
  /** ringlet from a CDN (another origin, sending CORS headers), under Trusted Types: set once the CDN is up. */
  cdn: '',
  /** The page as strict; its worker's script forbids every fetch (WORKER_POLICIES). */
  workerNoConnect: STRICT,
};
/**
 * What ringlet-worker.js's own response says, where it differs from the
 * page's: a Worker from a URL runs under the policy its script came with.
 * @type {Partial<Record<keyof typeof POLICIES, string>>}
 */
const WORKER_POLICIES = {
  workerNoConnect: "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'none'",
};
/** @type {keyof typeof POLICIES} */
let policy = 'strict';
/** @param {string} path */
const policyHeaders = (path) => ({
  'Content-Security-Policy': (path.endsWith('/ringlet-worker.js') && WORKER_POLICIES[policy]) || POLICIES[policy],
});

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;

beforeAll(async () => {
  b = await openBrowser({ headers: policyHeaders });
});

afterAll(async () => {
  await b?.close();
});

/**
 * Loads the test page under `name`'s policy and waits for its script.
 * @param {Awaited<ReturnType<typeof openBrowser>>} browser
 * @param {keyof typeof POLICIES} name
 */
async function openPage(browser, name) {
  policy = name;
  await browser.page.goto(`${browser.server.url}/test/browser/fixtures/csp/page.html`);
  for (let i = 0; i < 200; i++) {
    if (await browser.page.evaluate(() => document.documentElement.dataset.ready === 'true')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the CSP test page did not start under ${POLICIES[name]}`);
}

/** @param {Awaited<ReturnType<typeof openBrowser>>} [browser] */
const violations = (browser = b) => browser.page.evaluate(() => /** @type {any} */ (globalThis).cspPage.violations());
const workers = () => b.page.evaluate(() => /** @type {any} */ (globalThis).cspPage.workers());
const hasTrustedTypes = () => b.page.evaluate(() => /** @type {any} */ (globalThis).cspPage.trustedTypes());

/** @param {any} spec */
const play = (spec) => b.page.evaluate((s) => /** @type {any} */ (globalThis).cspPage.play(s), spec);
/** @param {any} spec */
const render = (spec) => b.page.evaluate((s) => /** @type {any} */ (globalThis).cspPage.render(s), spec);

const PLAYED = { ok: true, written: 512, mismatches: 0 };
const RENDERED = { ok: true, mismatches: 0 };

describe('strict Content-Security-Policy', () => {
  test('the main entry plays, and renders offline on the default pool and on a WorkerPool, with no violation', async () => {
    await openPage(b, 'strict');
    expect(await play({ entry: 'ringlet.js' })).toMatchObject(PLAYED);
    const onDefault = await render({ entry: 'ringlet.js' });
    expect(onDefault.results).toEqual([RENDERED]);
    const onPool = await render({ entry: 'ringlet.js', pool: true, times: 2 });
    expect(onPool.results).toEqual([RENDERED, RENDERED]);
    expect(onPool.stats.workersCreated).toBe(1);
    expect(await violations()).toEqual([]);
  });

  test('ringlet/inline compiles its embedded wasm from bytes (no fetch) and, with the worklet from its file, plays and renders offline with no violation', async () => {
    await openPage(b, 'strict');
    const before = b.server.requests.length;
    expect(await play({ entry: 'ringlet-inline.js', workletUrl: 'ringlet-worklet.js' })).toMatchObject(PLAYED);
    const fetched = b.server.requests.slice(before);
    expect(fetched).toContain('/dist/ringlet-worklet.js');
    expect(fetched.filter((p) => p.endsWith('.wasm'))).toEqual([]);
    expect((await render({ entry: 'ringlet-inline.js' })).results).toEqual([RENDERED]);
    expect(await violations()).toEqual([]);
  });

  test("ringlet/inline's embedded worklet (a blob: URL) is refused by script-src: RingletError BLOCKED_BY_POLICY naming script-src and the URL", async () => {
    await openPage(b, 'strict');
    const r = await play({ entry: 'ringlet-inline.js' });
    expect(r.ok).toBe(false);
    expect(r.error).toMatchObject({ name: 'RingletError', code: 'BLOCKED_BY_POLICY' });
    expect(r.error.message).toMatch(/\(script-src[a-z-]*\) blocked blob:http/);
    expect(r.error.message).toContain('workletUrl');
    // Chromium reports no violation for a worklet's module; the others report this one only.
    for (const v of await violations()) expect(v).toEqual({ directive: 'script-src-elem', blocked: 'blob' });
  });

  test('with blob: in script-src, ringlet/inline plays on its embedded assets alone (nothing fetched) with no violation', async () => {
    await openPage(b, 'blob');
    const before = b.server.requests.length;
    expect(await play({ entry: 'ringlet-inline.js' })).toMatchObject(PLAYED);
    expect(b.server.requests.slice(before).filter((p) => /ringlet(-worklet|-inline)?\.(wasm|js)$/.test(p))).toEqual([
      '/dist/ringlet-inline.js',
      '/dist/ringlet.js',
    ]);
    expect(await violations()).toEqual([]);
  });
  test('a worker whose own policy refuses its wasm fetch: the task rejects with BLOCKED_BY_POLICY naming connect-src and the URL; the worker stays', async () => {
    await openPage(b, 'workerNoConnect');
    const r = await render({ entry: 'ringlet.js', pool: true, times: 2 });
    for (const result of r.results) {
      expect(result.ok).toBe(false);
      if (b.engine.family === 'webkit') {
        // WebKit dispatches no securitypolicyviolation event in a Worker, so
        // the refusal cannot be told from a network failure there: the task
        // rejects with the fetch's own error (README, "Content-Security-Policy").
        expect(result.error.code).toBe('TASK_FAILED');
        continue;
      }
      expect(result).toMatchObject({ isRingletError: true, error: { code: 'BLOCKED_BY_POLICY' } });
      expect(result.error.message).toContain('(connect-src) blocked');
      expect(result.error.message).toContain(`${b.server.url}/dist/ringlet.wasm`);
    }
    expect(r.stats).toMatchObject({ state: 'ready', workersCreated: 1, workerCrashes: 0 });
    // The page's own policy saw nothing: the refusal was the worker's.
    expect(await violations()).toEqual([]);
  });
});

describe('Trusted Types', () => {
  test("with trusted-types ringlet: nodes play, renderOffline and a WorkerPool on the user's workerUrl start workers through the 'ringlet' policy, with no violation", async () => {
    await openPage(b, 'trusted');
    // Where the engine enforces no Trusted Types, the same page shows nothing changes.
    const enforced = await hasTrustedTypes();
    expect(typeof enforced).toBe('boolean');
    expect(await play({ entry: 'ringlet.js' })).toMatchObject(PLAYED);
    expect((await render({ entry: 'ringlet.js' })).results).toEqual([RENDERED]);
    const own = await render({ entry: 'ringlet.js', pool: true, workerUrl: './ringlet-worker.js?user' });
    expect(own.workerUrl).toBe(`${b.server.url}/dist/ringlet-worker.js?user`);
    expect(own.results).toEqual([RENDERED]);
    expect(await violations()).toEqual([]);
  });

  test('two copies of ringlet on one page share the one policy (the name may be created once): both render, with no violation', async () => {
    await openPage(b, 'trusted');
    const r = await b.page.evaluate(() => /** @type {any} */ (globalThis).cspPage.twoCopies());
    expect(r.distinct).toBe(true);
    expect(r.first.results).toEqual([RENDERED]);
    expect(r.second.results).toEqual([RENDERED]);
    expect(await violations()).toEqual([]);
  });

  test('a page that forbids the policy (trusted-types other): renderOffline and WorkerPool reject with BLOCKED_BY_POLICY, one Worker attempt per pool and no retry; nodes still play', async () => {
    await openPage(b, 'forbidden');
    const enforced = await hasTrustedTypes();
    expect(await play({ entry: 'ringlet.js' })).toMatchObject(PLAYED);
    const onDefault = await render({ entry: 'ringlet.js', times: 2 });
    const afterDefault = await workers();
    const onPool = await render({ entry: 'ringlet.js', pool: true, times: 2 });
    const afterPool = await workers();
    if (!enforced) {
      // No Trusted Types in this engine: the directives mean nothing and ringlet works as before.
      expect(onDefault.results).toEqual([RENDERED, RENDERED]);
      expect(onPool.results).toEqual([RENDERED, RENDERED]);
      return;
    }
    for (const r of [onDefault, onPool]) {
      expect(r.results).toHaveLength(2);
      for (const result of r.results) {
        expect(result).toMatchObject({ ok: false, isRingletError: true, error: { code: 'BLOCKED_BY_POLICY' } });
        expect(result.error.message).toContain('(require-trusted-types-for)');
        expect(result.error.message).toContain(`${b.server.url}/dist/ringlet-worker.js`);
        expect(result.error.message).toContain('trusted-types ringlet');
      }
      // Failed for good, not counted as a start failure or a crash: nothing respawned.
      expect(r.stats).toMatchObject({
        state: 'failed',
        failure: { code: 'BLOCKED_BY_POLICY' },
        workers: 0,
        workersCreated: 1,
        startFailures: 0,
        crashStreak: 0,
        workerCrashes: 0,
      });
    }
    // One construction each for the default pool and the user's pool, and none for the second calls.
    expect(afterDefault).toBe(1);
    expect(afterPool).toBe(2);
    const seen = (await violations()).map((/** @type {{ directive: string }} */ v) => v.directive);
    expect(seen).toContain('trusted-types');
    expect(seen.filter((d) => d === 'require-trusted-types-for')).toHaveLength(2);
  });
});

describe('from a CDN', () => {
  /** @type {Awaited<ReturnType<typeof serve>>} */
  let cdn;
  beforeAll(async () => {
    cdn = await serve({ root: fileURLToPath(new URL('../..', import.meta.url)), cors: true });
    const at = cdn.url;
    POLICIES.cdn = `default-src 'self'; script-src 'self' 'wasm-unsafe-eval' ${at}; worker-src blob:; connect-src ${at}; require-trusted-types-for 'script'; trusted-types ringlet`;
  });
  afterAll(async () => {
    await cdn?.close();
  });

  test("the README's CDN policy: nodes play, and renderOffline starts its workers through the blob: bootstrap, with no violation", async () => {
    await openPage(b, 'cdn');
    const base = `${cdn.url}/dist/`;
    expect(await play({ entry: 'ringlet.js', base })).toMatchObject(PLAYED);
    const r = await render({ entry: 'ringlet.js', base });
    expect(r.workerUrl).toBe(`${cdn.url}/dist/ringlet-worker.js`);
    expect(r.results).toEqual([RENDERED]);
    expect(cdn.requests).toEqual(
      expect.arrayContaining(['/dist/ringlet-worklet.js', '/dist/ringlet-worker.js', '/dist/ringlet.wasm']),
    );
    expect(await violations()).toEqual([]);
  });
});

describe('service worker under a policy', () => {
  /** @type {Awaited<ReturnType<typeof openBrowser>>} */
  let plain;
  beforeAll(async () => {
    // Not isolated, so ensureCrossOriginIsolation registers its worker.
    plain = await openBrowser({ isolate: false, headers: policyHeaders });
  });
  afterAll(async () => {
    await plain?.close();
  });
  const isolation = () => plain.page.evaluate(() => /** @type {any} */ (globalThis).cspPage.isolation());

  test("ensureCrossOriginIsolation registers its service worker under worker-src 'self' and Trusted Types, with no violation; where the policy is forbidden, it fails 'blocked-by-policy'", async () => {
    await openPage(plain, 'trusted');
    const enforced = await plain.page.evaluate(() => /** @type {any} */ (globalThis).cspPage.trustedTypes());
    // dist/coi-serviceworker.js controls /dist/ only: registered, then not this page, so no reload.
    expect(await isolation()).toMatchObject({ status: 'failed', reason: 'out-of-scope' });
    expect(await violations(plain)).toEqual([]);
    await openPage(plain, 'forbidden');
    const r = await isolation();
    if (!enforced) {
      expect(r).toMatchObject({ status: 'failed', reason: 'out-of-scope' });
      return;
    }
    expect(r).toMatchObject({ status: 'failed', reason: 'blocked-by-policy', causeCode: 'BLOCKED_BY_POLICY' });
    expect(r.message).toContain('(require-trusted-types-for)');
    expect(r.message).toContain(`${plain.server.url}/dist/coi-serviceworker.js`);
  });
});
