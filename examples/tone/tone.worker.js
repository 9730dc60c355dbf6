// Computes a sine and keeps the source node's ring about half full. Blocking
// in writeSync is fine here: this is a Worker, never the audio thread.
import { RingWriter } from '../../dist/ringlet.js';

let frequency = 440;
let running = false;

self.onmessage = (event) => {
  const m = event.data;
  if (m.type === 'frequency') frequency = m.value;
  if (m.type === 'start' && !running) {
    running = true;
    run(RingWriter.fromHandle(m.handle), m.sampleRate, m.frequency);
  }
};

/**
 * @param {RingWriter} writer
 * @param {number} sampleRate
 * @param {number} startFrequency
 */
async function run(writer, sampleRate, startFrequency) {
  frequency = startFrequency;
  const chunk = 512;
  const data = new Float32Array(chunk * writer.channels);
  let phase = 0;
  while (!writer.closed) {
    for (let i = 0; i < chunk; i++) {
      const v = 0.2 * Math.sin(phase);
      phase = (phase + (2 * Math.PI * frequency) / sampleRate) % (2 * Math.PI);
      for (let c = 0; c < writer.channels; c++) data[i * writer.channels + c] = v;
    }
    // Keep latency low: wait while the ring is more than half full.
    while (writer.availableRead > writer.capacityFrames / 2 && !writer.closed) {
      await new Promise((r) => setTimeout(r, 5));
    }
    writer.writeSync(data, { timeoutMs: 1000 });
  }
}
