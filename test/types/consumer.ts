// A TypeScript app written against the published types (strict). It is
// compiled, never run: it must build with no error and no `any`.
import {
  RingletError,
  RingletNode,
  RingWriter,
  ensureCrossOriginIsolation,
  getAudioContext,
  getPanicStats,
  unlockAudio,
  type Meters,
  type RingHandle,
  type WriteResult,
} from 'ringlet';
import { createAnalysis, defineTasks, withTransfer } from 'ringlet/worker';
import { RingletStream, type StreamInfo, type StreamState } from 'ringlet/stream';
import { registerWasmDecoders } from 'ringlet/wasm-decoders';

export async function startPlayer(worker: Worker): Promise<() => Meters> {
  const isolation = await ensureCrossOriginIsolation({ swUrl: '/coi-serviceworker.js' });
  if (isolation.status === 'reloading') return () => ({ peak: [], rms: [], clips: [] });
  if (isolation.status === 'failed') console.warn(isolation.reason, isolation.message);

  const ctx = await getAudioContext({ latencyHint: 'interactive' });
  const unlocked = await unlockAudio(ctx, { timeoutMs: 10_000 });
  if (unlocked !== 'running') throw new Error(`audio is ${unlocked}`);

  const node = await RingletNode.create(ctx, { mode: 'source', channels: 2, capacityFrames: 16384 });
  node.connect(ctx.destination);
  node.gain.setValueAtTime(0.5, ctx.currentTime);
  node.eq.setBand(0, { type: 'lowshelf', frequency: 120, gainDb: 3 });
  node.limiter.set({ ceilingDb: -1 });
  node.addEventListener('panic', (event) => {
    console.error(event.detail.code, event.detail.message, getPanicStats().total);
    void node.reset().catch((error: unknown) => {
      if (error instanceof RingletError && error.code === 'TIMEOUT') console.error('reset timed out');
    });
  });

  const left = new Float32Array(1024);
  const right = new Float32Array(1024);
  const result: WriteResult = await node.writer.write([left, right], { timeoutMs: 500 });
  if (result.status === 'closed') node.dispose();

  const handle: RingHandle | null = node.writerHandle;
  if (handle) worker.postMessage({ handle });
  return () => node.meters();
}

// In the Worker: rebuild the writer from the handle and block there, never on the page.
export function feed(handle: RingHandle, chunk: Float32Array): number {
  const writer = RingWriter.fromHandle(handle);
  const { status, frames } = writer.writeSync(chunk, { timeoutMs: 100 });
  return status === 'ready' ? frames : 0;
}

// A custom pool worker module.
defineTasks({
  double: (payload: Float32Array) => {
    const out = payload.map((x) => 2 * x);
    return withTransfer(out, [out.buffer]);
  },
  // A streaming analysis: pieces in, 'analyze''s result out.
  loudness: async (payload: { blocks: Float32Array[][]; sampleRate: number }) => {
    const analysis = await createAnalysis({ channels: 2, sampleRate: payload.sampleRate, fftSize: 4096 });
    for (const planes of payload.blocks) analysis.push(planes);
    const { lufs, peakDb, spectrum }: { lufs: number; peakDb: number; spectrum: Float32Array } = analysis.finish();
    analysis.dispose();
    return withTransfer({ lufs, peakDb, spectrum }, [spectrum.buffer]);
  },
});

// An app's own mediabunny Worker decodes FLAC and MP3 as ringlet/stream-worker-wasm
// does (mediabunny is not installed here: a module of its shape, as its
// declarations give registerDecoder, a const of a function type).
declare const mediabunny: {
  registerDecoder: (decoder: abstract new () => object) => void;
  CustomAudioDecoder: abstract new () => object;
  AudioSample: new (init: { data: Float32Array; timestamp: number }) => object;
};
export async function decodersReady(): Promise<boolean> {
  const codecs: Array<'flac' | 'mp3'> = await registerWasmDecoders(mediabunny);
  return codecs.includes('flac');
}

// Contexts of the libraries that wrap Web Audio, by shape (neither library is
// installed here): a Tone.js Context, and a standardized-audio-context one
// with its AudioWorkletNode class.
declare const toneContext: {
  rawContext: object;
  createAudioWorkletNode(name: string, options?: Partial<AudioWorkletNodeOptions>): { port: MessagePort };
  sampleRate: number;
};
declare const sacContext: {
  audioWorklet: { addModule(moduleURL: string, options?: WorkletOptions): Promise<void> } | undefined;
  sampleRate: number;
  state: 'suspended' | 'running' | 'closed';
};
declare class SacAudioWorkletNode<T extends object> {
  constructor(context: T, name: string, options?: Partial<AudioWorkletNodeOptions>);
  readonly port: MessagePort;
}

export async function inLibraries(): Promise<number> {
  const fromTone = await RingletNode.create(toneContext, { mode: 'effect' });
  const fromSac = await RingletNode.create(sacContext, { mode: 'source', AudioWorkletNode: SacAudioWorkletNode });
  // @ts-expect-error AudioWorkletNode must be a class
  await RingletNode.create(sacContext, { AudioWorkletNode: 'AudioWorkletNode' });
  return fromTone.meters().peak.length + fromSac.writer.availableWrite;
}

// ringlet/stream: the README's player, typed.
export async function filePlayer(ctx: AudioContext, file: File, next: File): Promise<StreamState> {
  const stream = await RingletStream.create(ctx, { capacityFrames: 32768 });
  stream.node.connect(ctx.destination);
  const peek = await stream.inspect(file);
  if (!peek.decodable && peek.problem) console.warn(peek.problem.code);
  const info: StreamInfo = await stream.open(file);
  const title: string = info.tags.title ?? file.name;
  const cover: string | null = info.cover ? URL.createObjectURL(info.cover) : null;
  await stream.play();
  await stream.seek((info.duration ?? 0) / 2);
  stream.loop = false;
  await stream.queue(next);
  stream.addEventListener('trackchange', (e) => console.log(e.detail.codec, title, cover));
  stream.addEventListener('error', (e) => console.warn(e.detail.code, e.detail.message));
  const seconds: number = stream.position;
  // @ts-expect-error seek takes seconds as a number
  await stream.seek('1:00');
  await stream.pause();
  console.log(seconds, stream.debugStats().queuedFrames, (await stream.workerStats()).maxUnacked);
  const state = stream.state;
  stream.dispose();
  return state;
}
