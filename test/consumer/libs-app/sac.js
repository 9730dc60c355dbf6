// ringlet in a standardized-audio-context graph, with no Tone.js: its nodes
// connect to ringlet's and ringlet's to them, offline and in realtime.
import {
  AudioContext,
  AudioWorkletNode,
  GainNode,
  OfflineAudioContext,
  OscillatorNode,
} from 'standardized-audio-context';
import { RingletNode } from 'ringlet';
import {
  EFFECT_HZ,
  GAIN_OFF_AT,
  SAMPLE_RATE,
  SECONDS,
  SOURCE_AMPLITUDE,
  SOURCE_HZ,
  clockRuns,
  exerciseRealtime,
  measureRender,
  rejection,
  sine,
} from './checks.js';

/**
 * Offline: a library OscillatorNode -> ringlet effect (gain 0.5, 0 from
 * 1.5 s) -> a library GainNode -> destination, and a ringlet source node
 * (a sine in its ring) -> the same GainNode.
 */
async function offline() {
  const frames = SECONDS * SAMPLE_RATE;
  const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: frames, sampleRate: SAMPLE_RATE });
  const fx = await RingletNode.create(ctx, { mode: 'effect', channels: 1, AudioWorkletNode });
  const src = await RingletNode.create(ctx, { mode: 'source', channels: 1, capacityFrames: 131072, AudioWorkletNode });
  const written = await src.writer.write(sine(frames, SOURCE_HZ, SOURCE_AMPLITUDE, SAMPLE_RATE), { timeoutMs: 5000 });
  fx.gain.value = 0.5;
  fx.gain.setValueAtTime(0, GAIN_OFF_AT);
  const osc = new OscillatorNode(ctx, { frequency: EFFECT_HZ });
  const post = new GainNode(ctx);
  osc.connect(fx).connect(post).connect(ctx.destination);
  src.connect(post);
  osc.start(0);
  await Promise.all([fx.flush(), src.flush()]);
  const rendered = await ctx.startRendering();
  const result = {
    ...measureRender(rendered.getChannelData(0), SAMPLE_RATE),
    written,
    isRingletNode: fx instanceof RingletNode && src instanceof RingletNode,
    isLibraryNode: fx instanceof AudioWorkletNode && src instanceof AudioWorkletNode,
    isNativeNode: fx instanceof globalThis.AudioWorkletNode,
    transport: fx.transport,
    underruns: src.stats().underruns,
  };
  fx.dispose();
  src.dispose();
  return result;
}

/** Realtime: a library OscillatorNode -> ringlet effect -> destination. */
async function realtime() {
  const ctx = new AudioContext();
  await ctx.resume();
  const clock = await clockRuns(ctx);
  try {
    const fx = await RingletNode.create(ctx, { mode: 'effect', AudioWorkletNode });
    fx.gain.value = 0.5;
    const osc = new OscillatorNode(ctx, { frequency: EFFECT_HZ });
    osc.connect(fx).connect(ctx.destination);
    osc.start(ctx.currentTime + 0.1); // once the gain has settled at 0.5
    const result = await exerciseRealtime(fx, ctx.sampleRate);
    osc.stop();
    return { ...result, clock };
  } finally {
    await ctx.close();
  }
}

/** What create() says to contexts it cannot use; nothing is built. */
async function refusals() {
  const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: 128, sampleRate: SAMPLE_RATE });
  return {
    noClass: await rejection(() => RingletNode.create(ctx, { mode: 'effect' })),
    badClass: await rejection(() => RingletNode.create(ctx, { mode: 'effect', AudioWorkletNode: 'AudioWorkletNode' })),
    notAContext: await rejection(() => RingletNode.create({ sampleRate: 48000 }, { mode: 'effect' })),
  };
}

window.ringlet = {
  run: async () => ({ offline: await offline(), realtime: await realtime(), refusals: await refusals() }),
};
document.getElementById('status').textContent = 'ready';
