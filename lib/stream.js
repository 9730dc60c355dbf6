/**
 * ringlet/stream: audio files decoded in a Worker, streaming, straight into a
 * source node's ring. Main thread.
 *
 * The decoding Worker (dist/ringlet-stream-worker.js) imports mediabunny, an
 * optional peer dependency of this entry only; this module imports neither
 * mediabunny nor the Worker's code, and shares RingletNode and RingletError
 * with the main entry (dist/ringlet.js).
 */
import { RingletError, RingletNode } from './index.js';
import { nodeRate, StreamPlayer } from './stream/player.js';
import { allowScriptUrl, trustedScriptUrl } from './shared/policy.js';
import { describe } from './shared/util.js';

/** @typedef {import('../types/stream.js').RingletStreamOptions} RingletStreamOptions */
/** @typedef {import('../types/index.js').RingletContext} RingletContext */
/** @typedef {import('../types/index.js').RingletNode<'source'>} SourceNode */

/** The ring a player buffers by default: about 0.7 s at 44.1 kHz. Pause and seek empty it, so it adds no latency to them. */
const DEFAULT_CAPACITY_FRAMES = 32768;

/** create()'s key, so the constructor refuses other callers. */
const CREATE = Symbol('RingletStream.create');

/** @type {(code: import('../types/index.js').RingletErrorCode, message: string) => Error} */
const makeError = (code, message) => new RingletError(code, message);

/**
 * @param {string | URL | undefined} workerUrl
 * @returns {Worker}
 */
function startWorker(workerUrl) {
  if (workerUrl === undefined) {
    // Written out whole so that bundlers (Vite, webpack 5) see the Worker and
    // bundle it with its mediabunny import.
    return new Worker(new URL('./ringlet-stream-worker.js', import.meta.url), {
      type: 'module',
      name: 'ringlet-stream',
    });
  }
  if (typeof workerUrl !== 'string' && !(workerUrl instanceof URL)) {
    throw new TypeError(`RingletStream.create: options.workerUrl must be a string or URL; got ${describe(workerUrl)}`);
  }
  const url = new URL(String(workerUrl), globalThis.location?.href).href;
  allowScriptUrl(url);
  return new Worker(/** @type {string} */ (/** @type {unknown} */ (trustedScriptUrl(url))), {
    type: 'module',
    name: 'ringlet-stream',
  });
}

/**
 * A file player on a ringlet source node: open(file), play(), pause(),
 * stop(), seek(seconds), loop, queue(next) for gapless playback, position,
 * info. Create it with `await RingletStream.create(context, options)` and
 * connect `stream.node`. Main thread only.
 */
export class RingletStream extends StreamPlayer {
  /**
   * Makes the source node (or takes `options.node`) and the decoding Worker.
   * The stream's own node resamples (varispeed: true): it plays a file of
   * any rate at the context's, tracks of different rates follow each other
   * gaplessly, files at the context's rate are copied bit for bit, and
   * `node.playbackRate` is the speed. A node passed in plays any rate when
   * it resamples (made with varispeed: true, or another sampleRate); one
   * that does not refuses files at other rates with RATE_MISMATCH.
   * @param {RingletContext} context
   * @param {RingletStreamOptions} [options]
   * @returns {Promise<RingletStream>}
   */
  static async create(context, options = {}) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(`RingletStream.create: options must be an object; got ${describe(options)}`);
    }
    const {
      node: given,
      sampleRate,
      workerUrl,
      channels = 2,
      capacityFrames = DEFAULT_CAPACITY_FRAMES,
      transport,
    } = options;
    if (
      sampleRate !== undefined &&
      (typeof sampleRate !== 'number' || !Number.isFinite(sampleRate) || sampleRate <= 0)
    ) {
      throw new RangeError(
        `RingletStream.create: options.sampleRate must be a positive number of Hz; got ${String(sampleRate)}`,
      );
    }
    /** @type {SourceNode} */
    let node;
    if (given !== undefined) {
      if (!(given instanceof RingletNode) || given.mode !== 'source' || given.writer === null) {
        throw new TypeError(`RingletStream.create: options.node must be a source RingletNode; got ${describe(given)}`);
      }
      node = /** @type {SourceNode} */ (given);
    } else {
      const rate = sampleRate ?? /** @type {BaseAudioContext} */ (/** @type {unknown} */ (context)).sampleRate;
      node = /** @type {SourceNode} */ (
        /** @type {unknown} */ (
          await RingletNode.create(context, {
            mode: 'source',
            channels,
            capacityFrames,
            transport,
            // Files of any rate play on it: the core converts at each track's rate mark.
            varispeed: true,
            ...(sampleRate !== undefined ? { sampleRate: rate } : {}),
          })
        )
      );
    }
    const want = sampleRate ?? nodeRate(node);
    if (nodeRate(node) !== want) {
      if (given === undefined) node.dispose();
      throw new RingletError(
        'RATE_MISMATCH',
        `RingletStream.create: options.sampleRate is ${want} Hz and options.node plays ${nodeRate(node)} Hz: ` +
          "leave sampleRate out with a node of your own (the node's rate is the one it was made with)",
      );
    }
    let worker;
    try {
      worker = startWorker(workerUrl);
    } catch (error) {
      if (given === undefined) node.dispose();
      throw error;
    }
    return new RingletStream(CREATE, { node, worker, ownsNode: given === undefined, makeError });
  }

  /**
   * @param {symbol} key
   * @param {import('./stream/player.js').PlayerOptions} o
   */
  constructor(key, o) {
    if (key !== CREATE) throw new TypeError('RingletStream: use `await RingletStream.create(context, options)`');
    super(o);
  }
}
