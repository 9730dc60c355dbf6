// The one page API every browser test uses, in every engine. The engine
// drivers (drivers/*.js) supply a few primitives (evaluate an expression,
// navigate, a trusted click, mouse moves); everything else is built here on
// evaluate, the same way for all engines. Method names and arguments follow
// Playwright's Page, so a test reads as it did when it ran in Chromium alone.
import { decodeReply, evaluateExpression } from './serialize.js';

/** Where WebKit's in-page recorder (see RECORDER) keeps what it caught. */
const RECORDS = 'globalThis.__ringletErrors';

/**
 * Records what WebDriver classic cannot report: uncaught errors, unhandled
 * rejections and console.error calls, as strings, for the harness to read
 * back after each call. Runs before the page's own scripts.
 */
export const RECORDER = `(() => {
  if (globalThis.__ringletErrors) return;
  const records = (globalThis.__ringletErrors = []);
  const text = (x) => (x instanceof Error ? \`\${x.name}: \${x.message}\` : String(x));
  addEventListener('error', (e) => records.push(e.error !== undefined ? text(e.error) : String(e.message)));
  addEventListener('unhandledrejection', (e) => records.push(\`Uncaught (in promise) \${text(e.reason)}\`));
  const error = console.error;
  console.error = function (...args) {
    records.push(args.map(text).join(' '));
    return error.apply(this, args);
  };
})();`;

/**
 * Counts live event listeners per target, for engines whose tooling cannot
 * list them (Chromium's DevTools can: DOMDebugger.getEventListeners). It
 * wraps EventTarget.prototype.addEventListener and removeEventListener and
 * follows the removals the browser makes by itself: `once` listeners that
 * fired and listeners whose `signal` aborted. Runs before the page's scripts.
 * `__ringletListeners(target, types?)` gives the count.
 */
export const LISTENER_COUNTER = `(() => {
  if (globalThis.__ringletListeners) return;
  const proto = EventTarget.prototype;
  const add = proto.addEventListener;
  const remove = proto.removeEventListener;
  const live = new WeakMap(); // target -> Map(listener -> Map(type + capture -> { type, wrapper }))
  const captureOf = (o) => (typeof o === 'boolean' ? o : Boolean(o && o.capture));
  proto.addEventListener = function (type, listener, options) {
    if (listener === null || listener === undefined || (typeof listener !== 'function' && typeof listener !== 'object'))
      return add.call(this, type, listener, options);
    const signal = options && typeof options === 'object' ? options.signal : undefined;
    if (signal && signal.aborted) return undefined;
    const key = \`\${type}\\u0000\${captureOf(options)}\`;
    let byListener = live.get(this);
    if (!byListener) live.set(this, (byListener = new Map()));
    let entries = byListener.get(listener);
    if (!entries) byListener.set(listener, (entries = new Map()));
    if (entries.has(key)) return undefined;
    const once = Boolean(options && typeof options === 'object' && options.once);
    const forget = () => {
      if (entries.get(key) !== entry) return;
      entries.delete(key);
      if (entries.size === 0 && byListener.get(listener) === entries) byListener.delete(listener);
    };
    const wrapper = function (event) {
      if (once) forget();
      return typeof listener === 'function' ? listener.call(this, event) : listener.handleEvent(event);
    };
    const entry = { type, wrapper };
    entries.set(key, entry);
    if (signal) add.call(signal, 'abort', forget, { once: true });
    return add.call(this, type, wrapper, options);
  };
  proto.removeEventListener = function (type, listener, options) {
    const key = \`\${type}\\u0000\${captureOf(options)}\`;
    const byListener = live.get(this);
    const entries = byListener && byListener.get(listener);
    const entry = entries && entries.get(key);
    if (!entry) return remove.call(this, type, listener, options);
    entries.delete(key);
    if (entries.size === 0) byListener.delete(listener);
    return remove.call(this, type, entry.wrapper, options);
  };
  globalThis.__ringletListeners = (target, types) => {
    let n = 0;
    for (const entries of (live.get(target) ?? new Map()).values())
      for (const { type } of entries.values()) if (!types || types.includes(type)) n++;
    return n;
  };
})();`;

export class TimeoutError extends Error {
  name = 'TimeoutError';
}

/** The page API. One instance per open tab. */
export class Page {
  /**
   * @param {import('./drivers/types.js').Backend} backend
   * @param {{ engine: import('./engines.js').Engine, errors: string[], addServerInit?: (source: string) => void }} context
   */
  constructor(backend, { engine, errors, addServerInit }) {
    this.backend = backend;
    this.engine = engine;
    /** Console errors and uncaught page errors, in order. Tests may clear it (`errors.length = 0`). */
    this.errors = errors;
    this.addServerInit = addServerInit;
    /** In-page records to read back with every call (WebKit), or null. */
    this.drain = backend.onError ? undefined : `(${RECORDS} ?? []).splice(0)`;
    if (backend.onError) backend.onError((m) => this.errors.push(m));
    this.mouse = {
      /** @param {number} x @param {number} y @param {{ steps?: number }} [options] */
      move: async (x, y, { steps = 1 } = {}) => {
        const from = this.mousePosition;
        for (let i = 1; i <= steps; i++) {
          await backend.mouseMove(from.x + ((x - from.x) * i) / steps, from.y + ((y - from.y) * i) / steps);
        }
        this.mousePosition = { x, y };
      },
      down: () => backend.mouseDown(),
      up: () => backend.mouseUp(),
      /** @param {number} x @param {number} y */
      click: async (x, y) => {
        await this.mouse.move(x, y);
        await backend.mouseDown();
        await backend.mouseUp();
      },
    };
    this.mousePosition = { x: 0, y: 0 };
  }

  /** The engine's own page object, for engine-specific tooling (name the engine where you use it). */
  get raw() {
    return this.backend.raw;
  }

  /**
   * Runs `fn(arg)` in the page and resolves with its (awaited) result.
   * Values cross as serialize.js encodes them, the same in every engine.
   * @template T, A
   * @param {((arg: A) => T | Promise<T>) | string} fn
   * @param {A} [arg]
   * @returns {Promise<T>}
   */
  async evaluate(fn, arg) {
    const json = await this.backend.evaluateRaw(evaluateExpression(fn, arg, this.drain));
    return decodeReply(json, (e) => this.errors.push(...e));
  }

  /**
   * Polls `fn(arg)` in the page until it returns a truthy value, and
   * resolves with it; rejects with a TimeoutError after `timeout` ms.
   * Survives navigations that happen meanwhile.
   * @template T, A
   * @param {(arg: A) => T | Promise<T>} fn
   * @param {A} [arg]
   * @param {{ timeout?: number, polling?: number }} [options]
   * @returns {Promise<T>}
   */
  async waitForFunction(fn, arg, { timeout = 30000, polling = 16 } = {}) {
    const deadline = Date.now() + timeout;
    const poll = async ({ src, a, until, every }) => {
      const f = (0, eval)(`(${src})`);
      for (;;) {
        const v = await f(a);
        if (v) return { done: true, v };
        if (Date.now() >= until) return { done: false };
        await new Promise((r) => setTimeout(r, every));
      }
    };
    for (;;) {
      // Poll in slices of at most 5 s so a navigation costs one slice, not the wait.
      const until = Math.min(deadline, Date.now() + 5000);
      let r;
      try {
        r = await this.evaluate(poll, { src: fn.toString(), a: arg, until, every: polling });
      } catch (error) {
        if (Date.now() >= deadline) throw error;
        if (!/context|navigat|destroyed|detached|unload|stale|no such (frame|window)/i.test(String(error))) throw error;
        await new Promise((res) => setTimeout(res, 50));
        continue;
      }
      if (r.done) return r.v;
      if (Date.now() >= deadline) throw new TimeoutError(`waitForFunction: timed out after ${timeout} ms: ${fn}`);
    }
  }

  /** @param {number} ms */
  waitForTimeout(ms) {
    return new Promise((r) => setTimeout(r, ms));
  }

  /**
   * Resolves once an element matches `selector` and is visible.
   * @param {string} selector
   * @param {{ timeout?: number }} [options]
   */
  async waitForSelector(selector, { timeout = 30000 } = {}) {
    await this.waitForFunction(
      (s) => {
        const el = document.querySelector(s);
        return el !== null && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
      },
      selector,
      { timeout },
    );
  }

  /** @param {string} url */
  async goto(url) {
    await this.flushErrors();
    await this.backend.goto(url);
    await this.flushErrors();
  }

  async reload() {
    await this.flushErrors();
    await this.backend.reload();
    await this.flushErrors();
  }

  /** The current URL. Playwright's is synchronous; this one is a promise in every engine. */
  url() {
    return this.backend.url();
  }

  /**
   * A trusted click in the middle of the element, as a user's, after it is visible.
   * @param {string} selector
   */
  async click(selector) {
    await this.waitForSelector(selector);
    await this.backend.click(selector);
    await this.flushErrors();
  }

  /** @param {string} selector */
  async check(selector) {
    if (!(await this.evaluate((s) => /** @type {HTMLInputElement} */ (document.querySelector(s))?.checked, selector)))
      await this.click(selector);
  }

  /** @param {string} selector */
  async uncheck(selector) {
    if (await this.evaluate((s) => /** @type {HTMLInputElement} */ (document.querySelector(s))?.checked, selector))
      await this.click(selector);
  }

  /**
   * Sets an input's value and fires `input`, as typing would.
   * @param {string} selector
   * @param {string} value
   */
  async fill(selector, value) {
    await this.#on(
      selector,
      'fill',
      (el, v) => {
        const input = /** @type {HTMLInputElement} */ (el);
        input.focus();
        input.value = v;
        input.dispatchEvent(new Event('input', { bubbles: true }));
      },
      value,
    );
  }

  /**
   * Selects the option with this value and fires `input` and `change`.
   * @param {string} selector
   * @param {string} value
   */
  async selectOption(selector, value) {
    await this.#on(
      selector,
      'selectOption',
      (el, v) => {
        const select = /** @type {HTMLSelectElement} */ (el);
        if (![...select.options].some((o) => o.value === v)) throw new Error(`no option with value ${v}`);
        select.value = v;
        select.dispatchEvent(new Event('input', { bubbles: true }));
        select.dispatchEvent(new Event('change', { bubbles: true }));
      },
      value,
    );
  }

  /**
   * @param {string} selector
   * @param {string} type
   */
  async dispatchEvent(selector, type) {
    await this.#on(selector, 'dispatchEvent', (el, t) => el.dispatchEvent(new Event(t, { bubbles: true })), type);
  }

  /** @param {string} selector @returns {Promise<string | null>} */
  textContent(selector) {
    return this.#on(selector, 'textContent', (el) => el.textContent);
  }

  /** @param {string} selector @param {string} name @returns {Promise<string | null>} */
  getAttribute(selector, name) {
    return this.#on(selector, 'getAttribute', (el, n) => el.getAttribute(n), name);
  }

  /** @param {string} selector @returns {Promise<string>} */
  inputValue(selector) {
    return this.#on(selector, 'inputValue', (el) => /** @type {HTMLInputElement} */ (el).value);
  }

  /** @param {string} selector @returns {Promise<boolean>} */
  isDisabled(selector) {
    return this.#on(selector, 'isDisabled', (el) => /** @type {HTMLButtonElement} */ (el).disabled === true);
  }

  /** True when no element matches or it is not visible. @param {string} selector @returns {Promise<boolean>} */
  isHidden(selector) {
    return this.evaluate((s) => {
      const el = document.querySelector(s);
      return el === null || el.getClientRects().length === 0 || getComputedStyle(el).visibility === 'hidden';
    }, selector);
  }

  /**
   * Runs an init script before the page's own scripts on every later
   * navigation (the driver's hook, or for WebKit the harness's server).
   * @param {string} source
   */
  async addInitScript(source) {
    if (this.backend.addInitScript) await this.backend.addInitScript(source);
    else if (this.addServerInit) this.addServerInit(source);
    else throw new Error(`addInitScript: ${this.engine.label} has no init-script hook for this page`);
  }

  /** Reads back the page's in-page error records (WebKit); a no-op elsewhere. */
  async flushErrors() {
    if (!this.drain) return;
    try {
      await this.evaluate(() => 0);
    } catch {
      // No document yet (about:blank before the first navigation) or one mid-navigation.
    }
  }

  close() {
    return this.backend.close();
  }

  /**
   * Runs `fn(element, arg)` on the element `selector` matches, after waiting
   * (bounded) for it to exist.
   * @template T, A
   * @param {string} selector
   * @param {string} what
   * @param {(el: Element, arg: A) => T} fn
   * @param {A} [arg]
   * @returns {Promise<T>}
   */
  async #on(selector, what, fn, arg) {
    await this.waitForFunction((s) => document.querySelector(s) !== null, selector, { timeout: 30000 }).catch(() => {
      throw new Error(`${what}: no element matches ${selector}`);
    });
    const r = await this.evaluate(
      ({ s, src, a }) => {
        const f = (0, eval)(`(${src})`);
        return f(document.querySelector(s), a);
      },
      { s: selector, src: fn.toString(), a: arg },
    );
    return r;
  }
}
