/**
 * Offline processing: renderOffline() on the main thread or in a Worker, and
 * the built-in 'render' and 'analyze' tasks every WorkerPool worker runs on
 * ringlet's core (ringlet.wasm, on the worker's private memory, so
 * they work on pages that are not cross-origin isolated). Never on the
 * audio thread.
 */
import type { EqBand, LimiterSettings } from './index.js';
import type { WorkerPool } from './pool.js';

/** Audio as one Float32Array per channel (1 .. 32, equal lengths). */
export interface PlanarAudio {
  /** One Float32Array per channel, all of the same length (the frame count). */
  channels: Float32Array[];
  /** Hz, 3000 .. 768000 (8000 .. 768000 for 'analyze'). */
  sampleRate: number;
}

/**
 * The settings a node takes, checked with the same rules and messages as
 * node.eq.setBand and node.limiter.set. Anything omitted keeps a fresh
 * node's default (EQ flat, limiter on at -1 dBFS, gain 1). An explicit null
 * is refused, except as an EQ band, where it keeps that band's default.
 * Unknown settings are refused (TypeError naming them).
 */
export interface RenderChain {
  /**
   * Linear gain, -1e6 .. 1e6, applied exactly from the first sample: what
   * node.gain.setValueAtTime(gain, 0) does on a node. (A plain
   * `node.gain.value = x` instead ramps from 1 over 5 ms, by design, to
   * avoid a click in live playback.)
   */
  gain?: number;
  /** The 8-band EQ, as node.eq sets it. */
  eq?: {
    /** Up to 8 bands, by index; omitted fields keep the band's default (peaking at 60·2^k Hz, Q √2, 0 dB). */
    bands?: ReadonlyArray<Partial<EqBand> | null | undefined>;
    /** True passes the signal around the EQ (node.eq.bypass); default false. */
    bypass?: boolean;
  };
  /** The limiter, as node.limiter.set takes it. */
  limiter?: Partial<LimiterSettings> & {
    /** True passes the signal around the limiter; default false. */
    bypass?: boolean;
  };
}

/** What renderOffline tells onSegment after each segment: how the render was handed from worker to worker. */
export interface RenderSegmentInfo {
  /** The segment's position, 0 for the first. */
  index: number;
  /** The input frame the segment starts at. */
  startFrame: number;
  /** Input frames in the segment (segmentFrames, or fewer for the last). */
  frames: number;
  /**
   * The output frame the segment's output starts at: startFrame at the
   * input's rate; converting (options.sampleRate), where the previous
   * segment's output ended.
   */
  outputStartFrame: number;
  /**
   * Output frames the segment made: frames at the input's rate. Converting,
   * the frames the resampler could finish with the input so far (about
   * frames * sampleRate / input rate; the first segment's fewer by the
   * filter's lookahead, the last one's more by its tail).
   */
  outputFrames: number;
  /** The name of the worker that rendered it ('ringlet-pool-<n>'). */
  worker: string;
  /** Where the worker's core keeps its node; equal for every segment (the state holds absolute addresses). */
  heapBase: number;
  /** True when it continued from the previous segment's state rather than a fresh node. */
  restored: boolean;
  /** Bytes of node state it handed to the next segment (0 for the last). */
  stateBytes: number;
}

/** How renderOffline runs: the pool, progress and segment callbacks, cancellation and segmenting. */
export interface RenderOfflineOptions {
  /**
   * The pool whose workers render. Default: getDefaultRenderPool(), one pool
   * per page, created on first use, whose idle workers exit after 30 s.
   */
  pool?: WorkerPool;
  /** Called with the fraction done, 0 .. 1, rising, ending with exactly 1 on success. */
  onProgress?: (fraction: number) => void;
  /** Called once per segment as segments complete, in segment order. */
  onSegment?: (info: RenderSegmentInfo) => void;
  /**
   * Cancels the render: every segment task still queued or running is
   * cancelled (running ones lose their worker, which the pool replaces), and
   * renderOffline rejects with an AbortError (code 'ABORTED', cause: the
   * signal's reason) once none of them is left.
   */
  signal?: AbortSignal;
  /** Frames per segment: a multiple of 128 from 128 to 2^24; default 131072. */
  segmentFrames?: number;
  /**
   * Segments handed to the pool at once, 1 .. 64; default 2: one rendering
   * and the next waiting, input in hand, in another worker for its state.
   * Each waiting segment holds a worker. With N workers and pipeline N,
   * consecutive segments rotate over all of them.
   */
  pipeline?: number;
  /**
   * Each segment task's timeout (see RunOptions.timeoutMs); default the
   * pool's. A segment's clock starts when it is on a worker and the segment
   * before it has ended (RunOptions.waitsFor), not while it waits for that
   * segment's state, so a timeout that fits one segment's work fits any
   * pipeline depth.
   */
  timeoutMs?: number;
  /** The ringlet.wasm the workers load (on a private memory); default the one beside dist/ringlet-worker.js. */
  wasmUrl?: string | URL;
  /**
   * The output's sample rate, Hz. Default: the input's, with no conversion
   * (the output is then exactly what it was before this option existed).
   * Another rate runs the chain at the input's rate, then ringlet's
   * band-limited resampler (the one a source node uses for a ring at
   * another rate): RESAMPLER_MIN_RATE .. RESAMPLER_MAX_RATE (8000 ..
   * 384000), with the input's rate in that range too.
   *
   * The output has ceil(N * sampleRate / inputRate) frames for N input
   * frames: every output frame whose instant lies within the input's
   * duration. It is aligned: output frame j is the input at
   * j * inputRate / sampleRate frames, so frame 0 is input frame 0 (the
   * filter's delay is compensated), and the end is the filter's tail over
   * the input's last frames (the input is taken as silent after its end),
   * not cut. Passband flat to 0.45 and stopband from 0.5 of the lower rate;
   * about 140 dB SNR for a tone. Segmented renders hand the resampler's
   * state on with the node's, so they stay sample-identical to one pass.
   *
   * An AudioBuffer input gives an AudioBuffer at this rate, so the engine's
   * AudioBuffer must accept it. A non-number is a TypeError, a number out
   * of range a RangeError, both before any work starts.
   */
  sampleRate?: number;
}

/**
 * Runs a node's processing chain (gain -> 8-band EQ -> limiter, the same C
 * core as RingletNode, in effect mode) over `input` in the pool's workers,
 * 128-frame quantum by quantum, and resolves with the processed audio: an
 * AudioBuffer for an AudioBuffer, `{ channels, sampleRate }` for planar
 * input. Sample-identical to an effect RingletNode given the same settings
 * before rendering (with the gain as setValueAtTime(gain, 0)), and to a
 * single 'render' task over the whole buffer.
 *
 * Long inputs are split into segments that are pipelined across workers:
 * each segment's task hands its node's state to the next one's, worker to
 * worker, so the filters and the limiter continue exactly. That bounds each
 * task's memory and keeps the pool responsive, but does not make one render
 * faster; independent renders run in parallel.
 *
 * With options.sampleRate the output is converted to that rate after the
 * chain (see RenderOfflineOptions.sampleRate): an aligned start, a defined
 * length and the filter's tail, in the same workers.
 *
 * The input is only read (each segment is copied once into a buffer that is
 * transferred, never cloned). Main thread or a Worker; the conversion runs
 * in the pool's workers, never on the audio thread.
 * @throws (rejects) TypeError or RangeError naming the bad argument or setting,
 *   before any work starts; AbortError when cancelled; a WorkerPoolError
 *   when a segment fails ('WASM_TRAP', 'TIMEOUT', ...).
 */
export declare function renderOffline(
  input: AudioBuffer,
  chain?: RenderChain,
  options?: RenderOfflineOptions,
): Promise<AudioBuffer>;
export declare function renderOffline(
  input: PlanarAudio,
  chain?: RenderChain,
  options?: RenderOfflineOptions,
): Promise<PlanarAudio>;

/** renderOffline's pool when none is given: one per page, created on first use (idle workers exit after 30 s); a terminated one is replaced. */
export declare function getDefaultRenderPool(): WorkerPool;

// ---- the built-in tasks, for WorkerPool.run ------------------------------------

/**
 * run('render', payload): one effect node over `channels`, which the task
 * processes in place and transfers back (pass `transfer` to avoid a copy on
 * the way in). Bad payloads reject with 'TASK_FAILED', remoteName
 * 'TypeError' or 'RangeError', and a message naming the field.
 */
export interface RenderTaskPayload extends PlanarAudio {
  /**
   * The output's rate (renderOffline's options.sampleRate); default
   * sampleRate, in place. Another rate converts the chain's output into new
   * planes (the input is only read), whose state goes on stateOut with the
   * node's; without stateOut the input ends with this task and the tail is
   * played. Every segment of one render must give the same outputRate.
   */
  outputRate?: number;
  /** A fresh node's settings. Not with stateIn. */
  chain?: RenderChain;
  /** Continue from the state the previous segment's task posts on its stateOut's peer. */
  stateIn?: MessagePort;
  /** Post this node's state there when done, for the next segment. */
  stateOut?: MessagePort;
  /** Another build of ringlet.wasm (tests use the RL_TEST_HOOKS build). */
  wasmUrl?: string;
  /**
   * Test builds only: forces a real trap (rl_panic) inside the node's
   * processing after this many quanta, when the wasm exports
   * rlw_test_arm_trap. Release builds do not, and ignore it.
   */
  testTrapAfterQuanta?: number;
}

/**
 * What a 'render' task resolves with: the processed channels (transferred
 * back) at the output rate (`sampleRate` here is the payload's outputRate)
 * and how it ran.
 */
export interface RenderTaskResult extends PlanarAudio {
  /** The name of the worker that ran it ('ringlet-pool-<n>'). */
  worker: string;
  /** Where the worker's core keeps its node (a stateIn must come from a core with the same). */
  heapBase: number;
  /** True when the node continued from stateIn rather than starting fresh. */
  restored: boolean;
  /** Bytes of node state posted on stateOut (0 without one). */
  stateBytes: number;
  /** Frames the node has rendered, this segment's included. */
  frames: number;
  /** The output frame `channels` start at: output frames the earlier segments made. */
  outputStart: number;
  /** Output frames made, this segment's included (frames, at the input's rate). */
  outputFrames: number;
}

/** run('analyze', payload). */
export interface AnalyzeTaskPayload extends PlanarAudio {
  /** Power of two, 32 .. 32768; default 2048. */
  fftSize?: number;
  /** Another build of ringlet.wasm; default the one beside dist/ringlet-worker.js. */
  wasmUrl?: string;
}

/** What an 'analyze' task resolves with: levels, integrated loudness and the averaged spectrum. */
export interface AnalyzeResult {
  /** Sample peak over every channel, dBFS (-Infinity for silence). */
  peakDb: number;
  /** RMS over every sample of every channel, dBFS. */
  rmsDb: number;
  /**
   * Integrated loudness, LUFS, per ITU-R BS.1770-4: K-weighting, 400 ms
   * blocks every 100 ms, absolute gate -70 LUFS, relative gate -10 LU,
   * channel weights 1 (quad and 5.1 surrounds 1.41, the LFE 0). -Infinity
   * when nothing passes the gates (silence, or under 400 ms).
   */
  lufs: number;
  /**
   * fftSize / 2 values in dB: the power spectrum averaged over every channel
   * and every frame of fftSize samples (hop fftSize / 2), each with
   * AnalyserNode's Blackman window and scale (|X[k]| / N).
   */
  spectrum: Float32Array;
  /** The FFT size the spectrum used. */
  fftSize: number;
  /** The input's sample rate, Hz. */
  sampleRate: number;
  /** Frames analysed (the length of each channel). */
  frames: number;
}
