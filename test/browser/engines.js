// The browser engines the browser tests run in, and how RINGLET_BROWSERS
// picks among them. Plain data, no browser code: jest.config.js reads it to
// make one Jest project per engine.

/**
 * @typedef {'chromium' | 'firefox' | 'webkit-shared' | 'webkit-message'} EngineId
 * @typedef {object} Engine
 * @property {EngineId} id
 * @property {'chromium' | 'firefox' | 'webkit'} family
 * @property {boolean} sharedArrayBuffer SharedArrayBuffer on cross-origin isolated pages
 * @property {boolean} sharedArrayBufferEverywhere SharedArrayBuffer on pages that are not isolated too
 *   (WebKitGTK's JSC_useSharedArrayBuffer=1 exposes it on every page; Safari does not)
 * @property {string} label
 */

/** @type {Engine[]} */
export const ENGINES = [
  {
    id: 'chromium',
    family: 'chromium',
    sharedArrayBuffer: true,
    sharedArrayBufferEverywhere: false,
    label: 'Chromium',
  },
  { id: 'firefox', family: 'firefox', sharedArrayBuffer: true, sharedArrayBufferEverywhere: false, label: 'Firefox' },
  // WebKitGTK gives an isolated page SharedArrayBuffer only when the web
  // process runs with JSC_useSharedArrayBuffer=1 (Safari enables it for
  // isolated pages). Without it, WebKit stands for Safari on a page that is
  // not isolated: ringlet takes the message transport.
  {
    id: 'webkit-shared',
    family: 'webkit',
    sharedArrayBuffer: true,
    sharedArrayBufferEverywhere: true,
    label: 'WebKit (shared)',
  },
  {
    id: 'webkit-message',
    family: 'webkit',
    sharedArrayBuffer: false,
    sharedArrayBufferEverywhere: false,
    label: 'WebKit (message)',
  },
];

/**
 * The engines named in RINGLET_BROWSERS (comma-separated: chromium, firefox,
 * webkit for both WebKit modes, or webkit-shared / webkit-message alone);
 * all of them when it is unset or empty.
 * @param {string | undefined} [list]
 * @returns {Engine[]}
 */
export function selectedEngines(list = process.env.RINGLET_BROWSERS) {
  const names = (list ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0) return ENGINES;
  const unknown = names.filter((n) => !ENGINES.some((e) => e.id === n || e.family === n));
  if (unknown.length > 0) {
    throw new Error(
      `RINGLET_BROWSERS: unknown engine ${unknown.map((n) => `"${n}"`).join(', ')}; use chromium, firefox, webkit, webkit-shared or webkit-message`,
    );
  }
  return ENGINES.filter((e) => names.includes(e.id) || names.includes(e.family));
}

/**
 * @param {string} id
 * @returns {Engine}
 */
export function engineById(id) {
  const engine = ENGINES.find((e) => e.id === id);
  if (!engine) throw new Error(`unknown engine "${id}"`);
  return engine;
}
