// `npm run demo`: builds the package and serves the examples from 127.0.0.1
// with the COOP/COEP headers SharedArrayBuffer needs, and opens the player
// in the desktop's browser where there is one. PORT picks the port.
import { execFileSync, spawn } from 'node:child_process';
import { DEV_IMPORTS, serve } from './serve.mjs';

execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
const server = await serve({ root: '.', port: Number(process.env.PORT ?? 8080), imports: DEV_IMPORTS });
const player = `${server.url}/examples/player/`;
console.log(`ringlet player: ${player}`);
console.log(`all examples:   ${server.url}/examples/`);
console.log('Press Ctrl+C to stop.');
if (!process.env.CI && process.env.RINGLET_NO_OPEN !== '1') {
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  // No desktop (a server, a container): the URL above is enough.
  spawn(opener, [player], { stdio: 'ignore', detached: true })
    .on('error', () => {})
    .unref();
}
