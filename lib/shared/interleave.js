/**
 * Two planes into one interleaved stereo run with wasm SIMD, for
 * RingWriter.tryWrite([left, right]). A JavaScript loop that interleaves
 * floats converts every sample to double and back and costs about three
 * times a TypedArray.set() of the same bytes; here the planes are copied
 * into a private wasm memory with set(), interleaved by i8x16.shuffle four
 * frames at a time, and the result goes into the ring with one set(). Main
 * thread and Workers; never the audio thread (the worklet imports nothing
 * from here). Where wasm SIMD is unavailable, or a page's policy refuses to
 * compile wasm, interleaver() returns null and the caller loops.
 *
 * The module (169 bytes), as WebAssembly text; `wasm-as --enable-simd`
 * assembles it to the bytes below:
 *
 *   (module
 *     (import "m" "m" (memory 1))
 *     (func (export "i2") (param $l i32) (param $r i32) (param $d i32) (param $n i32)
 *       (local $a v128) (local $b v128) (local $end i32)
 *       (local.set $end (i32.add (local.get $l) (i32.shl (local.get $n) (i32.const 2))))
 *       (block $done
 *         (loop $top
 *           (br_if $done (i32.ge_u (local.get $l) (local.get $end)))
 *           (local.set $a (v128.load (local.get $l)))
 *           (local.set $b (v128.load (local.get $r)))
 *           (v128.store (local.get $d)
 *             (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))
 *           (v128.store offset=16 (local.get $d)
 *             (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b)))
 *           (local.set $l (i32.add (local.get $l) (i32.const 16)))
 *           (local.set $r (i32.add (local.get $r) (i32.const 16)))
 *           (local.set $d (i32.add (local.get $d) (i32.const 32)))
 *           (br $top)))))
 *
 * It works in whole groups of four frames, so the planes' copies are padded:
 * the frames past `n` it interleaves are scratch, never copied out.
 */

const MODULE =
  'AGFzbQEAAAABCAFgBH9/f38AAggBAW0BbQIAAQMCAQAHBgECaTIAAAp/AX0CAnsBfyAAIANBAnRqIQYCQANAIAAgBk8NASAA/QAEACEEIAH9AAQAIQUgAiAEIAX9DQABAgMQERITBAUGBxQVFhf9CwQAIAIgBCAF/Q0ICQoLGBkaGwwNDg8cHR4f/QsEECAAQRBqIQAgAUEQaiEBIAJBIGohAgwACwALCw==';

/** Frames one call interleaves at most: the planes and the result fill one 64 KiB page. */
export const INTERLEAVE_MAX_FRAMES = 4096;

const LEFT = 0;
const RIGHT = INTERLEAVE_MAX_FRAMES;
const OUT = 2 * INTERLEAVE_MAX_FRAMES;

/**
 * @typedef {object} Interleaver
 * @property {(left: Float32Array, right: Float32Array) => Float32Array} run
 *   interleaves two planes of equal length (at most INTERLEAVE_MAX_FRAMES)
 *   and returns a view of the result, valid until the next call. The view
 *   for a length is made once and reused while the length stays the same,
 *   so a writer of fixed-size blocks allocates nothing.
 */

/** @type {Interleaver | null | undefined} undefined until first asked */
let shared;

/**
 * The interleaver of this thread, made on first use; null where wasm SIMD
 * cannot run here.
 * @returns {Interleaver | null}
 */
export function interleaver() {
  if (shared !== undefined) return shared;
  shared = null;
  try {
    const bytes = Uint8Array.from(atob(MODULE), (c) => c.charCodeAt(0));
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { m: { m: memory } });
    const i2 = /** @type {(l: number, r: number, d: number, n: number) => void} */ (instance.exports.i2);
    const heap = new Float32Array(memory.buffer);
    let view = heap.subarray(OUT, OUT);
    shared = {
      run(left, right) {
        const n = left.length;
        heap.set(left, LEFT);
        heap.set(right, RIGHT);
        i2(LEFT * 4, RIGHT * 4, OUT * 4, n);
        if (view.length !== 2 * n) view = heap.subarray(OUT, OUT + 2 * n);
        return view;
      },
    };
  } catch {
    // No wasm SIMD, or the page's policy refuses to compile wasm: the caller loops.
  }
  return shared;
}
