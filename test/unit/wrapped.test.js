// Which contexts RingletNode.create accepts and how it builds a node in
// each (lib/node/wrapped.js): Web Audio's own, a standardized-audio-context
// context (with its AudioWorkletNode class), a Tone.js Context; everything
// else is a TypeError naming what was passed and what is accepted.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { checkContext } from '../../lib/node/load.js';
import { nodeTarget, unwrapContext } from '../../lib/node/wrapped.js';
import { RingletNode } from '../../lib/node/node.js';

/** Stand-ins for the page's Web Audio: a native context is an instance of BaseAudioContext. */
class FakeBaseAudioContext {
  constructor() {
    this.audioWorklet = { addModule: async () => {} };
    this.sampleRate = 48000;
    this.state = 'suspended';
  }
}
/** A library's context: an audioWorklet, but not a BaseAudioContext. */
const libraryContext = () => ({ audioWorklet: { addModule: async () => {} }, sampleRate: 48000, state: 'suspended' });

const g = /** @type {any} */ (globalThis);
beforeEach(() => {
  g.BaseAudioContext = FakeBaseAudioContext;
});
afterEach(() => {
  delete g.BaseAudioContext;
});

describe('nodeTarget', () => {
  test('a native context builds the native way (no library constructor)', () => {
    const ctx = new FakeBaseAudioContext();
    expect(nodeTarget(ctx, undefined, 'where')).toEqual({ context: ctx, construct: null, library: null });
  });

  test('a standardized-audio-context context builds with the AudioWorkletNode class it is given', () => {
    const ctx = libraryContext();
    /** @type {unknown[]} */
    const made = [];
    class LibraryNode {
      /** @param {unknown[]} args */
      constructor(...args) {
        made.push(args);
      }
    }
    const target = nodeTarget(ctx, LibraryNode, 'where');
    expect(target.library).toBe('standardized-audio-context');
    expect(target.context).toBe(ctx);
    const node = target.construct?.('name', { numberOfInputs: 1 });
    expect(node).toBeInstanceOf(LibraryNode);
    expect(made).toEqual([[ctx, 'name', { numberOfInputs: 1 }]]);
  });

  test('a Tone.js Context builds with its own createAudioWorkletNode, on its rawContext', () => {
    const raw = libraryContext();
    /** @type {unknown[]} */
    const calls = [];
    const tone = {
      rawContext: raw,
      createAudioWorkletNode: (/** @type {unknown[]} */ ...args) => (calls.push(args), {}),
    };
    const target = nodeTarget(tone, undefined, 'where');
    expect(target.library).toBe('Tone.js');
    expect(target.context).toBe(raw);
    target.construct?.('name', {});
    expect(calls).toEqual([['name', {}]]);
    expect(unwrapContext(tone)).toBe(raw);
  });

  test('a Tone.js Context around a native context builds the native way', () => {
    const raw = new FakeBaseAudioContext();
    const target = nodeTarget({ rawContext: raw, createAudioWorkletNode() {} }, undefined, 'where');
    expect(target).toEqual({ context: raw, construct: null, library: null });
  });

  test('a library context without its AudioWorkletNode class is a TypeError that says what to pass', () => {
    expect(() => nodeTarget(libraryContext(), undefined, 'RingletNode.create')).toThrow(
      new TypeError(
        "RingletNode.create: context (Object) has an audioWorklet but is not a native BaseAudioContext (a standardized-audio-context context?); pass that library's AudioWorkletNode class as options.AudioWorkletNode (import { AudioWorkletNode } from 'standardized-audio-context'), or pass a native AudioContext or OfflineAudioContext, a standardized-audio-context AudioContext or OfflineAudioContext, or a Tone.js Context or OfflineContext",
      ),
    );
  });

  test.each([
    ['a plain object', {}, 'Object'],
    [
      'a Tone-shaped object whose rawContext has no audioWorklet',
      { rawContext: {}, createAudioWorkletNode() {} },
      'Object',
    ],
    ['null', null, 'null'],
    ['a number', 3, 'number'],
  ])('%s is a TypeError naming it and what is accepted', (_, value, named) => {
    const message = `where: context must be a native AudioContext or OfflineAudioContext, a standardized-audio-context AudioContext or OfflineAudioContext, or a Tone.js Context or OfflineContext; got ${named}`;
    expect(() => nodeTarget(value, undefined, 'where')).toThrow(new TypeError(message));
    expect(() => checkContext(value, 'where')).toThrow(new TypeError(message));
  });

  test('options.AudioWorkletNode that is not a class is a TypeError', () => {
    expect(() => nodeTarget(libraryContext(), 'AudioWorkletNode', 'where')).toThrow(
      new TypeError(
        'where: options.AudioWorkletNode must be the AudioWorkletNode class of the library that made the context; got string',
      ),
    );
  });
});

test('checkContext accepts a Tone.js Context by its rawContext, and refuses it once that is closed', () => {
  const raw = libraryContext();
  const tone = { rawContext: raw, createAudioWorkletNode() {} };
  expect(() => checkContext(tone, 'where')).not.toThrow();
  raw.state = 'closed';
  expect(() => checkContext(tone, 'where')).toThrow(expect.objectContaining({ code: 'CONTEXT_CLOSED' }));
});

test('instanceof RingletNode is false for objects create() did not make', () => {
  expect({} instanceof RingletNode).toBe(false);
  expect(Object.create(RingletNode.prototype) instanceof RingletNode).toBe(true); // the prototype chain still counts
  expect(/** @type {any} */ (null) instanceof RingletNode).toBe(false);
});
