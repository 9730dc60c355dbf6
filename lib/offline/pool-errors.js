/**
 * The errors a WorkerPool rejects with: WorkerPoolError and its subclasses,
 * one per failure `code`. Main thread or a Worker; never the audio thread.
 */
/** @typedef {import('../../types/index.js').RingletErrorCode} RingletErrorCode */

/** The error every pool failure rejects with; `code` says which failure. */
export class WorkerPoolError extends Error {
  /**
   * @param {RingletErrorCode} code
   * @param {string} message
   * @param {{ cause?: unknown, task?: string, remoteName?: string }} [options]
   */
  constructor(code, message, options) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    /** @type {string} */
    this.name = 'WorkerPoolError';
    /** @type {RingletErrorCode} */
    this.code = code;
    /** @type {string | undefined} */
    this.task = options?.task;
    /** @type {string | undefined} */
    this.remoteName = options?.remoteName;
  }
}

/** A task ran longer than its timeout; its worker was replaced. */
export class TimeoutError extends WorkerPoolError {
  /** @param {string} message @param {{ cause?: unknown, task?: string }} [options] */
  constructor(message, options) {
    super('TIMEOUT', message, options);
    this.name = 'TimeoutError';
  }
}

/** A task was cancelled through its AbortSignal; `cause` is the signal's reason. */
export class AbortError extends WorkerPoolError {
  /** @param {string} message @param {{ cause?: unknown, task?: string }} [options] */
  constructor(message, options) {
    super('ABORTED', message, options);
    this.name = 'AbortError';
  }
}

/** run() was refused because maxQueue tasks were already waiting. */
export class QueueFullError extends WorkerPoolError {
  /** @param {string} message @param {{ cause?: unknown, task?: string }} [options] */
  constructor(message, options) {
    super('QUEUE_FULL', message, options);
    this.name = 'QueueFullError';
  }
}

/** The pool was terminated. */
export class TerminatedError extends WorkerPoolError {
  /** @param {string} message @param {{ cause?: unknown, task?: string }} [options] */
  constructor(message, options) {
    super('TERMINATED', message, options);
    this.name = 'TerminatedError';
  }
}
