// The player's WorkerPool module: ringlet's built-in tasks ('render' for the
// export) plus 'decode', which decodes a file with mediabunny (WebCodecs, and
// WebAssembly for FLAC and MP3: ringlet/wasm-decoders)
// and, as it goes, makes its waveform overview and measures its loudness
// (ringlet/worker's createAnalysis), so that neither the main thread nor the
// audio thread ever walks a whole track, and a track of any length holds
// only a block of samples here. Worker thread.
import { createAnalysis, defineTasks, withTransfer } from '../../dist/ringlet-worker.js';
import { registerWasmDecoders } from '../../dist/ringlet-wasm-decoders.js';
import * as mb from 'mediabunny';

// The stream's Worker (./stream.worker.js) decodes FLAC and MP3 with these
// decoders; the overview and loudness are made from the same samples.
const decoders = registerWasmDecoders(mb);

/**
 * @typedef {object} DecodePayload
 * @property {Blob | string} source a Blob, or a same-origin URL (read with range requests)
 * @property {number} buckets the overview's columns
 * @property {number} keepSeconds keep the decoded PCM (for loudness and export) up to this long; 0 never
 */

/**
 * @typedef {object} DecodeResult
 * @property {Float32Array} peaks buckets × [min, max] over every channel
 * @property {Float32Array} rms buckets × RMS over every channel
 * @property {number} sampleRate
 * @property {number} frames
 * @property {Float32Array[] | null} channels the PCM when the track is at most keepSeconds long
 * @property {{ lufs: number, peakDb: number }} loudness integrated loudness and sample peak of the whole track
 */

defineTasks({
  /**
   * @param {DecodePayload} payload
   * @param {import('../../types/pool.js').TaskContext} context
   */
  decode: async ({ source, buckets, keepSeconds }, context) => {
    await decoders;
    const input = new mb.Input({
      source: typeof source === 'string' ? new mb.UrlSource(source) : new mb.BlobSource(source),
      formats: mb.ALL_FORMATS,
    });
    try {
      const track = await input.getPrimaryAudioTrack();
      if (!track) throw new TypeError('decode: the file has no audio track');
      const rate = track.sampleRate;
      const channelCount = track.numberOfChannels;
      const duration = await track.computeDuration();
      const estimated = Math.max(1, Math.ceil(duration * rate));
      const perBucket = Math.max(1, estimated / buckets);
      const peaks = new Float32Array(buckets * 2);
      const sums = new Float64Array(buckets);
      const counts = new Float64Array(buckets);
      const keep = keepSeconds > 0 && duration <= keepSeconds;
      const analysis = await createAnalysis({ channels: channelCount, sampleRate: rate });
      /** @type {Float32Array[] | null} */
      let channels = keep ? Array.from({ length: channelCount }, () => new Float32Array(estimated)) : null;
      let next = 0;
      let lastProgress = 0;
      /** @type {Float32Array[]} */
      let planes = [];
      for await (const sample of new mb.AudioSampleSink(track).samples()) {
        try {
          const first = Math.round(sample.timestamp * rate);
          const count = sample.numberOfFrames;
          let skip = next - first;
          if (skip >= count) continue;
          if (skip < 0) {
            skip = 0;
            next = first;
          }
          const frames = count - skip;
          if (planes.length !== channelCount || planes[0].length < frames)
            planes = Array.from({ length: channelCount }, () => new Float32Array(frames));
          for (let c = 0; c < channelCount; c++)
            sample.copyTo(planes[c], { planeIndex: c, format: 'f32-planar', frameOffset: skip, frameCount: frames });
          if (channels && next + frames > channels[0].length) {
            const grown = channels.map((ch) => {
              const bigger = new Float32Array(Math.max(next + frames, Math.ceil(ch.length * 1.25)));
              bigger.set(ch);
              return bigger;
            });
            channels = grown;
          }
          analysis.push(planes.map((p) => p.subarray(0, frames)));
          for (let c = 0; c < channelCount; c++) {
            const p = planes[c];
            if (channels) channels[c].set(p.subarray(0, frames), next);
            for (let i = 0; i < frames; i++) {
              const b = Math.min(buckets - 1, Math.floor((next + i) / perBucket));
              const x = p[i];
              if (x < peaks[2 * b]) peaks[2 * b] = x;
              if (x > peaks[2 * b + 1]) peaks[2 * b + 1] = x;
              sums[b] += x * x;
              counts[b]++;
            }
          }
          next += frames;
          const progress = Math.min(1, next / estimated);
          if (progress - lastProgress >= 0.05) {
            lastProgress = progress;
            context.progress(progress);
          }
        } finally {
          sample.close();
        }
      }
      const rms = new Float32Array(buckets);
      for (let b = 0; b < buckets; b++) rms[b] = counts[b] ? Math.sqrt(sums[b] / counts[b]) : 0;
      if (channels && channels[0].length !== next) channels = channels.map((ch) => ch.slice(0, next));
      const { lufs, peakDb } = analysis.finish();
      /** @type {DecodeResult} */
      const result = { peaks, rms, sampleRate: rate, frames: next, channels, loudness: { lufs, peakDb } };
      return withTransfer(result, [peaks.buffer, rms.buffer, ...(channels ?? []).map((c) => c.buffer)]);
    } finally {
      input.dispose?.();
    }
  },
});
