// Each example page loads without console errors and produces audio.
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { openBrowser } from './harness.js';

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;

beforeAll(async () => { b = await openBrowser(); });
afterAll(async () => { await b?.close(); });

test('the examples index links the tone example', async () => {
  await b.page.goto(`${b.server.url}/examples/`);
  expect(await b.page.locator('a[href="tone/"]').count()).toBe(1);
});

test('tone: a Worker-fed source node plays, the gauge moves, and the console stays clean', async () => {
  await b.page.goto(`${b.server.url}/examples/tone/`);
  expect(await b.page.textContent('#isolated')).toBe('true');
  await b.page.click('#play');
  await b.page.waitForFunction(() => Number(document.getElementById('frames')?.textContent) > 44100, null, { timeout: 15000 });
  const fill = await b.page.evaluate(() => /** @type {HTMLMeterElement} */ (document.getElementById('fill')).value);
  expect(await b.page.textContent('#state')).toBe('playing');
  expect(fill).toBeGreaterThan(0);
  await b.page.click('#stop');
  expect(await b.page.textContent('#state')).toBe('stopped');
  expect(b.errors).toEqual([]);
});
