// Two or more builds of the core side by side in one process: the chain's
// cost per 128-frame stereo quantum, each build's variants interleaved
// trial by trial, so a busy machine slows every build alike.
//
//   node test/bench/chain-ab.bench.js BEFORE.wasm AFTER.wasm [...]
//
// Variants (test/bench/chain-common.js's signal and settings): 'active' (8
// active bands, limiter and meters working), 'flat', 'bypassed', and two that
// isolate the EQ: 'eq' (8 active bands with limiter and meters bypassed) and
// 'none' (flat bands with limiter and meters bypassed); eq − none is the EQ's
// own cost. Each trial runs 125 quanta; figures are the fastest trial (other
// processes can only add time), the 10th percentile and the median, and each
// build's ratio to the first on the fastest trials. Nothing passes or fails.
//
// Knobs: RL_AB_TRIALS [400] trials per variant; RL_AB_VARIANTS
// [active,flat,bypassed,eq,none].
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { makeSignal, quantumViews } from './chain-common.js';

const PARAM_LIMITER_BYPASS = 4;
const PARAM_METER_BYPASS = 8;
const files = process.argv.slice(2);
if (files.length === 0) throw new TypeError('usage: node test/bench/chain-ab.bench.js BEFORE.wasm AFTER.wasm [...]');
const TRIALS = Number(process.env.RL_AB_TRIALS ?? 400);
const KEYS = (process.env.RL_AB_VARIANTS ?? 'active,flat,bypassed,eq,none').split(',');
const QUANTA = 125;
const views = quantumViews(makeSignal());

/** @type {{ file: string, key: string, run: (n: number) => number, ns: number[] }[]} */
const variants = [];
for (const file of files) {
  const module = new WebAssembly.Module(readFileSync(file));
  for (const key of KEYS) {
    // A module copy per variant, so each loop has its own type feedback.
    const common = await import(`./chain-common.js?file=${encodeURIComponent(file)}&variant=${key}`);
    const settings = key === 'eq' ? 'active' : key === 'none' ? 'flat' : key;
    const node = await common.makeCoreNode(module, settings);
    if (key === 'eq' || key === 'none') {
      node.params.send(PARAM_LIMITER_BYPASS, 0, 1);
      node.params.send(PARAM_METER_BYPASS, 0, 1);
    }
    variants.push({ file, key, run: common.coreLoop(node, views, common.gainFor(settings)), ns: [] });
  }
}
for (const v of variants) v.run(3750);
for (let t = 0; t < TRIALS; t++) {
  for (const v of variants) {
    const t0 = performance.now();
    if (v.run(QUANTA) !== 0) throw new Error(`${v.file} ${v.key}: rlw_process failed`);
    v.ns.push(((performance.now() - t0) * 1e6) / QUANTA);
  }
}
const at = (/** @type {number[]} */ xs, /** @type {number} */ q) =>
  xs[Math.min(xs.length - 1, Math.floor(xs.length * q))];
const summary = variants.map((v) => {
  const ns = [...v.ns].sort((a, b) => a - b);
  return { file: v.file, key: v.key, min: ns[0], p10: at(ns, 0.1), median: at(ns, 0.5) };
});
console.log(`${TRIALS} trials x ${QUANTA} quanta per variant, builds interleaved; ns per quantum`);
console.log(
  'build'.padEnd(48),
  'variant'.padEnd(9),
  'fastest'.padStart(8),
  'p10'.padStart(8),
  'median'.padStart(8),
  ' vs first',
);
for (const s of summary) {
  const first = summary.find((x) => x.key === s.key);
  console.log(
    s.file.padEnd(48),
    s.key.padEnd(9),
    s.min.toFixed(0).padStart(8),
    s.p10.toFixed(0).padStart(8),
    s.median.toFixed(0).padStart(8),
    ` ${(s.min / (first?.min ?? s.min)).toFixed(2)}x`,
  );
}
console.log(JSON.stringify({ bench: 'chain-ab', trials: TRIALS, quanta: QUANTA, summary }));
