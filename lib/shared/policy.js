/**
 * Content-Security-Policy and Trusted Types. ringlet passes every script URL
 * it hands to a Trusted Types sink (the Worker constructor, service worker
 * registration) through one policy, named 'ringlet', whose createScriptURL
 * accepts only URLs ringlet itself resolved: its worklet, its worker, the
 * service worker, and a workerUrl given to it. A refusal by the page's
 * policy becomes RingletError 'BLOCKED_BY_POLICY' naming the directive and
 * the URL.
 *
 * Main thread or a Worker, at call time only: importing this module touches
 * no global, and nothing here runs on the audio thread. The policy is made
 * on first use, and only where `globalThis.trustedTypes` exists; elsewhere
 * URLs pass through as strings, unchanged.
 */
import { RingletError } from './errors.js';

/** The Trusted Types policy name a page allows with `trusted-types ringlet`. */
export const POLICY_NAME = 'ringlet';

/**
 * Where every copy of ringlet on the page keeps the one policy and the URLs
 * it accepts: a page may hold two copies (two bundles, two versions), and
 * the browser lets a name be created once unless the page says
 * 'allow-duplicates', so the copy that comes second uses the first's policy.
 */
const STATE_KEY = Symbol.for('ringlet.trustedTypes');

/**
 * @typedef {object} PolicyState
 * @property {Set<string>} allowed absolute URLs createScriptURL accepts
 * @property {{ createScriptURL(url: string): unknown } | null} policy
 * @property {unknown} failure why createPolicy threw, if it did
 * @property {boolean} tried
 */

/** @typedef {{ createPolicy(name: string, rules: { createScriptURL(url: string): string }): { createScriptURL(url: string): unknown } }} TrustedTypesFactory */

/** @returns {PolicyState} */
function state() {
  const g = /** @type {Record<symbol, unknown>} */ (/** @type {unknown} */ (globalThis));
  const found = /** @type {Partial<PolicyState> | undefined} */ (g[STATE_KEY]);
  if (found !== undefined && found !== null && found.allowed instanceof Set) return /** @type {PolicyState} */ (found);
  /** @type {PolicyState} */
  const fresh = { allowed: new Set(), policy: null, failure: undefined, tried: false };
  Object.defineProperty(globalThis, STATE_KEY, { value: fresh, configurable: true });
  return fresh;
}

/**
 * The rule of ringlet's policy, pure: `url` is accepted when it is one that
 * ringlet resolved (in `allowed`), and anything else throws a TypeError.
 * @param {ReadonlySet<string>} allowed
 * @param {string} url
 * @returns {string}
 */
export function checkScriptUrl(allowed, url) {
  if (allowed.has(url)) return url;
  throw new TypeError(
    `ringlet's Trusted Types policy '${POLICY_NAME}' accepts only the script URLs ringlet resolves (its worklet, its worker, its service worker, a workerUrl given to it); got ${url}`,
  );
}

/**
 * Lets `url` through ringlet's policy: the caller resolved it (an absolute
 * URL) and is about to hand it to a script-URL sink.
 * @param {string} url
 */
export function allowScriptUrl(url) {
  state().allowed.add(url);
}

/** @returns {{ createScriptURL(url: string): unknown } | null} */
function policy() {
  const s = state();
  if (s.policy !== null || s.tried) return s.policy;
  const factory = /** @type {{ trustedTypes?: Partial<TrustedTypesFactory> }} */ (globalThis).trustedTypes;
  if (typeof factory?.createPolicy !== 'function') return null;
  s.tried = true;
  const allowed = s.allowed;
  try {
    s.policy = factory.createPolicy(POLICY_NAME, { createScriptURL: (url) => checkScriptUrl(allowed, url) });
  } catch (error) {
    // The page's trusted-types directive does not list 'ringlet' (or it is
    // taken): hand the sinks plain strings, which they accept unless the page
    // also requires Trusted Types; then the sink's refusal says why.
    s.failure = error;
  }
  return s.policy;
}

/**
 * `url` for a script-URL sink: a TrustedScriptURL from ringlet's policy
 * where the page has Trusted Types and the policy could be made, else the
 * string itself. The URL must have been passed to allowScriptUrl.
 * @param {string} url
 * @returns {string}
 */
export function trustedScriptUrl(url) {
  const p = policy();
  // A TrustedScriptURL stands in for the string at every sink that takes one.
  return p === null ? url : /** @type {string} */ (p.createScriptURL(url));
}

/** Why ringlet's policy could not be made (a message), or '' if it was or was not needed. */
export function policyFailure() {
  const f = state().failure;
  return f === undefined ? '' : String(f);
}

/**
 * True when `error` is a sink's Trusted Types refusal, a TypeError in
 * every engine that enforces them.
 * @param {unknown} error
 */
export function isTrustedTypesRefusal(error) {
  // Chromium and WebKit: "requires 'TrustedScriptURL' assignment"; Firefox:
  // "Sink type mismatch violation blocked by CSP".
  return error instanceof TypeError && /Trusted ?Script ?URL|Trusted ?Types?|Sink type mismatch/i.test(error.message);
}

/**
 * True when `error` is WebAssembly.compile's refusal under a script-src
 * without 'wasm-unsafe-eval' (a CompileError, or an EvalError in some
 * engines, whose message names the policy).
 * @param {unknown} error
 */
export function isWasmEvalRefusal(error) {
  return (
    error instanceof Error &&
    (error.name === 'CompileError' || error.name === 'EvalError') &&
    /unsafe-eval|Content[ -]Security[ -]Policy|\bCSP\b/i.test(error.message)
  );
}

/**
 * The error for a script or fetch the page's policy refused.
 * @param {string} where the API that was called
 * @param {string} directive the directive at fault: a violation event's, or the sink's ('require-trusted-types-for', 'worker-src', 'connect-src', 'script-src')
 * @param {string} url
 * @param {unknown} [cause]
 * @param {string} [alternative] another way out, appended to the advice
 */
export function blockedByPolicy(where, directive, url, cause, alternative = '') {
  let advice;
  if (directive === 'require-trusted-types-for' || directive === 'trusted-types') {
    const failure = policyFailure();
    advice = failure
      ? `ringlet's Trusted Types policy '${POLICY_NAME}' could not be created (${failure}); allow it with 'trusted-types ${POLICY_NAME}'`
      : `allow ringlet's Trusted Types policy with 'trusted-types ${POLICY_NAME}'`;
  } else if (directive === 'script-src' && !/^[a-z][a-z0-9+.-]*:/i.test(url)) {
    advice = `WebAssembly needs 'wasm-unsafe-eval' in script-src`;
  } else {
    const scheme = /^(blob|data):/.exec(url)?.[1];
    const source = scheme ? `${scheme}:` : originOf(url);
    advice = `allow ${source} in ${directive}`;
  }
  return new RingletError(
    'BLOCKED_BY_POLICY',
    `${where}: ${directive === 'require-trusted-types-for' || directive === 'trusted-types' ? 'Trusted Types' : 'the Content-Security-Policy'} (${directive}) blocked ${url}; ${advice}${alternative ? `, or ${alternative}` : ''}`,
    { cause },
  );
}

/** @param {string} url */
function originOf(url) {
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? url : origin;
  } catch {
    return url;
  }
}

/**
 * Whether a violation's blockedURI stands for `url`: the URL itself, its
 * scheme alone ('blob', 'data'), or its origin (what engines report for a
 * cross-origin redirect). Pure.
 * @param {string} blocked
 * @param {string} url
 */
export function violationMatches(blocked, url) {
  if (blocked === '' || blocked === url) return blocked !== '';
  if (/^[a-z][a-z0-9+.-]*$/i.test(blocked)) return url.startsWith(`${blocked}:`);
  return url.startsWith(blocked.endsWith('/') ? blocked : `${blocked}/`);
}

/**
 * Records the securitypolicyviolation events of this scope (the page, or
 * the Worker) from now until close(), so that a failed load can say which
 * directive refused it. Engines without the event (or scopes without
 * addEventListener) record nothing.
 * @returns {{ directiveFor(url: string): string | null, waitFor(url: string, ms?: number): Promise<string | null>, close(): void }}
 */
export function watchViolations() {
  /** @type {Array<{ directive: string, blocked: string }>} */
  const seen = [];
  /** @type {Set<() => void>} */
  const waiters = new Set();
  const target = /** @type {Partial<EventTarget>} */ (globalThis);
  /** @param {Event} event */
  const listener = (event) => {
    const e = /** @type {Partial<SecurityPolicyViolationEvent>} */ (event);
    if (seen.length >= 16) return;
    seen.push({
      directive: String(e.effectiveDirective || e.violatedDirective || ''),
      blocked: String(e.blockedURI ?? ''),
    });
    for (const wake of waiters) wake();
  };
  const listening = typeof target.addEventListener === 'function';
  if (listening) target.addEventListener?.('securitypolicyviolation', listener);
  /** @param {string} url */
  const directiveFor = (url) => {
    // The earliest: later ones may come from ringlet's own diagnosis of the failure.
    const found = seen.find((v) => violationMatches(v.blocked, url));
    return found === undefined ? null : found.directive.split(' ')[0];
  };
  return {
    directiveFor,
    /**
     * The directive of a violation for `url`, waiting at most `ms` for one:
     * the event is dispatched in a task of its own, which may come well
     * after the failure it explains (Firefox's, in a Worker).
     */
    waitFor(url, ms = VIOLATION_WAIT_MS) {
      const now = directiveFor(url);
      if (now !== null || !listening) return Promise.resolve(now);
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve(directiveFor(url));
        };
        const wake = () => {
          if (directiveFor(url) !== null) done();
        };
        const timer = setTimeout(done, ms);
        waiters.add(wake);
      });
    },
    close() {
      if (listening) target.removeEventListener?.('securitypolicyviolation', listener);
      for (const wake of waiters) wake();
    },
  };
}

/** How long a failed load waits for the violation event that explains it. */
const VIOLATION_WAIT_MS = 250;
