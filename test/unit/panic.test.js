// The page-wide panic registry: bounded history, capped text, listeners.
import { expect, test } from '@jest/globals';
import {
  capText,
  clearPanicHistory,
  getPanicStats,
  onPanic,
  recordPanic,
  recordRecovery,
} from '../../lib/node/panic.js';

test('history keeps exactly the last 100 records, oldest dropping off', () => {
  const before = getPanicStats();
  for (let i = 0; i < 250; i++) recordPanic(i % 2 ? 'worker' : 'main', { code: 'X', message: `m${i}` });
  const s = getPanicStats();
  expect(s.history).toHaveLength(100);
  expect(s.history[0].message).toBe('m150');
  expect(s.history[99].message).toBe('m249');
  expect(s.total - before.total).toBe(250);
  expect(s.bySource.worker - before.bySource.worker).toBe(125);
  expect(s.bySource.main - before.bySource.main).toBe(125);
  clearPanicHistory();
  expect(getPanicStats().history).toHaveLength(0);
  expect(getPanicStats().total).toBe(s.total);
});

test('messages and stacks are capped at 4096 characters without splitting a surrogate pair', () => {
  const long = 'a'.repeat(4095) + '😀' + 'b'.repeat(100); // the emoji straddles 4095..4096
  expect(capText(long)).toHaveLength(4095);
  expect(capText('a'.repeat(5000))).toHaveLength(4096);
  expect(capText('short')).toBe('short');
  const r = recordPanic('worklet', { message: long, stack: 'c'.repeat(9000) });
  expect(r.message).toHaveLength(4095);
  expect(r.stack).toHaveLength(4096);
  expect(Object.isFrozen(r)).toBe(true);
});

test('onPanic listeners hear records until unsubscribed; a throwing listener does not stop others', () => {
  const heard = [];
  const offBad = onPanic(() => {
    throw new Error('listener bug');
  });
  const off = onPanic((rec) => heard.push(rec.code));
  const reported = [];
  const original = globalThis.reportError;
  globalThis.reportError = (e) => reported.push(String(e));
  try {
    recordPanic('main', { code: 'ONE' });
    off();
    recordPanic('main', { code: 'TWO' });
  } finally {
    globalThis.reportError = original;
    offBad();
  }
  expect(heard).toEqual(['ONE']);
  expect(reported).toEqual(['Error: listener bug', 'Error: listener bug']);
  expect(() => onPanic(/** @type {any} */ (null))).toThrow(TypeError);
});

test('recoveries are counted', () => {
  const before = getPanicStats().recovered;
  recordRecovery();
  expect(getPanicStats().recovered).toBe(before + 1);
});
