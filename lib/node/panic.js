/**
 * The page-wide record of panics: failures of the core in the worklet, of
 * tasks in Workers, or of ringlet code on the main thread. Bounded: the
 * history keeps the last 100 records, and each message and stack is capped at
 * 4096 characters. Main thread (records arrive there as messages).
 */

/** @typedef {import('../../types/index.js').PanicSource} PanicSource */
/** @typedef {import('../../types/index.js').PanicRecord} PanicRecord */
/** @typedef {import('../../types/index.js').PanicReport} PanicReport */
/** @typedef {import('../../types/index.js').PanicStats} PanicStats */

const PANIC_HISTORY_LIMIT = 100;
const PANIC_TEXT_LIMIT = 4096;

/** @type {{ total: number, recovered: number, bySource: Record<PanicSource, number> }} */
const counts = { total: 0, recovered: 0, bySource: { worklet: 0, worker: 0, main: 0 } };
/** @type {PanicRecord[]} */
const history = [];
/** @type {Set<(record: PanicRecord) => void>} */
const listeners = new Set();

/**
 * Cuts `text` to at most `limit` UTF-16 units without splitting a surrogate pair.
 * @param {string} text
 * @param {number} [limit]
 */
export function capText(text, limit = PANIC_TEXT_LIMIT) {
  if (text.length <= limit) return text;
  const code = text.charCodeAt(limit - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
  return text.slice(0, end);
}

/**
 * Records a panic and tells every listener. A listener that throws is reported
 * through reportError and does not stop the others.
 * @param {PanicSource} source
 * @param {Partial<PanicReport>} report
 * @returns {PanicRecord}
 */
export function recordPanic(source, report) {
  /** @type {PanicRecord} */
  const record = Object.freeze({
    source,
    code: capText(String(report.code ?? 'EXCEPTION'), 64),
    message: capText(String(report.message ?? '')),
    stack: capText(String(report.stack ?? '')),
    time: Number(report.time ?? 0),
    frame: Number(report.frame ?? 0),
    at: Date.now(),
  });
  counts.total += 1;
  counts.bySource[source] += 1;
  history.push(record);
  if (history.length > PANIC_HISTORY_LIMIT) history.splice(0, history.length - PANIC_HISTORY_LIMIT);
  for (const listener of [...listeners]) {
    try {
      listener(record);
    } catch (error) {
      globalThis.reportError?.(error);
    }
  }
  return record;
}

/** Counts one recovery (a node reset after a panic). */
export function recordRecovery() {
  counts.recovered += 1;
}

/**
 * A snapshot of the counters and the bounded history (oldest first).
 * @returns {PanicStats}
 */
export function getPanicStats() {
  return {
    total: counts.total,
    recovered: counts.recovered,
    bySource: { ...counts.bySource },
    history: history.slice(),
  };
}

/**
 * Calls `listener` for every panic from now on. Returns the unsubscribe function.
 * @param {(record: PanicRecord) => void} listener
 * @returns {() => void}
 */
export function onPanic(listener) {
  if (typeof listener !== 'function') {
    throw new TypeError(`onPanic: listener must be a function; got ${listener === null ? 'null' : typeof listener}`);
  }
  const wrapped = (/** @type {PanicRecord} */ record) => listener(record);
  listeners.add(wrapped);
  return () => {
    listeners.delete(wrapped);
  };
}

/** Empties the history; the counters keep counting. */
export function clearPanicHistory() {
  history.length = 0;
}
