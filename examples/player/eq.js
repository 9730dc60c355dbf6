// The Equaliser tab: 8 knobs on the node's bands (peaking at 60·2^k Hz,
// −40 .. +40 dB), the response curve with draggable handles over the live
// spectrum (shared/eq-curve.js, as in eq-analyser), presets and the user's
// own (localStorage), bypass, and the clip indicator from node.meters().
// Main thread.
import { $ } from '../shared/ui.js';
import { BAND_COLOURS, EqCurve, GAIN_TYPES } from '../shared/eq-curve.js';
import { defaultBand } from '../shared/presets.js';
import { Knob } from './knob.js';

/** @typedef {import('../../types/index.js').EqBand} EqBand */

const USER_KEY = 'ringlet-player:presets';
export const EQ_MIN_DB = -40;
export const EQ_MAX_DB = 40;

/** Built-in presets: a gain per knob (dB), on the default bands. */
export const KNOB_PRESETS = /** @type {Record<string, { label: string, gains: number[] }>} */ ({
  flat: { label: 'Flat', gains: [0, 0, 0, 0, 0, 0, 0, 0] },
  bass: { label: 'Bass boost', gains: [8, 6, 3, 0.5, 0, 0, 0, 0] },
  vocal: { label: 'Vocal', gains: [-3, -2, 0, 2, 4, 4, 2, 0] },
  loudness: { label: 'Loudness', gains: [6, 4, 0, -1, -2, 0, 3, 5] },
  treble: { label: 'Treble boost', gains: [0, 0, 0, 0, 1, 3, 5, 7] },
  rock: { label: 'Rock', gains: [5, 3, -1, -2, -1, 2, 4, 5] },
  acoustic: { label: 'Acoustic', gains: [3, 2, 1, 0, 1, 1, 2, 2] },
  speech: { label: 'Speech', gains: [-8, -4, 0, 2, 3, 3, 1, -2] },
});

/** @param {number} f */
const formatHz = (f) => (f >= 1000 ? `${(f / 1000).toFixed(f >= 10000 ? 0 : 1)}k` : f.toFixed(0));
/** @param {number} db */
const signed = (db) => `${db > 0 ? '+' : ''}${db.toFixed(1)}`.replace('-', '−');

/** @returns {Record<string, EqBand[]>} */
function userPresets() {
  try {
    return JSON.parse(localStorage.getItem(USER_KEY) ?? '{}');
  } catch {
    return {};
  }
}

/**
 * Mounts the tab on the node.
 * @param {object} app
 * @param {import('../../types/index.js').RingletNode<'source'>} app.node
 * @param {AudioContext} app.ctx
 * @param {(text: string) => void} app.say
 * @param {(error: unknown, where: string) => void} app.fail
 * @param {() => boolean} app.visible whether the tab shows (draw only then)
 */
export function mountEq({ node, ctx, say, fail, visible }) {
  const select = /** @type {HTMLSelectElement} */ ($('preset'));
  const bypass = /** @type {HTMLInputElement} */ ($('eq-bypass'));
  const lamp = $('clip');
  /** @type {Knob[]} */
  const knobs = [];
  const cells = /** @type {HTMLElement[]} */ ([]);

  const curve = new EqCurve(/** @type {HTMLCanvasElement} */ ($('eq-curve')), {
    eq: node.eq,
    sampleRate: ctx.sampleRate,
    apply: (i, change) => apply(i, change),
    onSelect: () => refresh(),
    spectrumOf: node,
    dbRange: 24,
  });

  /**
   * @param {number} i
   * @param {Partial<EqBand>} change
   */
  function apply(i, change) {
    try {
      node.eq.setBand(i, change);
    } catch (error) {
      fail(error, `band ${i + 1}`);
      return;
    }
    curve.invalidate();
    refresh();
  }

  for (let i = 0; i < 8; i++) {
    const cell = document.createElement('div');
    cell.className = 'knob-cell';
    cell.style.setProperty('--band-colour', BAND_COLOURS[i]);
    const knob = new Knob({
      label: `${formatHz(60 * 2 ** i)} Hz gain`,
      min: EQ_MIN_DB,
      max: EQ_MAX_DB,
      value: 0,
      format: (v) => `${signed(v)} dB`,
      onInput: (v) => {
        curve.selected = i;
        apply(i, { gainDb: v });
        select.value = '';
      },
    });
    knob.el.id = `knob-${i}`;
    knob.el.addEventListener('focus', () => {
      curve.selected = i;
      refresh();
    });
    const db = document.createElement('span');
    db.className = 'db';
    db.setAttribute('aria-hidden', 'true');
    const freq = document.createElement('span');
    freq.className = 'freq';
    freq.setAttribute('aria-hidden', 'true');
    cell.append(knob.el, db, freq);
    $('knobs').append(cell);
    knobs.push(knob);
    cells.push(cell);
  }

  function refresh() {
    for (let i = 0; i < 8; i++) {
      const b = node.eq.getBand(i);
      const gain = GAIN_TYPES.has(b.type);
      knobs[i].set(b.gainDb);
      knobs[i].el.setAttribute('aria-label', `${formatHz(b.frequency)} Hz gain`);
      knobs[i].el.classList.toggle('selected', i === curve.selected);
      /** @type {HTMLElement} */ (cells[i].querySelector('.db')).textContent = gain ? signed(b.gainDb) : b.type;
      /** @type {HTMLElement} */ (cells[i].querySelector('.freq')).textContent = formatHz(b.frequency);
    }
  }

  function fillPresets(/** @type {string} */ selected = select.value) {
    const user = userPresets();
    const builtIn = Object.entries(KNOB_PRESETS).map(([value, p]) => new Option(p.label, value));
    const group = document.createElement('optgroup');
    group.label = 'Yours';
    for (const name of Object.keys(user)) group.append(new Option(name, `user:${name}`));
    select.replaceChildren(new Option('(custom)', ''), ...builtIn, ...(group.children.length ? [group] : []));
    select.value = selected;
    /** @type {HTMLButtonElement} */ ($('delete-preset')).disabled = !select.value.startsWith('user:');
  }

  /** @param {string} name */
  function usePreset(name) {
    /** @type {EqBand[]} */
    let bands;
    if (name.startsWith('user:')) {
      bands = userPresets()[name.slice(5)];
      if (!bands) return;
    } else {
      const p = KNOB_PRESETS[name];
      if (!p) return;
      bands = p.gains.map((gainDb, i) => ({ ...defaultBand(i), gainDb }));
    }
    bands.forEach((band, i) => apply(i, band));
    select.value = name;
    /** @type {HTMLButtonElement} */ ($('delete-preset')).disabled = !name.startsWith('user:');
  }

  select.addEventListener('change', () => usePreset(select.value));
  $('save-preset').addEventListener('click', () => {
    const input = /** @type {HTMLInputElement} */ ($('preset-name'));
    const name = input.value.trim();
    if (!name) {
      say('Type a name for the preset first.');
      input.focus();
      return;
    }
    const user = userPresets();
    user[name] = Array.from({ length: 8 }, (_, i) => node.eq.getBand(i));
    localStorage.setItem(USER_KEY, JSON.stringify(user));
    input.value = '';
    fillPresets(`user:${name}`);
    say(`Saved the preset “${name}” in this browser.`);
  });
  $('delete-preset').addEventListener('click', () => {
    if (!select.value.startsWith('user:')) return;
    const user = userPresets();
    delete user[select.value.slice(5)];
    localStorage.setItem(USER_KEY, JSON.stringify(user));
    fillPresets('');
  });
  bypass.addEventListener('change', () => {
    node.eq.bypass = bypass.checked;
    curve.invalidate();
  });

  // The clip lamp latches on the first output sample at full scale, until reset.
  let clipped = false;
  let lastClips = 0;
  $('clip-reset').addEventListener('click', () => {
    clipped = false;
    showClip();
  });
  function showClip() {
    lamp.classList.toggle('on', clipped);
    lamp.setAttribute('aria-label', clipped ? 'Clipping: the output reached full scale' : 'No clipping');
  }
  function watchClips() {
    const clips = node.meters().clips.reduce((a, b) => a + b, 0);
    // The stream resets the node (its counters too) at each seek, pause and play.
    if (clips > lastClips || (clips > 0 && clips < lastClips)) {
      if (!clipped) {
        clipped = true;
        showClip();
      }
    }
    lastClips = clips;
  }

  fillPresets('flat');
  refresh();
  return {
    curve,
    refresh,
    usePreset,
    /** One animation frame's work. */
    frame() {
      watchClips();
      if (visible()) curve.draw();
    },
    get clipped() {
      return clipped;
    },
  };
}
