// A page that is reloaded again and again, as a developer does while working,
// must get a working node every time. Safari has run out of memory after
// reloads of pages that keep wasm memory in an AudioWorklet (WebKit bug
// 256023); ringlet sizes every memory exactly (maximum = initial), so no load
// reserves more than it uses. Each load here creates a node with its own
// memory, renders through it, and must hear exactly what it wrote.
import { afterAll, beforeAll, expect } from '@jest/globals';
import { openBrowser, test } from './harness.js';

const LOADS = 30;

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;

beforeAll(async () => {
  b = await openBrowser();
});

afterAll(async () => {
  await b?.close();
});

test(`a page loaded ${LOADS} times gets a node that renders what it was given on every load`, async () => {
  /** @type {{ load: number, transport: string, exact: boolean, error?: string }[]} */
  const results = [];
  for (let load = 0; load < LOADS; load += 1) {
    await b.page.goto(`${b.server.url}/test/browser/blank.html?load=${load}`);
    const r = await b.page.evaluate(
      async (level) => {
        try {
          const { RingletNode } = await import('/dist/ringlet.js');
          const ctx = new OfflineAudioContext({ numberOfChannels: 2, length: 1024, sampleRate: 48000 });
          // The default capacity and two channels: the memory a player asks for.
          const node = await RingletNode.create(ctx, { channels: 2 });
          node.connect(ctx.destination);
          const frames = new Float32Array(2048).fill(level);
          node.writer.tryWrite(frames);
          await node.flush(); // the message transport delivers writes after a round trip
          const out = await ctx.startRendering();
          const exact = [0, 1].every((c) => out.getChannelData(c).every((x) => x === level));
          const transport = node.transport;
          node.dispose();
          return { transport, exact };
        } catch (error) {
          return { transport: '', exact: false, error: String(error) };
        }
      },
      0.25 + load / 1024,
    );
    results.push({ load, ...r });
  }
  const failed = results.filter((r) => !r.exact);
  expect(failed).toEqual([]);
  // Every load took the transport the page offers.
  expect(new Set(results.map((r) => r.transport))).toEqual(
    new Set([b.engine.sharedArrayBuffer ? 'shared' : 'message']),
  );
  // 30 loads each compile the wasm and start a worklet: on a machine whose two
  // cores run a dozen other processes they took more than the suite's 120 s.
}, 360000);
