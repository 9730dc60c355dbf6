// One value encoding for page.evaluate in every engine. Playwright, Puppeteer
// (WebDriver BiDi) and WebDriver classic each serialize differently (WebDriver
// turns NaN, Infinity and undefined into null, -0 into 0), so the harness
// sends plain JSON and does its own tagging on both sides: the same test sees
// the same values in Chromium, Firefox and WebKit.
//
// encodeValue and decodeValue run in Node and, as source text, in the page:
// they must stay self-contained (no closures over module scope).
//
// JSON numbers, strings, booleans, null and arrays stand for themselves; every
// other value is an object with a tag `$`: o (plain object), u (undefined),
// n (NaN, Infinity, -Infinity, -0), b (bigint), d (Date), r (RegExp),
// e (Error), t (typed array), m (Map), s (Set). Functions, symbols and DOM
// objects become undefined, as in Playwright.

/**
 * @param {unknown} value
 * @returns {unknown}
 */
export function encodeValue(value) {
  const seen = new Set();
  /** @param {any} v @returns {unknown} */
  const enc = (v) => {
    if (v === null) return null;
    switch (typeof v) {
      case 'undefined':
        return { $: 'u' };
      case 'boolean':
      case 'string':
        return v;
      case 'number':
        if (Number.isNaN(v)) return { $: 'n', v: 'NaN' };
        if (v === Infinity) return { $: 'n', v: 'Infinity' };
        if (v === -Infinity) return { $: 'n', v: '-Infinity' };
        if (Object.is(v, -0)) return { $: 'n', v: '-0' };
        return v;
      case 'bigint':
        return { $: 'b', v: String(v) };
      case 'function':
      case 'symbol':
        return { $: 'u' };
      default:
        break;
    }
    if (seen.has(v)) throw new TypeError('evaluate: cannot serialize a cyclic value');
    if (v instanceof Date) return { $: 'd', v: v.toISOString() };
    if (v instanceof RegExp) return { $: 'r', v: [v.source, v.flags] };
    if (v instanceof Error) return { $: 'e', v: { name: v.name, message: v.message, stack: v.stack ?? '' } };
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      return { $: 't', k: Object.prototype.toString.call(v).slice(8, -1), v: Array.from(/** @type {any} */ (v), enc) };
    }
    if (typeof Node === 'function' && v instanceof Node) return { $: 'u' };
    seen.add(v);
    try {
      if (Array.isArray(v)) return v.map(enc);
      if (v instanceof Map) return { $: 'm', v: [...v].map(([k, x]) => [enc(k), enc(x)]) };
      if (v instanceof Set) return { $: 's', v: [...v].map(enc) };
      /** @type {Record<string, unknown>} */
      const o = {};
      for (const k of Object.keys(v)) o[k] = enc(v[k]);
      return { $: 'o', v: o };
    } finally {
      seen.delete(v);
    }
  };
  return enc(value);
}

/**
 * @param {unknown} value
 * @returns {any}
 */
export function decodeValue(value) {
  /** @param {any} v @returns {any} */
  const dec = (v) => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(dec);
    switch (v.$) {
      case 'o': {
        /** @type {Record<string, unknown>} */
        const o = {};
        for (const k of Object.keys(v.v)) o[k] = dec(v.v[k]);
        return o;
      }
      case 'u':
        return undefined;
      case 'n':
        return v.v === '-0' ? -0 : Number(v.v);
      case 'b':
        return BigInt(v.v);
      case 'd':
        return new Date(v.v);
      case 'r':
        return new RegExp(v.v[0], v.v[1]);
      case 'e': {
        const e = new Error(v.v.message);
        e.name = v.v.name;
        e.stack = v.v.stack;
        return e;
      }
      case 't': {
        const Ctor = /** @type {any} */ (globalThis)[v.k];
        return typeof Ctor === 'function' ? new Ctor(v.v.map(dec)) : v.v.map(dec);
      }
      case 'm':
        return new Map(v.v.map((/** @type {[unknown, unknown]} */ [k, x]) => [dec(k), dec(x)]));
      case 's':
        return new Set(v.v.map(dec));
      default:
        throw new TypeError(`evaluate: unknown value tag ${JSON.stringify(v.$)}`);
    }
  };
  return dec(value);
}

/**
 * The page-side expression that runs `fn(arg)` and resolves with a JSON
 * string: `{ ok: encoded result }` or `{ error: { name, message, stack } }`.
 * `drain`, when given, is an expression whose value (an array) is returned
 * too, as `errors`: WebKit's in-page error records, read back with each call.
 * @param {Function | string} fn
 * @param {unknown} arg
 * @param {string} [drain]
 */
export function evaluateExpression(fn, arg, drain) {
  const body =
    typeof fn === 'function'
      ? `(${fn.toString()})(decodeValue(${JSON.stringify(JSON.stringify(encodeValue(arg)))}))`
      : fn;
  return `(async () => {
  const encodeValue = ${encodeValue.toString()};
  const decodeValue = (s) => (${decodeValue.toString()})(JSON.parse(s));
  let out;
  try {
    out = { ok: encodeValue(await ${body}) };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    out = { error: { name: e.name, message: e.message, stack: e.stack ?? '' } };
  }
  ${drain ? `out.errors = ${drain};` : ''}
  return JSON.stringify(out);
})()`;
}

/**
 * Turns the page's JSON reply into the value, or throws the page's error.
 * @param {string} json
 * @param {(errors: string[]) => void} [onErrors]
 */
export function decodeReply(json, onErrors) {
  const out = JSON.parse(json);
  if (out.errors && onErrors) onErrors(out.errors);
  if (out.error) {
    const e = new Error(`evaluate: ${out.error.name}: ${out.error.message}`);
    e.stack = `${e.message}\n    in the page:\n${out.error.stack}`;
    throw e;
  }
  return decodeValue(out.ok);
}
