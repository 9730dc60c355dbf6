/**
 * The stream worker's message handling: it keeps the opened tracks and at
 * most one play session (a Pump), and answers the page. Worker thread only.
 *
 * Protocol (page -> worker, each answered as noted):
 *   { type: 'open', id, source }            -> { type: 'opened', id, info } | { type: 'failed', id, error }
 *   { type: 'inspect', id, source }         -> { type: 'inspected', id, info, problem } | { type: 'failed', id, error }
 *   { type: 'close', id }                   (no answer) disposes the track
 *   { type: 'start', session, playlist, frame, loop, region, channels, ring, control, credit, rates }
 *                                           -> 'segment'* then 'end' | 'error' (or nothing once halted)
 *   { type: 'update', session, playlist, loop, region }
 *                                           -> { type: 'late', session } when a new region can no
 *                                              longer apply in flight (Pump.behind(): the page
 *                                              restarts the session)
 *   { type: 'ack', session, frames }        ('message' transport: chunk written)
 *   { type: 'halt', session }               -> { type: 'halted', session } once no write can follow
 *   { type: 'stats' , id }                  -> { type: 'stats', id, stats }
 * worker -> page, during a session:
 *   { type: 'segment', session, at, track, frame }  track `track` starts at its frame `frame`
 *                                                   after `at` frames of this session
 *   { type: 'chunk', session, planes, frames }      ('message') audio to write, transferred
 *   { type: 'rate', session, rate }                 ('message') the frames after it run at `rate` Hz
 *   { type: 'end', session, at } / { type: 'error', session, at, error }
 */
import { RingWriter } from '../shared/ring-ends.js';
import { Pump } from './pump.js';
import { errorRecord, openTrack } from './tracks.js';

/** @typedef {import('./tracks.js').Track} Track */

/**
 * A loop region from the page's message (seconds), or none.
 * @param {unknown} r
 * @returns {import('./pump.js').LoopRegion}
 */
function regionOf(r) {
  const o = /** @type {{ start?: unknown, end?: unknown } | null} */ (r !== null && typeof r === 'object' ? r : null);
  return { start: Number(o?.start ?? 0), end: Number(o?.end ?? 0) };
}

/**
 * The parts of DedicatedWorkerGlobalScope used here.
 * @typedef {object} WorkerScope
 * @property {(message: unknown, transfer?: Transferable[]) => void} postMessage
 * @property {(type: string, listener: (event: MessageEvent) => void) => void} addEventListener
 */

/**
 * Installs the handlers on the worker's global scope. Messages that arrive
 * before `ready` settles (the entry registering decoders, say) wait for it,
 * and are then handled in the order they came.
 * @param {WorkerScope} scope
 * @param {typeof import('mediabunny')} mb
 * @param {{ ready?: Promise<unknown> }} [options]
 */
export function installStreamWorker(scope, mb, { ready } = {}) {
  /** @type {Map<number, Track>} */
  const tracks = new Map();
  /** @type {{ session: number, pump: Pump, done: Promise<unknown> } | null} */
  let current = null;
  /** Counters the page reads with debugStats(). */
  const counts = { sessions: 0, maxUnacked: 0, maxChunk: 0, lateErrors: 0 };
  const post = (/** @type {object} */ m, /** @type {Transferable[]} */ transfer = []) => scope.postMessage(m, transfer);

  /** @param {unknown} error */
  const onLateError = (error) => {
    // A read-ahead that failed while nothing waited on it: the next read reports it.
    counts.lateErrors++;
    void error;
  };

  /** @param {number} session */
  async function halt(session) {
    const c = current;
    if (c && c.session === session) {
      c.pump.halt();
      await c.done;
    }
    post({ type: 'halted', session });
  }

  /** @param {any} m */
  function start(m) {
    const ring = m.ring ? RingWriter.fromHandle(m.ring) : null;
    const control = m.control ? new Int32Array(m.control) : null;
    const pump = new Pump({
      session: m.session,
      mb,
      track: (id) => tracks.get(id),
      playlist: m.playlist,
      frame: m.frame,
      loop: m.loop,
      region: regionOf(m.region),
      channels: m.channels,
      ring,
      control,
      credit: m.credit,
      rates: m.rates === true,
      post,
    });
    counts.sessions++;
    /** @type {{ session: number, pump: Pump, done: Promise<unknown> }} */
    const entry = { session: m.session, pump, done: Promise.resolve() };
    entry.done = pump.run().finally(() => {
      counts.maxUnacked = Math.max(counts.maxUnacked, pump.maxUnacked);
      counts.maxChunk = Math.max(counts.maxChunk, pump.maxChunk);
      if (current === entry) current = null;
    });
    current = entry;
  }

  /** @type {Promise<unknown> | null} */
  let gate = ready
    ? ready.then(
        () => (gate = null),
        () => (gate = null),
      )
    : null;
  scope.addEventListener('message', (event) => {
    const m = event.data;
    if (m === null || typeof m !== 'object') return;
    if (gate)
      gate = gate
        .then(() => handle(m))
        .catch((error) =>
          // Reported as the listener's own throw would be, and the messages after it still run.
          queueMicrotask(() => {
            throw error;
          }),
        );
    else handle(m);
  });

  /** @param {any} m */
  function handle(m) {
    switch (m.type) {
      case 'open':
        openTrack(mb, m.source, onLateError).then(
          (track) => {
            tracks.set(m.id, track);
            post({ type: 'opened', id: m.id, info: track.info });
          },
          (error) => post({ type: 'failed', id: m.id, error: errorRecord(error, 'DECODE_FAILED') }),
        );
        break;
      case 'inspect':
        openTrack(mb, m.source, onLateError, { inspect: true }).then(
          (track) => {
            track.input.dispose();
            post({
              type: 'inspected',
              id: m.id,
              info: track.info,
              problem: track.problem ? errorRecord(track.problem, 'DECODER_MISSING') : null,
            });
          },
          (error) => post({ type: 'failed', id: m.id, error: errorRecord(error, 'DECODE_FAILED') }),
        );
        break;
      case 'close': {
        const track = tracks.get(m.id);
        tracks.delete(m.id);
        track?.input.dispose();
        break;
      }
      case 'start': {
        const previous = current;
        // A session starts only after the previous one was halted; wait for it all the same.
        if (previous) {
          previous.pump.halt();
          void previous.done.then(() => start(m));
        } else start(m);
        break;
      }
      case 'update':
        if (current && current.session === m.session) current.pump.update(m.playlist, m.loop, regionOf(m.region));
        break;
      case 'ack':
        if (current && current.session === m.session) current.pump.ack(m.frames);
        break;
      case 'halt':
        void halt(m.session);
        break;
      case 'stats': {
        const pump = current?.pump;
        post({
          type: 'stats',
          id: m.id,
          stats: {
            tracks: tracks.size,
            sessions: counts.sessions,
            unacked: pump?.unacked ?? 0,
            maxUnacked: Math.max(counts.maxUnacked, pump?.maxUnacked ?? 0),
            maxChunk: Math.max(counts.maxChunk, pump?.maxChunk ?? 0),
            written: pump?.written ?? 0,
          },
        });
        break;
      }
    }
  }
}
