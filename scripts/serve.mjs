// A small static server for ringlet's examples and browser tests. Listens on
// 127.0.0.1 (or the given host). By default it sends COOP/COEP so pages are cross-origin
// isolated; `isolate: false` serves without them (for the fallback tests).
// `cors: true` serves like a public CDN: any origin may fetch and embed the
// files (Access-Control-Allow-Origin *, Cross-Origin-Resource-Policy
// cross-origin), for pages that load ringlet from another origin.
// `headers`, when given, returns extra response headers for a file by its
// path (a Content-Security-Policy, say): sent with every file served.
// `prelude`, when given, returns HTML (a <script>) put at the start of every
// .html file served, after its doctype: the browser tests' init scripts for
// engines whose driver has no such hook (WebKit over WebDriver classic).
// `imports`, when given, maps bare module specifiers to URLs in the .js files
// served (`{ mediabunny: '/node_modules/mediabunny/dist/bundles/mediabunny.mjs' }`):
// what an import map does for a page, for Workers too, which page import maps
// do not reach. The examples and tests serve dist/ringlet-stream-worker.js so,
// as an app's bundler would resolve its mediabunny import.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.css': 'text/css',
  '.png': 'image/png',
  '.wav': 'audio/wav',
  '.flac': 'audio/flac',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.ogg': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.webm': 'audio/webm',
  '.svg': 'image/svg+xml',
};

/**
 * The bare imports of ringlet's own files, resolved from this repository's
 * node_modules, for serve()'s `imports` (the examples, the demo, the tests).
 */
export const DEV_IMPORTS = Object.freeze({
  mediabunny: '/node_modules/mediabunny/dist/bundles/mediabunny.mjs',
  // ringlet/stream-worker-wasm's decoders and what they import.
  '@wasm-audio-decoders/flac': '/node_modules/@wasm-audio-decoders/flac/index.js',
  'mpg123-decoder': '/node_modules/mpg123-decoder/index.js',
  '@wasm-audio-decoders/common': '/node_modules/@wasm-audio-decoders/common/index.js',
  'codec-parser': '/node_modules/codec-parser/index.js',
  'simple-yenc': '/node_modules/simple-yenc/dist/esm.js',
  '@eshaz/web-worker': '/scripts/shims/web-worker.js',
});

/**
 * @typedef {{ method: string, path: string, search: string, status: number, headers: Record<string, string> }} ServedResponse
 * @typedef {(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse, url: URL) => boolean | Promise<boolean>} RouteHandler
 */

/**
 * `handle`, when given, sees each request first and returns true when it has
 * answered it (custom routes, fixed statuses, dropped connections); otherwise
 * the file under `root` is served. `responses` records every answered
 * request with its status and the headers sent (lower-case names).
 * `host` is the address to listen on (127.0.0.1 unless a test needs another).
 * @param {{ root?: string, host?: string, port?: number, isolate?: boolean, cors?: boolean, log?: boolean, handle?: RouteHandler, prelude?: () => string, headers?: (path: string) => Record<string, string>, imports?: Record<string, string> }} [options]
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void>, requests: string[], responses: ServedResponse[] }>}
 */
export function serve({
  root = '.',
  host = '127.0.0.1',
  port = 0,
  isolate = true,
  cors = false,
  log = false,
  handle,
  prelude,
  headers: extraHeaders,
  imports,
} = {}) {
  const base = resolve(root);
  const requests = [];
  /** @type {ServedResponse[]} */
  const responses = [];
  /** @type {Record<string, string>} */
  const corsHeaders = cors
    ? { 'Access-Control-Allow-Origin': '*', 'Cross-Origin-Resource-Policy': 'cross-origin' }
    : {};
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname);
    requests.push(path);
    // getHeaders() misses headers passed to writeHead() alone, so record those too.
    /** @type {Record<string, string>} */
    const sent = {};
    const writeHead = res.writeHead;
    res.writeHead = /** @type {typeof res.writeHead} */ (
      function (/** @type {any[]} */ ...args) {
        const given = args.find((a, i) => i > 0 && a !== null && typeof a === 'object');
        if (given && !Array.isArray(given))
          for (const [k, v] of Object.entries(given)) sent[k.toLowerCase()] = String(v);
        return writeHead.apply(res, /** @type {any} */ (args));
      }
    );
    res.on('finish', () => {
      const headers = {
        ...Object.fromEntries(Object.entries(res.getHeaders()).map(([k, v]) => [k, String(v)])),
        ...sent,
      };
      responses.push({ method: req.method ?? 'GET', path, search: url.search, status: res.statusCode, headers });
    });
    if (handle) {
      let handled;
      try {
        handled = await handle(req, res, url);
      } catch (error) {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(error));
        handled = true;
      }
      if (handled) {
        if (log) console.log(req.method, path, res.statusCode);
        return;
      }
    }
    let file = normalize(join(base, path));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      let body = await readFile(file);
      const before = extname(file) === '.html' && prelude ? prelude() : '';
      if (before) {
        const html = body.toString('utf8');
        const doctype = /^\s*<!doctype[^>]*>/i.exec(html)?.[0] ?? '';
        body = Buffer.from(doctype + before + html.slice(doctype.length));
      }
      if (imports && (extname(file) === '.js' || extname(file) === '.mjs')) body = rewriteImports(body, imports);
      const headers = {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Cache-Control': 'no-store',
      };
      if (isolate) {
        headers['Cross-Origin-Opener-Policy'] = 'same-origin';
        headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
        headers['Cross-Origin-Resource-Policy'] = 'same-origin';
      }
      res.writeHead(200, { ...headers, ...corsHeaders, ...extraHeaders?.(path) }).end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain', ...corsHeaders }).end('not found');
    }
    if (log) console.log(req.method, path, res.statusCode);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const actual = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
      resolvePromise({
        url: `http://${host}:${actual}`,
        port: actual,
        requests,
        responses,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/**
 * Replaces bare specifiers in `import … from 'x'`, `import 'x'` and
 * `export … from 'x'` (minified or not) with the URLs `imports` maps them to.
 * @param {Buffer} body
 * @param {Record<string, string>} imports
 */
function rewriteImports(body, imports) {
  let text = body.toString('utf8');
  for (const [name, url] of Object.entries(imports)) {
    const quoted = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    text = text.replace(
      new RegExp(`(\\b(?:from|import)\\s*)(['"])${quoted}\\2`, 'g'),
      (_m, lead, q) => `${lead}${q}${url}${q}`,
    );
  }
  return Buffer.from(text);
}
