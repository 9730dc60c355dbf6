// setAssetUrls in Chromium: a site that serves ringlet's files from its own
// place (here build/assets-copy/, standing in for a CDN or a Rollup build
// without an asset plugin) points ringlet at them once, and nodes on both
// transports load the worklet and the one ringlet.wasm from there.
import { afterEach, beforeAll, expect } from '@jest/globals';
import { copyFileSync, mkdirSync } from 'node:fs';
import { openBrowser, test } from './harness.js';

const ROOT = new URL('../../', import.meta.url);
const COPY = '/build/assets-copy';

/** @type {Awaited<ReturnType<typeof openBrowser>> | null} */
let b = null;

beforeAll(() => {
  mkdirSync(new URL(`.${COPY}/`, ROOT), { recursive: true });
  for (const file of ['ringlet.wasm', 'ringlet-worklet.js']) {
    copyFileSync(new URL(`dist/${file}`, ROOT), new URL(`.${COPY}/${file}`, ROOT));
  }
});

afterEach(async () => {
  await b?.close();
  b = null;
});

test.each([
  [true, 'shared'],
  [false, 'message'],
])('isolated %p: a node on the %s transport loads both assets from setAssetUrls', async (isolate, transport) => {
  b = await openBrowser({ isolate });
  const before = b.server.requests.length;
  const r = await b.page.evaluate(async (copy) => {
    const { RingletNode, setAssetUrls } = await import('/dist/ringlet.js');
    // A wrong location fails loudly, naming the URL; nothing is cached.
    setAssetUrls({ wasmUrl: '/nowhere/ringlet.wasm', workletUrl: `${copy}/ringlet-worklet.js` });
    const ctx1 = new OfflineAudioContext({ numberOfChannels: 1, length: 256, sampleRate: 48000 });
    let failed = null;
    try {
      await RingletNode.create(ctx1, { channels: 1 });
    } catch (e) {
      failed = { code: e.code, message: e.message };
    }
    setAssetUrls({ wasmUrl: `${copy}/ringlet.wasm` });
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 256, sampleRate: 48000 });
    const node = await RingletNode.create(ctx, { channels: 1 });
    const written = await node.writer.write(new Float32Array(256).fill(0.25));
    await node.flush(); // over a port, writes land asynchronously
    node.connect(ctx.destination);
    const out = (await ctx.startRendering()).getChannelData(0);
    return { failed, transport: node.transport, written, ok: out.every((x) => x === 0.25) };
  }, COPY);
  expect(r.failed?.code).toBe('LOAD_FAILED');
  expect(r.failed?.message).toContain('/nowhere/ringlet.wasm');
  // WebKit without SharedArrayBuffer takes the port on an isolated page too.
  expect(r.transport).toBe(b.engine.sharedArrayBuffer ? transport : 'message');
  expect(r.written).toEqual({ status: 'ready', frames: 256 });
  expect(r.ok).toBe(true);
  // The worklet from the copy once per context (addModule is per context;
  // WebKit may serve the second from memory), the wasm once from each
  // location tried, and nothing from beside dist/ringlet.js.
  const fetched = b.server.requests.slice(before).filter((p) => /ringlet(-worklet)?\.(wasm|js)$/.test(p));
  const worklets = fetched.filter((p) => p === `${COPY}/ringlet-worklet.js`).length;
  if (b.engine.family === 'webkit') expect([1, 2]).toContain(worklets);
  else expect(worklets).toBe(2);
  expect(fetched.filter((p) => p !== `${COPY}/ringlet-worklet.js`).sort()).toEqual(
    ['/dist/ringlet.js', `${COPY}/ringlet.wasm`, '/nowhere/ringlet.wasm'].sort(),
  );
});
