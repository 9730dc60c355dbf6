// `npm run demo`: builds the package and serves the examples from 127.0.0.1
// with the COOP/COEP headers SharedArrayBuffer needs. PORT picks the port.
import { execFileSync } from 'node:child_process';
import { DEV_IMPORTS, serve } from './serve.mjs';

execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
const server = await serve({ root: '.', port: Number(process.env.PORT ?? 8080), imports: DEV_IMPORTS });
console.log(`ringlet examples: ${server.url}/examples/`);
console.log('Press Ctrl+C to stop.');
