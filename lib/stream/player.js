/**
 * RingletStream: a file player on a ringlet source node. The file is decoded
 * in a Worker (dist/ringlet-stream-worker.js, with mediabunny) straight into
 * the node's ring; this side sends transport commands and tells where
 * playback is. Main thread only.
 *
 * - 'shared' transport: the Worker writes the ring itself (writeSync).
 * - 'message' transport: the Worker posts decoded chunks here, and they are
 *   written with the node's writer; the Worker never has more than the
 *   ring's capacity of frames unacknowledged, so the queue here is bounded.
 *
 * The position is what the ring has played: its read index ('shared'), or
 * the frames written here less what the node's last snapshot says is still
 * in the ring ('message'), mapped to a track and a frame by the segments the
 * Worker reports (one per track start, so gapless advance and looping are
 * exact). On a node that resamples, the ring's frames are the files' own, at
 * their own rates (each track's rate is marked in the ring), and the
 * position is the frame heard: the read index less the resampler's
 * lookahead.
 */
import { regionFrames } from '../shared/loop-region.js';
import { R } from '../shared/ring.js';
import { describe } from '../shared/util.js';

/** @typedef {import('../../types/stream.js').StreamInfo} StreamInfo */
/** @typedef {import('../../types/stream.js').StreamSource} StreamSource */
/** @typedef {import('../../types/stream.js').StreamState} StreamState */
/** @typedef {import('../../types/stream.js').StreamDebugStats} StreamDebugStats */
/** @typedef {import('../../types/stream.js').StreamWorkerStats} StreamWorkerStats */
/** @typedef {import('../../types/index.js').RingletNode<'source'>} SourceNode */
/** @typedef {import('../../types/index.js').RingletErrorCode} RingletErrorCode */
/** @typedef {(code: RingletErrorCode, message: string) => Error} MakeError */

/** How often a playing stream looks at the ring: track changes, the end. */
const POLL_MS = 25;
/** 'message': how long one wait for ring space may take before the loop looks at its state again. */
const SPACE_WAIT_MS = 1000;
/** Default bound on an open (a stalled server) and on the Worker's answers. */
const DEFAULT_OPEN_TIMEOUT_MS = 30000;
const REPLY_TIMEOUT_MS = 10000;
/** How long dispose() lets the Worker leave a wait before ending it. */
const DISPOSE_GRACE_MS = 100;

/**
 * @typedef {object} Segment
 * @property {number} at frames of the session before it
 * @property {number} track
 * @property {number} frame the track's frame it starts at
 */

/**
 * @typedef {object} Chunk
 * @property {number} session
 * @property {Float32Array[]} planes
 * @property {number} frames
 * @property {number} [rate] a rate mark instead of audio: the frames after it run at this rate
 */

/**
 * @typedef {object} PlayerOptions
 * @property {SourceNode} node
 * @property {Worker} worker
 * @property {boolean} ownsNode dispose() disposes the node too
 * @property {MakeError} makeError RingletError from the main entry
 */

export class StreamPlayer extends EventTarget {
  /** @param {PlayerOptions} o */
  constructor(o) {
    super();
    /** @readonly */ this.node = o.node;
    /** @private */ this.worker = o.worker;
    /** @private */ this.ownsNode = o.ownsNode;
    /** @private */ this.makeError = o.makeError;
    /** @private @type {StreamState} */ this.currentState = 'idle';
    /** @private */ this.nextId = 1;
    /** @private @type {Map<number, { resolve: (m: any) => void, timer: ReturnType<typeof setTimeout> }>} */
    this.replies = new Map();
    /** @private @type {Map<number, StreamInfo>} */ this.infos = new Map();
    /** @private ids of tracks played once (ReadableStreams read to their end or cut off) */
    this.spent = new Set();
    /** @private @type {number | null} the track heard (or parked) */ this.track = null;
    /** @private @type {number[]} */ this.queued = [];
    /** @private */ this.looping = false;
    /** @private loop region, in seconds of the looping track (a region only when start < end) */
    this.region = { start: 0, end: 0 };
    /** @private the frame to play from while not playing */ this.parked = 0;
    /** @private */ this.session = 0;
    /** @private @type {Segment[]} */ this.segments = [];
    /** @private @type {Segment | null} the segment last heard */ this.heard = null;
    /** @private @type {{ at: number, error: { code: RingletErrorCode, message: string } | null } | null} */
    this.end = null;
    /** @private ring read index when the session started ('shared') */ this.readBase = 0;
    /** @private frames written here this session ('message') */ this.writtenHere = 0;
    /** @private @type {Chunk[]} */ this.chunks = [];
    /** @private */ this.queuedFrames = 0;
    /** @private */ this.maxQueuedFrames = 0;
    /** @private */ this.writing = false;
    /** @private @type {ReturnType<typeof setInterval> | null} */ this.poller = null;
    /** @private @type {Promise<unknown>} */ this.commands = Promise.resolve();
    /** @private */ this.disposed = false;
    /** @private @type {Error | null} */ this.lastError = null;
    /** @private the node has a resampler: positions allow for its lookahead */
    this.resampling = resamples(this.node);
    const handle = this.node.writerHandle;
    /** @private */
    this.header = handle ? new Int32Array(handle.buffer, handle.byteOffset, R + 1) : null;
    /** @private 'shared': word 0 is the session allowed to write */
    this.control = handle ? new Int32Array(new SharedArrayBuffer(4)) : null;
    /** @private */
    this.onMessage = (/** @type {MessageEvent} */ e) => this.handle(e.data);
    /** @private */
    this.onError = (/** @type {Event} */ e) =>
      this.crash(/** @type {ErrorEvent} */ (e).message || 'the stream worker failed');
    this.worker.addEventListener('message', this.onMessage);
    this.worker.addEventListener('error', this.onError);
  }

  /** 'idle' (nothing opened), 'stopped', 'playing', 'paused', 'ended' or 'disposed'. */
  get state() {
    return this.currentState;
  }

  /** The track being heard (or about to be played), or null before the first open(). */
  get info() {
    return this.track === null ? null : (this.infos.get(this.track) ?? null);
  }

  /** The error that ended the last session early (a decode failure), or null. */
  get error() {
    return this.lastError;
  }

  get loop() {
    return this.looping;
  }

  set loop(value) {
    if (typeof value !== 'boolean') throw new TypeError(`RingletStream.loop must be a boolean; got ${describe(value)}`);
    if (value && this.track !== null && this.infos.get(this.track)?.seekable === false) {
      throw this.makeError('NOT_SEEKABLE', 'RingletStream.loop: a ReadableStream plays once and cannot loop');
    }
    this.looping = value;
    this.sendUpdate();
  }

  /**
   * Where each loop pass after the first starts, in seconds of the track
   * (default 0). With `loopEnd`, as AudioBufferSourceNode's: while looping,
   * the region loopStart .. loopEnd repeats, sample-exact and gapless, when
   * 0 <= loopStart < loopEnd; otherwise the whole track does. Clamped to the
   * track's length.
   */
  get loopStart() {
    return this.region.start;
  }

  set loopStart(value) {
    this.region = { start: checkLoopPoint(value, 'loopStart'), end: this.region.end };
    this.sendUpdate();
  }

  /**
   * Where each loop pass ends, in seconds of the track (default 0: the
   * track's end). A region that starts before its end and is set while the
   * decoder has already passed its end restarts the decoder at once: from
   * the frame heard, or from loopStart when that is past loopEnd.
   */
  get loopEnd() {
    return this.region.end;
  }

  set loopEnd(value) {
    this.region = { start: this.region.start, end: checkLoopPoint(value, 'loopEnd') };
    this.sendUpdate();
  }

  /** Where playback is in the heard track, in seconds. */
  get position() {
    const info = this.info;
    return info ? this.positionFrames / info.sampleRate : 0;
  }

  /** Where playback is in the heard track, in frames. */
  get positionFrames() {
    if (this.currentState !== 'playing') return this.parked;
    const at = this.locate();
    return at ? this.heardFrame(at) : this.parked;
  }

  /**
   * Opens a file (a File or Blob, a URL, or a ReadableStream of bytes) as
   * the track to play, after stopping the one playing. Resolves with its
   * information; rejects with a RingletError (UNSUPPORTED_FORMAT,
   * DECODER_MISSING, FETCH_FAILED, RANGE_UNSUPPORTED, RATE_MISMATCH,
   * DECODE_FAILED, TIMEOUT) and then changes nothing.
   * @param {StreamSource} source
   * @param {{ timeoutMs?: number }} [options]
   * @returns {Promise<StreamInfo>}
   */
  open(source, options = {}) {
    return this.command(async () => {
      const id = await this.load(source, options, 'RingletStream.open');
      if (await this.halt()) await this.node.reset();
      for (const old of [this.track, ...this.queued]) if (old !== null && old !== id) this.closeTrack(old);
      this.queued = [];
      this.track = id;
      this.parked = 0;
      this.lastError = null;
      if (this.looping && this.infos.get(id)?.seekable === false) this.looping = false;
      this.setState('stopped');
      return /** @type {StreamInfo} */ (this.infos.get(id));
    });
  }

  /**
   * Opens a file to follow the current one with no gap. Resolves with its
   * information; rejects as open() does, and then changes nothing.
   * @param {StreamSource} source
   * @param {{ timeoutMs?: number }} [options]
   * @returns {Promise<StreamInfo>}
   */
  queue(source, options = {}) {
    return this.command(async () => {
      if (this.track === null) throw this.makeError('NO_TRACK', 'RingletStream.queue(): open() a track first');
      const id = await this.load(source, options, 'RingletStream.queue');
      this.queued.push(id);
      this.sendUpdate();
      return /** @type {StreamInfo} */ (this.infos.get(id));
    });
  }

  /**
   * Reads a file's information without making it the track: duration, rate,
   * channels, codec, tags, cover, and whether this engine can decode it
   * (`decodable`, and `problem` when not), so a player can list a file
   * before it plays it. Not for a ReadableStream, which it
   * would use up (TypeError). Rejects as open() does, except that a missing
   * decoder is reported in `problem`.
   * @param {StreamSource} source
   * @param {{ timeoutMs?: number }} [options]
   * @returns {Promise<import('../../types/stream.js').StreamInspection>}
   */
  async inspect(source, options = {}) {
    const spec = sourceSpec(source, 'RingletStream.inspect');
    if (spec.kind === 'stream') {
      throw new TypeError('RingletStream.inspect: source must not be a ReadableStream (it can be read only once)');
    }
    if (this.disposed) throw this.makeError('DISPOSED', 'RingletStream: disposed');
    const timeoutMs = checkOpenTimeout(options, 'RingletStream.inspect');
    const m = await this.send('inspect', spec, timeoutMs, 'RingletStream.inspect', this.nextId++);
    if (m.type === 'failed') throw this.makeError(m.error.code, m.error.message);
    return {
      ...m.info,
      decodable: m.problem === null,
      problem: m.problem === null ? null : this.makeError(m.problem.code, m.problem.message),
    };
  }

  /** Plays from the paused position (or the start); resolves once the decoder runs. */
  play() {
    return this.command(async () => {
      if (this.currentState === 'playing') return;
      if (this.track === null) throw this.makeError('NO_TRACK', 'RingletStream.play(): open() a track first');
      if (this.currentState === 'ended') this.parked = 0;
      await this.start(this.track, this.parked);
    });
  }

  /** Stops at the current position and empties the ring; play() goes on from there. */
  pause() {
    return this.command(async () => {
      if (this.currentState !== 'playing') return;
      const at = this.locate();
      await this.halt();
      await this.node.reset();
      if (at) this.moveTo(at.track);
      this.parked = at ? at.frame : this.parked;
      this.setState('paused');
    });
  }

  /** Stops, empties the ring, and goes back to the start of the track. */
  stop() {
    return this.command(async () => {
      if (this.currentState === 'idle' || this.currentState === 'disposed') return;
      if (this.currentState === 'playing') {
        const at = this.locate();
        await this.halt();
        await this.node.reset();
        if (at) this.moveTo(at.track);
      }
      this.parked = 0;
      this.setState('stopped');
    });
  }

  /**
   * Moves to `seconds` in the heard track: at once while playing (the ring is
   * emptied and refilled from there), else for the next play().
   * @param {number} seconds 0 .. duration
   */
  seek(seconds) {
    const info = this.info;
    if (!info) return Promise.reject(this.makeError('NO_TRACK', 'RingletStream.seek(): open() a track first'));
    if (typeof seconds !== 'number' || !Number.isFinite(seconds)) {
      return Promise.reject(
        new TypeError(`RingletStream.seek(seconds): seconds must be a finite number; got ${describe(seconds)}`),
      );
    }
    const duration = info.duration ?? Infinity;
    if (seconds < 0 || seconds > duration) {
      return Promise.reject(
        new RangeError(
          `RingletStream.seek(seconds): seconds must be from 0 to ${duration} (the duration); got ${seconds}`,
        ),
      );
    }
    if (!info.seekable) {
      return Promise.reject(
        this.makeError('NOT_SEEKABLE', 'RingletStream.seek(): a ReadableStream plays once from its start'),
      );
    }
    return this.command(async () => {
      const frame = Math.round(seconds * info.sampleRate);
      if (this.currentState === 'playing') {
        const at = this.locate();
        if (at) this.moveTo(at.track);
        await this.start(/** @type {number} */ (this.track), frame);
      } else {
        this.parked = frame;
        if (this.currentState === 'ended') this.setState('paused');
      }
    });
  }

  /**
   * Counts held here, by this object: chunks and frames waiting to be written
   * ('message'), the most ever waiting, timers, and replies awaited.
   * @returns {StreamDebugStats}
   */
  debugStats() {
    return {
      queuedChunks: this.chunks.length,
      queuedFrames: this.queuedFrames,
      maxQueuedFrames: this.maxQueuedFrames,
      segments: this.segments.length,
      tracks: this.infos.size,
      timers: (this.poller === null ? 0 : 1) + this.replies.size,
      pendingReplies: this.replies.size,
      played: this.currentState === 'playing' ? this.played() : 0,
      endAt: this.end ? this.end.at : null,
    };
  }

  /**
   * The Worker's own counts: open tracks, the frames it has written this
   * session, and the most it ever had unacknowledged ('message').
   * @returns {Promise<StreamWorkerStats>}
   */
  async workerStats() {
    const m = await this.request({ type: 'stats' }, REPLY_TIMEOUT_MS, 'RingletStream.workerStats()');
    return m.stats;
  }

  /** Stops, ends the Worker, and disposes the node if the stream made it. Idempotent. */
  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    this.stopPolling();
    // Stop the decoder's writes first: the halt word, and a wake for a writer
    // blocked on the ring's read index; the Worker is ended a moment later,
    // once it has left any wait (or at once when it answers the halt).
    if (this.control) Atomics.store(this.control, 0, 0);
    if (this.header) Atomics.notify(this.header, R);
    const worker = this.worker;
    const end = () => {
      clearTimeout(timer);
      worker.removeEventListener('message', ended);
      worker.terminate();
    };
    const ended = (/** @type {MessageEvent} */ e) => {
      if (e.data?.type === 'halted') end();
    };
    const timer = setTimeout(end, DISPOSE_GRACE_MS);
    worker.addEventListener('message', ended);
    worker.postMessage({ type: 'halt', session: this.session });
    worker.removeEventListener('message', this.onMessage);
    worker.removeEventListener('error', this.onError);
    for (const [, r] of this.replies) {
      clearTimeout(r.timer);
      r.resolve({ type: 'failed', error: { code: 'DISPOSED', message: 'RingletStream: disposed' } });
    }
    this.replies.clear();
    this.chunks = [];
    this.queuedFrames = 0;
    if (this.ownsNode) this.node.dispose();
    this.setState('disposed');
  }

  // ---- internals ---------------------------------------------------------

  /**
   * Runs transport commands one after another.
   * @template T
   * @param {() => Promise<T>} fn
   * @returns {Promise<T>}
   */
  command(fn) {
    const run = this.commands.then(() => {
      if (this.disposed) throw this.makeError('DISPOSED', 'RingletStream: disposed');
      return fn();
    });
    this.commands = run.catch(() => {});
    return run;
  }

  /** @param {StreamState} state */
  setState(state) {
    if (this.currentState === state) return;
    this.currentState = state;
    this.dispatchEvent(new CustomEvent('statechange', { detail: state }));
  }

  /**
   * Opens a source in the Worker and checks it fits the node.
   * @param {StreamSource} source
   * @param {{ timeoutMs?: number }} options
   * @param {string} who
   * @returns {Promise<number>} the track id
   */
  async load(source, options, who) {
    const spec = sourceSpec(source, who);
    const timeoutMs = checkOpenTimeout(options, who);
    const id = this.nextId++;
    const m = await this.send('open', spec, timeoutMs, who, id);
    if (m.type === 'failed') throw this.makeError(m.error.code, m.error.message);
    /** @type {StreamInfo} */
    const info = { ...m.info, seekable: spec.kind !== 'stream' };
    const rate = nodeRate(this.node);
    const problem =
      info.sampleRate !== rate && !resamples(this.node)
        ? this.makeError(
            'RATE_MISMATCH',
            `${who}: the file is ${info.sampleRate} Hz and the node plays ${rate} Hz with no resampler: create the ` +
              "node with RingletNode.create(context, { mode: 'source', varispeed: true }) so that it plays any rate " +
              '(or let RingletStream.create make its own node, which does)',
          )
        : info.channels !== this.node.channels && info.channels !== 1 && this.node.channels !== 1
          ? this.makeError(
              'UNSUPPORTED_FORMAT',
              `${who}: the file has ${info.channels} channels and the node ${this.node.channels}: ` +
                'mono files play on any node, any file on a mono node, otherwise the counts must match',
            )
          : null;
    if (problem) {
      this.worker.postMessage({ type: 'close', id });
      throw problem;
    }
    this.infos.set(id, info);
    return id;
  }

  /**
   * Sends an open or inspect request for a source. A ReadableStream is
   * transferred to the Worker, or where the engine cannot transfer one
   * (WebKit) read here and handed over a MessagePort, a chunk per pull.
   * @param {'open' | 'inspect'} type
   * @param {import('../stream-worker/tracks.js').SourceSpec} spec
   * @param {number} timeoutMs
   * @param {string} who
   * @param {number} id
   */
  async send(type, spec, timeoutMs, who, id) {
    if (spec.kind !== 'stream') return this.request({ type, source: spec }, timeoutMs, who, [], id);
    const stream = spec.stream;
    try {
      return await this.request(
        { type, source: spec },
        timeoutMs,
        who,
        [/** @type {Transferable} */ (/** @type {unknown} */ (stream))],
        id,
      );
    } catch (error) {
      if (!(error instanceof DOMException && error.name === 'DataCloneError')) throw error;
    }
    const port = streamBridge(stream);
    return this.request({ type, source: { kind: 'port', port } }, timeoutMs, who, [port], id);
  }

  /**
   * Posts a request and resolves with its answer; a TIMEOUT error after `ms`.
   * @param {object} message
   * @param {number} ms
   * @param {string} who
   * @param {Transferable[]} [transfer]
   * @param {number} [id]
   * @returns {Promise<any>}
   */
  request(message, ms, who, transfer = [], id = this.nextId++) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.replies.delete(id);
        if (/** @type {{ type: string }} */ (message).type === 'open') this.worker.postMessage({ type: 'close', id });
        reject(this.makeError('TIMEOUT', `${who}: no answer from the stream worker within ${ms} ms`));
      }, ms);
      this.replies.set(id, { resolve, timer });
      try {
        this.worker.postMessage({ ...message, id }, transfer);
      } catch (error) {
        clearTimeout(timer);
        this.replies.delete(id);
        reject(error);
      }
    });
  }

  /** @param {number} id */
  closeTrack(id) {
    this.infos.delete(id);
    this.spent.delete(id);
    this.worker.postMessage({ type: 'close', id });
  }

  /**
   * Starts a session: the track from `frame`, then the queued ones.
   * @param {number} track
   * @param {number} frame
   */
  async start(track, frame) {
    const info = this.infos.get(track);
    if (info && !info.seekable && (frame !== 0 || this.spent.has(track))) {
      throw this.makeError(
        'NOT_SEEKABLE',
        'RingletStream.play(): a ReadableStream plays once from its start; open it again',
      );
    }
    await this.halt();
    await this.node.reset();
    const session = ++this.session;
    this.segments = [];
    this.heard = null;
    this.end = null;
    this.lastError = null;
    this.writtenHere = 0;
    this.readBase = this.header ? Atomics.load(this.header, R) >>> 0 : 0;
    if (this.control) Atomics.store(this.control, 0, session);
    if (info && !info.seekable) this.spent.add(track);
    this.worker.postMessage({
      type: 'start',
      session,
      playlist: [track, ...this.queued],
      frame,
      loop: this.looping,
      region: this.region,
      channels: this.node.channels,
      ring: this.node.writerHandle,
      control: this.control ? this.control.buffer : null,
      credit: this.node.writer.capacityFrames,
      rates: resamples(this.node),
    });
    this.parked = frame;
    this.setState('playing');
    this.startPolling();
  }

  /**
   * Stops the session's writes for good: once this resolves the Worker has
   * confirmed, and nothing more of the session is written. The ring keeps
   * what it holds (callers reset the node). True when a session was playing.
   */
  async halt() {
    if (this.currentState !== 'playing') return false;
    const session = this.session;
    this.stopPolling();
    if (this.control) Atomics.store(this.control, 0, 0);
    this.session++; // late messages of the halted session are ignored from here
    this.chunks = [];
    this.queuedFrames = 0;
    await this.request({ type: 'halt', session }, REPLY_TIMEOUT_MS, 'RingletStream: halting the decoder', [], -session);
    while (this.writing) await new Promise((resolve) => setTimeout(resolve, 1));
    this.segments = [];
    this.end = null;
    return true;
  }

  sendUpdate() {
    if (this.currentState !== 'playing' || this.track === null) return;
    // The decoder finished the playlist and its session is over: looping (or
    // a region) now needs a new session, from the frame heard.
    if (this.end !== null && this.end.error === null && this.looping) {
      this.restartLate(this.session);
      return;
    }
    this.worker.postMessage({
      type: 'update',
      session: this.session,
      playlist: [this.track, ...this.queued],
      loop: this.looping,
      region: this.region,
    });
  }

  /**
   * The decoder could not apply looping or the region in flight (it was
   * past the region's end, on a later pass, or done with the playlist):
   * restart it from the frame heard, or from loopStart once that is past
   * loopEnd, so that the region repeats from here on.
   * @param {number} session
   */
  restartLate(session) {
    void this.command(async () => {
      if (session !== this.session || this.currentState !== 'playing' || !this.looping) return;
      const at = this.locate();
      if (at) this.moveTo(at.track);
      const info = this.info;
      if (!info || this.track === null) return;
      const frames = info.duration == null ? Infinity : Math.round(info.duration * info.sampleRate);
      const region = regionFrames(this.region, info.sampleRate, frames);
      const heard = at ? at.frame : this.parked;
      await this.start(this.track, region && heard >= region.end ? region.start : heard);
    }).catch((error) => {
      if (!this.disposed) this.dispatchEvent(new CustomEvent('error', { detail: error }));
    });
  }

  /**
   * Frames of the ring this session has played: those read from it, less
   * what the resampler has read and not yet played (its lookahead, 0 while
   * the node copies its ring straight through). On 'shared' with a
   * resampler, the node's own count of frames heard (stats().heardFrames,
   * stored once per quantum): the read index moves inside a quantum before
   * the lookahead is stored, and the two read apart made the position jump
   * ahead by the resampler's read-ahead and back (seen at a start on a
   * loaded WebKit: 117, then 21). On 'message' both come in one snapshot.
   */
  played() {
    if (this.header) {
      if (!this.resampling) return ((Atomics.load(this.header, R) >>> 0) - this.readBase) >>> 0;
      // Signed: negative until the first frame is heard.
      return Math.max(0, (this.node.stats().heardFrames - this.readBase) | 0);
    }
    const read = Math.max(0, this.writtenHere - this.node.writer.availableRead);
    if (!this.resampling) return read;
    return Math.max(0, Math.floor(read - this.node.stats().lookaheadFrames));
  }

  /**
   * The track and frame being heard, from the segments.
   * @returns {{ track: number, frame: number, played: number, seg: Segment } | null}
   */
  locate() {
    const played = this.played();
    let seg = null;
    for (const s of this.segments) {
      if (s.at <= played) seg = s;
      else break;
    }
    if (!seg) return null;
    return { track: seg.track, frame: seg.frame + (played - seg.at), played, seg };
  }

  /**
   * The frame heard, for `position`. Looping a region, the Worker ends each
   * pass at loopEnd and starts the next at loopStart; on 'shared' the next
   * pass's frames can be heard before the message that starts its segment
   * arrives (a busy page), and the frame heard is then already back in the
   * region, not past loopEnd. (Restarts use locate()'s own frame: a region
   * set once the decoder was past it plays on past loopEnd until the
   * restart.)
   * @param {{ track: number, frame: number, seg: Segment }} at
   */
  heardFrame(at) {
    const info = this.looping && at.track === this.track ? this.infos.get(at.track) : undefined;
    if (!info) return at.frame;
    const frames = info.duration == null ? Infinity : Math.round(info.duration * info.sampleRate);
    const region = regionFrames(this.region, info.sampleRate, frames);
    if (!region || at.seg.frame >= region.end || at.frame < region.end) return at.frame;
    return region.start + ((at.frame - region.end) % (region.end - region.start));
  }

  /**
   * The heard track is now `id` (a gapless advance reached it): the ones
   * before it are done.
   * @param {number} id
   */
  moveTo(id) {
    if (id === this.track) return;
    const index = this.queued.indexOf(id);
    if (index < 0) return;
    const done = [this.track, ...this.queued.slice(0, index)];
    this.queued = this.queued.slice(index + 1);
    this.track = id;
    for (const old of done) if (old !== null && old !== id) this.closeTrack(old);
    this.dispatchEvent(new CustomEvent('trackchange', { detail: this.infos.get(id) }));
  }

  startPolling() {
    this.stopPolling();
    this.poller = setInterval(() => this.poll(), POLL_MS);
  }

  stopPolling() {
    if (this.poller !== null) clearInterval(this.poller);
    this.poller = null;
  }

  /** While playing: follows track changes and notices the end. */
  poll() {
    if (this.currentState !== 'playing') return;
    this.node.stats(); // on 'message' this keeps the node's snapshot fresh
    const at = this.locate();
    // Forget segments already passed (a long loop makes one per pass).
    while (this.segments.length > 1 && this.segments[1].at <= (at?.played ?? 0)) this.segments.shift();
    if (at && at.seg !== this.heard) {
      // A new track start is being heard: a queued track, or the same one again (looping).
      const first = this.heard === null;
      this.heard = at.seg;
      if (!first) {
        if (at.track === this.track) this.dispatchEvent(new CustomEvent('trackchange', { detail: this.info }));
        else this.moveTo(at.track);
      }
    }
    const end = this.end;
    if (!end || !at || at.played < end.at || this.chunks.length > 0 || this.writing) return;
    this.stopPolling();
    const info = this.info;
    this.parked = end.error ? at.frame : Math.round((info?.duration ?? 0) * (info?.sampleRate ?? 0)) || at.frame;
    this.setState('ended');
    if (end.error) {
      const error = this.makeError(end.error.code, end.error.message);
      this.lastError = error;
      this.dispatchEvent(new CustomEvent('error', { detail: error }));
    }
    this.dispatchEvent(new Event('ended'));
  }

  /** @param {any} m */
  handle(m) {
    if (m === null || typeof m !== 'object') return;
    if (
      m.type === 'opened' ||
      m.type === 'inspected' ||
      m.type === 'failed' ||
      m.type === 'stats' ||
      m.type === 'halted'
    ) {
      const key = m.type === 'halted' ? -m.session : m.id;
      const reply = this.replies.get(key);
      if (!reply) {
        if (m.type === 'opened') this.worker.postMessage({ type: 'close', id: m.id }); // it timed out here
        return;
      }
      clearTimeout(reply.timer);
      this.replies.delete(key);
      reply.resolve(m);
      return;
    }
    if (m.session !== this.session || this.currentState !== 'playing') return;
    if (m.type === 'segment') this.segments.push({ at: m.at, track: m.track, frame: m.frame });
    else if (m.type === 'late') this.restartLate(m.session);
    else if (m.type === 'chunk') this.enqueue({ session: m.session, planes: m.planes, frames: m.frames });
    else if (m.type === 'rate') this.enqueue({ session: m.session, planes: [], frames: 0, rate: m.rate });
    else if (m.type === 'end' || m.type === 'error') {
      this.end = { at: m.at, error: m.type === 'error' ? m.error : null };
      if (!this.header) this.closeWhenWritten();
    }
  }

  /** @param {Chunk} chunk */
  enqueue(chunk) {
    this.chunks.push(chunk);
    this.queuedFrames += chunk.frames;
    if (this.queuedFrames > this.maxQueuedFrames) this.maxQueuedFrames = this.queuedFrames;
    void this.drain();
  }

  /** 'message': writes the queued chunks with the node's writer, acknowledging each. */
  async drain() {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.chunks.length > 0) {
        const chunk = this.chunks[0];
        if (chunk.rate !== undefined) {
          // A rate mark, in order with the audio: wait (in bounded steps) while the ring's mark queue is full.
          while (chunk.session === this.session && !this.disposed && !this.node.writer.closed) {
            if (this.node.writer.setSampleRate(chunk.rate)) break;
            await this.node.flush({ timeoutMs: 1000 }).catch(() => {});
          }
          if (this.chunks[0] === chunk) this.chunks.shift();
          continue;
        }
        // tryWrite for the bulk, not write(): write() posts part of a chunk,
        // waits, and posts more before it says how much it wrote, and
        // meanwhile the writer's availableRead counts those frames while
        // writtenHere would not, so that played() (the position) would dip
        // and come back. When the ring is full, one frame goes through
        // write(): it posts a poll and wakes on the worklet's reply, a message
        // event, and posts that frame whole or not at all. A loop that slept
        // on setTimeout instead starved the node in a hidden tab, where
        // WebKit runs a page's timers about 12 times a second and slower the
        // longer it stays hidden (a 1 s file took 5 s, in gaps).
        let planes = chunk.planes;
        let left = chunk.frames;
        while (left > 0 && chunk.session === this.session && !this.disposed && !this.node.writer.closed) {
          let frames = this.node.writer.tryWrite(planes);
          if (frames === 0) {
            const r = await this.node.writer.write(
              planes.map((p) => p.subarray(0, 1)),
              { timeoutMs: SPACE_WAIT_MS },
            );
            if (chunk.session !== this.session) break;
            frames = r.frames;
          }
          this.writtenHere += frames;
          left -= frames;
          if (left > 0) planes = planes.map((p) => p.subarray(p.length - left));
        }
        if (this.chunks[0] !== chunk) continue; // halted meanwhile: the queue was emptied
        this.chunks.shift();
        this.queuedFrames -= chunk.frames;
        if (chunk.session === this.session && !this.disposed) {
          this.worker.postMessage({ type: 'ack', session: chunk.session, frames: chunk.frames });
        }
      }
    } finally {
      this.writing = false;
    }
    if (this.end && this.currentState === 'playing') this.closeWhenWritten();
  }

  /** 'message': the Worker is done; close the ring once the queue is written. */
  closeWhenWritten() {
    if (this.chunks.length === 0 && !this.writing) this.node.writer.close();
  }

  /** @param {string} message */
  crash(message) {
    this.stopPolling();
    const error = this.makeError('WORKER_CRASHED', `RingletStream: the stream worker failed: ${message}`);
    this.lastError = error;
    for (const [, r] of this.replies) {
      clearTimeout(r.timer);
      r.resolve({ type: 'failed', error: { code: 'WORKER_CRASHED', message: error.message } });
    }
    this.replies.clear();
    if (this.currentState === 'playing') this.setState('ended');
    this.dispatchEvent(new CustomEvent('error', { detail: error }));
  }
}

/**
 * Whether a source node resamples (so it takes files at any rate): made
 * with varispeed, or at a rate other than its context's.
 * @param {SourceNode} node
 */
export function resamples(node) {
  return node.varispeed === true || nodeRate(node) !== node.context.sampleRate;
}

/**
 * The node's ring rate: a resampling source node states its own, else the
 * context's.
 * @param {SourceNode} node
 */
export function nodeRate(node) {
  const own = /** @type {{ sampleRate?: unknown }} */ (/** @type {unknown} */ (node)).sampleRate;
  return typeof own === 'number' && own > 0 ? own : node.context.sampleRate;
}

/**
 * open() and inspect()'s timeoutMs. Throws RangeError.
 * @param {{ timeoutMs?: number } | undefined} options
 * @param {string} who
 */
function checkOpenTimeout(options, who) {
  const timeoutMs = options?.timeoutMs ?? DEFAULT_OPEN_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || timeoutMs > 2147483647) {
    throw new RangeError(
      `${who}: options.timeoutMs must be a number of ms from 1 to 2147483647; got ${String(timeoutMs)}`,
    );
  }
  return timeoutMs;
}

/**
 * A loop point in seconds: a finite number, 0 or more.
 * @param {unknown} value
 * @param {'loopStart' | 'loopEnd'} name
 * @returns {number}
 */
function checkLoopPoint(value, name) {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`RingletStream.${name} must be a finite number of seconds; got ${describe(value)}`);
  }
  if (value < 0) throw new RangeError(`RingletStream.${name} must be 0 or more seconds; got ${value}`);
  return value;
}

/**
 * The page's end of a ReadableStream handed to the Worker over a port (see
 * portStream in stream-worker/tracks.js): one chunk per 'pull', so no more
 * than one chunk is ever on its way.
 * @param {ReadableStream<Uint8Array>} stream
 * @returns {MessagePort}
 */
function streamBridge(stream) {
  const { port1, port2 } = new MessageChannel();
  const reader = stream.getReader();
  port1.onmessage = async (event) => {
    if (event.data === 'cancel') {
      port1.close();
      await reader.cancel().catch(() => {});
      return;
    }
    try {
      const { value, done } = await reader.read();
      if (done) port1.postMessage({ done: true });
      else port1.postMessage({ chunk: value }, value.buffer instanceof ArrayBuffer ? [value.buffer] : []);
    } catch (error) {
      port1.postMessage({ error: String(error) });
    }
  };
  return port2;
}

/**
 * What the Worker is sent for a source. Throws TypeError for anything else.
 * @param {unknown} source
 * @param {string} who
 * @returns {import('../stream-worker/tracks.js').SourceSpec}
 */
function sourceSpec(source, who) {
  if (typeof Blob !== 'undefined' && source instanceof Blob) return { kind: 'blob', blob: source };
  if (typeof source === 'string' || source instanceof URL) {
    const url = new URL(String(source), globalThis.location?.href).href;
    return { kind: 'url', url };
  }
  if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) {
    return { kind: 'stream', stream: source };
  }
  if (source !== null && typeof source === 'object' && 'url' in source) {
    const s = /** @type {{ url: unknown, headers?: unknown }} */ (source);
    if (typeof s.url === 'string' || s.url instanceof URL) {
      const headers = s.headers === undefined ? undefined : /** @type {Record<string, string>} */ (s.headers);
      return { kind: 'url', url: new URL(String(s.url), globalThis.location?.href).href, headers };
    }
  }
  throw new TypeError(
    `${who}: source must be a File or Blob, a URL (string or URL), { url, headers }, or a ReadableStream of bytes; got ${describe(source)}`,
  );
}
