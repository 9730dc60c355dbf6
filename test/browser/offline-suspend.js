// A test-only OfflineAudioContext.suspend(time) for Firefox, which has none
// (ESR 153). The browser tests pause an offline render at a
// quantum boundary to act between quanta (read an analyser, change a
// setting, feed a ring). This stands in for it on cross-origin isolated
// pages: a gate AudioWorkletNode, downstream of every node that reaches the
// destination (so it runs last in each quantum), blocks the rendering thread
// with Atomics.wait at each suspend frame until resume() releases it.
//
// What it cannot do, unlike a real suspend: while the gate holds the
// rendering thread, the worklet handles no port messages, so a test that
// needs the processor to answer during the pause (reset(), the message
// transport) cannot use it; the gate gives up after 10 s, so such a test
// fails rather than hangs. Firefox hands the worklet its port messages
// between blocks of quanta, so a message posted in
// a pause lands a few quanta after it: a test that arms something by message
// asks the processor where it landed (a 'status' right behind it), and a
// reset() mid-render goes through fixtures/offline-reset.js, which pauses at
// every quantum until the reset has resolved. Pages that are not isolated have no
// SharedArrayBuffer, and keep OfflineAudioContext without suspend().
//
// The harness installs OFFLINE_SUSPEND as an init script in engines that lack
// suspend(); it is a no-op where suspend() exists.

export const OFFLINE_SUSPEND = `(() => {
  const OAC = globalThis.OfflineAudioContext;
  if (!OAC || typeof OAC.prototype.suspend === 'function') return;
  if (typeof SharedArrayBuffer !== 'function' || globalThis.crossOriginIsolated !== true) return;
  const QUANTUM = 128;
  const GATE = \`registerProcessor('ringlet-test-suspend-gate', class extends AudioWorkletProcessor {
    constructor(options) {
      super();
      this.s = new Int32Array(options.processorOptions.sab);
      this.frames = options.processorOptions.frames;
      this.k = 0;
    }
    process() {
      const next = currentFrame + 128;
      while (this.k < this.frames.length && this.frames[this.k] === next) {
        this.k += 1;
        Atomics.store(this.s, 0, this.k); // suspended at frames[k - 1]
        Atomics.notify(this.s, 0);
        // Bounded: a test that never resumes fails on its results instead of hanging the render.
        const until = Date.now() + 10000;
        while (Atomics.load(this.s, 1) < this.k && Date.now() < until) Atomics.wait(this.s, 1, Atomics.load(this.s, 1), 100);
      }
      return this.k < this.frames.length;
    }
  });\`;
  const gateUrl = URL.createObjectURL(new Blob([GATE], { type: 'text/javascript' }));
  const state = new WeakMap(); // context -> { pending: Map(frame -> { resolve, reject }), sinks: Set, s, blocked }
  const of = (ctx) => {
    let st = state.get(ctx);
    if (!st) state.set(ctx, (st = { pending: new Map(), sinks: new Set(), s: null, blocked: 0, started: false }));
    return st;
  };
  const connect = AudioNode.prototype.connect;
  AudioNode.prototype.connect = function (dest, ...rest) {
    if (this.context instanceof OAC && dest === this.context.destination) of(this.context).sinks.add(this);
    return connect.call(this, dest, ...rest);
  };
  OAC.prototype.suspend = function (time) {
    const st = of(this);
    // As Chromium: the whole frame at time, rounded up to a quantum boundary
    // (so 128 * k / sampleRate is quantum k, whatever the float error).
    const frame = Math.ceil(Math.floor(time * this.sampleRate) / QUANTUM) * QUANTUM;
    if (!(time >= 0) || frame >= this.length || st.pending.has(frame) || st.started)
      return Promise.reject(new DOMException('cannot suspend at ' + time, 'InvalidStateError'));
    return new Promise((resolve, reject) => st.pending.set(frame, { resolve, reject }));
  };
  const resume = OAC.prototype.resume;
  OAC.prototype.resume = function () {
    const st = state.get(this);
    if (st && st.blocked > 0) {
      const k = st.blocked;
      st.blocked = 0;
      if (st.s) {
        Atomics.store(st.s, 1, k);
        Atomics.notify(st.s, 1);
      } else st.releaseZero?.();
      return Promise.resolve();
    }
    return typeof resume === 'function' ? resume.call(this) : Promise.resolve();
  };
  const startRendering = OAC.prototype.startRendering;
  OAC.prototype.startRendering = async function () {
    const st = of(this);
    st.started = true;
    const zero = st.pending.get(0);
    st.pending.delete(0);
    const frames = [...st.pending.keys()].sort((a, b) => a - b);
    if (zero) {
      // Suspended before the first quantum: start once resumed.
      const released = new Promise((r) => (st.releaseZero = r));
      st.blocked = 1;
      zero.resolve();
      await released;
    }
    if (frames.length > 0) {
      await this.audioWorklet.addModule(gateUrl);
      const sab = new SharedArrayBuffer(8);
      st.s = new Int32Array(sab);
      const gate = new AudioWorkletNode(this, 'ringlet-test-suspend-gate', {
        numberOfInputs: 1,
        numberOfOutputs: 1,
        outputChannelCount: [1],
        processorOptions: { sab, frames },
      });
      for (const n of st.sinks) connect.call(n, gate);
      connect.call(gate, this.destination);
      let seen = 0;
      const watch = async () => {
        while (seen < frames.length) {
          const v = Atomics.load(st.s, 0);
          if (v > seen) {
            seen = v;
            st.blocked = v;
            st.pending.get(frames[v - 1]).resolve();
            continue;
          }
          if (typeof Atomics.waitAsync === 'function') {
            const w = Atomics.waitAsync(st.s, 0, v, 50);
            if (w.async) await w.value;
          } else await new Promise((r) => setTimeout(r, 1));
        }
      };
      const rendering = startRendering.call(this);
      const watching = watch();
      const buffer = await rendering;
      seen = frames.length;
      await watching;
      return buffer;
    }
    return startRendering.call(this);
  };
})();`;
