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
import { defineTasks, withTransfer } from 'ringlet/worker';

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
});

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
