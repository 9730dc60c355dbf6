// The display and audio daemons WebKit needs here: an Xvfb display for
// MiniBrowser, and a pulseaudio server with a null sink (a realtime
// AudioContext in WebKitGTK needs an audio sink; the machine has no sound
// device). Each is started as our own child process and stopped by its PID,
// also when tests fail or the run is interrupted. The pulseaudio server is
// private to this run: its own runtime directory and socket, so it neither
// meets nor disturbs another pulseaudio on the machine.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * @typedef {{ display: string, pulseServer: string, pids: number[], stop: () => Promise<void> }} Daemons
 */

/** @type {Set<import('node:child_process').ChildProcess>} */
const running = new Set();
let hooked = false;

function hookExit() {
  if (hooked) return;
  hooked = true;
  const killAll = () => {
    for (const c of running) c.kill('SIGKILL');
  };
  process.once('exit', killAll);
  for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) {
    process.once(signal, () => {
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

/**
 * @param {import('node:child_process').ChildProcess} child
 * @param {number} ms
 */
async function stopChild(child, ms = 5000) {
  if (child.exitCode !== null || child.signalCode !== null) {
    running.delete(child);
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(timer);
  running.delete(child);
}

/**
 * Starts Xvfb on a free display number (Xvfb picks it: -displayfd).
 * @returns {Promise<{ child: import('node:child_process').ChildProcess, display: string }>}
 */
function startXvfb() {
  const child = spawn(
    process.env.XVFB_PATH ?? 'Xvfb',
    ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1280x1024x24'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] },
  );
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + d).slice(-2000);
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error('Xvfb did not report a display within 10 s')), 10000);
    /** @param {Error} error */
    const fail = (error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      running.delete(child);
      reject(new Error(`${error.message}\n${stderr}`));
    };
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`Xvfb exited (${code}) before reporting a display`)));
    child.stdio[3]?.on('data', (d) => {
      out += d;
      if (!out.includes('\n')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      resolve({ child, display: `:${out.trim()}` });
    });
  });
}

/**
 * Starts a private pulseaudio with a null sink, in the foreground (we hold its PID).
 * @returns {Promise<{ child: import('node:child_process').ChildProcess, server: string, dir: string }>}
 */
async function startPulse() {
  const dir = mkdtempSync(join(tmpdir(), 'ringlet-pulse-'));
  const socket = join(dir, 'native');
  const child = spawn(
    process.env.PULSEAUDIO_PATH ?? 'pulseaudio',
    [
      '--daemonize=no',
      '--exit-idle-time=-1',
      '--use-pid-file=no',
      '--disallow-exit',
      '-n', // no default.pa: only the modules below
      '--load=module-null-sink sink_name=null',
      `--load=module-native-protocol-unix socket=${socket} auth-anonymous=1`,
      '--log-target=stderr',
      '--log-level=error',
    ],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, HOME: dir, XDG_RUNTIME_DIR: dir, PULSE_RUNTIME_PATH: dir, PULSE_STATE_PATH: dir },
    },
  );
  running.add(child);
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + d).slice(-2000);
  });
  const deadline = Date.now() + 10000;
  while (!existsSync(socket)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      running.delete(child);
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`pulseaudio did not open ${socket}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, server: `unix:${socket}`, dir };
}

/**
 * Starts both daemons.
 * @returns {Promise<Daemons>}
 */
export async function startDaemons() {
  hookExit();
  const x = await startXvfb();
  let pulse;
  try {
    pulse = await startPulse();
  } catch (error) {
    await stopChild(x.child);
    throw error;
  }
  const p = pulse;
  return {
    display: x.display,
    pulseServer: p.server,
    pids: [/** @type {number} */ (x.child.pid), /** @type {number} */ (p.child.pid)],
    async stop() {
      await Promise.all([stopChild(p.child), stopChild(x.child)]);
      rmSync(p.dir, { recursive: true, force: true });
    },
  };
}
