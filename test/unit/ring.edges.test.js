// Edge cases of RingWriter and RingReader found in review: each once misbehaved.
import { expect, test } from '@jest/globals';
import { RingReader, RingWriter } from '../../lib/index.js';
import { makeCoreRing } from './helpers.js';

test('a zero-length read of a closed, drained ring reports closed, so drain loops end', () => {
  const { memory, base } = makeCoreRing({ channels: 2, capacity: 256 });
  const writer = new RingWriter(memory.buffer, base);
  const reader = new RingReader(memory.buffer, base);
  expect(reader.tryRead(new Float32Array(0))).toEqual({ status: 'ready', frames: 0 });
  writer.tryWrite(new Float32Array(4));
  writer.close();
  expect(reader.tryRead(new Float32Array(0))).toEqual({ status: 'ready', frames: 0 }); // still holds 2 frames
  expect(reader.tryRead(new Float32Array(4))).toEqual({ status: 'ready', frames: 2 });
  expect(reader.tryRead(new Float32Array(0))).toEqual({ status: 'closed', frames: 0 });
});

test('write() with a non-object options argument is a TypeError, not a silent default', async () => {
  const { memory, base } = makeCoreRing({ channels: 1, capacity: 256 });
  const writer = new RingWriter(memory.buffer, base);
  await expect(writer.write(new Float32Array(4), /** @type {any} */ (100))).rejects.toThrow(
    /options must be an object/,
  );
  await expect(writer.write(new Float32Array(4), /** @type {any} */ (null))).rejects.toThrow(TypeError);
  expect(writer.availableRead).toBe(0);
});
