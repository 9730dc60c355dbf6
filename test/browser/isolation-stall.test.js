// ensureCrossOriginIsolation() on a server that never answers the service
// worker's script, in real Chromium: register() is bounded by timeoutMs like
// the activation, and the call resolves 'failed' (a reload would have
// destroyed the page's context before evaluate() returned).
import { afterAll, beforeAll, expect } from '@jest/globals';
import { openBrowser, test } from './harness.js';

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;

beforeAll(async () => {
  // The held request is never answered; the server's close() drops it.
  b = await openBrowser({ isolate: false, handle: (_req, _res, url) => url.pathname === '/stalled-sw.js' });
});

afterAll(async () => {
  await b?.close();
});

test("a service worker script that never arrives ends as 'failed' with reason 'register-timeout', and no reload", async () => {
  const r = await b.page.evaluate(async () => {
    const { ensureCrossOriginIsolation } = await import('/dist/ringlet.js');
    const { trackTimers } = await import('/test/browser/fixtures/trackers.js');
    const timers = trackTimers();
    try {
      const call = ensureCrossOriginIsolation({ swUrl: '/stalled-sw.js', scope: '/', timeoutMs: 300 });
      // The test's own bound: far above timeoutMs, so only a hang reaches it.
      const result = await Promise.race([call, timers.sleep(10000).then(() => ({ status: 'hung' }))]);
      return { result, live: timers.live };
    } finally {
      timers.restore();
    }
  });
  expect(r.result).toMatchObject({ status: 'failed', reason: 'register-timeout' });
  expect(r.result.message).toMatch(/\/stalled-sw\.js.* within 300 ms/);
  expect(r.live).toBe(0);
});
