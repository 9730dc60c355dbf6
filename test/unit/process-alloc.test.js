// The worklet's process() allocates nothing while it resamples a source
// node's ring and follows playbackRate automation, nor while it answers a
// capture node's held reads on the message transport: worklet/processor.js
// runs test/bench/gc.bench.js's loops (a 44.1 kHz ring into a 48 kHz context,
// playbackRate a-rate with a new value every frame; a reader asking again as
// soon as it is answered, each answer posted from process()) in a Node process of its
// own with --expose-gc and a 1 MiB young generation, so that even one small
// object per quantum costs a scavenge. The bench's controls must see their
// allocations first, or a zero here would prove nothing. It counts GC events
// and heap growth, never time.
import { expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './helpers.js';

test.each([
  ['source-resampling', 'process() with a resampler and a-rate playbackRate automation'],
  ['capture-message-held', "process() answering a capture node's held reads ('message' transport)"],
])('%s: %s allocates nothing (GC events and heap growth)', (key) => {
  const r = spawnSync(
    process.execPath,
    ['--expose-gc', '--max-semi-space-size=1', path.join(ROOT, 'test/bench/gc.bench.js')],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, RL_GC_QUANTA: '30000', RL_GC_WARMUP: '10000', RL_GC_ONLY: key },
      timeout: 110000,
    },
  );
  const lines = (r.stdout ?? '').trim().split('\n');
  const summary = JSON.parse(lines[lines.length - 1] ?? '{}');
  if (r.status !== 0 || summary.problems?.length) {
    throw new Error(`gc.bench.js exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  }
  expect(summary.observerWorks).toBe(true);
  expect(summary.smallAllocationDetected).toBe(true);
  const loop = summary.results[key];
  expect(loop.quanta).toBe(30000);
  expect(loop.gcEvents).toBe(0);
  expect(loop.heapBytesPerQuantum).toBeLessThan(summary.config.minObjectBytes);
  expect(loop.met).toBe(true);
});
