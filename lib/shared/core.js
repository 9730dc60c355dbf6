/**
 * Facts about ringlet.wasm that both the main thread and the worklet need.
 * Imports nothing Window-only, so it loads on any thread.
 */
import { RingletError } from './errors.js';
import { VERSION } from './version.js';

/**
 * A copy of a wasm binary whose memory import is made private: the limits
 * flag loses its shared bit (0x02). ringlet.wasm imports a shared memory;
 * the 'message' transport and the offline workers run the same code on a
 * private memory, which the threads proposal allows (atomic instructions
 * are valid on an unshared memory, and the core never waits). A binary whose
 * memory import is already private comes back unchanged. Any thread; not
 * for the audio thread (it allocates a copy).
 * @param {BufferSource} source
 * @returns {Uint8Array<ArrayBuffer>}
 * @throws {RingletError} LOAD_FAILED when the bytes are not a wasm module that imports a memory
 */
export function privateMemoryBinary(source) {
  /** @type {Uint8Array<ArrayBuffer>} a copy, on a fresh ArrayBuffer */
  const bytes = ArrayBuffer.isView(source)
    ? new Uint8Array(source.buffer, source.byteOffset, source.byteLength).slice()
    : new Uint8Array(source).slice();
  let at = 8;
  /** Reads an unsigned LEB128 at `at` and moves past it. */
  const u32 = () => {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = bytes[at++] ?? 0;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
    return value;
  };
  const fail = () => new RingletError('LOAD_FAILED', 'ringlet: the wasm binary does not import a memory');
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) throw fail();
  while (at < bytes.length) {
    const id = bytes[at++];
    const size = u32();
    const end = at + size;
    if (id === 2) {
      for (let n = u32(); n > 0 && at < end; n--) {
        const moduleName = u32();
        at += moduleName;
        const fieldName = u32();
        at += fieldName;
        const kind = bytes[at++];
        if (kind === 2) {
          bytes[at] &= ~0x02;
          return bytes;
        }
        if (kind === 0)
          u32(); // function: type index
        else if (kind === 1) {
          at++;
          const flags = bytes[at++];
          u32();
          if (flags & 1) u32();
        } // table: type, limits
        else if (kind === 3)
          at += 2; // global: type, mutability
        else break;
      }
      throw fail();
    }
    at = end;
  }
  throw fail();
}

/**
 * The functions ringlet.wasm exports (csrc/wasm.c).
 * @typedef {object} CoreExports
 * @property {() => void} _initialize
 * @property {() => number} rlw_version
 * @property {(result: number) => number} rlw_result_string
 * @property {() => number} rlw_heap_base
 * @property {(which: number) => number} rlw_layout
 * @property {(mode: number, channels: number, capacity: number, sampleRate: number) => number} rlw_heap_size
 * @property {(mode: number, channels: number, capacity: number, sampleRate: number, bytes: number) => number} rlw_init
 * @property {(mode: number, channels: number, capacity: number, sampleRate: number, inputRate: number, varispeed: number) => number} rlw_heap_size_rate
 * @property {(mode: number, channels: number, capacity: number, sampleRate: number, inputRate: number, varispeed: number, bytes: number) => number} rlw_init_rate
 * @property {(channel: number) => number} rlw_input
 * @property {(channel: number) => number} rlw_output
 * @property {() => number} rlw_ring
 * @property {() => number} rlw_stats
 * @property {(frames: number, gainValueCount: number) => number} rlw_process
 * @property {(frames: number, gainValueCount: number, playbackRateValueCount: number) => number} rlw_process_rate
 * @property {() => number} rlw_playback_rate_values 0 unless the node was initialised with varispeed
 * @property {() => number} rlw_params
 * @property {() => number} rlw_gain_values
 * @property {() => number} rlw_meters
 * @property {() => number} rlw_timebuf
 * @property {(fftSize: number) => number} rlw_spectrum_heap_size
 * @property {(address: number, fftSize: number, bytes: number) => number} rlw_spectrum_init
 * @property {(spectrum: number, time: number, smoothing: number, out: number) => number} rlw_spectrum_float
 * @property {(spectrum: number, time: number, smoothing: number, minDb: number, maxDb: number, out: number) => number} rlw_spectrum_byte
 * @property {(spectrum: number) => void} rlw_spectrum_reset
 * @property {() => void} rlw_uninit
 * @property {(channels: number, capacity: number) => number} rlw_ring_heap_size
 * @property {(address: number, channels: number, capacity: number, bytes: number) => number} rlw_ring_init
 * @property {(ring: number, dst: number, frames: number) => number} rlw_ring_read
 * @property {(ring: number, src: number, frames: number) => number} rlw_ring_write
 * @property {(ring: number, planes: number, frames: number) => number} rlw_ring_read_planar
 * @property {(ring: number, planes: number, frames: number) => number} rlw_ring_write_planar
 * @property {(ring: number) => number} rlw_ring_available_read
 * @property {(ring: number) => void} rlw_ring_close
 * @property {(() => void) | undefined} rlw_test_arm_trap only in builds with RL_TEST_HOOKS
 */

/** Bytes in one WebAssembly page. */
export const PAGE_BYTES = 65536;

/**
 * Reads a NUL-terminated ASCII string from wasm memory. TextDecoder is not
 * available in AudioWorkletGlobalScope and refuses shared views, so this
 * copies byte by byte; only used for short, rare strings.
 * @param {WebAssembly.Memory} memory
 * @param {number} address
 * @param {number} [limit] most characters to read
 */
export function readCString(memory, address, limit = 256) {
  const bytes = new Uint8Array(memory.buffer);
  let s = '';
  for (let i = address; i < bytes.length && bytes[i] !== 0 && i - address < limit; i++) {
    s += String.fromCharCode(bytes[i]);
  }
  return s;
}

/**
 * What the core imports besides its memory.
 * @typedef {object} CoreHost
 * @property {(code: number, message: string) => void} [panic] told of rl_panic just before the core traps
 */

/**
 * The import object for an instance of the core on `memory`.
 * @param {WebAssembly.Memory} memory
 * @param {CoreHost} [host]
 */
export function coreImports(memory, host = {}) {
  const panic = host.panic;
  return {
    env: {
      memory,
      /** @param {number} code @param {number} message address of a C string */
      rl_host_panic: (code, message) => {
        panic?.(code, readCString(memory, message, 4096));
      },
    },
  };
}

/**
 * Instantiates the core synchronously on `memory` and checks its version.
 * Worklet and Workers use this; the main thread uses the async form.
 * @param {WebAssembly.Module} module
 * @param {WebAssembly.Memory} memory
 * @param {CoreHost} [host]
 * @returns {CoreExports}
 */
export function instantiateCore(module, memory, host) {
  const instance = new WebAssembly.Instance(module, coreImports(memory, host));
  return checkCore(instance, memory);
}

/**
 * @param {WebAssembly.Instance} instance
 * @param {WebAssembly.Memory} memory
 * @returns {CoreExports}
 */
export function checkCore(instance, memory) {
  const x = /** @type {CoreExports} */ (/** @type {unknown} */ (instance.exports));
  x._initialize();
  const wasmVersion = readCString(memory, x.rlw_version());
  if (wasmVersion !== VERSION) {
    throw new RingletError(
      'VERSION_MISMATCH',
      `ringlet: JS and wasm version mismatch. JS version: ${VERSION}, wasm version: ${wasmVersion || '(none)'}`,
    );
  }
  return x;
}

/**
 * The message for an rl_result code.
 * @param {CoreExports} x
 * @param {WebAssembly.Memory} memory
 * @param {number} result
 */
export function resultString(x, memory, result) {
  return `${readCString(memory, x.rlw_result_string(result))} (rl_result ${result})`;
}
