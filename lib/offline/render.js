/**
 * renderOffline: a node's processing chain (gain, EQ, limiter) over a whole
 * buffer, in WorkerPool Workers, off the audio thread. Main thread or a
 * Worker (anything with the Worker constructor); never the audio thread.
 *
 * The EQ's filters and the limiter's envelope carry state from each sample
 * to the next, so a render cannot be cut into independent pieces. Instead it
 * is pipelined: the input is split into segments, and the task rendering
 * segment k hands its node's whole state (the node's heap block, a few
 * hundred KiB) straight to the task of segment k + 1, worker to worker over
 * a MessageChannel. That task restores it at the same address in its own
 * wasm memory and carries on, so the output is sample-identical to one pass
 * over the whole buffer. While one segment renders, the next already sits in
 * another worker with its input, waiting for the state.
 *
 * This does not make one render faster (its segments still run one after
 * another); it keeps each task's memory to one segment, streams progress, and
 * leaves the other workers free for other work: independent renders run in
 * parallel across the pool.
 *
 * With options.sampleRate the workers convert the chain's output to that
 * rate with the core's resampler, whose state travels in the same handoff;
 * a segment's output then has a length and a place of its own, which its
 * task reports, and the whole output is convertedFrames() long.
 *
 * Each segment's task waits for the previous segment's (run()'s waitsFor),
 * so its timeout counts from when it can work, not while it waits for the
 * state: a timeoutMs that fits one segment fits every pipeline depth.
 */
import { checkOutputRate, checkPlanarAudio, convertedFrames } from '../shared/audio-data.js';
import { BufferPool } from './buffer-pool.js';
import { checkChain } from '../shared/dsp.js';
import { AbortError } from './pool-errors.js';
import { WorkerPool } from './pool.js';
import { RENDER_QUANTUM } from '../shared/constants.generated.js';
import { checkInteger, describe } from '../shared/util.js';

/** @typedef {import('../../types/render.js').PlanarAudio} PlanarAudio */
/** @typedef {import('../../types/render.js').RenderOfflineOptions} RenderOfflineOptions */
/** @typedef {import('../../types/render.js').RenderTaskResult} RenderTaskResult */
/** @typedef {import('../../types/render.js').RenderSegmentInfo} RenderSegmentInfo */

export const QUANTUM = RENDER_QUANTUM;
const DEFAULT_SEGMENT_FRAMES = 131072;
const MAX_SEGMENT_FRAMES = 2 ** 24;
const DEFAULT_PIPELINE = 2;
const MAX_PIPELINE = 64;
/** Idle workers of the default pool exit after this long, so it holds nothing while unused. */
const DEFAULT_POOL_IDLE_MS = 30000;

/** @type {WorkerPool | null} */
let defaultPool = null;

/**
 * Calls a caller's callback; what it throws is reported (as the pool does
 * for onProgress) and does not disturb the render.
 * @template T
 * @param {((value: T) => void) | undefined} callback
 * @param {T} value
 */
function notify(callback, value) {
  if (callback === undefined) return;
  try {
    callback(value);
  } catch (error) {
    globalThis.reportError?.(error);
  }
}

/**
 * The pool renderOffline uses when none is given: one per page (per module
 * instance), created on first use with default options and idle workers
 * reaped after 30 s. A terminated one is replaced.
 * @returns {WorkerPool}
 */
export function getDefaultRenderPool() {
  if (defaultPool === null || defaultPool.state === 'terminated') {
    defaultPool = new WorkerPool({ idleTimeoutMs: DEFAULT_POOL_IDLE_MS });
  }
  return defaultPool;
}

/**
 * @param {unknown} value
 * @param {string} name
 * @param {number} min
 * @param {number} max
 * @param {number} fallback
 */
function intOption(value, name, min, max, fallback) {
  return value === undefined ? fallback : checkInteger(value, 'renderOffline', `options.${name}`, min, max);
}

/**
 * @param {unknown} value
 * @param {string} name
 * @returns {((value: never) => void) | undefined}
 */
function optionalFunction(value, name) {
  if (value === undefined) return undefined;
  if (typeof value !== 'function')
    throw new TypeError(`renderOffline: options.${name} must be a function; got ${describe(value)}`);
  return /** @type {(value: never) => void} */ (value);
}

/** @param {unknown} options */
function checkOptions(options) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`renderOffline: options must be an object; got ${describe(options)}`);
  }
  const o = /** @type {RenderOfflineOptions} */ (options);
  if (o.pool !== undefined && !(o.pool instanceof WorkerPool)) {
    throw new TypeError(`renderOffline: options.pool must be a WorkerPool; got ${describe(o.pool)}`);
  }
  if (o.signal !== undefined && !(o.signal instanceof AbortSignal)) {
    throw new TypeError(`renderOffline: options.signal must be an AbortSignal; got ${describe(o.signal)}`);
  }
  if (o.wasmUrl !== undefined && typeof o.wasmUrl !== 'string' && !(o.wasmUrl instanceof URL)) {
    throw new TypeError(`renderOffline: options.wasmUrl must be a string or URL; got ${describe(o.wasmUrl)}`);
  }
  const segmentFrames = intOption(
    o.segmentFrames,
    'segmentFrames',
    QUANTUM,
    MAX_SEGMENT_FRAMES,
    DEFAULT_SEGMENT_FRAMES,
  );
  if (segmentFrames % QUANTUM !== 0) {
    throw new RangeError(
      `renderOffline: options.segmentFrames must be a multiple of ${QUANTUM} (whole quanta); got ${segmentFrames}`,
    );
  }
  return {
    pool: o.pool,
    signal: o.signal,
    // Checked against the input's rate once that is known (checkOutputRate).
    sampleRate: /** @type {unknown} */ (o.sampleRate),
    onProgress: /** @type {((value: number) => void) | undefined} */ (optionalFunction(o.onProgress, 'onProgress')),
    onSegment: /** @type {((info: RenderSegmentInfo) => void) | undefined} */ (
      optionalFunction(o.onSegment, 'onSegment')
    ),
    segmentFrames,
    pipeline: intOption(o.pipeline, 'pipeline', 1, MAX_PIPELINE, DEFAULT_PIPELINE),
    timeoutMs: o.timeoutMs,
    wasmUrl: o.wasmUrl === undefined ? undefined : new URL(String(o.wasmUrl), globalThis.location?.href).href,
  };
}

/**
 * @typedef {object} Source
 * @property {number} channels
 * @property {number} frames
 * @property {number} sampleRate
 * @property {(channel: number, into: Float32Array<ArrayBuffer>, at: number) => void} read copies into.length frames from `at`
 * @property {AudioBuffer | null} audioBuffer
 */

/**
 * @param {unknown} input
 * @returns {Source}
 */
function checkInput(input) {
  const AudioBufferCtor = globalThis.AudioBuffer;
  if (typeof AudioBufferCtor === 'function' && input instanceof AudioBufferCtor) {
    const buffer = input;
    return {
      channels: buffer.numberOfChannels,
      frames: buffer.length,
      sampleRate: buffer.sampleRate,
      read: (c, into, at) => buffer.copyFromChannel(into, c, at),
      audioBuffer: buffer,
    };
  }
  if (input === null || typeof input !== 'object') {
    throw new TypeError(
      `renderOffline: input must be an AudioBuffer or { channels: Float32Array[], sampleRate }; got ${describe(input)}`,
    );
  }
  const i = /** @type {{ channels?: unknown, sampleRate?: unknown }} */ (input);
  const frames = checkPlanarAudio(i.channels, i.sampleRate, 'renderOffline: input');
  const channels = /** @type {Float32Array[]} */ (i.channels);
  return {
    channels: channels.length,
    frames,
    sampleRate: /** @type {number} */ (i.sampleRate),
    read: (c, into, at) => into.set(channels[c].subarray(at, at + into.length)),
    audioBuffer: null,
  };
}

/**
 * Where the output goes: `frames` frames at `sampleRate` (the input's, or
 * the rate it is converted to), in an AudioBuffer when the input was one
 * (and the constructor exists here), else one Float32Array per channel.
 * @param {Source} source
 * @param {number} sampleRate
 * @param {number} frames
 */
function makeSink(source, sampleRate, frames) {
  const AudioBufferCtor = globalThis.AudioBuffer;
  if (source.audioBuffer !== null && typeof AudioBufferCtor === 'function') {
    const buffer = new AudioBufferCtor({
      numberOfChannels: source.channels,
      length: Math.max(1, frames),
      sampleRate,
    });
    return {
      frames,
      sampleRate,
      write: (/** @type {number} */ c, /** @type {Float32Array} */ data, /** @type {number} */ at) =>
        buffer.copyToChannel(/** @type {Float32Array<ArrayBuffer>} */ (data), c, at),
      /** @returns {AudioBuffer | PlanarAudio} */
      result: () => buffer,
    };
  }
  const planes = Array.from({ length: source.channels }, () => new Float32Array(frames));
  return {
    frames,
    sampleRate,
    write: (/** @type {number} */ c, /** @type {Float32Array} */ data, /** @type {number} */ at) =>
      planes[c].set(data, at),
    /** @returns {AudioBuffer | PlanarAudio} */
    result: () => ({ channels: planes, sampleRate }),
  };
}

/**
 * Renders `input` through a node's chain with `chain`'s settings, in the
 * pool's workers. See the module comment and types/render.d.ts.
 * @param {AudioBuffer | PlanarAudio} input
 * @param {import('../../types/render.js').RenderChain} [chain]
 * @param {RenderOfflineOptions} [options]
 * @returns {Promise<AudioBuffer | PlanarAudio>}
 */
export async function renderOffline(input, chain, options = {}) {
  const o = checkOptions(options);
  const source = checkInput(input);
  // Validated here too, so bad settings reject with the caller's own
  // TypeError or RangeError before any worker is involved.
  checkChain(chain, source.sampleRate, 'renderOffline');
  const outputRate = checkOutputRate(o.sampleRate, source.sampleRate, 'renderOffline', 'options.sampleRate');
  if (o.signal?.aborted) {
    throw new AbortError('renderOffline: not started: its signal was already aborted', {
      cause: o.signal.reason,
      task: 'render',
    });
  }
  const sink = makeSink(source, outputRate, convertedFrames(source.frames, source.sampleRate, outputRate));
  if (source.frames === 0) {
    notify(o.onProgress, 1);
    return sink.result();
  }
  const pool = o.pool ?? getDefaultRenderPool();
  return pipeline(pool, source, sink, chain, o);
}

/**
 * Runs the segments, at most `o.pipeline` at a time, each taking its state
 * from the one before. Its steps: submit (segmentTask: a segment's input and
 * state ports to a worker), segmentDone (its output to the sink, then
 * onSegment in segment order, each followed by the next submit), progress
 * (progressMeter) and fail (the one way a render ends early).
 * @param {WorkerPool} pool
 * @param {Source} source
 * @param {ReturnType<typeof makeSink>} sink
 * @param {import('../../types/render.js').RenderChain | undefined} chain
 * @param {ReturnType<typeof checkOptions>} o
 * @returns {Promise<AudioBuffer | PlanarAudio>}
 */
function pipeline(pool, source, sink, chain, o) {
  const { frames, channels } = source;
  const converting = sink.sampleRate !== source.sampleRate;
  const size = o.segmentFrames;
  const count = Math.ceil(frames / size);
  // Segment buffers go to the workers by transfer and come back the same
  // way; the pool hands them out again for later segments.
  const buffers = new BufferPool({ length: Math.min(size, frames), maxBuffers: channels * (o.pipeline + 1) });
  // One controller cancels every segment: the caller's signal, or the first failure.
  const cancel = new AbortController();
  const progress = progressMeter(count, frames, o.onProgress);
  /** @type {MessagePort | null} the port the next segment receives its state on */
  let nextStateIn = null;
  /** @type {Promise<unknown> | undefined} the previous segment's task, which the next one waits for */
  let previous;
  /** @type {Set<Promise<unknown>>} */
  const inFlight = new Set();
  let finished = 0;
  /** @type {(RenderSegmentInfo | undefined)[]} */
  const done = new Array(count);
  let told = 0;
  let submitted = 0;
  /** @type {unknown} */
  let failure;
  let failed = false;

  return new Promise((resolve, reject) => {
    const onAbort = () =>
      fail(new AbortError('renderOffline: cancelled through its signal', { cause: o.signal?.reason, task: 'render' }));
    o.signal?.addEventListener('abort', onAbort);
    const cleanup = () => {
      o.signal?.removeEventListener('abort', onAbort);
      nextStateIn?.close();
      nextStateIn = null;
      buffers.clear();
    };

    /**
     * The render's one way to fail, whatever the cause: the caller's signal,
     * a segment's failure, or a refused run().
     * @param {unknown} error
     */
    const fail = (error) => {
      if (failed) return;
      failed = true;
      failure = error;
      // Cancels the other segments: the pool settles them and terminates
      // their workers at once, so nothing of this render keeps running.
      cancel.abort(error);
      Promise.allSettled([...inFlight]).then(() => {
        cleanup();
        reject(failure);
      });
    };

    /** Submits the next segment; false (having failed the render) if that threw. */
    const submitNext = () => {
      try {
        const k = submitted++;
        const at = k * size;
        const n = Math.min(size, frames - at);
        const segment = segmentTask(
          source,
          sink.sampleRate,
          buffers,
          at,
          n,
          nextStateIn,
          k + 1 < count,
          chain,
          o.wasmUrl,
        );
        nextStateIn = segment.nextStateIn;
        const task = pool.run('render', segment.payload, {
          transfer: segment.transfer,
          signal: cancel.signal,
          timeoutMs: o.timeoutMs,
          // Its clock starts when the segment it takes the state from has ended.
          waitsFor: previous,
          onProgress: (value) => {
            if (typeof value === 'number' && value > 0 && value <= 1) {
              progress.grow(k, value * n);
              progress.report();
            }
          },
        });
        previous = task;
        inFlight.add(task);
        task.then(
          (value) => {
            inFlight.delete(task);
            if (!failed) segmentDone(k, at, n, /** @type {RenderTaskResult} */ (value));
          },
          (error) => {
            inFlight.delete(task);
            fail(error);
          },
        );
        return true;
      } catch (error) {
        fail(error);
        return false;
      }
    };

    /**
     * Segment k is back: its output goes to the sink, and the finished
     * segments are taken in order; the last one resolves the render.
     * @param {number} k
     * @param {number} at
     * @param {number} n
     * @param {RenderTaskResult} r
     */
    const segmentDone = (k, at, n, r) => {
      const made = r.channels[0].length;
      // At another rate a segment's output has a length and place of its
      // own (the resampler's fractional position and lookahead), which the
      // worker reports; the last one's ends exactly where the sink does.
      const outputAt = converting ? r.outputStart : at;
      if (outputAt + made > sink.frames || (k === count - 1 && outputAt + made !== sink.frames)) {
        fail(
          new Error(
            `renderOffline: segment ${k} returned output frames ${outputAt} .. ${outputAt + made} of ${sink.frames}`,
          ),
        );
        return;
      }
      for (let c = 0; c < channels; c++) {
        sink.write(c, r.channels[c], outputAt);
        // Whole buffers only: the last segment's may be a shorter view.
        // Converted output is the worker's own, of another length: dropped.
        if (!converting) buffers.release(new Float32Array(r.channels[c].buffer));
      }
      progress.grow(k, n);
      finished += 1;
      done[k] = {
        index: k,
        startFrame: at,
        frames: n,
        outputStartFrame: outputAt,
        outputFrames: made,
        worker: r.worker,
        heapBase: r.heapBase,
        restored: r.restored,
        stateBytes: r.stateBytes,
      };
      // Results can arrive out of order (k + 1's may reach this thread
      // before k's). They are taken in segment order: onSegment hears
      // them in order, and segment k + pipeline is handed out when k is
      // done, so it goes to k's worker (the pool reuses the worker that
      // went idle last) and consecutive segments rotate over the workers.
      let next = done[told];
      while (next !== undefined) {
        notify(o.onSegment, next);
        told += 1;
        // onSegment may have cancelled the render.
        if (failed) return;
        if (submitted < count && !submitNext()) return;
        next = told < count ? done[told] : undefined;
      }
      if (finished === count) {
        cleanup();
        notify(o.onProgress, 1);
        resolve(sink.result());
        return;
      }
      progress.report();
    };

    while (submitted < Math.min(count, o.pipeline)) {
      if (!submitNext()) break;
    }
  });
}

/**
 * A render task's payload for the segment of `n` frames at `at`: its input
 * planes, read into pooled buffers, the output rate when it differs from
 * the input's, and its state ports. It takes the chain
 * (the first segment) or `stateIn`, the previous segment's state; unless it
 * is the last (`more` false) it hands its own on over a new channel, whose
 * receiving end is returned as `nextStateIn`.
 * @param {Source} source
 * @param {number} outputRate
 * @param {BufferPool} buffers
 * @param {number} at
 * @param {number} n
 * @param {MessagePort | null} stateIn
 * @param {boolean} more
 * @param {import('../../types/render.js').RenderChain | undefined} chain
 * @param {string | URL | undefined} wasmUrl
 */
function segmentTask(source, outputRate, buffers, at, n, stateIn, more, chain, wasmUrl) {
  /** @type {Float32Array[]} */
  const planes = [];
  for (let c = 0; c < source.channels; c++) {
    // BufferPool's arrays are plain (non-shared) ArrayBuffers.
    const full = /** @type {Float32Array<ArrayBuffer>} */ (buffers.acquire());
    const whole = buffers.length === n ? full : full.subarray(0, n);
    source.read(c, whole, at);
    planes.push(whole);
  }
  /** @type {Record<string, unknown>} */
  const payload = { channels: planes, sampleRate: source.sampleRate };
  if (outputRate !== source.sampleRate) payload.outputRate = outputRate;
  /** @type {Transferable[]} */
  const transfer = planes.map((p) => p.buffer);
  if (wasmUrl !== undefined) payload.wasmUrl = wasmUrl;
  if (stateIn === null) payload.chain = chain;
  else {
    payload.stateIn = stateIn;
    transfer.push(stateIn);
  }
  /** @type {MessagePort | null} */
  let nextStateIn = null;
  if (more) {
    const channel = new MessageChannel();
    payload.stateOut = channel.port1;
    transfer.push(channel.port1);
    nextStateIn = channel.port2;
  }
  return { payload, transfer, nextStateIn };
}

/**
 * Progress over `count` segments of a `frames`-frame render: `grow(k, f)`
 * records that segment k has at least f frames done; `report()` calls
 * onProgress with the fraction done when it grew (short of 1, which the
 * render reports once, at its end).
 * @param {number} count
 * @param {number} frames
 * @param {((value: number) => void) | undefined} onProgress
 */
function progressMeter(count, frames, onProgress) {
  const progressed = new Float64Array(count);
  let reported = 0;
  return {
    /** @param {number} k @param {number} f */
    grow(k, f) {
      progressed[k] = Math.max(progressed[k], f);
    },
    report() {
      if (onProgress === undefined) return;
      let doneFrames = 0;
      for (let i = 0; i < count; i++) doneFrames += progressed[i];
      const value = Math.min(1, doneFrames / frames);
      if (value > reported && value < 1) {
        reported = value;
        notify(onProgress, value);
      }
    },
  };
}
