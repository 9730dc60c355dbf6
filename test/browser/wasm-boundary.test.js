// The main thread's calls into wasm have the worklet's panic boundary, in real
// Chromium with the test-hooks wasm: a trap in the analyser's FFT or in the
// sizing probe is recorded once in the panic history, reaches the caller as
// RingletError 'WASM_TRAP', and the trapped instance is never used again.
// The hooks build's rlw_test_arm_trap is called on the one instance under
// test, which only a test reaches (the analyser's engine, the load's probe).
import { afterAll, beforeAll, expect } from '@jest/globals';
import { openBrowser, test } from './harness.js';

const HOOKS_WASM = '/build/wasm-hooks/ringlet.wasm';

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;

beforeAll(async () => {
  b = await openBrowser();
});

afterAll(async () => {
  await b?.close();
});

for (const transport of ['shared', 'message']) {
  if (transport === 'shared') test.needs(['sharedArrayBuffer'], 'the shared transport is a SharedArrayBuffer ring');
  test(`${transport}: a trap in the analyser's FFT is recorded, thrown as WASM_TRAP, and the next call runs on a fresh instance`, async () => {
    const r = await b.page.evaluate(
      async ({ wasmUrl, transport }) => {
        const { RingletNode, getPanicStats } = await import('/dist/ringlet.js');
        const sampleRate = 48000;
        const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 4096, sampleRate });
        const node = await RingletNode.create(ctx, { mode: 'source', channels: 1, wasmUrl, transport });
        node.generator.set({ type: 'sine', frequency: 1500, amplitude: 0.5 });
        node.generator.start();
        node.connect(ctx.destination);
        await node.flush();
        await ctx.startRendering();
        await node.flush();
        const a = node.analyser;
        a.fftSize = 1024;
        a.smoothingTimeConstant = 0;
        const peakBin = (bins) => bins.indexOf(Math.max(...bins));
        // On 'message' the time samples arrive as a snapshot: wait (bounded) for them.
        const time = new Float32Array(a.fftSize);
        for (let i = 0; i < 250 && !time.some((v) => v !== 0); i++) {
          a.getFloatTimeDomainData(time);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const first = new Float32Array(a.frequencyBinCount);
        a.getFloatFrequencyData(first);
        const engine = a.engine;
        engine.x.rlw_test_arm_trap();
        // A size change drops the cached spectrum, so the next call runs the FFT.
        a.fftSize = 2048;
        a.fftSize = 1024;
        const before = getPanicStats();
        let thrown = null;
        try {
          a.getFloatFrequencyData(new Float32Array(a.frequencyBinCount));
        } catch (e) {
          thrown = { name: e.name, code: e.code, message: e.message };
        }
        const after = getPanicStats();
        const again = new Float32Array(a.frequencyBinCount);
        a.getFloatFrequencyData(again);
        const record = after.history.at(-1);
        return {
          thrown,
          recorded: after.bySource.main - before.bySource.main,
          record: record && { source: record.source, code: record.code, message: record.message },
          fresh: a.engine !== engine,
          peaks: [peakBin(first), peakBin(again)],
        };
      },
      { wasmUrl: HOOKS_WASM, transport },
    );
    expect(r.thrown).toMatchObject({ name: 'RingletError', code: 'WASM_TRAP' });
    expect(r.thrown.message).toMatch(/rlw_spectrum_float/);
    expect(r.recorded).toBe(1);
    expect(r.record).toMatchObject({ source: 'main', code: 'CORE_PANIC' });
    expect(r.record.message).toMatch(/forced trap inside rlw_spectrum_float/);
    expect(r.fresh).toBe(true);
    // The fresh instance analyses the same audio the same way: 1500 Hz in bin 32 of 512.
    expect(r.peaks).toEqual([32, 32]);
  });
}

test('a trap in the sizing probe is recorded, create() rejects with WASM_TRAP, and the next create() uses a fresh probe', async () => {
  const r = await b.page.evaluate(async (wasmUrl) => {
    const { RingletNode, getPanicStats, loadRinglet } = await import('/dist/ringlet.js');
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate: 48000 });
    const wasm = await loadRinglet(ctx, { wasmUrl });
    const probe = wasm.probe;
    probe.rlw_test_arm_trap();
    const before = getPanicStats();
    const failed = await RingletNode.create(ctx, { channels: 1, wasmUrl }).then(
      () => null,
      (e) => ({ name: e.name, code: e.code, message: e.message }),
    );
    const after = getPanicStats();
    const node = await RingletNode.create(ctx, { channels: 1, wasmUrl });
    const record = after.history.at(-1);
    return {
      failed,
      recorded: after.bySource.main - before.bySource.main,
      record: record && { source: record.source, code: record.code, message: record.message },
      fresh: wasm.probe !== probe,
      next: node.state,
    };
  }, HOOKS_WASM);
  expect(r.failed).toMatchObject({ name: 'RingletError', code: 'WASM_TRAP' });
  expect(r.failed.message).toMatch(/rlw_heap_size/);
  expect(r.recorded).toBe(1);
  expect(r.record).toMatchObject({ source: 'main', code: 'CORE_PANIC' });
  expect(r.fresh).toBe(true);
  expect(r.next).toBe('running');
});
