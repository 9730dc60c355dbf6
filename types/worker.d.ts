/**
 * `ringlet/worker` (dist/ringlet-worker.js): the module every WorkerPool
 * Worker runs. A custom worker module imports defineTasks from it and
 * registers its tasks while it evaluates. Worker thread only; nothing here
 * runs on the audio thread.
 */
export { defineTasks, withTransfer } from './pool.js';
export type { TaskContext, TaskFunction } from './pool.js';

import type { AnalyzeResult } from './render.js';

/** What createAnalysis() takes. Bad values reject with a TypeError or RangeError naming the option. */
export interface AnalysisOptions {
  /** Channels each push() hands in, 1 .. 32. */
  channels: number;
  /** Hz, 8000 .. 768000. */
  sampleRate: number;
  /** The spectrum's FFT size: a power of two, 32 .. 32768; default 2048. */
  fftSize?: number;
  /** Another build of ringlet.wasm; default the page's (the one the pool's hello names). */
  wasmUrl?: string;
}

/**
 * What the built-in 'analyze' task measures (integrated loudness, sample
 * peak, RMS, the averaged spectrum), over audio handed in pieces as it is
 * decoded: a track of any length, holding only fftSize frames per channel.
 * It runs on an instance of ringlet's core of its own, on a private memory,
 * so it may live across the awaits of a task. Worker thread (any thread
 * that may compile wasm); never the audio thread.
 */
export declare class Analysis {
  private constructor();
  /** Channels each push() takes, as the options gave them. */
  readonly channels: number;
  /** Hz of the audio pushed (loudness weighting and the spectrum's bins follow it). */
  readonly sampleRate: number;
  /** The spectrum's FFT size. */
  readonly fftSize: number;
  /** Frames pushed so far. */
  readonly frames: number;
  /**
   * Measures the next frames: one Float32Array per channel, all of one
   * length (0 included). Bad input throws TypeError or RangeError and
   * measures nothing; after finish() or dispose() it throws RingletError
   * 'CLOSED'. A wasm trap is rethrown (with rl_panic's message) and
   * disposes the analysis.
   */
  push(planes: Float32Array[]): void;
  /**
   * The measurements of everything pushed, as 'analyze' gives them for the
   * same audio; audio shorter than fftSize gives one zero-padded window.
   * Ends the analysis.
   */
  finish(): AnalyzeResult;
  /** Lets the analysis go. Idempotent. */
  dispose(): void;
}

/** A new streaming analysis, on a core compiled once per wasm URL and instantiated for it. */
export declare function createAnalysis(options: AnalysisOptions): Promise<Analysis>;
