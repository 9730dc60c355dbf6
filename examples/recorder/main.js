// recorder: microphone (or the node's generator) -> capture node -> ring ->
// Worker -> WAV. The main thread only draws and sends commands.
import { RingletNode } from '../../dist/ringlet.js';
import {
  $,
  drawLevels,
  expose,
  fitCanvas,
  formatBytes,
  formatCount,
  formatDb,
  formatTime,
  openAudio,
  palette,
  setGauge,
  showError,
  showIsolation,
  showTransport,
} from '../shared/ui.js';
import { Drainer } from '../shared/drainer.js';

const CAPACITY_FRAMES = 32768;
const GENERATOR = {
  sweep: { type: 'sweep', frequency: 110, endFrequency: 3520, durationSeconds: 4, amplitude: 0.4 },
  sine: { type: 'sine', frequency: 440, amplitude: 0.4 },
  triangle: { type: 'triangle', frequency: 220, amplitude: 0.45 },
  'pink-noise': { type: 'pink-noise', frequency: 440, amplitude: 0.35 },
};

showIsolation();
const recordButton = /** @type {HTMLButtonElement} */ ($('record'));
const stopButton = /** @type {HTMLButtonElement} */ ($('stop'));
const limitInput = /** @type {HTMLInputElement} */ ($('limit'));
const genType = /** @type {HTMLSelectElement} */ ($('gen-type'));

const { ctx, running } = await openAudio();
await running;
const node = await RingletNode.create(ctx, { mode: 'capture', channels: 1, capacityFrames: CAPACITY_FRAMES });
showTransport(node);
// The capture node passes its input through; the speakers get it only when monitoring.
const monitor = new GainNode(ctx, { gain: 0 });
node.connect(monitor).connect(ctx.destination);
node.analyser.fftSize = 2048;

/** @type {'microphone' | 'generator'} */
let source = 'generator';
/** @type {MediaStream | null} */
let micStream = null;
/** @type {MediaStreamAudioSourceNode | null} */
let micNode = null;
let recording = false;
let recordedFrames = 0;
let limitFrames = 0;
let takeCount = 0;
/** @type {number[]} peak per 50 ms of the current take */
let envelope = [];
let envelopeAt = 0;
let envelopePeak = 0;
let sweepTimer = 0;
/**
 * Overruns counted before the consumer caught up: the node fills its ring
 * from creation, before any Worker can attach (see shared/drainer.js).
 * @type {number | null}
 */
let overrunBase = null;

// The consumer: a Worker on 'shared', the main thread on 'message'.
/** @type {(m: object) => void} */
let send;
if (node.readerHandle) {
  const worker = new Worker(new URL('../shared/drainer.worker.js', import.meta.url), { type: 'module' });
  worker.onmessage = (event) => onDrainerMessage(event.data);
  worker.onerror = (event) => showError(new Error(event.message), 'recorder worker');
  worker.postMessage({ type: 'attach', handle: node.readerHandle, sampleRate: ctx.sampleRate });
  send = (m) => worker.postMessage(m);
  $('reader').textContent = 'Worker · readSync';
} else {
  const reader = /** @type {any} */ (node.reader);
  const drainer = new Drainer(reader, {
    blocking: false,
    sampleRate: ctx.sampleRate,
    post: (m) => queueMicrotask(() => onDrainerMessage(m)),
  });
  send = (m) => drainer.handle(/** @type {any} */ (m));
  $('reader').textContent = 'main thread · read()';
}

// ---- sources -----------------------------------------------------------

function useGenerator(/** @type {string} */ why = '') {
  source = 'generator';
  const settings = /** @type {any} */ (GENERATOR)[genType.value];
  node.generator.set(settings);
  node.generator.start();
  clearInterval(sweepTimer);
  if (settings.type === 'sweep') {
    // The sweep holds its end: restart it so the input keeps moving.
    sweepTimer = setInterval(() => {
      node.generator.stop();
      node.generator.start();
    }, settings.durationSeconds * 1000);
  }
  $('source-name').textContent = `generator · ${genType.options[genType.selectedIndex].text}`;
  if (why) $('mic-note').textContent = why;
  $('mic-note').className = why ? 'note warn' : 'note';
}

async function useMicrophone() {
  try {
    micStream ??= await navigator.mediaDevices.getUserMedia({
      audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 },
    });
    micNode ??= new MediaStreamAudioSourceNode(ctx, { mediaStream: micStream });
    micNode.connect(node);
    node.generator.stop();
    clearInterval(sweepTimer);
    source = 'microphone';
    const label = micStream.getAudioTracks()[0]?.label || 'default input';
    $('source-name').textContent = `microphone · ${label}`;
    $('mic-note').textContent = '';
  } catch (error) {
    const e = /** @type {Error} */ (error);
    const reason =
      e?.name === 'NotAllowedError'
        ? 'permission was denied'
        : e?.name === 'NotFoundError'
          ? 'no microphone was found'
          : `${e?.name ?? 'error'}: ${e?.message ?? e}`;
    useGenerator(`Microphone unavailable (${reason}); recording the generator instead.`);
  }
}

$('use-mic').addEventListener('click', () => useMicrophone());
$('use-gen').addEventListener('click', () => useGenerator());
genType.addEventListener('change', () => {
  if (source === 'generator') useGenerator();
});
$('monitor').addEventListener('change', (e) => {
  monitor.gain.setTargetAtTime(/** @type {HTMLInputElement} */ (e.target).checked ? 1 : 0, ctx.currentTime, 0.02);
});

// Use the microphone at once only if permission was granted before; otherwise
// start on the generator and let the user ask (no prompt on page load).
let granted;
try {
  granted = (await navigator.permissions.query(/** @type {any} */ ({ name: 'microphone' }))).state === 'granted';
} catch {
  granted = false; // browsers that cannot query microphone permission
}
if (granted) await useMicrophone();
else useGenerator();

// ---- recording -----------------------------------------------------------

function updateLimit() {
  const seconds = Math.max(0, Number(limitInput.value) || 0);
  limitFrames = Math.round(seconds * ctx.sampleRate);
  $('clock-limit').textContent = limitFrames ? `/ ${formatTime(seconds)}` : '/ no limit';
}
limitInput.addEventListener('change', updateLimit);
updateLimit();

recordButton.addEventListener('click', () => {
  if (recording) return;
  updateLimit();
  recording = true;
  recordedFrames = 0;
  envelope = [];
  envelopeAt = performance.now();
  envelopePeak = 0;
  send({ type: 'record', limitFrames });
  setRecordingUi();
  $('message').textContent = `Recording ${source === 'microphone' ? 'the microphone' : 'the generator'}…`;
});
stopButton.addEventListener('click', () => {
  if (recording) send({ type: 'stop' });
});

function setRecordingUi() {
  recordButton.disabled = recording;
  stopButton.disabled = !recording;
  limitInput.disabled = recording;
  $('transport-panel').classList.toggle('recording', recording);
}

/** @param {any} m */
function onDrainerMessage(m) {
  if (m.type === 'attached') overrunBase = node.stats().overruns;
  else if (m.type === 'progress') recordedFrames = m.frames;
  else if (m.type === 'error') showError(new Error(m.message), 'recorder');
  else if (m.type === 'done') {
    recording = false;
    recordedFrames = m.frames;
    setRecordingUi();
    addTake(m);
  }
}

/** @param {{ wav: ArrayBuffer, frames: number, sampleRate: number, channels: number, peak: number, rms: number }} take */
function addTake(take) {
  takeCount += 1;
  $('no-takes')?.remove();
  const blob = new Blob([take.wav], { type: 'audio/wav' });
  const url = URL.createObjectURL(blob);
  const li = document.createElement('li');
  const name = `ringlet-take-${takeCount}.wav`;
  const title = document.createElement('strong');
  title.textContent = `Take ${takeCount}`;
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.className = 'button download';
  link.id = `download-${takeCount}`;
  link.textContent = 'Download WAV';
  link.dataset.frames = String(take.frames);
  const meta = document.createElement('span');
  meta.className = 'meta';
  meta.textContent = `${formatTime(take.frames / take.sampleRate)} · ${take.sampleRate} Hz mono · ${formatBytes(blob.size)} · peak ${formatDb(take.peak)} · RMS ${formatDb(take.rms)}`;
  const audio = document.createElement('audio');
  audio.controls = true;
  audio.src = url;
  audio.preload = 'metadata';
  audio.setAttribute('aria-label', `Take ${takeCount}`);
  const head = document.createElement('div');
  head.append(title, document.createElement('br'), meta);
  li.append(head, link, audio);
  $('takes').prepend(li);
  $('message').textContent =
    `Take ${takeCount}: ${formatCount(take.frames)} frames (${(take.frames / take.sampleRate).toFixed(2)} s).`;
  // Keep the list short: drop (and release) the oldest beyond five.
  const items = $('takes').querySelectorAll('li');
  for (let i = 5; i < items.length; i++) {
    const a = /** @type {HTMLAnchorElement | null} */ (items[i].querySelector('a'));
    if (a) URL.revokeObjectURL(a.href);
    items[i].remove();
  }
}

// ---- drawing -----------------------------------------------------------------

const scopeData = new Float32Array(node.analyser.fftSize);

function drawScope() {
  const canvas = /** @type {HTMLCanvasElement} */ ($('scope'));
  const { g, width, height } = fitCanvas(canvas);
  const p = palette();
  g.fillStyle = p.bg;
  g.fillRect(0, 0, width, height);
  g.fillStyle = p.grid;
  for (let i = 1; i < 4; i++) g.fillRect(0, Math.round((i * height) / 4), width, 1);
  for (let i = 1; i < 10; i++) g.fillRect(Math.round((i * width) / 10), 0, 1, height);
  node.analyser.getFloatTimeDomainData(scopeData);
  // Trigger on a rising zero crossing, so periodic input stands still.
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
    const v = scopeData[start + Math.floor((x / width) * span)];
    g.lineTo(x, height / 2 - v * (height / 2 - 6));
  }
  g.strokeStyle = p.accentStrong;
  g.lineWidth = 1.6;
  g.shadowColor = p.accent;
  g.shadowBlur = 8;
  g.stroke();
  g.shadowBlur = 0;
}

function drawTake() {
  const canvas = /** @type {HTMLCanvasElement} */ ($('take'));
  const { g, width, height } = fitCanvas(canvas);
  const p = palette();
  g.fillStyle = p.bg;
  g.fillRect(0, 0, width, height);
  const slots = limitFrames ? Math.ceil((limitFrames / ctx.sampleRate) * 20) : Math.max(200, envelope.length);
  const w = width / slots;
  const mid = height / 2;
  const gradient = g.createLinearGradient(0, 0, 0, height);
  gradient.addColorStop(0, p.accent2);
  gradient.addColorStop(0.5, p.accent);
  gradient.addColorStop(1, p.accent2);
  g.fillStyle = gradient;
  for (let i = 0; i < envelope.length && i < slots; i++) {
    const h = Math.max(1, envelope[i] * (height - 8));
    g.fillRect(i * w, mid - h / 2, Math.max(1, w - 1), h);
  }
  g.fillStyle = p.grid;
  g.fillRect(0, mid, width, 1);
}

function frame() {
  const m = node.meters();
  if (recording) {
    envelopePeak = Math.max(envelopePeak, m.peak[0]);
    const now = performance.now();
    while (now - envelopeAt >= 50) {
      envelope.push(envelopePeak);
      envelopePeak = 0;
      envelopeAt += 50;
    }
  }
  drawLevels(/** @type {HTMLCanvasElement} */ ($('levels')), m, ['in']);
  drawScope();
  drawTake();
  const s = node.stats();
  const fill = s.availableRead / s.capacityFrames;
  setGauge($('fill'), fill, `${(fill * 100).toFixed(0)} %`);
  $('fill-ms').textContent = `${((s.availableRead / ctx.sampleRate) * 1000).toFixed(0)} ms waiting`;
  const overruns = overrunBase === null ? null : s.overruns - overrunBase;
  $('overruns').textContent = overruns === null ? '—' : formatCount(overruns);
  $('overruns-stat').classList.toggle('alert', overruns !== null && overruns > 0);
  $('overruns-stat').classList.toggle('good', overruns === 0);
  $('frames').textContent = formatCount(recordedFrames);
  $('clock').textContent = formatTime(recordedFrames / ctx.sampleRate);
  requestAnimationFrame(frame);
}

expose({
  ctx,
  node,
  get source() {
    return source;
  },
  get recording() {
    return recording;
  },
  /** Overruns since the consumer caught up (null before). */
  get overruns() {
    return overrunBase === null ? null : node.stats().overruns - overrunBase;
  },
});
requestAnimationFrame(frame);
// Record once the consumer drains the ring.
await new Promise((resolve) => {
  const check = () => (overrunBase !== null ? resolve(undefined) : setTimeout(check, 20));
  check();
});
recordButton.disabled = false;
