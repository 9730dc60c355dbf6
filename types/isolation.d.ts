/**
 * Cross-origin isolation for hosts that cannot send COOP/COEP headers:
 * ensureCrossOriginIsolation() registers ringlet's service worker
 * (`ringlet/coi-serviceworker.js`, a classic script), which adds them, and
 * reloads the page once. Main thread only.
 */

/** Cross-Origin-Embedder-Policy the service worker sends with documents and workers. */
export type CoepValue = 'require-corp' | 'credentialless';

/** Cross-Origin-Resource-Policy the service worker adds to same-origin responses that have none. */
export type CorpValue = 'same-site' | 'same-origin' | 'cross-origin';

/** Options for ensureCrossOriginIsolation(). Bad values reject with a TypeError or RangeError naming the option. */
export interface IsolationOptions {
  /**
   * The service worker script. Default: `coi-serviceworker.js` beside the
   * bundled entry (dist/). A service worker controls only pages at or below
   * its own path, so most apps copy it to the site root and pass
   * `swUrl: '/coi-serviceworker.js'`.
   */
  swUrl?: string | URL;
  /**
   * The registration scope; default: the script's folder. A scope above the
   * script's folder needs the `Service-Worker-Allowed` response header.
   */
  scope?: string | URL;
  /** Default 'require-corp'. 'credentialless' loads cross-origin no-cors resources without CORP, minus cookies. */
  coep?: CoepValue;
  /** Default 'same-site'. A CORP header the server sent is kept. */
  corp?: CorpValue;
  /** How long to wait for the service worker to register and activate, both together, in ms; default 10000. */
  timeoutMs?: number;
}

/** Why isolation is impossible here; nothing was registered and the page will not reload. */
export type IsolationUnsupportedReason =
  /** No navigator.serviceWorker: Firefox private mode, some embedded browsers, or disabled by policy. */
  | 'no-service-worker'
  /** Not a secure context (http:// other than localhost): service workers need HTTPS. */
  | 'insecure-context';

/** Why isolation failed. */
export type IsolationFailedReason =
  /** register() rejected: the script is missing or not JavaScript, or the scope is not allowed. The message says which. */
  | 'register-failed'
  /** register() did not settle within timeoutMs: the server did not answer for the script. No reload was tried. */
  | 'register-timeout'
  /**
   * The page's Content-Security-Policy (worker-src) or Trusted Types refused
   * the service worker script; `cause` is a RingletError 'BLOCKED_BY_POLICY'
   * naming the directive and the URL. No reload was tried.
   */
  | 'blocked-by-policy'
  /** The worker did not install (it became redundant). */
  | 'install-failed'
  /** The worker registered but did not activate within what was left of timeoutMs. */
  | 'activate-timeout'
  /** The registration's scope does not cover this page, so no reload was tried. */
  | 'out-of-scope'
  /** After the one reload, the page is still not controlled (a hard reload, or the browser bypassed the worker). */
  | 'not-controlled'
  /** After the one reload, the worker controls the page but it is still not isolated (an error page, an old or foreign worker). */
  | 'headers-missing'
  /**
   * coep was 'credentialless', and the worker sent this page COOP and COEP
   * credentialless, but the browser ignores credentialless (WebKit, Safari):
   * not isolated, and no further reload. Use 'require-corp' to isolate there.
   */
  | 'credentialless-unsupported'
  /** sessionStorage is unavailable, so a reload could loop; the worker is registered and will isolate the next load. */
  | 'no-reload-guard';

/**
 * What ensureCrossOriginIsolation() resolves with, told apart by `status`.
 * - 'isolated': crossOriginIsolated is true; SharedArrayBuffer is there.
 * - 'reloading': the page is reloading to come back isolated; stop initialising.
 * - 'unsupported': this browser or context can't do it (`reason`).
 * - 'failed': it was tried and did not work (`reason`, `message`, maybe `cause`).
 */
export type IsolationResult =
  | {
      /** SharedArrayBuffer is available. */
      readonly status: 'isolated';
    }
  | {
      /** The page is reloading; stop initialising. */
      readonly status: 'reloading';
    }
  | {
      /** It cannot work in this browser or context. */
      readonly status: 'unsupported';
      /** Why; nothing was registered. */
      readonly reason: IsolationUnsupportedReason;
      /** For people. */
      readonly message: string;
    }
  | {
      /** It was tried and did not work. */
      readonly status: 'failed';
      /** What went wrong, for programs. */
      readonly reason: IsolationFailedReason;
      /** For people: what happened and what to do. */
      readonly message: string;
      /** The underlying error, when there was one. */
      readonly cause?: unknown;
    };

/**
 * Makes the page cross-origin isolated. Already isolated: resolves
 * 'isolated' and changes nothing (nothing is registered or reconfigured).
 * Otherwise it registers the service worker (configured through its URL's
 * query), waits for it to activate, and reloads once.
 *
 * A sessionStorage guard, per page path, stops reload loops: when the reload
 * comes back still not isolated it resolves 'failed', and that page does not
 * reload again in this tab. An isolated page clears the guards. A guard
 * counts only for the reload it started (a reload that began within 10 s of
 * it), because Chromium may not show the isolated page's clearing to later
 * non-isolated pages of the tab.
 *
 * Concurrent calls share one promise. Never rejects once the options are
 * valid and the thread is right.
 *
 * Main thread (Window) only: elsewhere it rejects with RingletError
 * 'NOT_MAIN_THREAD'. Bad options reject with a TypeError or RangeError naming
 * the option and its allowed values.
 */
export declare function ensureCrossOriginIsolation(options?: IsolationOptions): Promise<IsolationResult>;

/**
 * Messages the service worker answers. Post one with a MessageChannel and
 * read the reply on port1:
 * `registration.active.postMessage({ type: 'GET_STATS' }, [channel.port2])`.
 * Any thread that holds a ServiceWorker object.
 */
export type IsolationWorkerMessage =
  | {
      /** Replies IsolationWorkerStats. */
      type: 'GET_STATS';
    }
  | {
      /** Replies IsolationWorkerNavigation: the COEP it sent with the latest navigation to `url`. */
      type: 'GET_NAVIGATION';
      /** A page URL (a fragment is ignored). */
      url: string;
    }
  | {
      /** Empties its cache; replies IsolationWorkerCleared. */
      type: 'CLEAR_CACHE';
    }
  | {
      /** Sent to a waiting worker: it activates at once and replies `{ ok: true }`. */
      type: 'SKIP_WAITING';
    };

/**
 * The reply to GET_STATS, sent once cache writes under way have finished, or
 * after 1 s if one of them still waits for its response's body
 * (pendingStores counts those).
 * Counters start at zero whenever the browser starts the worker, and it stops
 * idle workers, so compare them within one session only.
 */
export interface IsolationWorkerStats {
  /** The ringlet version of the worker script. */
  readonly version: string;
  /** `ringlet-coi-<version>@<scope>`. */
  readonly cacheName: string;
  /** The COEP it sends, from its URL's query. */
  readonly coep: CoepValue;
  /** The CORP it adds, from its URL's query. */
  readonly corp: CorpValue;
  /** 100. */
  readonly maxEntries: number;
  /** Fetch events, intercepted or not. */
  readonly requests: number;
  /** Successful same-origin responses sent on with ringlet's headers. */
  readonly rebuilt: number;
  /** Responses left to the browser or returned untouched: non-GET, cross-origin, opaque, errors. */
  readonly passedThrough: number;
  /** Same-origin redirects answered with a redirect to the final URL. */
  readonly redirected: number;
  /** Cacheable requests answered from the cache because the network failed. */
  readonly cacheHits: number;
  /** Cacheable requests whose network fetch failed with nothing cached. */
  readonly cacheMisses: number;
  /** Responses written to the cache. */
  readonly cacheStores: number;
  /**
   * Responses being stored: their body still arriving, or their write queued.
   * A body is read to its end before its write joins the cache's queue, so a
   * stalled one holds up no other cache operation; one that takes over 60 s
   * is not stored (counted in errors).
   */
  readonly pendingStores: number;
  /** Entries in the cache now. */
  readonly cacheEntries: number;
  /** Entries removed to keep the cache at maxEntries. */
  readonly evictions: number;
  /** Network failures and failed cache operations. */
  readonly errors: number;
}

/**
 * The reply to GET_NAVIGATION. The worker remembers its latest 32 navigations
 * answered with its headers, until the browser restarts it.
 */
export interface IsolationWorkerNavigation {
  /** The COEP it sent with that page, or null: not answered with its headers (an error page), or forgotten. */
  readonly coep: CoepValue | null;
}

/** The reply to CLEAR_CACHE: how many entries were removed. */
export interface IsolationWorkerCleared {
  /** Entries removed. */
  readonly cleared: number;
}
