/**
 * ringlet/tone: a RingletNode as a Tone.js node. Main thread.
 *
 * RingletNode.create already accepts Tone's contexts, and the node it makes
 * connects to Tone's nodes with connect, Tone.connect, chain and fan. This
 * entry adds what a Tone patch expects of its own effects: a ToneAudioNode
 * with `input` and `output`, `toDestination()`, a `gain` Param that takes
 * Tone's Time (automated on the Transport's timeline), and a dispose() that
 * disposes the ringlet node too. Tone.js is a peer dependency of this entry
 * only (`tone` 15); dist/ringlet-tone.js imports it and dist/ringlet.js.
 */
import { Param, ToneAudioNode, getContext } from 'tone';
import { RingletNode } from './index.js';

/** @typedef {import('../types/index.js').NodeMode} NodeMode */
/** @typedef {import('../types/tone.js').RingletToneOptions} RingletToneOptions */

/** create()'s key, so that the constructor refuses other callers. */
const CREATE = Symbol('RingletToneNode.create');

/**
 * A ringlet node inside a Tone.js patch. Create it with
 * `await RingletToneNode.create({ mode, ... })`; `node` is the RingletNode
 * (its ring, EQ, limiter, meters, analyser, reset()).
 */
export class RingletToneNode extends ToneAudioNode {
  /** @type {AudioNode | undefined} the node itself; undefined for a source node, which has no input */
  input;
  /** @type {AudioNode | undefined} */
  output;

  /**
   * Makes a RingletNode in `options.context` (default: Tone's current
   * context, Tone.getContext(); inside Tone.Offline, the offline one) and
   * wraps it. The other options are RingletNode.create's; mode defaults to
   * 'effect'.
   * @param {RingletToneOptions} [options]
   * @returns {Promise<RingletToneNode>}
   */
  static async create(options = {}) {
    if (options === null || typeof options !== 'object') {
      throw new TypeError(
        `RingletToneNode.create: options must be an object; got ${options === null ? 'null' : typeof options}`,
      );
    }
    const { context = getContext(), mode = 'effect', ...rest } = options;
    const node = await RingletNode.create(context, { ...rest, mode });
    return new RingletToneNode(CREATE, context, node);
  }

  /**
   * Use RingletToneNode.create().
   * @param {symbol} key
   * @param {import('tone').BaseContext} context
   * @param {RingletNode} node
   */
  constructor(key, context, node) {
    if (key !== CREATE) throw new TypeError('RingletToneNode: use `await RingletToneNode.create(options)`');
    super({ context });
    /** @readonly */
    this.name = 'RingletToneNode';
    /** The RingletNode this wraps. */
    this.node = node;
    const audioNode = /** @type {AudioNode} */ (/** @type {unknown} */ (node));
    this.input = node.mode === 'source' ? undefined : audioNode;
    this.output = audioNode;
    /** The chain's gain as a Tone Param (default 1): schedule it in Tone's Time. */
    this.gain = new Param({ context: this.context, param: node.gain, units: 'gain' });
  }

  /**
   * Disconnects and disposes the ringlet node and the gain Param. Idempotent
   * on the ringlet node; Tone's dispose rules apply to the wrapper.
   * @returns {this}
   */
  dispose() {
    super.dispose();
    this.gain.dispose();
    this.node.dispose();
    return this;
  }
}
