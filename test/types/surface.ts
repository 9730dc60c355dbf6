// Pins ringlet's public types. Every `expectType` must hold, and every line
// after `@ts-expect-error` must be an error (tsc reports an unused directive).
import * as ringlet from 'ringlet';
import * as inline from 'ringlet/inline';
import * as worker from 'ringlet/worker';
import * as wasmDecoders from 'ringlet/wasm-decoders';
import {
  RingletNode,
  RingReader,
  RingWriter,
  WorkerPool,
  ensureCrossOriginIsolation,
  loadRinglet,
  setAssetUrls,
  type IsolationFailedReason,
  type IsolationResult,
  type NodeStats,
  type ReadResult,
  type ReadStatus,
  type RingletErrorCode,
  type RingReaderEndpoint,
  type RingWriterEndpoint,
  type NodeMode,
  type WriteResult,
} from 'ringlet';
import { ctx, expectType, type Equal } from './assert.js';

// ---- entries --------------------------------------------------------------------
// ringlet/inline has exactly the main entry's API.
expectType<Equal<typeof inline, typeof ringlet>>(true);
// ringlet/worker exports the worker side only; the pool itself lives in the main entry.
expectType<Equal<keyof typeof worker, 'Analysis' | 'createAnalysis' | 'defineTasks' | 'withTransfer'>>(true);
// ringlet/wasm-decoders: one function, which takes the mediabunny module and no other value.
expectType<Equal<keyof typeof wasmDecoders, 'registerWasmDecoders'>>(true);
expectType<Equal<Awaited<ReturnType<typeof wasmDecoders.registerWasmDecoders>>, Array<'flac' | 'mp3'>>>(true);
// @ts-expect-error not a mediabunny module
void wasmDecoders.registerWasmDecoders({});
// @ts-expect-error WorkerPool is not exported by ringlet/worker
void worker.WorkerPool;

// ---- RingletNode.create ------------------------------------------------------------
export async function nodes(): Promise<void> {
  const source = await RingletNode.create(ctx, { mode: 'source' });
  expectType<Equal<typeof source, RingletNode<'source'>>>(true);
  expectType<Equal<typeof source.writer, RingWriterEndpoint>>(true);
  expectType<Equal<typeof source.reader, null>>(true);
  expectType<Equal<typeof source.readerHandle, null>>(true);
  expectType<Equal<typeof source.writerHandle, ringlet.RingHandle | null>>(true);

  // No options, or options without a mode: a source node, as at run time.
  expectType<Equal<typeof source, Awaited<ReturnType<typeof RingletNode.create<'source'>>>>>(true);
  const plain = await RingletNode.create(ctx, { channels: 1 });
  expectType<Equal<typeof plain.writer, RingWriterEndpoint>>(true);

  const capture = await RingletNode.create(ctx, { mode: 'capture' });
  expectType<Equal<typeof capture.reader, RingReaderEndpoint>>(true);
  expectType<Equal<typeof capture.writer, null>>(true);

  const effect = await RingletNode.create(ctx, { mode: 'effect', transport: 'message' });
  expectType<Equal<typeof effect.writer, null>>(true);
  expectType<Equal<typeof effect.reader, null>>(true);

  // A mode known only at run time gives the union.
  const mode = Math.random() > 0.5 ? 'source' : 'capture';
  const either = await RingletNode.create(ctx, { mode: mode as NodeMode });
  expectType<Equal<typeof either.writer, RingWriterEndpoint | null>>(true);

  // It is an AudioWorkletNode, so it connects like one.
  const asNode: AudioWorkletNode = source;
  asNode.connect(ctx.destination);
  expectType<Equal<typeof source.state, 'running' | 'panicked' | 'disposed'>>(true);
  expectType<Equal<typeof source.transport, 'shared' | 'message'>>(true);
  expectType<Equal<ReturnType<typeof source.stats>, NodeStats>>(true);
  expectType<Equal<ReturnType<typeof source.meters>['peak'], number[]>>(true);
  // A source node at another rate, with varispeed.
  const resampled = await RingletNode.create(ctx, { mode: 'source', sampleRate: 44100, varispeed: true });
  expectType<Equal<typeof resampled.playbackRate, AudioParam | null | undefined>>(true);
  expectType<Equal<typeof effect.playbackRate, null | undefined>>(true);
  expectType<Equal<typeof resampled.sampleRate, number>>(true);
  expectType<Equal<ReturnType<typeof resampled.stats>['latencyFrames'], number>>(true);
  expectType<Equal<ReturnType<typeof resampled.stats>['heardFrames'], number>>(true);
  resampled.resetResampler();
  // @ts-expect-error sampleRate is a source node's option
  await RingletNode.create(ctx, { mode: 'effect', sampleRate: 44100 });
  // @ts-expect-error varispeed is a boolean
  await RingletNode.create(ctx, { varispeed: 1 });
  source.addEventListener('panic', (event) => {
    expectType<Equal<typeof event.detail, ringlet.PanicReport>>(true);
  });

  // @ts-expect-error no such mode
  await RingletNode.create(ctx, { mode: 'loud' });
  // @ts-expect-error channels is a number
  await RingletNode.create(ctx, { channels: '2' });
  // @ts-expect-error no such transport
  await RingletNode.create(ctx, { transport: 'websocket' });
  // @ts-expect-error misspelt option
  await RingletNode.create(ctx, { capacity: 4096 });
  // @ts-expect-error the context comes first
  await RingletNode.create({ mode: 'source' });
  // @ts-expect-error nodes come from create(), not new
  new RingletNode();
  // @ts-expect-error a capture node has no writer
  capture.writer.tryWrite(new Float32Array(2));
  // @ts-expect-error a source node has no reader
  source.reader.tryRead(new Float32Array(2));
  // @ts-expect-error mode is read-only
  source.mode = 'capture';

  // @ts-expect-error not a BiquadFilterType
  source.eq.setBand(0, { type: 'bell' });
  // @ts-expect-error not a generator type
  source.generator.set({ type: 'saw' });
  // @ts-expect-error limiter settings are numbers
  source.limiter.set({ ceilingDb: '-1' });
  // @ts-expect-error the analyser fills Float32Arrays
  source.analyser.getFloatFrequencyData(new Float64Array(1024));

  const wasm = await loadRinglet(ctx, { transport: 'shared', wasmUrl: new URL('https://example.com/ringlet.wasm') });
  expectType<Equal<typeof wasm.module, WebAssembly.Module>>(true);
  // @ts-expect-error one wasm serves both transports: there is no localWasmUrl
  await loadRinglet(ctx, { localWasmUrl: '/ringlet-local.wasm' });

  expectType<Equal<ReturnType<typeof setAssetUrls>, void>>(true);
  setAssetUrls({ wasmUrl: '/static/ringlet.wasm', workletUrl: new URL('https://cdn.example/ringlet-worklet.js') });
  setAssetUrls({ wasmUrl: null });
  // @ts-expect-error asset URLs are strings or URLs
  setAssetUrls({ wasmUrl: 3 });
}

// ---- rings and their results -------------------------------------------------------
export async function rings(writer: RingWriter, reader: RingReader): Promise<void> {
  const written = await writer.write([new Float32Array(128), new Float32Array(128)]);
  expectType<Equal<typeof written, WriteResult>>(true);
  expectType<Equal<WriteResult['status'], 'ready' | 'timeout' | 'closed'>>(true);
  expectType<Equal<ReadStatus, 'ready' | 'not-ready' | 'timeout' | 'closed'>>(true);
  const read = reader.tryRead(new Float32Array(256));
  expectType<Equal<typeof read, ReadResult>>(true);
  expectType<Equal<ReturnType<typeof writer.tryWrite>, number>>(true);
  expectType<Equal<ReturnType<typeof RingWriter.fromHandle>, RingWriter>>(true);
  // A RingWriter is what a source node's writer promises.
  const endpoint: RingWriterEndpoint = writer;
  void endpoint;
  // @ts-expect-error writeSync needs a timeout
  writer.writeSync(new Float32Array(2));
  // @ts-expect-error audio is Float32
  writer.tryWrite(new Float64Array(2));
  // @ts-expect-error results are read-only
  read.frames = 1;
}

// ---- errors --------------------------------------------------------------------------
export function errors(error: unknown): RingletErrorCode | null {
  if (!(error instanceof ringlet.RingletError)) return null;
  expectType<Equal<typeof error.name, 'RingletError'>>(true);
  // @ts-expect-error codes are a closed set
  const bogus: RingletErrorCode = 'NOPE';
  void bogus;
  return error.code;
}

// ---- cross-origin isolation: a discriminated union ------------------------------------
export async function isolation(): Promise<void> {
  const result: IsolationResult = await ensureCrossOriginIsolation({ coep: 'credentialless' });
  switch (result.status) {
    case 'isolated':
    case 'reloading':
      // @ts-expect-error only 'unsupported' and 'failed' carry a reason
      void result.reason;
      break;
    case 'unsupported':
      expectType<Equal<typeof result.reason, 'no-service-worker' | 'insecure-context'>>(true);
      break;
    case 'failed':
      expectType<Equal<typeof result.reason, IsolationFailedReason>>(true);
      expectType<Equal<typeof result.cause, unknown>>(true);
      break;
    default: {
      const never: never = result;
      void never;
    }
  }
  // @ts-expect-error not a COEP value
  await ensureCrossOriginIsolation({ coep: 'unsafe-none' });
}

// ---- the worker pool ---------------------------------------------------------------
export async function pool(): Promise<void> {
  const p = new WorkerPool({ maxWorkers: 2, workerUrl: new URL('./tasks.js', import.meta.url) });
  const sum = await p.run<number>('sum', [1, 2, 3], { timeoutMs: 1000 });
  expectType<Equal<typeof sum, number>>(true);
  expectType<Equal<ReturnType<typeof p.stats>['state'], ringlet.WorkerPoolState>>(true);
  expectType<Equal<ringlet.WorkerPoolState, 'uninitialized' | 'initializing' | 'ready' | 'failed' | 'terminated'>>(
    true,
  );
  expectType<Equal<ReturnType<typeof p.stats>['failure'], ringlet.WorkerPoolFailure | null>>(true);
  expectType<Equal<ringlet.WorkerPoolFailure['code'], 'BOOTSTRAP_FAILED' | 'CRASH_LOOP' | 'BLOCKED_BY_POLICY'>>(true);
  const first = p.run('echo', 1);
  await p.run('echo', 2, { waitsFor: first });
  // @ts-expect-error waitsFor takes a promise run() returned
  await p.run('echo', 3, { waitsFor: 1 });
  new WorkerPool({ maxCrashes: 5 });
  // @ts-expect-error unknown option
  new WorkerPool({ workers: 2 });
  worker.defineTasks({ twice: (payload: number) => payload * 2 });
  // @ts-expect-error tasks are functions
  worker.defineTasks({ twice: 2 });
}

// ---- offline rendering --------------------------------------------------------------
export async function offline(buffer: AudioBuffer): Promise<void> {
  const out = await ringlet.renderOffline(buffer, { gain: 0.5 }, { sampleRate: 48000, segmentFrames: 4096 });
  expectType<Equal<typeof out, AudioBuffer>>(true);
  const planar = await ringlet.renderOffline({ channels: [new Float32Array(128)], sampleRate: 44100 }, undefined, {
    sampleRate: 48000,
    onSegment: (info) => {
      expectType<Equal<typeof info.outputStartFrame, number>>(true);
      expectType<Equal<typeof info.outputFrames, number>>(true);
    },
  });
  expectType<Equal<typeof planar, ringlet.PlanarAudio>>(true);
  // @ts-expect-error the rate is a number of Hz
  await ringlet.renderOffline(buffer, {}, { sampleRate: '48000' });
}
