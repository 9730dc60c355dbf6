/**
 * ringlet: a C realtime core in WebAssembly for the Web Audio API.
 *
 * Thread rules, stated once: RingletNode and loadRinglet are main-thread only.
 * RingWriter and RingReader work on any thread; their try* methods are
 * wait-free and may run on realtime threads, their async methods suit the main
 * thread and Workers, and their *Sync methods block and are for Workers only.
 *
 * @module ringlet
 */

/** The package version; the wasm embeds the same string and must match. Any thread. */
export declare const VERSION: string;

/** The AudioWorkletProcessor name, which includes the version. */
export declare const PROCESSOR_NAME: string;

/** Stable codes on RingletError. */
export type RingletErrorCode =
  | 'ABORTED'
  | 'BLOCKED_BY_POLICY'
  | 'BOOTSTRAP_FAILED'
  | 'BUSY'
  | 'CLOSED'
  | 'CONTEXT_CLOSED'
  | 'CRASH_LOOP'
  | 'DECODE_FAILED'
  | 'DECODER_MISSING'
  | 'DISPOSED'
  | 'FETCH_FAILED'
  | 'INIT_FAILED'
  | 'INVALID_RING'
  | 'LOAD_FAILED'
  | 'NOT_ISOLATED'
  | 'NOT_MAIN_THREAD'
  | 'NOT_SEEKABLE'
  | 'NO_TRACK'
  | 'QUEUE_FULL'
  | 'RANGE_UNSUPPORTED'
  | 'RATE_MISMATCH'
  | 'TASK_FAILED'
  | 'TERMINATED'
  | 'TIMEOUT'
  | 'UNKNOWN_TASK'
  | 'UNSUPPORTED_FORMAT'
  | 'VERSION_MISMATCH'
  | 'WAIT_NOT_ALLOWED'
  | 'WASM_TRAP'
  | 'WORKER_CRASHED';

/** Thrown or rejected when neither TypeError nor RangeError fits. */
export declare class RingletError extends Error {
  /** Any thread. ringlet throws these; apps rarely need to make one. */
  constructor(code: RingletErrorCode, message: string, options?: { cause?: unknown });
  /** Always 'RingletError'. */
  readonly name: 'RingletError';
  /** Stable, for programs; the message is for people. */
  readonly code: RingletErrorCode;
}

/** Audio as one interleaved Float32Array, or one Float32Array per channel (planar). */
export type AudioData = Float32Array | readonly Float32Array[];

/** A structured-cloneable reference to a ring: post it to a Worker, then call fromHandle. */
export interface RingHandle {
  /** The memory the ring lives in: the node's shared wasm memory. */
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
  /** Where the ring's header starts in `buffer`. */
  readonly byteOffset: number;
}

/**
 * How a read ended: 'ready' (frames were read), 'not-ready' (nothing to read
 * and the call does not wait), 'timeout' (nothing arrived in time) or
 * 'closed' (the ring is closed and drained).
 */
export type ReadStatus = 'ready' | 'not-ready' | 'timeout' | 'closed';

/** `frames` is how many frames were read (0 unless status is 'ready'). */
export interface ReadResult {
  /** How the read ended. */
  readonly status: ReadStatus;
  /** Frames read into the destination. */
  readonly frames: number;
}

/** `frames` is how many frames went in, whatever the status. */
export interface WriteResult {
  /** 'ready': all of it went in. 'timeout': space did not come in time. 'closed': the ring was closed. */
  readonly status: 'ready' | 'timeout' | 'closed';
  /** Frames written, also when the write ended early. */
  readonly frames: number;
}

/** What both ends of a ring report. Every getter is wait-free, any thread. */
interface RingEndpoint {
  /** Interleaved channels per frame. */
  readonly channels: number;
  /** Frames the ring holds when full (a power of two). */
  readonly capacityFrames: number;
  /** Frames written and not yet read: a snapshot that may be stale at once. */
  readonly availableRead: number;
  /** Frames that fit now: a snapshot that may be stale at once. */
  readonly availableWrite: number;
  /** True once either end closed the ring. */
  readonly closed: boolean;
  /** Quanta the core read short (source nodes): each is a gap of silence. */
  readonly underruns: number;
  /** Quanta the core could not store whole (capture nodes): frames were dropped. */
  readonly overruns: number;
  /** Structured-cloneable; see RingWriter.fromHandle / RingReader.fromHandle. */
  readonly handle: RingHandle;
  /** Marks the ring closed and wakes the other end. Idempotent. */
  close(): void;
}

/** The producing end of a ring. One writer per ring at a time. */
export declare class RingWriter implements RingEndpoint {
  /** @throws TypeError, RangeError, or RingletError 'INVALID_RING' when no ring is there. */
  constructor(buffer: SharedArrayBuffer | ArrayBuffer, byteOffset: number);
  /**
   * Rebuilds this end from a handle posted from another thread: the usual
   * way a Worker gets its end. Any thread; allocates, so not on the audio thread.
   */
  static fromHandle(handle: RingHandle): RingWriter;
  /** Interleaved channels per frame. Wait-free, any thread. */
  readonly channels: number;
  /** Frames the ring holds when full (a power of two). */
  readonly capacityFrames: number;
  /** Frames written and not yet read: a snapshot. Wait-free, any thread. */
  readonly availableRead: number;
  /** Frames that fit now: a snapshot. Wait-free, any thread. */
  readonly availableWrite: number;
  /** True once either end closed the ring. Wait-free, any thread. */
  readonly closed: boolean;
  /** Quanta the core read short (source nodes): each is a gap of silence. */
  readonly underruns: number;
  /** Quanta the core could not store whole (capture nodes): frames were dropped. */
  readonly overruns: number;
  /** Structured-cloneable: post it to a Worker, which calls fromHandle. */
  readonly handle: RingHandle;
  /** Marks the ring closed and wakes a waiting other end. Idempotent, wait-free, any thread. */
  close(): void;
  /**
   * Writes as many frames as fit and returns that count. Never waits, never
   * allocates: safe on realtime threads.
   * @throws TypeError / RangeError for data of the wrong shape; RingletError 'CLOSED'.
   */
  tryWrite(data: AudioData): number;
  /**
   * Writes all of `data`, waiting for space up to `timeoutMs` (default 1000)
   * in all. Main thread or Worker; never blocks the thread.
   */
  write(data: AudioData, options?: { timeoutMs?: number }): Promise<WriteResult>;
  /** Like write(), blocking in Atomics.wait. Workers only: elsewhere RingletError 'WAIT_NOT_ALLOWED'. */
  writeSync(data: AudioData, options: { timeoutMs: number }): WriteResult;
  /**
   * The frames written from now on run at `sampleRate` Hz (8000 to 384000):
   * a source node that resamples (one made with varispeed: true, or with a
   * sampleRate other than its context's) changes its conversion exactly at
   * the next frame written, so files at different rates follow each other
   * on one node with no gap. Call it on the writing thread, between writes.
   * False, changing nothing, while 4 marks are still ahead of what the node
   * has read (on 'message', as of the last snapshot): try again later. Any
   * thread; wait-free, no allocation.
   * @throws TypeError for a node that does not resample, TypeError / RangeError for a bad rate; RingletError 'CLOSED'.
   */
  setSampleRate(sampleRate: number): boolean;
}

/** The consuming end of a ring. One reader per ring at a time. */
export declare class RingReader implements RingEndpoint {
  /** @throws TypeError, RangeError, or RingletError 'INVALID_RING' when no ring is there. */
  constructor(buffer: SharedArrayBuffer | ArrayBuffer, byteOffset: number);
  /**
   * Rebuilds this end from a handle posted from another thread: the usual
   * way a Worker gets its end. Any thread; allocates, so not on the audio thread.
   */
  static fromHandle(handle: RingHandle): RingReader;
  /** Interleaved channels per frame. Wait-free, any thread. */
  readonly channels: number;
  /** Frames the ring holds when full (a power of two). */
  readonly capacityFrames: number;
  /** Frames written and not yet read: a snapshot. Wait-free, any thread. */
  readonly availableRead: number;
  /** Frames that fit now: a snapshot. Wait-free, any thread. */
  readonly availableWrite: number;
  /** True once either end closed the ring. Wait-free, any thread. */
  readonly closed: boolean;
  /** Quanta the core read short (source nodes): each is a gap of silence. */
  readonly underruns: number;
  /** Quanta the core could not store whole (capture nodes): frames were dropped. */
  readonly overruns: number;
  /** Structured-cloneable: post it to a Worker, which calls fromHandle. */
  readonly handle: RingHandle;
  /** Marks the ring closed and wakes a waiting other end. Idempotent, wait-free, any thread. */
  close(): void;
  /** Reads what is available, up to dst's size. Never waits. Any thread. */
  tryRead(dst: AudioData): ReadResult;
  /** Waits up to timeoutMs (default 1000) for at least one frame, then reads. Never blocks the thread. */
  read(dst: AudioData, options?: { timeoutMs?: number }): Promise<ReadResult>;
  /** Like read(), blocking in Atomics.wait. Workers only. */
  readSync(dst: AudioData, options: { timeoutMs: number }): ReadResult;
}

/**
 * How audio reaches the worklet. 'shared': a SharedArrayBuffer ring (needs a
 * cross-origin isolated page). 'message': the node's MessagePort, for pages
 * that cannot be isolated. 'auto' (default) picks 'shared' when it can.
 */
export type Transport = 'auto' | 'shared' | 'message';

/** Where ringlet's assets are, and the transport to load for. Defaults suit any bundler. */
export interface LoadOptions {
  /** Default 'auto'. */
  transport?: Transport;
  /**
   * Where ringlet.wasm is; defaults to setAssetUrls()'s, else the file beside
   * the bundled entry. Both transports load it: 'message' on a private memory.
   */
  wasmUrl?: string | URL;
  /** Where the worklet module is; defaults to setAssetUrls()'s, else the file beside the bundled entry. */
  workletUrl?: string | URL;
  /**
   * How long loading may take: the worklet module and the wasm's fetch and
   * compile, which run in parallel; default 10000 ms. A load that takes
   * longer rejects with RingletError 'TIMEOUT' naming the URL of what was
   * late (a stalled wasm fetch is aborted), and a later call retries.
   */
  loadTimeoutMs?: number;
}

/** What loadRinglet resolves with: the compiled core, shared by every node on the page. */
export interface RingletWasm {
  /** The compiled core, passed to each node's processor. */
  readonly module: WebAssembly.Module;
  /** True when the core imports a shared memory ('shared' transport), false for a private one ('message'). */
  readonly shared: boolean;
  /** Bytes of wasm memory the core's own data and stack take, below every node's heap. */
  readonly heapBase: number;
}

/**
 * Loads the worklet module into `context` (once per context, even when called
 * concurrently; a failure is forgotten so a retry works) and compiles the wasm
 * (once per page), waiting at most `loadTimeoutMs` (default 10000) for both,
 * then rejecting with RingletError 'TIMEOUT' naming the URL of what was late.
 * Main thread.
 */
export declare function loadRinglet(context: RingletContext, options?: LoadOptions): Promise<RingletWasm>;

/** Page-wide asset locations for setAssetUrls(). */
export interface AssetUrls {
  /** Where ringlet.wasm is; `null` restores the default (beside the bundled entry). Clears wasmBytes. */
  wasmUrl?: string | URL | null;
  /**
   * ringlet.wasm itself, compiled from these bytes instead of fetched (so
   * the page's connect-src need not allow it); `null` restores the default.
   * Clears wasmUrl. A WorkerPool's workers still load the wasm beside their
   * own module. The `ringlet/inline` entry sets it to its embedded copy.
   */
  wasmBytes?: BufferSource | null;
  /** Where the worklet module (dist/ringlet-worklet.js) is; `null` restores the default. */
  workletUrl?: string | URL | null;
}

/**
 * Sets where loadRinglet, RingletNode.create and getAudioContext find
 * ringlet.wasm and the worklet module when a call does not say, for the
 * whole page: for sites that serve the files from their own place (a CDN, a
 * Rollup build without an asset plugin). Per-call options still win. An
 * absent key keeps its value; `null` restores the default. Takes effect for
 * loads that start afterwards. The `ringlet/inline` entry calls it at import
 * with its embedded wasm's bytes and a Blob URL of its embedded worklet.
 * Main thread (or a Worker that only uses rings); not for the audio thread.
 * @throws {TypeError} when `urls` is not an object, a URL value is not a non-empty string, a URL or null, wasmBytes is not a BufferSource or null, or both wasmUrl and wasmBytes are given; nothing changes then
 */
export declare function setAssetUrls(urls: AssetUrls): void;

/** source: ring -> output. effect: input -> output. capture: input -> ring and output. */
export type NodeMode = 'source' | 'effect' | 'capture';

/** The producing end a source node exposes: a RingWriter, or its port-based twin on the 'message' transport. */
export interface RingWriterEndpoint extends Omit<RingEndpoint, 'handle'> {
  /** null on the 'message' transport. */
  readonly handle: RingHandle | null;
  /**
   * Writes what fits and returns that count; never waits. On 'message', what
   * the last snapshot proves will fit; a write made after reset() is called
   * goes into the new ring, even before reset() resolves.
   */
  tryWrite(data: AudioData): number;
  /** Writes all of `data`, waiting for space up to timeoutMs (default 1000). Main thread or Worker; never blocks. */
  write(data: AudioData, options?: { timeoutMs?: number }): Promise<WriteResult>;
  /** Throws RingletError 'WAIT_NOT_ALLOWED' on the 'message' transport. */
  writeSync(data: AudioData, options: { timeoutMs: number }): WriteResult;
  /** See RingWriter.setSampleRate; on 'message' the mark travels in order with the writes. */
  setSampleRate(sampleRate: number): boolean;
}

/** The consuming end a capture node exposes: a RingReader, or its port-based twin on the 'message' transport. */
export interface RingReaderEndpoint extends Omit<RingEndpoint, 'handle'> {
  /** null on the 'message' transport. */
  readonly handle: RingHandle | null;
  /**
   * Reads what is available, up to dst's size; never waits. After close(),
   * what the ring still holds is read first, then the status is 'closed'
   * (on both transports).
   */
  tryRead(dst: AudioData): ReadResult;
  /** Waits up to timeoutMs (default 1000) for at least one frame, then reads. Main thread or Worker; never blocks. */
  read(dst: AudioData, options?: { timeoutMs?: number }): Promise<ReadResult>;
  /** Throws RingletError 'WAIT_NOT_ALLOWED' on the 'message' transport. */
  readSync(dst: AudioData, options: { timeoutMs: number }): ReadResult;
}

/** What RingletNode.create() takes. Bad values reject with a TypeError or RangeError naming the option. */
/**
 * A Tone.js Context or OfflineContext (Tone.getContext(), the context
 * Tone.Offline passes), by the members ringlet uses: the context it wraps,
 * and how it builds an AudioWorkletNode.
 */
export interface ToneContextLike {
  /** The context Tone wraps: a standardized-audio-context one, or a native one. */
  readonly rawContext: object;
  /** Builds an AudioWorkletNode of rawContext's kind; ringlet builds its node with it. */
  createAudioWorkletNode(name: string, options?: Partial<AudioWorkletNodeOptions>): object;
}

/**
 * A standardized-audio-context AudioContext or OfflineAudioContext, by the
 * members ringlet uses. Its nodes connect only to its own nodes, so a
 * RingletNode in it is built with that library's AudioWorkletNode
 * (RingletNodeOptions.AudioWorkletNode).
 */
export interface WrappedContextLike {
  /** The library's AudioWorklet: ringlet loads its worklet module with it. */
  readonly audioWorklet?: {
    /** As AudioWorklet.addModule. */
    addModule(moduleURL: string, options?: WorkletOptions): Promise<void>;
  };
  /** As BaseAudioContext.sampleRate. */
  readonly sampleRate: number;
  /** As BaseAudioContext.state. */
  readonly state: string;
}

/** A library's AudioWorkletNode class, as standardized-audio-context exports it. */
export interface AudioWorkletNodeClass {
  /** Builds a node in one of the library's contexts. */
  new (context: never, name: string, options?: never): object;
}

/** What RingletNode.create and loadRinglet accept. */
export type RingletContext = BaseAudioContext | ToneContextLike | WrappedContextLike;

export interface RingletNodeOptions<M extends NodeMode = NodeMode> extends LoadOptions {
  /**
   * For a standardized-audio-context context: that library's AudioWorkletNode
   * class (`import { AudioWorkletNode } from 'standardized-audio-context'`),
   * so that the node connects to the library's nodes. Not needed for a
   * native context (ignored) nor for a Tone.js context (Tone builds its own).
   */
  AudioWorkletNode?: AudioWorkletNodeClass;
  /** Default 'source'. */
  mode?: M;
  /** 1 .. 32, default 2. */
  channels?: number;
  /**
   * Ring size in frames: a power of two, 256 .. 2^24, default 8192; capacity x channels x 4 <= 64 MiB.
   * An effect node has no ring: the value is checked, and takes no memory.
   */
  capacityFrames?: number;
  /**
   * Source nodes only: the rate, in Hz, of the frames the producer writes
   * into the ring, 8000 .. 384000 (RL_RESAMPLER_MIN_RATE ..
   * RL_RESAMPLER_MAX_RATE); default the context's. A rate other than the
   * context's puts the core's band-limited resampler between the ring and
   * the chain, on the audio thread: the ring then drains at this rate (times
   * playbackRate), and the node plays at the context's. That needs the
   * context's own rate in the same range. The resampler adds about 275 KiB
   * to a stereo node's memory and `stats().latencyFrames` of delay (about
   * 105 frames at 44.1 -> 48 kHz). Refused (TypeError) for other modes;
   * a value outside the range is a RangeError.
   */
  sampleRate?: M extends 'source' ? number : never;
  /**
   * Source nodes only: whether `node.playbackRate` is live. Default true
   * when `sampleRate` differs from the context's (the resampler is there
   * already; playbackRate costs 4 KiB more), false otherwise: a node at the
   * context's rate needs the resampler for it (about 275 KiB more memory,
   * stereo), though it copies its ring straight through, bit for bit and
   * with no latency, until the first playbackRate other than 1.
   */
  varispeed?: M extends 'source' ? boolean : never;
  /**
   * How long create() waits for the processor to start, once loading is done
   * (loading has its own loadTimeoutMs); default 5000. If create() fails after
   * the node was built (this timeout, a core that fails to start), the
   * processor is told to stop before create() rejects.
   */
  readyTimeoutMs?: number;
}

/** Web Audio's BiquadFilterType; coefficients and Q/gain conventions follow BiquadFilterNode. */
export type BiquadType =
  'lowpass' | 'highpass' | 'bandpass' | 'lowshelf' | 'highshelf' | 'peaking' | 'notch' | 'allpass';

/** One EQ band's settings. */
export interface EqBand {
  /** The filter shape. */
  readonly type: BiquadType;
  /** Hz, 0 < frequency < sampleRate / 2. */
  readonly frequency: number;
  /** 0 < q; as BiquadFilterNode.Q (a resonance in dB for lowpass and highpass, at most 40). */
  readonly q: number;
  /** -40 .. +40 dB (peaking and shelves). */
  readonly gainDb: number;
}

/** The 8-band EQ: bands default to peaking at 60·2^k Hz (60 .. 7680 Hz), Q √2, 0 dB. Main thread. */
export interface Eq {
  /** 8. */
  readonly bandCount: number;
  /** Omitted fields keep their values. Applied at the next quantum, without zipper noise. */
  setBand(index: number, band: Partial<EqBand>): void;
  /** The band's settings as last set (not yet necessarily applied). */
  getBand(index: number): EqBand;
  /** True passes the signal around all 8 bands; applied at the next quantum. */
  bypass: boolean;
}

/** The limiter's settings. */
export interface LimiterSettings {
  /** -60 .. 0 dBFS, default -1. The output never exceeds it. */
  readonly ceilingDb: number;
  /** 0 .. 100 ms, default 1. */
  readonly attackMs: number;
  /** 1 .. 5000 ms, default 100. */
  readonly releaseMs: number;
}

/** The safety limiter (no lookahead, no latency). Main thread. */
export interface Limiter {
  /** Omitted fields keep their values. Applied at the next quantum. Throws RangeError for out-of-range values, changing nothing. */
  set(settings: Partial<LimiterSettings>): void;
  /** The settings as last set. */
  get(): LimiterSettings;
  /** True disables limiting (the ceiling is no longer guaranteed). */
  bypass: boolean;
}

/**
 * Band-limited waveforms, white and pink noise, a logarithmic sine sweep,
 * an impulse train and an octave multitone.
 * - 'impulse': one sample of the amplitude per period, zero elsewhere; the
 *   k-th impulse after start() is on frame ceil(k · sampleRate / frequency) − 1.
 * - 'multitone': equal-amplitude cosines at frequency · 2^k, every octave
 *   below sampleRate / 2 up to 10 of them (frequency .. 512 · frequency), each
 *   at amplitude / N; the sum peaks at exactly the amplitude once a period,
 *   and its RMS is amplitude / √(2N).
 */
export type GeneratorType =
  'sine' | 'square' | 'sawtooth' | 'triangle' | 'white-noise' | 'pink-noise' | 'sweep' | 'impulse' | 'multitone';

/** The generator's settings. */
export interface GeneratorSettings {
  /** The signal. */
  readonly type: GeneratorType;
  /** Hz, 0 < frequency < sampleRate / 2 (the sweep's start). */
  readonly frequency: number;
  /** 0 .. 1. */
  readonly amplitude: number;
  /** The sweep's end frequency. */
  readonly endFrequency: number;
  /** The sweep's length; it holds the end frequency afterwards. */
  readonly durationSeconds: number;
}

/** The test-signal generator; while started it is the node's input. Main thread. */
export interface Generator {
  /** Omitted fields keep their values. Applied at the next quantum. Bad values throw, changing nothing. */
  set(settings: Partial<GeneratorSettings>): void;
  /** The settings as last set. */
  get(): GeneratorSettings;
  /** True between start() and stop(). */
  readonly started: boolean;
  /** Replaces the node's input (or its ring) with the generator from the next quantum. */
  start(): void;
  /** Gives the node its input back from the next quantum. */
  stop(): void;
}

/** Per-channel levels, linear: peak (held, then falling 20 dB/s), RMS (300 ms), clip count. */
export interface Meters {
  /** Per channel: the held peak, linear (1 = 0 dBFS). */
  peak: number[];
  /** Per channel: RMS over about 300 ms, linear. */
  rms: number[];
  /** Per channel: output samples at or above full scale (or not finite) since the node started or was reset. */
  clips: number[];
}

/** AnalyserNode's API over the node's output (mono down-mix). Main thread. */
export interface Analyser {
  /** A power of two, 32 .. 32768, default 2048, as AnalyserNode. */
  fftSize: number;
  /** fftSize / 2. */
  readonly frequencyBinCount: number;
  /** 0 .. 1, default 0.8, as AnalyserNode. */
  smoothingTimeConstant: number;
  /** Default -100 dB; the byte data's floor. */
  minDecibels: number;
  /** Default -30 dB; the byte data's ceiling. */
  maxDecibels: number;
  /**
   * Magnitudes in dB of the latest fftSize samples. Runs the FFT on the
   * calling thread, in an instance of the core behind a panic boundary.
   * @throws RingletError 'WASM_TRAP' if the core traps: the trap is recorded
   * in the panic history (source 'main'), and the next call runs on a fresh
   * instance.
   */
  getFloatFrequencyData(array: Float32Array): void;
  /** As getFloatFrequencyData, scaled from minDecibels .. maxDecibels to 0 .. 255. Throws as getFloatFrequencyData. */
  getByteFrequencyData(array: Uint8Array): void;
  /** The latest fftSize samples of the output (mono down-mix). */
  getFloatTimeDomainData(array: Float32Array): void;
}

/** The node's counters: read from shared memory, or on the 'message' transport the last snapshot. */
export interface NodeStats {
  /** Frames the processor has run since the node started (or was reset). */
  framesProcessed: number;
  /** process() calls since the node started (or was reset). */
  quanta: number;
  /** Frames of silence a source node emitted because the ring ran dry. */
  silentFrames: number;
  /** Quanta a source node read short from its ring. */
  underruns: number;
  /** Quanta a capture node could not store whole in its ring. */
  overruns: number;
  /** Frames in the ring (an effect node has no ring: 0, as are the ring's other counts). */
  availableRead: number;
  /** Free frames in the ring. */
  availableWrite: number;
  /** The ring's size in frames; 0 for an effect node. */
  capacityFrames: number;
  /** The ring's channels. */
  channels: number;
  /** True once the ring was closed. */
  closed: boolean;
  /**
   * A resampling source node: output frames (at the context's rate) between
   * a frame leaving the ring and being heard, at the current playback rate.
   * 0 while nothing is resampled (no resampler, or a varispeed node at rate
   * 1 that still copies its ring straight through).
   */
  latencyFrames: number;
  /**
   * A resampling source node: ring frames the resampler has read and not
   * yet played, so the frame being heard is the ring's read count minus
   * this. 0 while nothing is resampled.
   */
  lookaheadFrames: number;
  /**
   * A source node: ring frames heard since the node started or was last
   * reset, that is its ring's read count less `lookaheadFrames`, rounded
   * down, as of the last quantum (it wraps at 2^32, as the ring's indices
   * do, and reads as a wrapped negative count until the first frame is
   * heard). The node stores it whole once per quantum: use it rather than
   * subtracting `lookaheadFrames` from a read index read apart, which can
   * disagree by a quantum's read-ahead while a quantum runs. 0 for effect
   * and capture nodes.
   */
  heardFrames: number;
}

/**
 * What a node holds on the main thread, counted by the node itself (as
 * WorkerPool.stats() counts the pool's). After dispose() every count is 0;
 * once a reset() or a ring's close() has settled, only the node's port
 * handler is left (listeners 1).
 */
export interface NodeDebugStats {
  /** Timers armed: reply waits, round-trip timeouts, the reset timeout, the settings queue's retry. */
  timers: number;
  /** Waits pending on the processor: write()/read() waits, flush() round trips, a reset(). */
  waiters: number;
  /** Listeners the node installed: its port handler (1 until dispose(), then 0). */
  listeners: number;
  /** Settings waiting for space in the core's queue (here on 'shared', in the worklet on 'message'). */
  paramBacklog: number;
}

/** Options for the page's shared context: AudioContextOptions plus where ringlet's assets are. */
export interface SharedContextOptions extends AudioContextOptions, LoadOptions {}

/**
 * The page's one shared AudioContext, with ringlet loaded into it (bounded by
 * loadTimeoutMs: a stalled load rejects with RingletError 'TIMEOUT' naming
 * the URL, and the context is closed). Concurrent callers share one promise;
 * a failure clears it so a later call retries; a closed context is replaced.
 * Main thread only: elsewhere it rejects with RingletError 'NOT_MAIN_THREAD'.
 */
export declare function getAudioContext(options?: SharedContextOptions): Promise<AudioContext>;

/** Options for unlockAudio(). */
export interface UnlockOptions {
  /** Where to listen for pointerdown, keydown and touchend; default document. */
  target?: EventTarget;
  /** Give up after this long; default 30000. */
  timeoutMs?: number;
}

/** 'running' once resumed, 'closed' if the context closed, 'timeout' otherwise. */
export type UnlockResult = 'running' | 'closed' | 'timeout';

/**
 * Resumes the context on the first user gesture. Handles 'suspended' and
 * Safari's 'interrupted'. Removes every listener it added on every outcome,
 * and never awaits a resume() that could stay pending forever. Main thread.
 */
export declare function unlockAudio(context: BaseAudioContext, options?: UnlockOptions): Promise<UnlockResult>;

/** True on a Window main thread with Web Audio (capability test, not `typeof window`). Any thread; never throws. */
export declare function isMainThread(): boolean;

/** Where a panic happened. */
export type PanicSource = 'worklet' | 'worker' | 'main';

/** One entry of the panic history. Text fields are capped at 4096 characters. */
export interface PanicRecord extends PanicReport {
  /** The thread it happened on. */
  readonly source: PanicSource;
  /** Date.now() when the main thread recorded it. */
  readonly at: number;
}

/** What getPanicStats() returns: a copy, safe to keep. */
export interface PanicStats {
  /** Panics recorded on this page. */
  total: number;
  /** Panicked nodes brought back by reset(). */
  recovered: number;
  /** `total`, split by where the panic happened. */
  bySource: {
    /** In a node's processor, on the audio thread. */
    worklet: number;
    /** In a WorkerPool task (a wasm trap). */
    worker: number;
    /** On the main thread. */
    main: number;
  };
  /** The last 100 records, oldest first. */
  history: PanicRecord[];
}

/** Counters and the bounded history of every panic on this page. Main thread. */
export declare function getPanicStats(): PanicStats;

/**
 * Calls listener for each panic from now on, on the main thread where the
 * record arrives; returns the unsubscribe function. Main thread.
 */
export declare function onPanic(listener: (record: PanicRecord) => void): () => void;

/** Empties the history; the counters keep counting. Main thread. */
export declare function clearPanicHistory(): void;

/** What the worklet reports, once, when the core fails. */
export interface PanicReport {
  /** Stable, for programs. From a node's processor: 'WASM_TRAP', 'EXCEPTION', 'INIT_FAILED', or 'CORE_PANIC' (the C core reported it). */
  code: string;
  /** For people. */
  message: string;
  /** The stack where there was one, else ''. */
  stack: string;
  /** The context's currentTime at the failure. */
  time: number;
  /** The context's currentFrame at the failure. */
  frame: number;
}

/** The events a RingletNode fires, on the main thread. */
export interface RingletNodeEventMap extends AudioWorkletNodeEventMap {
  /** Fired once when the node's core fails and the node goes silent; `detail` says why. */
  panic: CustomEvent<PanicReport>;
}

/**
 * An AudioWorkletNode running ringlet's core: connect it like any AudioNode.
 * Main thread only.
 */
export declare class RingletNode<M extends NodeMode = NodeMode> extends AudioWorkletNode {
  private constructor();
  /** Resolves once the processor has started the core on the node's memory. */
  static create<M extends NodeMode = 'source'>(
    context: RingletContext,
    options?: RingletNodeOptions<M>,
  ): Promise<RingletNode<M>>;
  /** 'source', 'effect' or 'capture', as created. */
  readonly mode: M;
  /** Channels of the ring and of the node's output. */
  readonly channels: number;
  /**
   * The rate of the frames in the ring, Hz: a source node's `sampleRate`
   * option, else the context's. The core converts it to the context's rate.
   */
  readonly sampleRate: number;
  /** True when `playbackRate` is live: a source node created with varispeed (or resampling by default). */
  readonly varispeed: boolean;
  /**
   * The playback rate, an a-rate AudioParam, 0.25 .. 4, default 1, with
   * AudioBufferSourceNode.playbackRate's meaning (2 plays twice as fast, an
   * octave up; the ring drains twice as fast). Automate it like any
   * AudioParam, from the main thread: the processor copies its values into
   * the core's preallocated memory each quantum (nothing allocated, nothing
   * posted), a constant value is reached by a 5 ms ramp and an automation is
   * followed frame by frame, so changes never click. null unless
   * `varispeed`; on a node in a standardized-audio-context graph without
   * varispeed the member is absent (undefined), because that library takes
   * any node with a playbackRate member for an AudioBufferSourceNode.
   */
  readonly playbackRate: M extends 'source' ? AudioParam | null | undefined : null | undefined;
  /**
   * The resampler forgets the frames it has read from the ring and not yet
   * played, and starts again from the ring's next frame: call it after a
   * seek or between two streams, so no filter tail of the old audio reaches
   * the new. Applies at the start of the next quantum, like a setting (on
   * 'message', once it has crossed the port: `await node.flush()` before
   * an offline render). Keeps the ring, the counters and the playback rate;
   * reset() restarts everything. Ignored once disposed. Main thread; no wait.
   * @throws TypeError when the node has no resampler (a source node at the
   * context's rate without varispeed, or another mode).
   */
  resetResampler(): void;
  /** 'running' until the core fails ('panicked', silent until reset()) or dispose() ('disposed'). */
  readonly state: 'running' | 'panicked' | 'disposed';
  /** How audio reaches the worklet, as resolved at create(). */
  readonly transport: 'shared' | 'message';
  /** A source node's producing end, for the main thread; null in other modes. */
  readonly writer: M extends 'source' ? RingWriterEndpoint : null;
  /** null on the 'message' transport. */
  readonly writerHandle: M extends 'source' ? RingHandle | null : null;
  /** A capture node's consuming end, for the main thread; null in other modes. */
  readonly reader: M extends 'capture' ? RingReaderEndpoint : null;
  /** null on the 'message' transport. */
  readonly readerHandle: M extends 'capture' ? RingHandle | null : null;
  /** Why the node went silent, while state is 'panicked'; otherwise null. */
  readonly lastPanic: PanicReport | null;
  /** The chain's gain, an a-rate AudioParam (default 1): automate it like any AudioParam. */
  readonly gain: AudioParam;
  /** The chain's 8-band EQ. Main thread. */
  readonly eq: Eq;
  /** The chain's safety limiter. Main thread. */
  readonly limiter: Limiter;
  /** The test-signal generator; while started it replaces the node's input. Main thread. */
  readonly generator: Generator;
  /** AnalyserNode's API over the node's output. Main thread. */
  readonly analyser: Analyser;
  /** Levels from shared memory (on 'message', the last snapshot). */
  meters(): Meters;
  /** Counters from shared memory, without a message round trip. */
  stats(): NodeStats;
  /**
   * What the node holds on the main thread (timers, pending waits, port
   * handlers, queued settings), counted by the node. Cheap; no message.
   */
  debugStats(): NodeDebugStats;
  /**
   * Resolves once every setting and write made so far has reached the
   * processor: at once on 'shared', after one port round trip on 'message'
   * (use it before OfflineAudioContext.startRendering()).
   * @throws (rejects) RingletError 'TIMEOUT' when the processor does not
   * answer within timeoutMs (default 5000; a closed context never answers),
   * and 'DISPOSED' once the node is disposed, also when dispose() comes while
   * it waits.
   */
  flush(options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Makes a fresh wasm instance on the node's memory, reinitialises it (ring
   * empty, counters zero) and resolves once audio runs again. Recovers a
   * panicked node. writer and reader stay valid: on 'message' the new ring
   * starts when reset() is called, so what is written from then on plays
   * after the reset. Only the processor's answer to this reset settles it (a
   * panic reported just before does not).
   * @throws (rejects) RingletError 'INIT_FAILED' when the core fails to
   * restart, 'TIMEOUT' after timeoutMs (default 5000), 'DISPOSED' when the
   * node is or gets disposed first.
   * Rejects with CONTEXT_CLOSED once the node's context is closed.
   */
  reset(options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Closes the ring, stops the processor and disconnects. Every pending wait
   * ends (flush() and reset() reject with 'DISPOSED', writes and reads return
   * 'closed'), and no timer, listener or port handler is left
   * (debugStats() is all zeros). Idempotent.
   */
  dispose(): void;
  /** Listens for 'panic' (a CustomEvent<PanicReport>) and AudioWorkletNode's own events. Main thread. */
  addEventListener<K extends keyof RingletNodeEventMap>(
    type: K,
    listener: (this: RingletNode<M>, ev: RingletNodeEventMap[K]) => unknown,
    options?: boolean | AddEventListenerOptions,
  ): void;
  /** Any other event type, as EventTarget. */
  addEventListener(
    type: string,
    listener: EventListenerOrEventListenerObject,
    options?: boolean | AddEventListenerOptions,
  ): void;
}

export * from './isolation.js';

export {
  WorkerPool,
  BufferPool,
  WorkerPoolError,
  TimeoutError,
  AbortError,
  QueueFullError,
  TerminatedError,
} from './pool.js';
export type {
  WorkerPoolOptions,
  WorkerPoolState,
  WorkerPoolStats,
  WorkerPoolFailure,
  RunOptions,
  BufferPoolOptions,
  BufferPoolStats,
  TaskContext,
  TaskFunction,
} from './pool.js';
export * from './render.js';
