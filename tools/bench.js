#!/usr/bin/env node
'use strict';
/**
 * `npm run bench`: medians over several runs of the figures cfn-stages promises on this machine
 * (2 cores, Node 20). Each run is a fresh process, so start-up is counted as a user feels it.
 *
 *   synth (cold)      target < 0.3 s and < 100 MB peak RSS
 *   --help            target < 0.15 s
 *   deploy (full)     on the local emulator: wall time vs. the longest dependency chain
 *   deploy (no-op)    re-run of the full environment, target < 2 s
 *
 * Figures are printed, not asserted: a busy machine must not fail a build.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const cli = path.join(root, 'bin', 'provision.js');
const RUNS = Number(process.env.BENCH_RUNS || 7);

/** Runs a command under /usr/bin/time -v when available, returning wall seconds and peak RSS MB. */
function measure(args, env = {}) {
  const start = process.hrtime.bigint();
  const timeBin = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
  const r = timeBin
    ? spawnSync(timeBin, ['-f', '%M', process.execPath, cli, ...args], {
        encoding: 'utf8',
        env: { ...process.env, ...env },
      })
    : spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`provision ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const rssKb = timeBin ? Number(r.stderr.trim().split('\n').pop()) : NaN;
  return { wall, rssMb: rssKb / 1024 };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function bench(label, args, target, env) {
  const runs = Array.from({ length: RUNS }, () => measure(args, env));
  const wall = median(runs.map((r) => r.wall));
  const rss = median(runs.map((r) => r.rssMb));
  const mem = Number.isFinite(rss) ? `  peak ${rss.toFixed(0)} MB` : '';
  console.log(`${label.padEnd(28)} median ${wall.toFixed(3)} s${mem}  (${RUNS} runs; target ${target})`);
  return { wall, rss };
}

module.exports = { measure, median, bench, cli, root };

if (require.main === module) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-bench-'));
  console.log(`cfn-stages benchmarks — node ${process.version}, ${os.cpus().length} cores\n`);
  bench('provision synth (cold)', ['synth', '--out', out], '< 0.3 s, < 100 MB');
  bench('provision synth --check', ['synth', '--check'], 'catalogue + params schema, read-only');
  bench('provision --help', ['--help'], '< 0.15 s');
  fs.rmSync(out, { recursive: true, force: true });
  const deployBench = path.join(__dirname, 'bench-deploy.js');
  if (fs.existsSync(deployBench)) require(deployBench).run({ measure, median, cli, root, runs: RUNS });
}
