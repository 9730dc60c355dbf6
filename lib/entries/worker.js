/**
 * The code that runs inside each WorkerPool Worker; bundled alone as
 * dist/ringlet-worker.js. Worker thread only: imported anywhere else it
 * registers tasks but listens to nothing.
 *
 * A custom worker module imports defineTasks from the URL of
 * dist/ringlet-worker.js and calls it while it evaluates (before any
 * top-level await): the pool only sends work once the worker has answered its
 * hello, and the hello is only read after the module finished evaluating.
 *
 * The generic task runtime is lib/worker/runtime.js, the DSP tasks
 * lib/worker/dsp-tasks.js; this entry registers the built-in tasks and
 * installs the runtime's listeners.
 */
import { analyzeTask, renderTask } from '../worker/dsp-tasks.js';
import { defineTasks, install, isDedicatedWorker, workerState } from '../worker/runtime.js';

export { defineTasks, withTransfer } from '../worker/runtime.js';
export { Analysis, createAnalysis } from '../worker/dsp-tasks.js';

/** @typedef {import('../../types/pool.js').TaskFunction<never, unknown>} AnyTask */
/** @typedef {import('../worker/runtime.js').WorkerScope} WorkerScope */

/**
 * Built-in tasks, registered in every pool Worker: 'echo' and 'sum' (tiny,
 * for pool overhead and tests), 'render' and 'analyze' (ringlet's core).
 * @type {Readonly<Record<string, AnyTask>>}
 */
const BUILTIN_TASKS = Object.freeze({
  /** Returns its payload (a structured clone of it): measures pool overhead. */
  echo: (/** @type {unknown} */ payload) => payload,
  /** The sum of an array or typed array of numbers. */
  sum: (/** @type {unknown} */ payload) => {
    if (!Array.isArray(payload) && !(ArrayBuffer.isView(payload) && !(payload instanceof DataView))) {
      throw new TypeError(
        `sum: payload must be an array or typed array of numbers; got ${payload === null ? 'null' : typeof payload}`,
      );
    }
    const values = /** @type {ArrayLike<unknown>} */ (payload);
    let total = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'number') throw new TypeError(`sum: payload[${i}] must be a number; got ${typeof v}`);
      total += v;
    }
    return total;
  },
  /**
   * `{ channels, sampleRate, chain?, stateIn?, stateOut?, wasmUrl?, testTrapAfterQuanta? }`
   * -> `{ channels, sampleRate, worker, heapBase, restored, stateBytes, frames }`, the
   * channels processed in place and transferred back.
   */
  render: renderTask,
  /** `{ channels, sampleRate, fftSize?, wasmUrl? }` -> `{ peakDb, rmsDb, lufs, spectrum, fftSize, sampleRate, frames }`. */
  analyze: analyzeTask,
});

{
  const state = workerState();
  if (!state.tasks.has('echo')) defineTasks(BUILTIN_TASKS);
  if (!state.installed && isDedicatedWorker(globalThis)) {
    install(/** @type {WorkerScope} */ (/** @type {unknown} */ (globalThis)), state);
  }
}
