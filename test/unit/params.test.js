// The parameter queue (lib/shared/params.js, ParamQueue) against the core
// that pops it: each message lands in its slot at the header's field
// offsets and the core applies it at the start of its next quantum; a full
// queue keeps later settings in a backlog, the latest value per setting,
// until flush() finds space; the core counts what it refuses; close() drops
// the backlog. One effect node on a shared memory, no worklet.
import { expect, test } from '@jest/globals';
import { PAGE_BYTES, instantiateCore } from '../../lib/shared/core.js';
import {
  MODE_EFFECT,
  PARAM_EQ_BYPASS,
  PARAM_FIELD_ARG,
  PARAM_FIELD_INDEX,
  PARAM_FIELD_KIND,
  PARAM_FIELD_VALUES,
  PARAM_LIMITER,
} from '../../lib/shared/constants.generated.js';
import { LAYOUT } from '../../lib/shared/layout.js';
import { ParamQueue } from '../../lib/shared/params.js';
import { RL, wasmModule } from './helpers.js';

const QUANTUM = 128;

/** An effect node at rlw_heap_base() and a ParamQueue on its queue. */
function nodeWithQueue() {
  const probe = instantiateCore(wasmModule(), new WebAssembly.Memory({ initial: 2, maximum: 2, shared: true }));
  const bytes = probe.rlw_heap_size(MODE_EFFECT, 2, 256, 48000);
  const pages = Math.ceil((probe.rlw_heap_base() + bytes) / PAGE_BYTES);
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const x = instantiateCore(wasmModule(), memory);
  expect(x.rlw_init(MODE_EFFECT, 2, 256, 48000, bytes)).toBe(RL.OK);
  const offset = x.rlw_params();
  const queue = new ParamQueue(memory.buffer, offset);
  const i32 = new Int32Array(memory.buffer, offset, LAYOUT.PARAMS_BYTES >> 2);
  return {
    x,
    queue,
    memory,
    offset,
    writeIndex: () => Atomics.load(i32, LAYOUT.PARAMS_OFFSET_WRITE_INDEX >> 2) >>> 0,
    readIndex: () => Atomics.load(i32, LAYOUT.PARAMS_OFFSET_READ_INDEX >> 2) >>> 0,
    process: () => expect(x.rlw_process(QUANTUM, 0)).toBe(RL.OK),
  };
}

/** The message in slot `slot`, read at the header's field offsets. */
function slotAt(memory, offset, slot) {
  const base = offset + LAYOUT.PARAMS_OFFSET_MESSAGES + slot * LAYOUT.PARAMS_MESSAGE_BYTES;
  const u32 = (field) => new Uint32Array(memory.buffer, base + field, 1)[0];
  return {
    kind: u32(PARAM_FIELD_KIND),
    index: u32(PARAM_FIELD_INDEX),
    arg: u32(PARAM_FIELD_ARG),
    values: [...new Float32Array(memory.buffer, base + PARAM_FIELD_VALUES, 4)],
  };
}

test('a message lands in its slot at the field offsets, and the core pops it on its next quantum', () => {
  const n = nodeWithQueue();
  n.queue.send(PARAM_LIMITER, 0, 0, [-3, 2, 50]);
  expect(n.writeIndex()).toBe(1);
  expect(slotAt(n.memory, n.offset, 0)).toEqual({ kind: PARAM_LIMITER, index: 0, arg: 0, values: [-3, 2, 50, 0] });
  expect(n.readIndex()).toBe(0);
  n.process();
  expect(n.readIndex()).toBe(1);
  expect(n.queue.rejected).toBe(0);
  expect(n.queue.backlog).toBe(0);
});

test('a full queue keeps a backlog with the latest value per setting, and flush() sends it once there is space', () => {
  const n = nodeWithQueue();
  // Distinct settings (kind:index) fill the queue without coalescing.
  for (let i = 0; i < LAYOUT.PARAMS_CAPACITY; i++) n.queue.send(PARAM_EQ_BYPASS, i, i & 1);
  expect(n.writeIndex()).toBe(LAYOUT.PARAMS_CAPACITY);
  expect(n.queue.backlog).toBe(0);
  // The queue is full: these wait, and the second value of one setting replaces the first.
  n.queue.send(PARAM_LIMITER, 0, 0, [-6, 1, 100]);
  n.queue.send(PARAM_EQ_BYPASS, 1000, 1);
  n.queue.send(PARAM_LIMITER, 0, 0, [-2, 1, 100]);
  expect(n.writeIndex()).toBe(LAYOUT.PARAMS_CAPACITY);
  expect(n.queue.backlog).toBe(2);
  n.queue.flush();
  expect(n.queue.backlog).toBe(2); // still no space: the core has not run
  n.process();
  expect(n.readIndex()).toBe(LAYOUT.PARAMS_CAPACITY);
  n.queue.flush();
  expect(n.queue.backlog).toBe(0);
  expect(n.writeIndex()).toBe(LAYOUT.PARAMS_CAPACITY + 2);
  // In first-set order after the re-insert: the EQ setting, then the limiter's latest value.
  expect(slotAt(n.memory, n.offset, 0)).toMatchObject({ kind: PARAM_EQ_BYPASS, index: 1000, arg: 1 });
  expect(slotAt(n.memory, n.offset, 1)).toEqual({ kind: PARAM_LIMITER, index: 0, arg: 0, values: [-2, 1, 100, 0] });
});

test('the core counts the messages it refuses in rejected, and applies the rest', () => {
  const n = nodeWithQueue();
  n.queue.send(200, 0, 0); // no such kind
  n.queue.send(PARAM_LIMITER, 0, 0, [-3, 2, 50]);
  n.process();
  expect(n.readIndex()).toBe(2);
  expect(n.queue.rejected).toBe(1);
});

test('close() drops the backlog and ignores later sends', () => {
  const n = nodeWithQueue();
  for (let i = 0; i < LAYOUT.PARAMS_CAPACITY + 3; i++) n.queue.send(PARAM_EQ_BYPASS, i, 0);
  expect(n.queue.backlog).toBe(3);
  n.queue.close();
  expect(n.queue.backlog).toBe(0);
  n.process();
  n.queue.send(PARAM_LIMITER, 0, 0, [-3, 2, 50]);
  n.queue.flush();
  expect(n.writeIndex()).toBe(LAYOUT.PARAMS_CAPACITY);
  expect(n.queue.backlog).toBe(0);
});
