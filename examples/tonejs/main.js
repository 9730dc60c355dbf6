// The tonejs example: ringlet as one node of a Tone.js patch. Tone.js is
// the page's global (index.html loads its UMD build); an app would write
// `import * as Tone from 'tone'`.
import { RingletNode } from '../../dist/ringlet.js';
import { $, drawLevels, expose, showContext, showError, showIsolation, showTransport } from '../shared/ui.js';

const Tone = /** @type {any} */ (globalThis).Tone;

showIsolation();

/** @type {RingletNode | null} */
let fx = null;
/** @type {any} */
let patch = null;
let frame = 0;

const presence = /** @type {HTMLInputElement} */ ($('presence'));
presence.addEventListener('input', () => {
  $('presenceOut').textContent = presence.value;
  fx?.eq.setBand(5, { type: 'peaking', frequency: 3000, q: 0.9, gainDb: Number(presence.value) });
});

$('play').addEventListener('click', async () => {
  /** @type {HTMLButtonElement} */ ($('play')).disabled = true;
  try {
    await Tone.start();
    const context = Tone.getContext();
    // The node is Tone's own kind of AudioWorkletNode, so Tone's nodes connect to it.
    fx = await RingletNode.create(context, { mode: 'effect', channels: 2 });
    showTransport(fx);
    fx.eq.setBand(0, { type: 'highpass', frequency: 90, q: 0.7 });
    fx.eq.setBand(5, { type: 'peaking', frequency: 3000, q: 0.9, gainDb: Number(presence.value) });
    const synth = new Tone.PolySynth(Tone.Synth, { oscillator: { type: 'sawtooth' } });
    synth.volume.value = -12;
    const delay = new Tone.FeedbackDelay('8n.', 0.35);
    synth.chain(fx, delay, Tone.getDestination());
    // The node's gain on Tone's timeline: a swell over every two bars.
    const gain = new Tone.Param({ context, param: fx.gain, units: 'gain' });
    const swell = new Tone.Loop((time) => {
      gain.setValueAtTime(0.25, time);
      gain.linearRampToValueAtTime(1, time + Tone.Time('2m').toSeconds() * 0.9);
    }, '2m').start(0);
    const chords = [
      ['C3', 'E4', 'G4'],
      ['A2', 'C4', 'E4'],
      ['F2', 'A3', 'C4'],
      ['G2', 'B3', 'D4'],
    ];
    const part = new Tone.Sequence((time, chord) => synth.triggerAttackRelease(chord, '8n', time), chords, '4n').start(
      0,
    );
    Tone.getTransport().bpm.value = 100;
    Tone.getTransport().start();
    patch = { synth, delay, gain, swell, part };
    showContext(context.rawContext);
    /** @type {HTMLButtonElement} */ ($('stop')).disabled = false;
    $('state').textContent = 'playing';
    frame = requestAnimationFrame(draw);
  } catch (error) {
    $('state').textContent = 'error';
    showError(error, 'play');
    /** @type {HTMLButtonElement} */ ($('play')).disabled = false;
  }
});

$('stop').addEventListener('click', () => {
  cancelAnimationFrame(frame);
  Tone.getTransport().stop();
  for (const p of Object.values(patch ?? {})) p.dispose();
  fx?.dispose();
  patch = null;
  fx = null;
  /** @type {HTMLButtonElement} */ ($('stop')).disabled = true;
  /** @type {HTMLButtonElement} */ ($('play')).disabled = false;
  $('state').textContent = 'stopped';
});

function draw() {
  if (!fx) return;
  drawLevels(/** @type {HTMLCanvasElement} */ ($('levels')), fx.meters());
  $('gain').textContent = fx.gain.value.toFixed(2);
  $('frames').textContent = fx.stats().framesProcessed.toLocaleString('en-US');
  frame = requestAnimationFrame(draw);
}

expose({
  get node() {
    return fx;
  },
});
