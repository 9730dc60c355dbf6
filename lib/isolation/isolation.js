/**
 * Cross-origin isolation without server headers: registers ringlet's service
 * worker (lib/entries/coi-serviceworker.js), which adds COOP/COEP/CORP, and reloads
 * the page once. Main thread (Window) only.
 */
import { RingletError } from '../shared/errors.js';
import {
  allowScriptUrl,
  blockedByPolicy,
  isTrustedTypesRefusal,
  trustedScriptUrl,
  watchViolations,
} from '../shared/policy.js';
import { checkTimeout, describe, within } from '../shared/util.js';

/** @typedef {import('../../types/isolation.js').IsolationOptions} IsolationOptions */
/** @typedef {import('../../types/isolation.js').IsolationResult} IsolationResult */
/** @typedef {import('../../types/isolation.js').IsolationFailedReason} IsolationFailedReason */

const WHERE = 'ensureCrossOriginIsolation';
const COEP_VALUES = /** @type {const} */ (['require-corp', 'credentialless']);
const CORP_VALUES = /** @type {const} */ (['same-site', 'same-origin', 'cross-origin']);
const DEFAULT_TIMEOUT_MS = 10000;
/** sessionStorage key prefix; the page's path follows, so one failing page does not block the others. */
const RELOAD_GUARD_PREFIX = 'ringlet:coi-reloaded:';
/**
 * A guard counts only for the load that our reload started: a reload whose
 * navigation began within this long after the guard was written. Clearing the
 * guard on success is not enough: in Chromium, when the service worker
 * supplies COOP, sessionStorage changes made by the isolated page can stay
 * invisible to later non-isolated pages of the tab (seen with Chromium 156),
 * so a stale guard must not pass for a fresh one.
 */
const RELOAD_WINDOW_MS = 10000;

/** The service worker beside the bundled entry: dist/coi-serviceworker.js. */
function defaultServiceWorkerUrl() {
  return new URL('./coi-serviceworker.js', import.meta.url).href;
}

/**
 * @template {string} T
 * @param {unknown} value
 * @param {string} name
 * @param {readonly T[]} allowed
 * @returns {T}
 */
function checkEnum(value, name, allowed) {
  if (typeof value !== 'string' || !allowed.includes(/** @type {T} */ (value))) {
    const list = allowed.map((v) => `'${v}'`).join(', ');
    const got = typeof value === 'string' ? `'${value}'` : describe(value);
    throw new TypeError(`${WHERE}: ${name} must be one of ${list}; got ${got}`);
  }
  return /** @type {T} */ (value);
}

/**
 * @param {unknown} value
 * @param {string} name
 * @returns {string | undefined}
 */
function checkUrl(value, name) {
  if (value === undefined) return undefined;
  if (typeof value === 'string' || value instanceof URL) return String(value);
  throw new TypeError(`${WHERE}: ${name} must be a string or URL; got ${describe(value)}`);
}

/**
 * Validates the options and fills in defaults. Touches no browser global.
 * @param {unknown} options
 */
function checkIsolationOptions(options) {
  if (options === undefined) options = {};
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${WHERE}: options must be an object; got ${describe(options)}`);
  }
  const o = /** @type {Record<string, unknown>} */ (options);
  return {
    swUrl: checkUrl(o.swUrl, 'swUrl'),
    scope: checkUrl(o.scope, 'scope'),
    coep: o.coep === undefined ? 'require-corp' : checkEnum(o.coep, 'coep', COEP_VALUES),
    corp: o.corp === undefined ? 'same-site' : checkEnum(o.corp, 'corp', CORP_VALUES),
    timeoutMs: checkTimeout(o.timeoutMs, WHERE, DEFAULT_TIMEOUT_MS),
  };
}

/** A Window's main thread: the only place a page can register a worker for itself and reload. */
function isWindow() {
  const g = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (globalThis));
  return (
    typeof g.Window === 'function' &&
    globalThis instanceof /** @type {typeof Window} */ (g.Window) &&
    typeof g.document === 'object' &&
    g.document !== null
  );
}

/** @type {Promise<IsolationResult> | null} */
let pending = null;

/**
 * Makes the page cross-origin isolated; see types/isolation.d.ts. Main thread.
 * @param {IsolationOptions} [options]
 * @returns {Promise<IsolationResult>}
 */
export function ensureCrossOriginIsolation(options) {
  /** @type {ReturnType<typeof checkIsolationOptions>} */
  let o;
  try {
    o = checkIsolationOptions(options);
    if (!isWindow()) {
      throw new RingletError(
        'NOT_MAIN_THREAD',
        `${WHERE}: needs a Window main thread (a page registers its service worker and reloads itself); this thread is not one`,
      );
    }
  } catch (error) {
    return Promise.reject(error);
  }
  if (pending !== null) return pending;
  const run = isolate(o).catch((/** @type {unknown} */ error) =>
    failed('register-failed', `unexpected error: ${String(error)}`, error),
  );
  pending = run;
  // A reload is under way: later callers on this page get 'reloading' too.
  run.then((result) => {
    if (result.status !== 'reloading' && pending === run) pending = null;
  });
  return run;
}

/**
 * @param {IsolationFailedReason} reason
 * @param {string} message
 * @param {unknown} [cause]
 * @returns {IsolationResult}
 */
function failed(reason, message, cause) {
  return cause === undefined
    ? { status: 'failed', reason, message: `${WHERE}: ${message}` }
    : { status: 'failed', reason, message: `${WHERE}: ${message}`, cause };
}

/** sessionStorage, or null where reading it throws (storage disabled, sandboxed frames). */
function sessionStore() {
  try {
    const store = globalThis.sessionStorage;
    store.getItem(RELOAD_GUARD_PREFIX);
    return store;
  } catch {
    return null;
  }
}

/**
 * @param {Storage} store
 * @param {string} key
 * @returns {{ at: number, failed: boolean } | null}
 */
function readGuard(store, key) {
  try {
    const value = JSON.parse(store.getItem(key) ?? 'null');
    return value !== null && typeof value === 'object' && typeof value.at === 'number'
      ? { at: value.at, failed: value.failed === true }
      : null;
  } catch {
    return null;
  }
}

/**
 * @param {Storage | null} store
 * @param {string} key
 * @param {{ at: number, failed: boolean }} value
 */
function writeGuard(store, key, value) {
  try {
    store?.setItem(key, JSON.stringify(value));
  } catch {
    // Full or disabled: this load still fails without reloading.
  }
}

/**
 * True when this document is the reload started at `at`: its navigation is a
 * reload that began within RELOAD_WINDOW_MS (a second of clock slack before).
 * @param {number} at
 */
function isOurReload(at) {
  const entry = /** @type {PerformanceNavigationTiming | undefined} */ (
    performance.getEntriesByType?.('navigation')[0]
  );
  if (entry !== undefined && entry.type !== 'reload') return false;
  const delta = performance.timeOrigin - at;
  return delta >= -1000 && delta <= RELOAD_WINDOW_MS;
}

/** @param {Storage} store */
function clearGuards(store) {
  try {
    for (let i = store.length - 1; i >= 0; i--) {
      const key = store.key(i);
      if (key !== null && key.startsWith(RELOAD_GUARD_PREFIX)) store.removeItem(key);
    }
  } catch {
    // The page is isolated all the same; a leftover guard expires by itself.
  }
}

/**
 * register(), with the script URL from ringlet's Trusted Types policy (a
 * Trusted Types sink in engines that enforce them), and a refusal by the
 * page's policy (Trusted Types, or a worker-src violation reported for the
 * URL) as RingletError 'BLOCKED_BY_POLICY'.
 * @param {ServiceWorkerContainer} container
 * @param {string} scriptUrl
 * @param {RegistrationOptions} options
 * @returns {Promise<ServiceWorkerRegistration>}
 */
async function registerUnderPolicy(container, scriptUrl, options) {
  const violations = watchViolations();
  try {
    return await container.register(trustedScriptUrl(scriptUrl), options);
  } catch (error) {
    if (isTrustedTypesRefusal(error)) {
      throw blockedByPolicy(WHERE, 'require-trusted-types-for', scriptUrl, error);
    }
    const directive = await violations.waitFor(scriptUrl);
    if (directive !== null) throw blockedByPolicy(WHERE, directive, scriptUrl, error);
    throw error;
  } finally {
    violations.close();
  }
}

/**
 * Why a registration with a scope above the worker's folder fails, for the
 * message: Chromium's own error says so, Firefox's is a bare "SecurityError:
 * The operation is insecure."
 * @param {string | undefined} scope
 * @param {string} scriptUrl
 */
function scopeHint(scope, scriptUrl) {
  if (scope === undefined || scriptUrl === '') return '';
  try {
    const wanted = new URL(scope, location.href).href;
    const folder = new URL('./', scriptUrl).href;
    if (wanted.startsWith(folder)) return '';
    return ` (the scope ${wanted} is above the worker's folder ${folder}: the server must send Service-Worker-Allowed for it)`;
  } catch {
    return '';
  }
}

/**
 * @param {ReturnType<typeof checkIsolationOptions>} o
 * @returns {Promise<IsolationResult>}
 */
async function isolate(o) {
  // timeoutMs bounds registering and activating together.
  const started = performance.now();
  const store = sessionStore();
  if (globalThis.crossOriginIsolated === true) {
    if (store) clearGuards(store);
    return { status: 'isolated' };
  }
  if (globalThis.isSecureContext !== true) {
    return {
      status: 'unsupported',
      reason: 'insecure-context',
      message: `${WHERE}: service workers need a secure context (https:// or localhost); ${location.origin} is not one`,
    };
  }
  const container = /** @type {ServiceWorkerContainer | undefined} */ (navigator.serviceWorker);
  if (!container) {
    return {
      status: 'unsupported',
      reason: 'no-service-worker',
      message: `${WHERE}: this browser offers no service worker here (navigator.serviceWorker is missing; Firefox private windows have none)`,
    };
  }

  /** @type {ServiceWorkerRegistration} */
  let registration;
  /** @type {string} */
  let scriptUrl = '';
  try {
    const url = new URL(o.swUrl ?? defaultServiceWorkerUrl(), location.href);
    url.searchParams.set('coep', o.coep);
    url.searchParams.set('corp', o.corp);
    scriptUrl = url.href;
    /** @type {RegistrationOptions} */
    const registerOptions = { updateViaCache: 'none' };
    if (o.scope !== undefined) registerOptions.scope = o.scope;
    allowScriptUrl(scriptUrl);
    // register() stays pending as long as the server does not answer for the script.
    const registered = await within(
      registerUnderPolicy(container, scriptUrl, registerOptions),
      o.timeoutMs,
      () => null,
    );
    if (registered === null) {
      return failed(
        'register-timeout',
        `the service worker ${scriptUrl} did not load within ${o.timeoutMs} ms (is the server answering for it?); not reloading`,
      );
    }
    registration = registered;
  } catch (error) {
    if (error instanceof RingletError && error.code === 'BLOCKED_BY_POLICY') {
      return failed('blocked-by-policy', error.message.replace(/^[^:]*: /, ''), error);
    }
    return failed(
      'register-failed',
      `could not register the service worker ${scriptUrl || String(o.swUrl)}: ${String(error)}${scopeHint(o.scope, scriptUrl)}`,
      error,
    );
  }
  if (!location.href.startsWith(registration.scope)) {
    return failed(
      'out-of-scope',
      `the service worker's scope ${registration.scope} does not cover this page (${location.pathname}); a service worker controls only pages at or below its own folder, so copy it to the site root or pass a scope (above its folder, the server must send Service-Worker-Allowed)`,
    );
  }

  // Our worker answered this load with COOP and COEP credentialless, yet the
  // page is not isolated: the browser ignores credentialless (WebKit, Safari),
  // and another reload cannot change that.
  const controller = container.controller;
  if (o.coep === 'credentialless' && controller !== null && controller.scriptURL === scriptUrl) {
    const left = Math.max(0, o.timeoutMs - (performance.now() - started));
    if ((await sentCoep(controller, left)) === 'credentialless') {
      return failed(
        'credentialless-unsupported',
        "the service worker sent this page COOP same-origin and COEP credentialless, but this browser does not support COEP credentialless (WebKit and Safari ignore it), so the page is not cross-origin isolated; not reloading again. Pass coep: 'require-corp' (cross-origin resources then need CORP or CORS) to isolate it here, or let ringlet use the message transport",
      );
    }
  }

  const guardKey = RELOAD_GUARD_PREFIX + location.pathname;
  const guard = store === null ? null : readGuard(store, guardKey);
  if (guard !== null && (guard.failed || isOurReload(guard.at))) {
    // This load is the one reload, or comes after it failed: another reload could loop.
    if (!guard.failed) writeGuard(store, guardKey, { at: guard.at, failed: true });
    return container.controller
      ? failed(
          'headers-missing',
          'after one reload the service worker controls the page but it is still not cross-origin isolated (an error page passes through unchanged, or another service worker controls it); not reloading again',
        )
      : failed(
          'not-controlled',
          'after one reload the page is still not controlled by the service worker (a hard reload bypasses it); not reloading again',
        );
  }

  const state = await whenActivated(registration, Math.max(0, o.timeoutMs - (performance.now() - started)));
  if (state === 'timeout') {
    return failed('activate-timeout', `the service worker did not activate within ${o.timeoutMs} ms`);
  }
  if (state === 'redundant') {
    return failed('install-failed', 'the service worker failed to install');
  }
  try {
    if (store === null) throw new Error('sessionStorage is unavailable');
    store.setItem(guardKey, JSON.stringify({ at: Date.now(), failed: false }));
  } catch (error) {
    return failed(
      'no-reload-guard',
      `${String(error)}, so a reload could loop; the service worker is registered and will isolate the next page load`,
      error,
    );
  }
  location.reload();
  return { status: 'reloading' };
}

/**
 * The COEP the active worker says it sent with this document (GET_NAVIGATION),
 * or null: it did not add its headers to this load, or did not answer within
 * `ms` (an older worker, a stopped one).
 * @param {ServiceWorker} worker
 * @param {number} ms
 * @returns {Promise<string | null>}
 */
async function sentCoep(worker, ms) {
  const channel = new MessageChannel();
  /** @type {Promise<unknown>} */
  const reply = new Promise((resolve) => {
    channel.port1.onmessage = (event) => resolve(event.data);
  });
  try {
    worker.postMessage({ type: 'GET_NAVIGATION', url: location.href }, [channel.port2]);
    const data = /** @type {{ coep?: unknown } | null} */ (await within(reply, ms, () => null));
    return data !== null && typeof data === 'object' && typeof data.coep === 'string' ? data.coep : null;
  } catch {
    return null;
  } finally {
    channel.port1.close();
  }
}

/**
 * Resolves once the registration's newest worker is activated, 'redundant'
 * if it died with no activated worker left, or 'timeout'. Removes every
 * listener and the timer on every outcome.
 * @param {ServiceWorkerRegistration} registration
 * @param {number} timeoutMs
 * @returns {Promise<'activated' | 'redundant' | 'timeout'>}
 */
function whenActivated(registration, timeoutMs) {
  return new Promise((resolve) => {
    const listeners = new AbortController();
    /** @param {'activated' | 'redundant' | 'timeout'} state */
    const settle = (state) => {
      listeners.abort();
      clearTimeout(timer);
      resolve(state);
    };
    const timer = setTimeout(() => settle('timeout'), timeoutMs);
    const step = () => {
      const next = registration.installing ?? registration.waiting;
      const worker = next ?? registration.active;
      if (worker === null) return settle('redundant');
      if (worker.state === 'redundant') {
        return settle(registration.active?.state === 'activated' ? 'activated' : 'redundant');
      }
      if (next === null && worker.state === 'activated') return settle('activated');
      worker.addEventListener('statechange', step, { signal: listeners.signal });
    };
    registration.addEventListener('updatefound', step, { signal: listeners.signal });
    step();
  });
}
