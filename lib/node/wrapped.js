/**
 * Contexts ringlet accepts, and the AudioWorkletNode class each one needs.
 * Main thread only.
 *
 * Besides Web Audio's own AudioContext and OfflineAudioContext, ringlet
 * accepts the contexts of two libraries that wrap them, without importing
 * either (they are found by their shape):
 *
 * - standardized-audio-context: its contexts are not BaseAudioContexts but
 *   have `audioWorklet.addModule`, and its nodes connect only to its own
 *   nodes (a native node from the same page is "another context" to it). A
 *   node in such a context must be that library's AudioWorkletNode, whose
 *   class the caller passes as `options.AudioWorkletNode`.
 * - Tone.js: a Tone Context or OfflineContext has `rawContext` (a
 *   standardized-audio-context context, or a native one when Tone was given
 *   one) and builds the right AudioWorkletNode with `createAudioWorkletNode`.
 */
import { describe } from '../shared/util.js';

/**
 * Where a node is built.
 * @typedef {{
 *   context: BaseAudioContext,
 *   construct: ((name: string, options: AudioWorkletNodeOptions) => AudioWorkletNode) | null,
 *   library: 'standardized-audio-context' | 'Tone.js' | null,
 * }} NodeTarget
 */

const ACCEPTED =
  'a native AudioContext or OfflineAudioContext, a standardized-audio-context AudioContext or OfflineAudioContext, or a Tone.js Context or OfflineContext';

/**
 * True for a context made by this page's Web Audio (not a library's wrapper).
 * @param {unknown} value
 */
function isNativeContext(value) {
  const Native = globalThis.BaseAudioContext;
  return typeof Native === 'function' && value instanceof Native;
}

/**
 * A Tone.js Context or OfflineContext: it holds the context it wraps in
 * `rawContext` and has `createAudioWorkletNode`.
 * @param {unknown} value
 * @returns {value is { rawContext: BaseAudioContext, createAudioWorkletNode: (name: string, options: AudioWorkletNodeOptions) => AudioWorkletNode }}
 */
function isToneContext(value) {
  const v = /** @type {{ rawContext?: unknown, createAudioWorkletNode?: unknown } | null} */ (value);
  return (
    v !== null &&
    typeof v === 'object' &&
    typeof v.rawContext === 'object' &&
    v.rawContext !== null &&
    typeof v.createAudioWorkletNode === 'function'
  );
}

/**
 * The context whose audioWorklet ringlet loads into: a Tone.js context's
 * rawContext, else the context itself.
 * @param {unknown} context
 * @returns {unknown}
 */
export function unwrapContext(context) {
  return isToneContext(context) ? context.rawContext : context;
}

/**
 * @param {unknown} context
 * @returns {context is BaseAudioContext}
 */
export function hasAudioWorklet(context) {
  const ctx = /** @type {{ audioWorklet?: { addModule?: unknown } } | null} */ (context);
  return ctx !== null && typeof ctx === 'object' && typeof ctx.audioWorklet?.addModule === 'function';
}

/** @param {string} where @param {unknown} context */
export function contextError(where, context) {
  return new TypeError(`${where}: context must be ${ACCEPTED}; got ${describe(context)}`);
}

/**
 * Says where RingletNode.create builds its node, or throws a TypeError naming
 * what was passed and what is accepted. Changes nothing.
 * @param {unknown} context
 * @param {unknown} AudioWorkletNodeClass options.AudioWorkletNode
 * @param {string} where
 * @returns {NodeTarget}
 */
export function nodeTarget(context, AudioWorkletNodeClass, where) {
  if (AudioWorkletNodeClass !== undefined && typeof AudioWorkletNodeClass !== 'function') {
    throw new TypeError(
      `${where}: options.AudioWorkletNode must be the AudioWorkletNode class of the library that made the context; got ${describe(AudioWorkletNodeClass)}`,
    );
  }
  if (isToneContext(context)) {
    const raw = context.rawContext;
    if (isNativeContext(raw)) return { context: raw, construct: null, library: null };
    if (!hasAudioWorklet(raw)) throw contextError(where, context);
    const tone = context;
    return {
      context: raw,
      construct: (name, options) => tone.createAudioWorkletNode(name, options),
      library: 'Tone.js',
    };
  }
  if (isNativeContext(context))
    return { context: /** @type {BaseAudioContext} */ (context), construct: null, library: null };
  if (!hasAudioWorklet(context)) throw contextError(where, context);
  // Not Web Audio's own context, yet it has an audioWorklet: a library's
  // wrapper (standardized-audio-context's shape), whose nodes must be its own.
  if (AudioWorkletNodeClass === undefined) {
    throw new TypeError(
      `${where}: context (${describe(context)}) has an audioWorklet but is not a native BaseAudioContext (a standardized-audio-context context?); pass that library's AudioWorkletNode class as options.AudioWorkletNode (import { AudioWorkletNode } from 'standardized-audio-context'), or pass ${ACCEPTED}`,
    );
  }
  const Library =
    /** @type {new (context: BaseAudioContext, name: string, options: AudioWorkletNodeOptions) => AudioWorkletNode} */ (
      AudioWorkletNodeClass
    );
  return {
    context,
    construct: (name, options) => new Library(context, name, options),
    library: 'standardized-audio-context',
  };
}
