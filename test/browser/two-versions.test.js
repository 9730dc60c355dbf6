// Two copies of ringlet with different versions on one page and one context
// must not clash: the processor name carries the version, and each copy
// checks that its wasm matches its own JS.
import { afterAll, beforeAll, expect } from '@jest/globals';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { openBrowser, test } from './harness.js';

const ROOT = new URL('../../', import.meta.url);
const OTHER = '9.9.9'; // same length as the real version, so the wasm string can be patched in place

/** @type {Awaited<ReturnType<typeof openBrowser>>} */
let b;

beforeAll(async () => {
  const version = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')).version;
  expect(OTHER.length).toBe(version.length);
  const out = new URL('build/other-version/', ROOT);
  mkdirSync(out, { recursive: true });
  for (const file of ['ringlet.js', 'ringlet-worklet.js']) {
    const js = readFileSync(new URL(`dist/${file}`, ROOT), 'utf8');
    expect(js).toContain(`'${version}'`);
    writeFileSync(new URL(file, out), js.replaceAll(`'${version}'`, `'${OTHER}'`));
  }
  const wasm = readFileSync(new URL('dist/ringlet.wasm', ROOT));
  const needle = Buffer.from(`${version}\0`);
  const at = wasm.indexOf(needle);
  expect(at).toBeGreaterThan(0);
  Buffer.from(`${OTHER}\0`).copy(wasm, at);
  writeFileSync(new URL('ringlet.wasm', out), wasm);
  // A copy whose wasm does not match its JS, for the mismatch check.
  writeFileSync(new URL('mismatched.wasm', out), readFileSync(new URL('dist/ringlet.wasm', ROOT)));
  b = await openBrowser();
});

afterAll(async () => {
  await b?.close();
});

test('two versions load into one context and both render their own signal', async () => {
  const r = await b.page.evaluate(async () => {
    const a = await import('/dist/ringlet.js');
    const z = await import('/build/other-version/ringlet.js');
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 512, sampleRate: 48000 });
    const na = await a.RingletNode.create(ctx, { channels: 1 });
    const nz = await z.RingletNode.create(ctx, { channels: 1 });
    na.writer.tryWrite(new Float32Array(512).fill(0.25));
    nz.writer.tryWrite(new Float32Array(512).fill(0.5));
    await Promise.all([na.flush(), nz.flush()]); // on 'message' (no SharedArrayBuffer) writes and settings land after a round trip
    na.connect(ctx.destination);
    nz.connect(ctx.destination);
    const out = (await ctx.startRendering()).getChannelData(0);
    return {
      versions: [a.VERSION, z.VERSION],
      names: [a.PROCESSOR_NAME, z.PROCESSOR_NAME],
      sum: out.every((x) => x === 0.75),
    };
  });
  expect(r.versions).toEqual(['0.1.0', '9.9.9']);
  expect(r.names[0]).not.toBe(r.names[1]);
  expect(r.sum).toBe(true);
  expect(b.errors).toEqual([]);
});

test('a wasm built for another version is refused with a clear VERSION_MISMATCH error', async () => {
  const r = await b.page.evaluate(async () => {
    const z = await import('/build/other-version/ringlet.js');
    const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate: 48000 });
    try {
      await z.loadRinglet(ctx, { wasmUrl: '/build/other-version/mismatched.wasm' });
      return 'resolved';
    } catch (e) {
      return { code: e.code, message: e.message };
    }
  });
  expect(r.code).toBe('VERSION_MISMATCH');
  expect(r.message).toContain('JS version: 9.9.9');
  expect(r.message).toContain('wasm version: 0.1.0');
});
