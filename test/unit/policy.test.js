// ringlet's Trusted Types policy and its reading of the page's policy
// refusals, where the logic is pure: which URLs the 'ringlet' policy
// accepts, how one policy serves every copy of ringlet, how a refusal is
// recognised and what the error says. In the browsers: test/browser/csp.test.js.
import { afterEach, describe, expect, test } from '@jest/globals';
import {
  POLICY_NAME,
  allowScriptUrl,
  blockedByPolicy,
  checkScriptUrl,
  isTrustedTypesRefusal,
  isWasmEvalRefusal,
  policyFailure,
  trustedScriptUrl,
  violationMatches,
  watchViolations,
} from '../../lib/shared/policy.js';
import { blobRefusal } from '../../lib/node/load.js';
import { RingletError } from '../../lib/shared/errors.js';

const STATE = Symbol.for('ringlet.trustedTypes');

/** A stand-in for the page's trustedTypes: records createPolicy calls; `refuse` makes it throw as a browser does. */
function fakeTrustedTypes({ refuse = false } = {}) {
  const calls = [];
  return {
    calls,
    createPolicy(name, rules) {
      calls.push(name);
      if (refuse || calls.length > 1)
        throw new TypeError(`Failed to execute 'createPolicy': Policy "${name}" disallowed.`);
      return { createScriptURL: (url) => ({ trusted: rules.createScriptURL(url) }) };
    },
  };
}

afterEach(() => {
  delete globalThis.trustedTypes;
  delete globalThis[STATE];
});

describe("the 'ringlet' policy", () => {
  test('accepts only the URLs ringlet resolved; anything else throws a TypeError naming it', () => {
    const allowed = new Set(['https://site.example/dist/ringlet-worker.js']);
    expect(checkScriptUrl(allowed, 'https://site.example/dist/ringlet-worker.js')).toBe(
      'https://site.example/dist/ringlet-worker.js',
    );
    for (const other of ['https://evil.example/x.js', 'data:text/javascript,1', 'blob:https://site.example/1', '']) {
      expect(() => checkScriptUrl(allowed, other)).toThrow(TypeError);
      expect(() => checkScriptUrl(allowed, other)).toThrow(`accepts only the script URLs ringlet resolves`);
    }
    expect(POLICY_NAME).toBe('ringlet');
  });

  test('without trustedTypes, URLs pass through as strings and no policy is made', () => {
    allowScriptUrl('https://site.example/w.js');
    expect(trustedScriptUrl('https://site.example/w.js')).toBe('https://site.example/w.js');
    // Not even checked: nothing changes where the page has no Trusted Types.
    expect(trustedScriptUrl('https://other.example/w.js')).toBe('https://other.example/w.js');
    expect(policyFailure()).toBe('');
  });

  test('with trustedTypes, it is created once, lazily, and used for every allowed URL', () => {
    const tt = fakeTrustedTypes();
    globalThis.trustedTypes = tt;
    allowScriptUrl('https://site.example/a.js');
    expect(tt.calls).toEqual([]); // allowing makes no policy
    expect(trustedScriptUrl('https://site.example/a.js')).toEqual({ trusted: 'https://site.example/a.js' });
    allowScriptUrl('https://site.example/b.js');
    expect(trustedScriptUrl('https://site.example/b.js')).toEqual({ trusted: 'https://site.example/b.js' });
    expect(() => trustedScriptUrl('https://site.example/c.js')).toThrow(TypeError);
    expect(tt.calls).toEqual(['ringlet']);
  });

  test("a second copy of ringlet (the same state on globalThis) uses the first copy's policy rather than creating the name twice", async () => {
    const tt = fakeTrustedTypes();
    globalThis.trustedTypes = tt;
    allowScriptUrl('https://site.example/a.js');
    trustedScriptUrl('https://site.example/a.js');
    // A second module instance of policy.js, as a second bundle of ringlet would have.
    const copy = await import('../../lib/shared/policy.js?copy=2');
    expect(copy.trustedScriptUrl).not.toBe(trustedScriptUrl);
    copy.allowScriptUrl('https://cdn.example/other-copy/ringlet-worker.js');
    expect(copy.trustedScriptUrl('https://cdn.example/other-copy/ringlet-worker.js')).toEqual({
      trusted: 'https://cdn.example/other-copy/ringlet-worker.js',
    });
    expect(tt.calls).toEqual(['ringlet']);
  });

  test('a page that forbids the name: plain strings go to the sinks, the failure is kept for the error message, and creation is not retried', () => {
    const tt = fakeTrustedTypes({ refuse: true });
    globalThis.trustedTypes = tt;
    allowScriptUrl('https://site.example/a.js');
    expect(trustedScriptUrl('https://site.example/a.js')).toBe('https://site.example/a.js');
    expect(trustedScriptUrl('https://site.example/a.js')).toBe('https://site.example/a.js');
    expect(tt.calls).toEqual(['ringlet']);
    expect(policyFailure()).toContain('disallowed');
    const error = blockedByPolicy('WorkerPool', 'require-trusted-types-for', 'https://site.example/a.js');
    expect(error.message).toContain('could not be created');
    expect(error.message).toContain("'trusted-types ringlet'");
  });
});

describe('refusals', () => {
  test.each([
    ["Failed to construct 'Worker': This document requires 'TrustedScriptURL' assignment.", true],
    ['Worker constructor: Sink type mismatch violation blocked by CSP', true],
    [
      "Failed to execute 'register' on 'ServiceWorkerContainer': This document requires 'TrustedScriptURL' assignment.",
      true,
    ],
    ['Failed to construct Worker: bad URL', false],
  ])('TypeError %p: Trusted Types refusal %p', (message, expected) => {
    expect(isTrustedTypesRefusal(new TypeError(message))).toBe(expected);
    expect(isTrustedTypesRefusal(new Error(message))).toBe(false);
  });

  test('WebAssembly.compile refused by script-src is told from a bad binary', () => {
    const refused = new WebAssembly.CompileError(
      "WebAssembly.compile(): Refused to compile or instantiate WebAssembly module because 'unsafe-eval' is not an allowed source of script",
    );
    expect(isWasmEvalRefusal(refused)).toBe(true);
    expect(isWasmEvalRefusal(new WebAssembly.CompileError('expected magic word 00 61 73 6d'))).toBe(false);
    const error = blockedByPolicy('loadRinglet', 'script-src', 'the embedded wasm', refused);
    expect(error.message).toContain("'wasm-unsafe-eval'");
  });

  test('the error is a RingletError BLOCKED_BY_POLICY naming the directive, the URL and what to allow', () => {
    const cause = new Error('x');
    const e = blockedByPolicy('WorkerPool', 'worker-src', 'https://cdn.example/dist/ringlet-worker.js', cause);
    expect(e).toBeInstanceOf(RingletError);
    expect(e.code).toBe('BLOCKED_BY_POLICY');
    expect(e.cause).toBe(cause);
    expect(e.message).toBe(
      'WorkerPool: the Content-Security-Policy (worker-src) blocked https://cdn.example/dist/ringlet-worker.js; allow https://cdn.example in worker-src',
    );
    expect(
      blockedByPolicy('loadRinglet', 'script-src', 'blob:https://a.example/1', undefined, 'use the file').message,
    ).toMatch(/\(script-src\) blocked blob:https:\/\/a\.example\/1; allow blob: in script-src, or use the file$/);
  });

  test.each([
    ['https://a.example/dist/w.js', 'https://a.example/dist/w.js', true],
    ['blob', 'blob:https://a.example/1', true],
    ['data', 'blob:https://a.example/1', false],
    ['https://a.example', 'https://a.example/dist/w.js', true],
    ['https://a.example', 'https://a.example.evil/w.js', false],
    ['trusted-types-sink', 'https://a.example/w.js', false],
    ['', 'https://a.example/w.js', false],
  ])('a violation of %p stands for %p: %p', (blocked, url, expected) => {
    expect(violationMatches(blocked, url)).toBe(expected);
  });

  test("a violation watch reports the earliest matching event's directive, and stops at close()", () => {
    const target = new EventTarget();
    const saved = { add: globalThis.addEventListener, remove: globalThis.removeEventListener };
    globalThis.addEventListener = target.addEventListener.bind(target);
    globalThis.removeEventListener = target.removeEventListener.bind(target);
    const fire = (effectiveDirective, blockedURI) =>
      target.dispatchEvent(Object.assign(new Event('securitypolicyviolation'), { effectiveDirective, blockedURI }));
    try {
      const watch = watchViolations();
      fire('img-src', 'https://a.example/x.png');
      fire('worker-src', 'https://a.example/w.js');
      fire('connect-src', 'https://a.example/w.js');
      expect(watch.directiveFor('https://a.example/w.js')).toBe('worker-src');
      expect(watch.directiveFor('https://a.example/other.js')).toBeNull();
      watch.close();
      const later = watchViolations();
      watch.close();
      fire('script-src-elem', 'blob');
      expect(watch.directiveFor('blob:https://a.example/1')).toBeNull();
      expect(later.directiveFor('blob:https://a.example/1')).toBe('script-src-elem');
      later.close();
    } finally {
      globalThis.addEventListener = saved.add;
      globalThis.removeEventListener = saved.remove;
    }
  });

  test('waitFor resolves with a violation that arrives after the failure, and with null once its bound passes', async () => {
    const target = new EventTarget();
    const saved = { add: globalThis.addEventListener, remove: globalThis.removeEventListener };
    globalThis.addEventListener = target.addEventListener.bind(target);
    globalThis.removeEventListener = target.removeEventListener.bind(target);
    try {
      const watch = watchViolations();
      const late = watch.waitFor('https://a.example/r.wasm', 5000);
      target.dispatchEvent(
        Object.assign(new Event('securitypolicyviolation'), {
          effectiveDirective: 'img-src',
          blockedURI: 'https://a.example/i.png',
        }),
      );
      setTimeout(() =>
        target.dispatchEvent(
          Object.assign(new Event('securitypolicyviolation'), {
            effectiveDirective: 'connect-src',
            blockedURI: 'https://a.example/r.wasm',
          }),
        ),
      );
      expect(await late).toBe('connect-src');
      expect(await watch.waitFor('https://a.example/other.wasm', 10)).toBeNull();
      watch.close();
    } finally {
      globalThis.addEventListener = saved.add;
      globalThis.removeEventListener = saved.remove;
    }
  });

  test("a blob: worklet that fails to load (not to evaluate) is script-src's refusal; others are not", () => {
    const abort = new DOMException('Failed to load worklet module script', 'AbortError');
    expect(blobRefusal('blob:https://a.example/1', abort)).toBe('script-src');
    expect(blobRefusal('https://a.example/w.js', abort)).toBeNull();
    expect(blobRefusal('blob:https://a.example/1', new SyntaxError('x'))).toBeNull();
  });
});
