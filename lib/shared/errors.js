/**
 * The error ringlet throws or rejects with when neither TypeError nor
 * RangeError fits. `code` is stable and meant for programs; `message` is for
 * people and names the parameter or state at fault.
 */
export class RingletError extends Error {
  /**
   * @param {import('../../types/index.js').RingletErrorCode} code
   * @param {string} message
   * @param {{ cause?: unknown }} [options]
   */
  constructor(code, message, options) {
    super(message, options);
    this.name = 'RingletError';
    /** @type {import('../../types/index.js').RingletErrorCode} */
    this.code = code;
  }
}
