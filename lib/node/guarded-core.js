/**
 * An instance of the core for work off the audio thread on the main thread
 * (the sizing probe, the analyser's FFT), behind the same panic boundary as
 * the worklet's process(): a trap, or rl_panic just before one, is recorded
 * once in the page's panic history, reaches the caller as RingletError
 * 'WASM_TRAP', and marks the instance broken, so its owner makes a fresh one
 * instead of running on a stack and heap the trap left half-way. Main thread.
 */
import { checkCore, coreImports } from '../shared/core.js';
import { RingletError } from '../shared/errors.js';
import { recordPanic } from './panic.js';

/** @typedef {import('../shared/core.js').CoreExports} CoreExports */

export class GuardedCore {
  /**
   * Instantiates `module` on `memory` synchronously (the module is compiled
   * already) and checks it.
   * @param {WebAssembly.Module} module
   * @param {WebAssembly.Memory} memory
   * @param {string} where for messages and the panic record
   */
  static create(module, memory, where) {
    const core = new GuardedCore(memory);
    core.adopt(new WebAssembly.Instance(module, core.imports()), where);
    return core;
  }

  /**
   * As create(), instantiating asynchronously.
   * @param {WebAssembly.Module} module
   * @param {WebAssembly.Memory} memory
   * @param {string} where
   */
  static async createAsync(module, memory, where) {
    const core = new GuardedCore(memory);
    core.adopt(await WebAssembly.instantiate(module, core.imports()), where);
    return core;
  }

  /**
   * Use create() or createAsync().
   * @param {WebAssembly.Memory} memory
   */
  constructor(memory) {
    /** @readonly */ this.memory = memory;
    /** The instance's exports; valid while `broken` is false. @type {CoreExports} */
    this.x = /** @type {CoreExports} */ (/** @type {unknown} */ (null));
    /** True once a call failed: never call this instance again. */
    this.broken = false;
    /** What rl_panic said just before the core trapped, if it did. @private @type {{ code: number, message: string } | null} */
    this.note = null;
  }

  /** @private */
  imports() {
    return coreImports(this.memory, {
      panic: (code, message) => {
        this.note = { code, message };
      },
    });
  }

  /**
   * @private
   * @param {WebAssembly.Instance} instance
   * @param {string} where
   */
  adopt(instance, where) {
    this.x = this.call(where, () => checkCore(instance, this.memory));
  }

  /**
   * Runs `fn`, which calls into this instance. A RingletError passes through
   * (a version mismatch is not a trap); any other failure breaks the
   * instance, is recorded once as a main-thread panic, and is thrown as
   * RingletError 'WASM_TRAP' (a trap) or the error itself (a JS exception).
   * @template T
   * @param {string} where the public call, for messages
   * @param {(x: CoreExports) => T} fn
   * @returns {T}
   */
  call(where, fn) {
    if (this.broken) {
      throw new RingletError('WASM_TRAP', `${where}: this instance of the core trapped before and is not used again`);
    }
    try {
      return fn(this.x);
    } catch (error) {
      if (error instanceof RingletError) throw error;
      this.broken = true;
      const e = error instanceof Error ? error : new Error(String(error));
      const note = this.note;
      const trap = e instanceof WebAssembly.RuntimeError;
      const message = note ? `rl_panic(${note.code}): ${note.message} [${e.message}]` : e.message;
      recordPanic('main', {
        code: note ? 'CORE_PANIC' : trap ? 'WASM_TRAP' : 'EXCEPTION',
        message: `${where}: ${message}`,
        stack: e.stack ?? '',
      });
      if (note || trap) {
        throw new RingletError('WASM_TRAP', `${where}: the core trapped: ${message}`, { cause: error });
      }
      throw error;
    }
  }
}
