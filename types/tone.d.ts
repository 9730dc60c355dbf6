/**
 * ringlet/tone: a RingletNode as a Tone.js ToneAudioNode. Main thread.
 * Needs the optional peer dependency `tone` (15).
 */
import type { BaseContext, Param, ToneAudioNode } from 'tone';
import type { NodeMode, RingletNode, RingletNodeOptions } from './index.js';

/** RingletNode.create's options, plus the Tone context to build in. */
export interface RingletToneOptions<M extends NodeMode = NodeMode> extends RingletNodeOptions<M> {
  /** Default: Tone.getContext() (inside Tone.Offline's callback, the offline context). */
  context?: BaseContext;
}

/**
 * A ringlet node inside a Tone.js patch: connect, chain, fan and
 * toDestination like Tone's own effects; `node` is the RingletNode.
 */
export declare class RingletToneNode<M extends NodeMode = NodeMode> extends ToneAudioNode {
  private constructor(key: symbol, context: BaseContext, node: RingletNode<M>);
  /** Makes the RingletNode (mode default 'effect') in the context and wraps it. */
  static create<M extends NodeMode = 'effect'>(options?: RingletToneOptions<M>): Promise<RingletToneNode<M>>;
  /** 'RingletToneNode'. */
  readonly name: string;
  /** The RingletNode this wraps: its ring, EQ, limiter, meters, analyser, reset(). */
  readonly node: RingletNode<M>;
  /** The node itself; undefined for a source node, which has no input. */
  input: AudioNode | undefined;
  /** The node itself. */
  output: AudioNode;
  /** The chain's gain as a Tone Param (default 1), scheduled in Tone's Time. */
  readonly gain: Param<'gain'>;
  /** Disconnects and disposes the ringlet node and the gain Param. */
  dispose(): this;
}
