// Makes sure the machine has what ringlet's build and tests need. On a fresh
// Debian machine as root it installs the missing packages with apt-get;
// anywhere else it stops with the exact command to run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { selectedEngines } from '../test/browser/engines.js';

/** Only the engines RINGLET_BROWSERS selects (default: all) need their browser. */
const families = new Set(selectedEngines().map((e) => e.family));
const NEEDS = [
  { what: 'emcc', pkg: 'emscripten', found: () => has('emcc') },
  { what: 'cmake', pkg: 'cmake', found: () => has('cmake') },
  { what: 'a C compiler', pkg: 'clang', found: () => has('clang') || has('gcc') },
  { what: 'chromium', pkg: 'chromium', found: () => existsSync('/usr/bin/chromium') },
  // The stream tests make their media fixtures with it (test/browser/fixtures/media.js).
  { what: 'ffmpeg', pkg: 'ffmpeg', found: () => has('ffmpeg') },
  ...(families.has('firefox')
    ? [{ what: 'firefox-esr', pkg: 'firefox-esr', found: () => existsSync('/usr/bin/firefox-esr') }]
    : []),
  // WebKitGTK's MiniBrowser comes with libwebkit2gtk-4.1-0, a dependency of the driver.
  ...(families.has('webkit')
    ? [
        { what: 'WebKitWebDriver', pkg: 'webkit2gtk-driver', found: () => has('WebKitWebDriver') },
        { what: 'Xvfb (a display for WebKit)', pkg: 'xvfb', found: () => has('Xvfb') },
        { what: 'pulseaudio (an audio sink for WebKit)', pkg: 'pulseaudio', found: () => has('pulseaudio') },
      ]
    : []),
];

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** @param {string[]} [only] names from NEEDS to check; all by default */
export function ensureToolchain(only) {
  const missing = NEEDS.filter((n) => (!only || only.includes(n.pkg)) && !n.found());
  if (missing.length === 0) return;
  const pkgs = missing.map((n) => n.pkg);
  const isRoot = process.getuid?.() === 0;
  if (isRoot && has('apt-get')) {
    console.log(`ringlet: installing ${pkgs.join(' ')} with apt-get`);
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
    execFileSync('apt-get', ['install', '-y', '-qq', ...pkgs], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    return;
  }
  console.error(
    `ringlet: missing ${missing.map((n) => n.what).join(', ')}. Install with:\n\n  sudo apt-get update && sudo apt-get install -y ${pkgs.join(' ')}\n`,
  );
  process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) ensureToolchain();
