// The player's Generator and Recorder tabs, on ringlet's public API.
//
// Graph (every GainNode here is a switch, 0 or 1, ramped over 10 ms):
//
//   generator (source node, its own test-signal generator)
//     ├─> toSpeakers ───────────────────────────────> speakers (the player's bus)
//     └─> toRecorder ─┐
//   microphone ─> micGate ─┴─> input ─┬─> capture node ─> routedMonitor ─> speakers
//                                     └─> directMonitor ─────────────────> speakers
//
// The capture node copies what it records into its ring; a Worker drains it
// where the ring is shared (crossOriginIsolated), the main thread otherwise,
// and builds each take as a 32-bit float WAV (../shared/drainer.js). Both
// nodes run with their limiter bypassed: the generator's level is what the
// page says, and the recorder's meters see clipping rather than a limiter.
// Main thread only.
import { RingletNode } from '../../dist/ringlet.js';
import { Drainer } from '../shared/drainer.js';
import { drawLevels, fitCanvas, formatBytes, formatDb, formatTime, palette } from '../shared/ui.js';
import { wavSamples } from '../shared/wav.js';

/** @typedef {import('../../types/index.js').GeneratorType} GeneratorType */
/** @typedef {'speakers' | 'recorder' | 'both'} Route */
/** @typedef {'off' | 'direct' | 'routed'} Monitoring */
/** @typedef {'microphone' | 'generator'} Source */
/**
 * @typedef {{ generatorPanel: HTMLElement, recorderPanel: HTMLElement, ctx: AudioContext,
 *   speakers: AudioNode, pool: import('../../dist/ringlet.js').WorkerPool | undefined,
 *   say: (text: string) => void }} StudioHost
 */

/** @type {ReadonlyArray<[GeneratorType, string]>} */
const WAVEFORMS = [
  ['sine', 'Sine'],
  ['square', 'Square'],
  ['sawtooth', 'Sawtooth'],
  ['triangle', 'Triangle'],
  ['white-noise', 'White noise'],
  ['pink-noise', 'Pink noise'],
  ['sweep', 'Sweep (logarithmic)'],
  ['impulse', 'Impulse train'],
  ['multitone', 'Multi-tone (octaves)'],
];
const NOISE = new Set(['white-noise', 'pink-noise']);
/** The generator's level, dBFS: above 0 the node's gain takes over from the generator's amplitude. */
const LEVEL_DB = { min: -60, max: 6 };
const CAPACITY_FRAMES = 32768;
/** The longest take (a stereo float take of 5 minutes is 110 MB). */
const MAX_TAKE_SECONDS = 300;
/** How long a switch takes: short enough to be instant, long enough not to click. */
const SWITCH_SECONDS = 0.01;
/** How often the meters' text is rewritten (their canvas redraws every frame). */
const METER_TEXT_MS = 250;
/** How long getUserMedia may take (a permission prompt nobody answers) before it counts as refused. */
const MIC_TIMEOUT_MS = 15000;

/**
 * Mounts the Generator and Recorder tabs into two empty panels. The host owns
 * the context (and its unlock), the speakers bus and the pool; dispose()
 * leaves them as they were and everything the studio made stopped: both
 * ringlet nodes disposed, the Worker closed, the microphone released, the
 * panels empty. Main thread.
 * @param {StudioHost} host
 * @returns {Promise<{ dispose(): void, inspect(): StudioState }>}
 */
export async function mountStudio(host) {
  const { ctx, speakers, say } = host;
  const rate = ctx.sampleRate;
  const nyquist = rate / 2;
  /** Everything dispose() undoes, newest first. */
  /** @type {Array<() => void>} */
  const cleanups = [];
  const aborter = new AbortController();
  const { signal } = aborter;
  let disposed = false;

  // ---- audio graph -----------------------------------------------------------
  const generator = await RingletNode.create(ctx, { mode: 'source', channels: 2, capacityFrames: 256 });
  let capture;
  try {
    capture = await RingletNode.create(ctx, { mode: 'capture', channels: 2, capacityFrames: CAPACITY_FRAMES });
  } catch (error) {
    generator.dispose();
    throw error;
  }
  cleanups.push(
    () => generator.dispose(),
    () => capture.dispose(),
  );
  generator.limiter.bypass = true;
  capture.limiter.bypass = true;
  generator.analyser.fftSize = 2048;

  const switchNode = () => new GainNode(ctx, { gain: 0, channelCount: 2, channelCountMode: 'explicit' });
  const toSpeakers = switchNode();
  const toRecorder = switchNode();
  const micGate = switchNode();
  const directMonitor = switchNode();
  const routedMonitor = switchNode();
  // Mono inputs (most microphones) reach both channels.
  const input = new GainNode(ctx, { gain: 1, channelCount: 2, channelCountMode: 'explicit' });
  generator.connect(toSpeakers).connect(speakers);
  generator.connect(toRecorder).connect(input);
  micGate.connect(input);
  input.connect(capture);
  input.connect(directMonitor).connect(speakers);
  capture.connect(routedMonitor).connect(speakers);
  const graph = [toSpeakers, toRecorder, micGate, directMonitor, routedMonitor, input];
  cleanups.push(() => graph.forEach((n) => n.disconnect()));

  /**
   * Ramps an AudioParam linearly to `value`, so it lands on it exactly (a
   * switch at 0 is silence, not an exponential tail).
   * @param {AudioParam} param
   * @param {number} value
   */
  const rampTo = (param, value) => {
    const t = ctx.currentTime;
    param.cancelScheduledValues(t);
    param.setValueAtTime(param.value, t);
    param.linearRampToValueAtTime(value, t + SWITCH_SECONDS);
  };

  // ---- state --------------------------------------------------------------------
  const gen = {
    /** @type {GeneratorType} */
    type: 'sine',
    frequency: 1000,
    levelDb: -12,
    endFrequency: Math.min(20000, Math.floor(nyquist * 0.9)),
    durationSeconds: 5,
    repeat: true,
    /** @type {Route} */
    route: 'both',
    playing: false,
  };
  const rec = {
    /** @type {Source} */
    source: 'generator',
    /** @type {Monitoring} */
    monitoring: 'off',
    recording: false,
    attached: false,
    frames: 0,
    limitSeconds: 10,
    takes: 0,
    /** Clip counts when the indicator was last cleared, per channel. */
    clipBase: [0, 0],
  };
  /** @type {MediaStream | null} */
  let micStream = null;
  /** @type {MediaStreamAudioSourceNode | null} */
  let micNode = null;
  /** @type {string[]} */
  const takeUrls = [];

  // ---- DOM ---------------------------------------------------------------------
  // The tabs' stylesheet, unless the page links it already.
  const cssHref = new URL('./studio.css', import.meta.url).href;
  if (
    ![...document.querySelectorAll('link[rel="stylesheet"]')].some(
      (l) => /** @type {HTMLLinkElement} */ (l).href === cssHref,
    )
  ) {
    const link = h('link', { rel: 'stylesheet', href: cssHref });
    document.head.append(link);
    cleanups.push(() => link.remove());
  }
  const genPanel = host.generatorPanel;
  const recPanel = host.recorderPanel;
  genPanel.classList.add('studio');
  recPanel.classList.add('studio');
  cleanups.push(() => {
    genPanel.replaceChildren();
    recPanel.replaceChildren();
    genPanel.classList.remove('studio');
    recPanel.classList.remove('studio');
  });

  // Generator tab.
  const typeSelect = /** @type {HTMLSelectElement} */ (
    h('select', { id: 'studio-gen-type' }, ...WAVEFORMS.map(([v, text]) => h('option', { value: v }, text)))
  );
  const frequencyInput = numberInput('studio-gen-frequency', gen.frequency, 1, Math.floor(nyquist - 1), 'any');
  const levelInput = numberInput('studio-gen-level', gen.levelDb, LEVEL_DB.min, LEVEL_DB.max, '0.5');
  const endInput = numberInput('studio-gen-end', gen.endFrequency, 1, Math.floor(nyquist - 1), 'any');
  const durationInput = numberInput('studio-gen-duration', gen.durationSeconds, 0.01, 3600, 'any');
  const repeatInput = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', id: 'studio-gen-repeat' }));
  repeatInput.checked = gen.repeat;
  const frequencyLabel = h('span', {}, 'Frequency');
  const frequencyField = field(frequencyLabel, frequencyInput, 'Hz');
  const sweepFields = [
    field('Sweep end', endInput, 'Hz'),
    field('Sweep duration', durationInput, 's'),
    h('label', { class: 'field' }, repeatInput, 'Repeat sweep'),
  ];
  const playButton = /** @type {HTMLButtonElement} */ (
    h('button', { type: 'button', id: 'studio-gen-play', class: 'primary', 'aria-pressed': 'false' }, 'Play')
  );
  const routeGroup = radioGroup('studio-route', 'Send to', [
    ['speakers', 'Speakers'],
    ['recorder', 'Recorder'],
    ['both', 'Both'],
  ]);
  const levelText = h('span', { class: 'num studio-level-text', id: 'studio-gen-amplitude' });
  const scope = /** @type {HTMLCanvasElement} */ (
    h('canvas', { class: 'studio-scope', role: 'img', 'aria-label': 'Oscilloscope of the generator' })
  );
  const genNote = h('p', { class: 'note', id: 'studio-gen-note' });
  genPanel.append(
    h('h2', { id: 'studio-gen-title' }, 'Signal generator'),
    h(
      'div',
      { class: 'studio-controls', role: 'group', 'aria-labelledby': 'studio-gen-title' },
      field('Waveform', typeSelect),
      frequencyField,
      field('Level', levelInput, 'dBFS'),
      levelText,
      ...sweepFields,
    ),
    h('div', { class: 'studio-controls' }, playButton, routeGroup.root),
    scope,
    genNote,
  );
  routeGroup.set(gen.route);

  // Recorder tab.
  const sourceGroup = radioGroup('studio-source', 'Input', [
    ['microphone', 'Microphone'],
    ['generator', 'Generator'],
  ]);
  const monitorGroup = radioGroup('studio-monitor', 'Monitoring', [
    ['off', 'Off'],
    ['direct', 'Direct'],
    ['routed', 'Routed'],
  ]);
  const sourceNote = h('p', { class: 'note', id: 'studio-source-note' });
  const meterCanvas = /** @type {HTMLCanvasElement} */ (
    h('canvas', { class: 'studio-meters', 'aria-hidden': 'true', id: 'studio-meter-canvas' })
  );
  const meterRows = [0, 1].map((c) => {
    const name = c === 0 ? 'Left' : 'Right';
    const peak = h('span', { class: 'num', id: `studio-peak-${c}` }, '−∞ dB');
    const rms = h('span', { class: 'num', id: `studio-rms-${c}` }, '−∞ dB');
    const clip = h('span', { class: 'studio-clip', id: `studio-clip-${c}` }, 'no clip');
    const row = h(
      'div',
      { class: 'studio-meter-row', role: 'group', 'aria-label': `${name} channel level` },
      h('span', { class: 'studio-channel' }, name),
      h('span', {}, 'peak ', peak),
      h('span', {}, 'RMS ', rms),
      clip,
    );
    return { row, peak, rms, clip };
  });
  const clearClipsButton = h('button', { type: 'button', id: 'studio-clear-clips' }, 'Clear clip');
  const recordButton = /** @type {HTMLButtonElement} */ (
    h('button', { type: 'button', id: 'studio-record', class: 'danger', disabled: '' }, 'Record')
  );
  const stopButton = /** @type {HTMLButtonElement} */ (
    h('button', { type: 'button', id: 'studio-stop', disabled: '' }, 'Stop')
  );
  const lengthInput = numberInput('studio-length', rec.limitSeconds, 0, MAX_TAKE_SECONDS, 'any');
  const clock = h('span', { class: 'studio-clock num', id: 'studio-clock', 'aria-live': 'off' }, '0:00.0');
  const recNote = h('p', { class: 'note', id: 'studio-rec-note' }, 'Starting the recorder…');
  const takesList = h('ol', { class: 'studio-takes', id: 'studio-takes', 'aria-label': 'Takes' });
  const noTakes = h('li', { class: 'empty' }, 'No takes yet.');
  takesList.append(noTakes);
  recPanel.append(
    h('h2', { id: 'studio-rec-title' }, 'Recorder'),
    h('div', { class: 'studio-controls' }, sourceGroup.root, monitorGroup.root),
    sourceNote,
    meterCanvas,
    h('div', { class: 'studio-meter-text', id: 'studio-meter-text' }, ...meterRows.map((r) => r.row), clearClipsButton),
    h(
      'div',
      { class: 'studio-controls' },
      recordButton,
      stopButton,
      field('Length', lengthInput, 's (0: until Stop)'),
      clock,
    ),
    recNote,
    h('h3', { class: 'studio-takes-title' }, 'Takes'),
    takesList,
  );
  sourceGroup.set(rec.source);
  monitorGroup.set(rec.monitoring);

  // ---- generator ----------------------------------------------------------------
  /** Sends the generator's settings; throws (changing nothing) on a bad one. */
  function applyGenerator() {
    const amplitude = 10 ** (gen.levelDb / 20);
    const own = Math.min(1, amplitude);
    generator.generator.set({
      type: gen.type,
      frequency: gen.frequency,
      amplitude: own,
      endFrequency: gen.endFrequency,
      durationSeconds: gen.durationSeconds,
    });
    rampTo(generator.gain, amplitude / own);
    levelText.textContent = `amplitude ${amplitude.toFixed(amplitude < 0.01 ? 4 : 3)}${amplitude > 1 ? ' (above full scale)' : ''}`;
  }

  function showGeneratorFields() {
    const sweep = gen.type === 'sweep';
    frequencyLabel.textContent = sweep ? 'Start frequency' : 'Frequency';
    frequencyInput.disabled = NOISE.has(gen.type);
    for (const f of sweepFields) f.hidden = !sweep;
    const notes = {
      impulse: `One sample of the amplitude every ${formatNumber(rate / gen.frequency)} samples.`,
      multitone: `Equal cosines at ${octaves(gen.frequency)}, peaking at the level.`,
    };
    genNote.textContent = [/** @type {Record<string, string>} */ (notes)[gen.type] ?? '', routeNote()].join(' ').trim();
  }

  function routeNote() {
    if (gen.route !== 'speakers' && rec.source === 'microphone')
      return 'The recorder is on the microphone: pick Generator as its input to record this.';
    return '';
  }

  /** @param {number} f */
  function octaves(f) {
    const tones = [];
    for (let k = 0; k < 10 && f * 2 ** k < nyquist; k++) tones.push(f * 2 ** k);
    return `${tones.length} octave${tones.length === 1 ? '' : 's'} (${tones.map((t) => formatHz(t)).join(', ')})`;
  }

  /** A sweep holds its end frequency: with Repeat on, start it again each time it ends. */
  let sweepTimer = 0;
  function scheduleSweep() {
    clearInterval(sweepTimer);
    sweepTimer = 0;
    if (gen.playing && gen.type === 'sweep' && gen.repeat) {
      sweepTimer = window.setInterval(() => applyGenerator(), gen.durationSeconds * 1000);
    }
  }
  cleanups.push(() => {
    clearInterval(sweepTimer);
    sweepTimer = 0;
  });

  function applyRoute() {
    const toRec = gen.route !== 'speakers' && rec.source === 'generator';
    rampTo(toSpeakers.gain, gen.route !== 'recorder' ? 1 : 0);
    rampTo(toRecorder.gain, toRec ? 1 : 0);
    showGeneratorFields();
    showSourceNote();
  }

  /**
   * Reads a number input; a bad value is refused (said, and the input shows
   * the last good value again) and returns null.
   * @param {HTMLInputElement} inputEl
   * @param {number} current
   * @param {string} name
   */
  function readNumber(inputEl, current, name) {
    const v = Number(inputEl.value);
    const min = Number(inputEl.min);
    const max = Number(inputEl.max);
    if (inputEl.value.trim() === '' || !Number.isFinite(v) || v < min || v > max) {
      say(`${name} must be from ${min} to ${max}; kept ${current}.`);
      inputEl.value = String(current);
      return null;
    }
    return v;
  }

  /**
   * Changes one generator setting; refused settings change nothing.
   * @param {() => void} change
   * @param {() => void} undo
   */
  function tryGenerator(change, undo) {
    change();
    try {
      applyGenerator();
    } catch (error) {
      undo();
      say(`Generator: ${/** @type {Error} */ (error).message}`);
      applyGenerator();
    }
    showGeneratorFields();
    scheduleSweep();
  }

  typeSelect.addEventListener(
    'change',
    () => {
      const before = gen.type;
      tryGenerator(
        () => (gen.type = /** @type {GeneratorType} */ (typeSelect.value)),
        () => (gen.type = before),
      );
      typeSelect.value = gen.type;
    },
    { signal },
  );
  /**
   * @param {HTMLInputElement} inputEl
   * @param {'frequency' | 'levelDb' | 'endFrequency' | 'durationSeconds'} key
   * @param {string} name
   */
  const bindNumber = (inputEl, key, name) =>
    inputEl.addEventListener(
      'change',
      () => {
        const before = gen[key];
        const v = readNumber(inputEl, before, name);
        if (v === null) return;
        tryGenerator(
          () => (gen[key] = v),
          () => (gen[key] = before),
        );
        inputEl.value = String(gen[key]);
      },
      { signal },
    );
  bindNumber(frequencyInput, 'frequency', 'Frequency');
  bindNumber(levelInput, 'levelDb', 'Level');
  bindNumber(endInput, 'endFrequency', 'Sweep end');
  bindNumber(durationInput, 'durationSeconds', 'Sweep duration');
  repeatInput.addEventListener(
    'change',
    () => {
      gen.repeat = repeatInput.checked;
      scheduleSweep();
    },
    { signal },
  );
  playButton.addEventListener('click', () => setPlaying(!gen.playing), { signal });
  routeGroup.onChange((v) => {
    gen.route = /** @type {Route} */ (v);
    applyRoute();
  }, signal);

  /** @param {boolean} on */
  function setPlaying(on) {
    gen.playing = on;
    if (on) {
      applyGenerator(); // a sweep starts from its start frequency
      generator.generator.start();
    } else {
      generator.generator.stop();
    }
    playButton.textContent = on ? 'Stop' : 'Play';
    playButton.setAttribute('aria-pressed', String(on));
    scheduleSweep();
    showSourceNote();
  }

  // ---- recorder: input and monitoring ----------------------------------------------
  function showSourceNote() {
    if (rec.source !== 'generator') return;
    const notes = [];
    if (gen.route === 'speakers')
      notes.push('The generator is sent to the speakers only, so the recorder hears nothing.');
    if (!gen.playing) notes.push('The generator is stopped: press Play in the Generator tab.');
    if (!sourceNote.classList.contains('warn')) sourceNote.textContent = notes.join(' ') || 'Recording the generator.';
  }

  /**
   * @param {Source} source
   * @param {string} [why] said when the microphone fell back to the generator
   */
  function setSource(source, why = '') {
    rec.source = source;
    sourceGroup.set(source);
    rampTo(micGate.gain, source === 'microphone' ? 1 : 0);
    sourceNote.classList.toggle('warn', why !== '');
    sourceNote.textContent = why;
    if (source === 'generator' && gen.route === 'speakers') {
      gen.route = 'both';
      routeGroup.set('both');
      if (!why) say('The generator now goes to the speakers and the recorder.');
    }
    applyRoute();
  }

  async function useMicrophone() {
    try {
      if (!navigator.mediaDevices?.getUserMedia)
        throw new DOMException('getUserMedia is unavailable', 'NotSupportedError');
      if (!micStream) {
        let timer = 0;
        const late = new Promise((_, reject) => {
          timer = window.setTimeout(() => reject(new DOMException('no answer', 'TimeoutError')), MIC_TIMEOUT_MS);
        });
        const request = navigator.mediaDevices.getUserMedia({
          audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
        });
        try {
          micStream = /** @type {MediaStream} */ (await Promise.race([request, late]));
        } catch (error) {
          // A stream granted after we gave up is released at once.
          request.then((stream) => stream.getTracks().forEach((t) => t.stop())).catch(() => {});
          throw error;
        } finally {
          clearTimeout(timer);
        }
      }
      if (disposed) {
        micStream.getTracks().forEach((t) => t.stop());
        return;
      }
      micNode ??= new MediaStreamAudioSourceNode(ctx, { mediaStream: micStream });
      micNode.connect(micGate);
      const label = micStream.getAudioTracks()[0]?.label || 'default input';
      setSource('microphone');
      sourceNote.textContent = `Recording the microphone (${label}).`;
      say(`Recorder input: microphone (${label}).`);
      showGeneratorFields();
    } catch (error) {
      if (disposed) return;
      const e = /** @type {DOMException} */ (error);
      const reason =
        e?.name === 'NotAllowedError'
          ? 'permission was denied'
          : e?.name === 'NotFoundError'
            ? 'no microphone was found'
            : e?.name === 'TimeoutError'
              ? 'the permission request was not answered'
              : `${e?.name ?? 'error'}: ${e?.message ?? e}`;
      const text = `Microphone unavailable (${reason}); recording the generator instead.`;
      setSource('generator', text);
      say(text);
    }
  }
  cleanups.push(() => {
    micNode?.disconnect();
    micStream?.getTracks().forEach((t) => t.stop());
  });

  sourceGroup.onChange((v) => {
    if (v === 'microphone') void useMicrophone();
    else setSource('generator');
  }, signal);

  monitorGroup.onChange((v) => {
    rec.monitoring = /** @type {Monitoring} */ (v);
    rampTo(directMonitor.gain, v === 'direct' ? 1 : 0);
    rampTo(routedMonitor.gain, v === 'routed' ? 1 : 0);
    say(
      v === 'off'
        ? 'Monitoring off.'
        : v === 'direct'
          ? 'Monitoring the input directly, before the recorder.'
          : 'Monitoring what the recorder records.',
    );
  }, signal);

  clearClipsButton.addEventListener(
    'click',
    () => {
      rec.clipBase = capture.meters().clips.slice();
      say('Clip indicators cleared.');
    },
    { signal },
  );

  // ---- recorder: draining and takes -------------------------------------------------
  /** @type {(m: object) => void} */
  let send;
  /** @type {Worker | null} */
  let worker = null;
  if (capture.readerHandle) {
    const w = new Worker(new URL('../shared/drainer.worker.js', import.meta.url), { type: 'module' });
    worker = w;
    w.onmessage = (event) => onDrainer(event.data);
    w.onerror = (event) => say(`Recorder worker: ${event.message}`);
    w.postMessage({ type: 'attach', handle: capture.readerHandle, sampleRate: rate, format: 'float32' });
    send = (m) => w.postMessage(m);
    cleanups.push(() => {
      w.postMessage({ type: 'dispose' });
      w.terminate();
      worker = null;
    });
  } else {
    const drainer = new Drainer(/** @type {any} */ (capture.reader), {
      blocking: false,
      sampleRate: rate,
      format: 'float32',
      post: (m) => queueMicrotask(() => onDrainer(m)),
    });
    send = (m) => drainer.handle(/** @type {any} */ (m));
    cleanups.push(() => drainer.dispose());
  }

  /** @param {any} m */
  function onDrainer(m) {
    if (disposed) return;
    if (m.type === 'attached') {
      rec.attached = true;
      recordButton.disabled = rec.recording;
      recNote.textContent = `Ready. Takes are drained ${worker ? 'by a Worker' : 'on the main thread'} and saved as 32-bit float WAV.`;
    } else if (m.type === 'progress') {
      rec.frames = m.frames;
    } else if (m.type === 'error') {
      say(`Recorder: ${m.message}`);
    } else if (m.type === 'done') {
      rec.recording = false;
      rec.frames = m.frames;
      setRecordingUi();
      addTake(m);
    }
  }

  function setRecordingUi() {
    recordButton.disabled = rec.recording || !rec.attached;
    stopButton.disabled = !rec.recording;
    lengthInput.disabled = rec.recording;
    recPanel.classList.toggle('recording', rec.recording);
  }

  recordButton.addEventListener(
    'click',
    () => {
      if (rec.recording || !rec.attached) return;
      const seconds = readNumber(lengthInput, rec.limitSeconds, 'Length');
      if (seconds === null) return;
      rec.limitSeconds = seconds;
      rec.recording = true;
      rec.frames = 0;
      send({ type: 'record', limitFrames: Math.round(seconds * rate) || Math.round(MAX_TAKE_SECONDS * rate) });
      setRecordingUi();
      recNote.textContent = `Recording the ${rec.source}…`;
      say(`Recording the ${rec.source}.`);
    },
    { signal },
  );
  stopButton.addEventListener('click', () => rec.recording && send({ type: 'stop' }), { signal });

  /** @param {{ wav: ArrayBuffer, frames: number, sampleRate: number, channels: number, peak: number, rms: number, overview: Float32Array }} take */
  function addTake(take) {
    rec.takes += 1;
    const n = rec.takes;
    noTakes.remove();
    const blob = new Blob([take.wav], { type: 'audio/wav' });
    const url = URL.createObjectURL(blob);
    takeUrls.push(url);
    const seconds = take.frames / take.sampleRate;
    const summary = `${formatTime(seconds)}, peak ${formatDb(take.peak)}FS, RMS ${formatDb(take.rms)}FS`;
    const wave = /** @type {HTMLCanvasElement} */ (
      h('canvas', { class: 'studio-wave', role: 'img', 'aria-label': `Waveform of take ${n}: ${summary}` })
    );
    const meta = h(
      'span',
      { class: 'meta' },
      `${formatTime(seconds)} · ${take.frames.toLocaleString('en-US')} frames · ${take.sampleRate} Hz · ${take.channels} ch · ${formatBytes(blob.size)} · peak ${formatDb(take.peak)} · RMS ${formatDb(take.rms)}`,
    );
    const loudness = h('span', { class: 'meta studio-lufs' });
    const link = h(
      'a',
      {
        class: 'button download',
        href: url,
        download: `ringlet-take-${n}.wav`,
        id: `studio-take-${n}-download`,
        'data-frames': String(take.frames),
      },
      `Download take ${n} (WAV, 32-bit float)`,
    );
    const audio = /** @type {HTMLAudioElement} */ (
      h('audio', { controls: '', preload: 'metadata', src: url, 'aria-label': `Play take ${n}` })
    );
    const remove = h('button', { type: 'button', 'aria-label': `Delete take ${n}` }, 'Delete');
    const li = h(
      'li',
      { class: 'studio-take', id: `studio-take-${n}` },
      h('div', { class: 'studio-take-head' }, h('strong', {}, `Take ${n}`), meta, loudness),
      wave,
      h('div', { class: 'studio-controls' }, audio, link, remove),
    );
    remove.addEventListener(
      'click',
      () => {
        URL.revokeObjectURL(url);
        li.remove();
        if (!takesList.querySelector('li')) takesList.append(noTakes);
        say(`Take ${n} deleted.`);
      },
      { signal },
    );
    takesList.prepend(li);
    drawOverview(wave, take.overview);
    recNote.textContent = `Take ${n}: ${take.frames.toLocaleString('en-US')} frames (${seconds.toFixed(2)} s).`;
    say(`Take ${n} recorded: ${summary}.`);
    if (host.pool) void measureLoudness(take.wav, loudness);
  }

  /**
   * The take's integrated loudness from the pool's 'analyze' task, off the main thread.
   * @param {ArrayBuffer} wav
   * @param {HTMLElement} out
   */
  async function measureLoudness(wav, out) {
    const pool = /** @type {NonNullable<StudioHost['pool']>} */ (host.pool);
    const w = wavSamples(wav);
    if (w.frames === 0) return;
    const channels = Array.from({ length: w.channels }, (_, c) => {
      const plane = new Float32Array(w.frames);
      for (let i = 0; i < w.frames; i++) plane[i] = w.samples[i * w.channels + c];
      return plane;
    });
    try {
      const r = /** @type {{ lufs: number }} */ (
        await pool.run(
          'analyze',
          { channels, sampleRate: w.sampleRate },
          { transfer: channels.map((c) => c.buffer), signal },
        )
      );
      if (!disposed)
        out.textContent = `loudness ${Number.isFinite(r.lufs) ? r.lufs.toFixed(1).replace('-', '−') : '−∞'} LUFS`;
    } catch (error) {
      if (!disposed) out.textContent = `loudness: ${/** @type {Error} */ (error).message}`;
    }
  }
  cleanups.push(() => aborter.abort());
  cleanups.push(() => takeUrls.forEach((u) => URL.revokeObjectURL(u)));

  // ---- drawing ---------------------------------------------------------------------
  const scopeData = new Float32Array(generator.analyser.fftSize);
  let lastMeterText = 0;
  let frameId = 0;

  function drawScope() {
    const { g, width, height } = fitCanvas(scope);
    const p = palette(genPanel);
    g.fillStyle = p.bg;
    g.fillRect(0, 0, width, height);
    g.fillStyle = p.grid;
    for (let i = 1; i < 4; i++) g.fillRect(0, Math.round((i * height) / 4), width, 1);
    if (!gen.playing) return;
    generator.analyser.getFloatTimeDomainData(scopeData);
    const peak = Math.max(1, 10 ** (gen.levelDb / 20));
    let start = 0;
    for (let i = 1; i < scopeData.length / 2; i++) {
      if (scopeData[i - 1] < 0 && scopeData[i] >= 0) {
        start = i;
        break;
      }
    }
    const span = Math.min(scopeData.length - start, 1024);
    g.beginPath();
    for (let x = 0; x < width; x++) {
      const v = scopeData[start + Math.floor((x / width) * span)] / peak;
      g.lineTo(x, height / 2 - v * (height / 2 - 4));
    }
    g.strokeStyle = p.accent;
    g.lineWidth = 1.5;
    g.stroke();
  }

  /**
   * @param {HTMLCanvasElement} canvas
   * @param {Float32Array} overview [min, max] pairs
   */
  function drawOverview(canvas, overview) {
    const { g, width, height } = fitCanvas(canvas);
    const p = palette(recPanel);
    g.fillStyle = p.bg;
    g.fillRect(0, 0, width, height);
    g.fillStyle = p.grid;
    g.fillRect(0, Math.round(height / 2), width, 1);
    const buckets = overview.length / 2;
    let top = 1;
    for (const v of overview) top = Math.max(top, Math.abs(v));
    const y = (/** @type {number} */ v) => height / 2 - (v / top) * (height / 2 - 2);
    g.fillStyle = p.accent;
    for (let b = 0; b < buckets; b++) {
      const x0 = Math.floor((b / buckets) * width);
      const x1 = Math.max(x0 + 1, Math.floor(((b + 1) / buckets) * width));
      const hi = y(overview[2 * b + 1]);
      const lo = y(overview[2 * b]);
      g.fillRect(x0, hi, x1 - x0, Math.max(1, lo - hi));
    }
    if (top > 1) {
      g.fillStyle = p.bad;
      g.fillRect(0, y(1), width, 1);
      g.fillRect(0, y(-1), width, 1);
    }
  }

  function frame() {
    frameId = 0;
    if (disposed) return;
    const m = capture.meters();
    const clips = m.clips.map((n, c) => n - (rec.clipBase[c] ?? 0));
    drawLevels(meterCanvas, { ...m, clips }, ['L', 'R'], palette(recPanel));
    drawScope();
    const now = performance.now();
    if (now - lastMeterText >= METER_TEXT_MS) {
      lastMeterText = now;
      meterRows.forEach((r, c) => {
        r.peak.textContent = formatDb(m.peak[c]);
        r.rms.textContent = formatDb(m.rms[c]);
        const clipped = clips[c] > 0;
        r.clip.textContent = clipped ? `CLIP (${clips[c]})` : 'no clip';
        r.clip.classList.toggle('on', clipped);
      });
    }
    clock.textContent = formatTime(rec.frames / rate);
    frameId = requestAnimationFrame(frame);
  }
  frameId = requestAnimationFrame(frame);
  cleanups.push(() => {
    cancelAnimationFrame(frameId);
    frameId = 0;
  });

  // ---- start ----------------------------------------------------------------------
  applyGenerator();
  showGeneratorFields();
  applyRoute();
  setRecordingUi();
  // The microphone only if permission was granted before: no prompt on mount.
  let granted = false;
  try {
    granted =
      (await navigator.permissions.query(/** @type {PermissionDescriptor} */ ({ name: 'microphone' }))).state ===
      'granted';
  } catch {
    // browsers that cannot query microphone permission
  }
  if (granted && !disposed) await useMicrophone();
  else setSource('generator');

  return {
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const undo of cleanups.reverse()) {
        try {
          undo();
        } catch (error) {
          console.warn('[ringlet studio] dispose:', error);
        }
      }
    },
    /** What the studio holds, for tests and the console. */
    inspect() {
      return {
        disposed,
        generatorNode: generator.state,
        captureNode: capture.state,
        captureFrames: capture.stats().framesProcessed,
        debug: { generator: generator.debugStats(), capture: capture.debugStats() },
        worker: worker !== null,
        transport: capture.transport,
        microphone: micStream?.getAudioTracks().map((t) => t.readyState) ?? [],
        animating: frameId !== 0,
        sweepTimer: sweepTimer !== 0,
        source: rec.source,
        attached: rec.attached,
        recording: rec.recording,
        generator: { ...gen },
      };
    },
  };
}

/**
 * @typedef {{ disposed: boolean, generatorNode: string, captureNode: string, captureFrames: number,
 *   debug: { generator: import('../../types/index.js').NodeDebugStats, capture: import('../../types/index.js').NodeDebugStats },
 *   worker: boolean, transport: string, microphone: string[], animating: boolean, sweepTimer: boolean,
 *   source: Source, attached: boolean, recording: boolean, generator: object }} StudioState
 */

// ---- small DOM helpers ---------------------------------------------------------------

/**
 * @param {string} tag
 * @param {Record<string, string>} attrs
 * @param {...(Node | string)} children
 * @returns {HTMLElement}
 */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

/**
 * @param {string} id
 * @param {number} value
 * @param {number} min
 * @param {number} max
 * @param {string} step
 */
function numberInput(id, value, min, max, step) {
  return /** @type {HTMLInputElement} */ (
    h('input', { type: 'number', id, value: String(value), min: String(min), max: String(max), step })
  );
}

/**
 * A labelled field: "name [input] unit"; the label names the input.
 * @param {string | Node} name
 * @param {HTMLElement} control
 * @param {string} [unit]
 */
function field(name, control, unit) {
  return h('label', { class: 'field' }, name, control, ...(unit ? [h('span', { class: 'studio-unit' }, unit)] : []));
}

/**
 * A fieldset of radio buttons (arrow keys move within it, as native radios do).
 * @param {string} name
 * @param {string} legend
 * @param {Array<[string, string]>} options
 */
function radioGroup(name, legend, options) {
  const inputs = options.map(([value]) => {
    const input = /** @type {HTMLInputElement} */ (h('input', { type: 'radio', name, value, id: `${name}-${value}` }));
    return input;
  });
  const root = h(
    'fieldset',
    { class: 'studio-radios', id: name },
    h('legend', {}, legend),
    ...options.map(([, text], i) => h('label', { for: inputs[i].id }, inputs[i], text)),
  );
  return {
    root,
    /** @param {string} value */
    set(value) {
      for (const i of inputs) i.checked = i.value === value;
    },
    /**
     * @param {(value: string) => void} fn
     * @param {AbortSignal} signal
     */
    onChange(fn, signal) {
      for (const i of inputs) i.addEventListener('change', () => i.checked && fn(i.value), { signal });
    },
  };
}

/** @param {number} v */
function formatNumber(v) {
  return Number.isInteger(v) ? String(v) : v.toFixed(2);
}

/** @param {number} f */
function formatHz(f) {
  return f >= 1000 ? `${formatNumber(f / 1000)} kHz` : `${formatNumber(f)} Hz`;
}
