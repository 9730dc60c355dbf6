// The player's audio engine: one AudioContext, one varispeed source node that
// a RingletStream plays files into, and the master bus everything else on the
// page (the generator, the recorder's monitor) connects to. The node's own
// chain is the player's: gain is the volume (times the loudness
// normalisation), eq the equaliser, limiter the hearing-safety limiter,
// analyser the spectrum, playbackRate the speed. Main thread.
import { RingletNode, WorkerPool } from '../../dist/ringlet.js';
import { RingletStream } from '../../dist/ringlet-stream.js';

/** About 0.74 s at 44.1 kHz: pause and seek empty it, so it adds no latency to them. */
export const CAPACITY_FRAMES = 32768;

/**
 * @typedef {object} Engine
 * @property {AudioContext} ctx
 * @property {RingletNode<'source'>} node
 * @property {RingletStream} stream
 * @property {GainNode} speakers the master bus, into ctx.destination
 * @property {WorkerPool | undefined} pool the player's pool (overview, loudness, export); undefined where Workers fail
 */

/**
 * Builds the engine. The context starts suspended where autoplay is refused:
 * the caller unlocks it on the first gesture.
 * @returns {Promise<Engine>}
 */
export async function createEngine() {
  const ctx = new AudioContext({ latencyHint: 'playback' });
  const node = await RingletNode.create(ctx, {
    mode: 'source',
    channels: 2,
    capacityFrames: CAPACITY_FRAMES,
    varispeed: true,
  });
  // The decoding Worker starts from this folder, inside the player's service
  // worker's scope (see stream.worker.js).
  const stream = await RingletStream.create(ctx, { node, workerUrl: new URL('./stream.worker.js', import.meta.url) });
  const speakers = new GainNode(ctx, { gain: 1 });
  node.connect(speakers).connect(ctx.destination);
  /** @type {WorkerPool | undefined} */
  let pool;
  try {
    pool = new WorkerPool({
      workerUrl: new URL('./player.worker.js', import.meta.url),
      maxWorkers: 2,
      idleTimeoutMs: 30000,
      taskTimeoutMs: 600000,
    });
  } catch (error) {
    console.warn('[ringlet player] no worker pool:', error);
  }
  return { ctx, node, stream, speakers, pool };
}
