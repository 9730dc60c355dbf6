// ringlet inside a Tone.js patch: Tone's nodes connect to ringlet's with
// connect, Tone.connect, chain and fan, offline (Tone.Offline) and on
// Tone's realtime context.
import * as Tone from 'tone';
import { RingletNode } from 'ringlet';
import { RingletToneNode } from 'ringlet/tone';
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
 * Tone.Offline: a Tone.Oscillator chained through a ringlet effect (gain
 * 0.5, scheduled to 0 at 1.5 s through a Tone.Param) to Tone's destination,
 * and a ringlet source node (a sine in its ring) into a Tone.Gain.
 */
async function offline() {
  /** @type {Record<string, unknown>} */
  const facts = {};
  const buffer = await Tone.Offline(
    async (context) => {
      // The effect through ringlet/tone: a ToneAudioNode whose gain is a Tone Param.
      const fx = await RingletToneNode.create({ context, mode: 'effect', channels: 1 });
      const src = await RingletNode.create(context, { mode: 'source', channels: 1, capacityFrames: 131072 });
      facts.written = await src.writer.write(sine(SECONDS * SAMPLE_RATE, SOURCE_HZ, SOURCE_AMPLITUDE, SAMPLE_RATE), {
        timeoutMs: 5000,
      });
      fx.gain.setValueAtTime(0.5, 0);
      fx.gain.setValueAtTime(0, GAIN_OFF_AT);
      const osc = new Tone.Oscillator({ context, frequency: EFFECT_HZ });
      osc.connect(fx);
      fx.toDestination();
      // The source node (the plain RingletNode) into a Tone.Gain.
      const post = new Tone.Gain({ context, gain: 1 });
      Tone.connect(src, post);
      post.fan(context.destination);
      osc.start(0);
      await Promise.all([fx.node.flush(), src.flush()]);
      facts.isRingletNode = fx.node instanceof RingletNode && src instanceof RingletNode;
      facts.isNativeNode = fx.node instanceof globalThis.AudioWorkletNode || src instanceof globalThis.AudioWorkletNode;
      facts.isToneNode = fx instanceof Tone.ToneAudioNode && fx.input === fx.node && fx.output === fx.node;
      facts.transport = fx.node.transport;
      facts.src = src;
      facts.fx = fx;
    },
    SECONDS,
    1,
    SAMPLE_RATE,
  );
  const { src, fx } = /** @type {any} */ (facts);
  delete facts.src;
  delete facts.fx;
  const underruns = src.stats().underruns;
  fx.dispose();
  src.dispose();
  facts.disposed = fx.node.state === 'disposed' && src.state === 'disposed';
  return { ...measureRender(buffer.getChannelData(0), SAMPLE_RATE), ...facts, underruns };
}

/** A seeded noise buffer (mulberry32), 1 s, amplitude 0.4. */
function noise(seed, frames) {
  let a = seed >>> 0;
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = 0.4 * ((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1);
  }
  return out;
}

/** The same settings on both nodes. */
function configure(fx) {
  fx.gain.value = 0.8;
  fx.eq.setBand(2, { type: 'peaking', frequency: 1000, q: 1, gainDb: 9 });
  fx.eq.setBand(5, { type: 'highshelf', frequency: 6000, gainDb: -6 });
}

/**
 * A buffer played through a ringlet effect with the same settings, once in
 * Tone.Offline (a Tone.Player, Tone's destination) and once in a native
 * OfflineAudioContext: the two renders, sample by sample.
 * @param {number} seed
 */
async function offlineIdentity(seed) {
  const frames = SAMPLE_RATE;
  const input = noise(seed, frames);
  const nativeCtx = new OfflineAudioContext({ numberOfChannels: 1, length: frames, sampleRate: SAMPLE_RATE });
  const nativeBuffer = new AudioBuffer({ numberOfChannels: 1, length: frames, sampleRate: SAMPLE_RATE });
  nativeBuffer.copyToChannel(input, 0);
  const nativeFx = await RingletNode.create(nativeCtx, { mode: 'effect', channels: 1 });
  configure(nativeFx);
  await nativeFx.flush();
  const player = new AudioBufferSourceNode(nativeCtx, { buffer: nativeBuffer });
  player.connect(nativeFx).connect(nativeCtx.destination);
  player.start(0);
  const expected = (await nativeCtx.startRendering()).getChannelData(0);

  const toneOut = await Tone.Offline(
    async (context) => {
      const fx = await RingletNode.create(context, { mode: 'effect', channels: 1 });
      configure(fx);
      await fx.flush();
      const buffer = context.createBuffer(1, frames, SAMPLE_RATE);
      buffer.copyToChannel(input, 0);
      const tonePlayer = new Tone.Player({ context, url: new Tone.ToneAudioBuffer(buffer) });
      tonePlayer.chain(fx, context.destination);
      tonePlayer.start(0);
    },
    frames / SAMPLE_RATE,
    1,
    SAMPLE_RATE,
  );
  const got = toneOut.getChannelData(0);
  let mismatches = 0;
  let first = -1;
  for (let i = 0; i < frames; i++) {
    if (got[i] !== expected[i]) {
      mismatches++;
      if (first < 0) first = i;
    }
  }
  let level = 0;
  for (let i = 0; i < frames; i++) level = Math.max(level, Math.abs(expected[i]));
  return {
    seed,
    frames: got.length,
    mismatches,
    first: first < 0 ? null : { index: first, tone: got[first], native: expected[first] },
    level,
  };
}

/** The README's Tone.js lines, as written there (imports above). */
async function readme() {
  // readme:begin
  const fx = await RingletNode.create(Tone.getContext(), { mode: 'effect' });
  const synth = new Tone.Synth().chain(fx, Tone.getDestination());
  fx.eq.setBand(0, { type: 'lowshelf', gainDb: 6 });
  synth.triggerAttackRelease('C4', '8n');
  // readme:end
  return { fx, synth };
}

/** The README's ringlet/tone lines, as written there (imports above). */
async function readmeTone() {
  // readme-tone:begin
  const fx = await RingletToneNode.create({ mode: 'effect' }); // Tone.getContext() unless options.context
  new Tone.Oscillator(220).connect(fx).start();
  fx.toDestination();
  fx.gain.rampTo(0, '1m', '+2m'); // fx.node is the RingletNode
  // readme-tone:end
  return fx;
}

/**
 * Polls a node's meters for up to 10 s: the highest peak seen. A one-shot
 * note can pass unseen on a loaded machine (a realtime engine that falls
 * behind), so `again` (when given) plays it again every 500 ms until heard.
 * @param {RingletNode} node
 * @param {(() => void) | null} again
 */
async function loudest(node, again = null) {
  let peak = 0;
  let next = performance.now() + 500;
  const deadline = performance.now() + 10000;
  while (performance.now() < deadline && peak < 0.05) {
    peak = Math.max(peak, node.meters().peak[0]);
    if (again && performance.now() > next) {
      again();
      next += 500;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return peak;
}

/** Tone's realtime context: the README's lines play, then an oscillator through an effect. */
async function realtime() {
  await Tone.start();
  const clock = await clockRuns(Tone.getContext().rawContext);
  const { fx: readmeFx, synth } = await readme();
  const readmePeak = await loudest(readmeFx, () => synth.triggerAttackRelease('C4', '8n'));
  synth.dispose();
  readmeFx.dispose();
  const toneFx = await readmeTone();
  const readmeTonePeak = await loudest(toneFx.node);
  toneFx.dispose();

  const context = Tone.getContext();
  const fx = await RingletNode.create(context, { mode: 'effect' });
  fx.gain.value = 0.5;
  const osc = new Tone.Oscillator(EFFECT_HZ).start();
  Tone.connect(osc, fx);
  Tone.connect(fx, Tone.getDestination());
  const result = await exerciseRealtime(fx, context.sampleRate);
  osc.dispose();
  return { ...result, clock, readmePeak, readmeTonePeak, readmeToneDisposed: toneFx.node.state === 'disposed' };
}

window.ringlet = {
  run: async (seed) => ({
    offline: await offline(),
    identity: await offlineIdentity(seed),
    realtime: await realtime(),
    refusal: await rejection(() => RingletNode.create({ rawContext: {}, createAudioWorkletNode() {} })),
  }),
};
document.getElementById('status').textContent = 'ready';
