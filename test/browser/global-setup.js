// Jest globalSetup of the browser projects (jest.config.js). Jest runs it once
// per run that includes a browser test (once per module path, not per
// project). When RINGLET_BROWSERS selects WebKit, it starts one Xvfb display
// and one pulseaudio server for the whole run; the workers Jest starts
// afterwards inherit where to find them (RINGLET_DISPLAY,
// RINGLET_PULSE_SERVER). global-teardown.js stops them, by PID.
import { startDaemons } from './daemons.js';
import { selectedEngines } from './engines.js';

/** @returns {{ daemons: import('./daemons.js').Daemons | null }} */
export function shared() {
  const g = /** @type {{ __ringletDaemons?: { daemons: import('./daemons.js').Daemons | null } }} */ (globalThis);
  g.__ringletDaemons ??= { daemons: null };
  return g.__ringletDaemons;
}

export default async function globalSetup() {
  if (!selectedEngines().some((e) => e.family === 'webkit')) return;
  const s = shared();
  if (s.daemons) return;
  s.daemons = await startDaemons();
  process.env.RINGLET_DISPLAY = s.daemons.display;
  process.env.RINGLET_PULSE_SERVER = s.daemons.pulseServer;
}
