// The stream pages' shared check: a RingletStream plays a file of the
// pages' signal (stream-signal.js) into a source node's ring, and a capture
// node behind it records what played, which must be the signal's samples
// exactly. Realtime, so that it runs the same on both transports in every
// engine.
import { RingletNode } from 'ringlet';
import { RingletStream } from 'ringlet/stream';
import { FRAMES, left, RATE, right } from './stream-signal.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Plays the Blob `source` makes on a stream made with `streamOptions`, and
 * reports what was heard.
 * @param {{ workerUrl?: string | URL }} streamOptions
 * @param {() => Promise<Blob>} source
 */
export async function playAndCompare(streamOptions, source) {
  const stage = (/** @type {string} */ what) =>
    (window.ringletStage = `${what} at ${Math.round(performance.now())} ms`);
  stage('creating the context');
  const ctx = new AudioContext({ sampleRate: RATE });
  await Promise.race([ctx.suspend(), sleep(5000)]);
  stage('creating the stream');
  const stream = await RingletStream.create(ctx, { capacityFrames: 16384, ...streamOptions });
  const tap = await RingletNode.create(ctx, { mode: 'capture', channels: 2, capacityFrames: 65536 });
  stream.node.connect(tap).connect(ctx.destination);
  stage('opening');
  const info = await stream.open(await source());
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
    if (got[0][i] !== left(i) / 32768 || got[1][i] !== right(i) / 32768) mismatches++;
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
