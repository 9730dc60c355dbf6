// ringlet/stream in a Vite build: its Worker (bundled by Vite together with
// mediabunny, an optional peer this app installs) decodes a WAV made here
// into a source node's ring; a capture node behind it records what played,
// which must be the WAV's samples exactly. Realtime, so that it runs the
// same on both transports in every engine.
import { RingletNode } from 'ringlet';
import { RingletStream } from 'ringlet/stream';

const RATE = 48000;
const FRAMES = RATE;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A 16-bit stereo WAV whose samples are never 0 (silence is then told apart). */
function wav() {
  const bytes = new ArrayBuffer(44 + FRAMES * 4);
  const v = new DataView(bytes);
  const ascii = (at, s) => [...s].forEach((ch, i) => v.setUint8(at + i, ch.charCodeAt(0)));
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + FRAMES * 4, true);
  ascii(8, 'WAVEfmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, 2, true);
  v.setUint32(24, RATE, true);
  v.setUint32(28, RATE * 4, true);
  v.setUint16(32, 4, true);
  v.setUint16(34, 16, true);
  ascii(36, 'data');
  v.setUint32(40, FRAMES * 4, true);
  for (let i = 0; i < FRAMES; i++) {
    v.setInt16(44 + i * 4, (i % 12000) + 1, true);
    v.setInt16(46 + i * 4, -((i * 7) % 9000) - 1, true);
  }
  return new Blob([bytes], { type: 'audio/wav' });
}

async function run() {
  const stage = (/** @type {string} */ what) =>
    (window.ringletStage = `${what} at ${Math.round(performance.now())} ms`);
  stage('creating the context');
  const ctx = new AudioContext({ sampleRate: RATE });
  await Promise.race([ctx.suspend(), sleep(5000)]);
  stage('creating the stream');
  const stream = await RingletStream.create(ctx, { capacityFrames: 16384 });
  const tap = await RingletNode.create(ctx, { mode: 'capture', channels: 2, capacityFrames: 65536 });
  stream.node.connect(tap).connect(ctx.destination);
  stage('opening');
  const info = await stream.open(wav());
  const ended = new Promise((resolve) => stream.addEventListener('ended', resolve, { once: true }));
  const got = [[], []];
  let reading = true;
  const drain = (async () => {
    while (reading) {
      const planes = [new Float32Array(4096), new Float32Array(4096)];
      const r = await tap.reader.read(planes, { timeoutMs: 50 });
      for (let i = 0; i < r.frames; i++) {
        if (planes[0][i] === 0 && planes[1][i] === 0) continue;
        got[0].push(planes[0][i]);
        got[1].push(planes[1][i]);
      }
    }
  })();
  stage('resuming');
  await Promise.race([ctx.resume(), sleep(5000)]);
  stage('play()');
  await stream.play();
  stage('playing');
  const done = await Promise.race([ended.then(() => true), sleep(20000).then(() => false)]);
  await sleep(300);
  reading = false;
  stage('ending the capture');
  await drain;
  let mismatches = 0;
  for (let i = 0; i < FRAMES; i++) {
    if (got[0][i] !== ((i % 12000) + 1) / 32768 || got[1][i] !== (-((i * 7) % 9000) - 1) / 32768) mismatches++;
  }
  const result = {
    transport: stream.node.transport,
    codec: info.codec,
    duration: info.duration,
    ended: done,
    frames: got[0].length,
    mismatches,
    position: stream.positionFrames,
    underruns: stream.node.stats().underruns,
  };
  stage('closing');
  stream.dispose();
  tap.dispose();
  await ctx.close();
  stage('done');
  return result;
}

window.ringlet = { run };
document.getElementById('status').textContent = 'ready';
