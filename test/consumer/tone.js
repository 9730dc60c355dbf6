// The check both consumer pages run (copied beside each at test time): a
// 1500 Hz sine at amplitude 0.5 written into a source node's ring, rendered
// offline, then read back through the node's meters and analyser.
const SAMPLE_RATE = 48000;
const FREQUENCY = 1500; // bin 64 of a 2048-point FFT at 48 kHz
const AMPLITUDE = 0.5;

/**
 * @param {typeof import('ringlet').RingletNode} RingletNode
 * @param {{ transport?: 'auto' | 'shared' | 'message' }} [options]
 */
export async function playTone(RingletNode, { transport = 'auto' } = {}) {
  // 2.56 s, 960 quanta: the render ends on a quantum boundary, so the tone
  // fills every quantum rendered, the last one too; the ring holds it all (131072 frames).
  const frames = 960 * 128;
  const ctx = new OfflineAudioContext({ numberOfChannels: 1, length: frames, sampleRate: SAMPLE_RATE });
  const node = await RingletNode.create(ctx, { mode: 'source', channels: 1, capacityFrames: 131072, transport });
  const sine = new Float32Array(frames);
  for (let i = 0; i < sine.length; i++) sine[i] = AMPLITUDE * Math.sin((2 * Math.PI * FREQUENCY * i) / SAMPLE_RATE);
  const written = await node.writer.write(sine, { timeoutMs: 5000 });
  await node.flush(); // over a port, writes land asynchronously
  node.connect(ctx.destination);
  const settle = async (check) => {
    const deadline = performance.now() + 5000;
    while (!check() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  };
  let result = null;
  // RMS is a 300 ms exponential average: after 2 s it is within 0.01 dB.
  const read = async (/** @type {number} */ until) => {
    // On the 'message' transport meters and samples are snapshots posted by the worklet.
    await settle(() => node.meters().peak[0] > AMPLITUDE * 0.98 && node.stats().framesProcessed >= until);
    const meters = node.meters();
    const samples = new Float32Array(node.analyser.fftSize);
    await settle(() => {
      node.analyser.getFloatTimeDomainData(samples);
      return samples.some((x) => Math.abs(x) > AMPLITUDE * 0.9);
    });
    const spectrum = new Float32Array(node.analyser.frequencyBinCount);
    node.analyser.getFloatFrequencyData(spectrum);
    result = {
      peak: meters.peak[0],
      rms: meters.rms[0],
      clips: meters.clips[0],
      peakBin: spectrum.indexOf(Math.max(...spectrum)),
      expectedBin: Math.round(FREQUENCY / (SAMPLE_RATE / node.analyser.fftSize)),
      stats: node.stats(),
    };
  };
  // Where OfflineAudioContext has suspend(), read while the tone plays, at
  // 2 s. Firefox has none (on a page that is not isolated nothing stands in
  // for it): read once the render has ended, which is the same tone, 0.56 s on.
  const pausable = typeof ctx.suspend === 'function';
  if (pausable) {
    ctx.suspend(2).then(async () => {
      await read(2 * SAMPLE_RATE - 128);
      await ctx.resume();
    });
  }
  const out = (await ctx.startRendering()).getChannelData(0);
  if (!pausable) await read(frames);
  let outPeak = 0;
  for (let i = SAMPLE_RATE; i < 2 * SAMPLE_RATE; i++) outPeak = Math.max(outPeak, Math.abs(out[i]));
  return {
    ...result,
    outPeak,
    written,
    transport: node.transport,
    isAudioWorkletNode: node instanceof AudioWorkletNode,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
  };
}

/**
 * The same sine rendered offline on the WorkerPool (renderOffline), with the
 * gain halved: the worker's module and its wasm must resolve in the built app.
 * @param {typeof import('ringlet').renderOffline} renderOffline
 */
export async function renderTone(renderOffline) {
  const sine = new Float32Array(SAMPLE_RATE / 2);
  for (let i = 0; i < sine.length; i++) sine[i] = AMPLITUDE * Math.sin((2 * Math.PI * FREQUENCY * i) / SAMPLE_RATE);
  const out = await renderOffline(
    { channels: [sine], sampleRate: SAMPLE_RATE },
    { gain: 0.5, limiter: { bypass: true } },
    { segmentFrames: 8192 },
  );
  let worst = 0;
  for (let i = 0; i < sine.length; i++) worst = Math.max(worst, Math.abs(out.channels[0][i] - 0.5 * sine[i]));
  return { frames: out.channels[0].length, worst };
}
