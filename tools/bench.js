#!/usr/bin/env node
'use strict';
/**
 * `npm run bench`: every row of issue 12's table with its target, on this machine. Each run is a
 * fresh process, so start-up counts as a user feels it. The deploy rows run on one local emulator
 * (warm, reset between runs) behind a timing proxy in a process of its own (tools/bench-proxy.js),
 * and pair each wall time with figures from the same run's own AWS calls (see
 * tools/bench-deploy.js). Medians over the runs. Under the ratio rows: the floor (Node and the SDK
 * packages alone, tools/bench-floor.js), and the same ratios with each call held for a round trip.
 *
 *   npm run bench                      every row
 *   npm run bench -- --profile         and a CPU profile summary of one full deploy
 *   BENCH_RUNS=7 BENCH_DEPLOY_RUNS=5   more runs (defaults 5 and 3)
 *   BENCH_CLI=../other/bin/provision.js  the same rows for another build (before and after a change)
 *   BENCH_LATENCY_MS=50                the round trip of the lines below the table (default 30 ms);
 *                                      the table's rows are for the emulator as it answers
 *
 * Figures are printed, not asserted: a busy machine must not fail a build.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const deploys = require('./bench-deploy');

const root = path.resolve(__dirname, '..');
const cli = process.env.BENCH_CLI ? path.resolve(process.env.BENCH_CLI) : path.join(root, 'bin', 'provision.js');
const RUNS = Number(process.env.BENCH_RUNS || 5);
const DEPLOY_RUNS = Number(process.env.BENCH_DEPLOY_RUNS || 3);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS || 30);

/** Runs a command under /usr/bin/time when available: wall seconds and peak RSS MB. */
function measure(command, args, env = {}) {
  const timeBin = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
  const start = process.hrtime.bigint();
  const r = timeBin
    ? spawnSync(timeBin, ['-f', '%M', command, ...args], { encoding: 'utf8', env: { ...process.env, ...env } })
    : spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const rssKb = timeBin ? Number(r.stderr.trim().split('\n').pop()) : NaN;
  return { wall, rssMb: rssKb / 1024 };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const rows = [];
/** One table row: what, the figure, its target, and whether it is met. */
function row(measureText, figure, target, met) {
  rows.push({ measureText, figure, target, met });
  console.log(`${measureText.padEnd(46)} ${figure.padEnd(24)} ${target.padEnd(44)} ${met ? 'met' : 'NOT met'}`);
}

const s = (x) => `${x.toFixed(3)} s`;

function startupRows() {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-bench-'));
  try {
    const synth = Array.from({ length: RUNS }, () => measure(process.execPath, [cli, 'synth', '--out', out]));
    const [wall, rss] = [median(synth.map((r) => r.wall)), median(synth.map((r) => r.rssMb))];
    row('synth, whole catalogue', `${s(wall)} / ${rss.toFixed(0)} MB`, '≤ 0.15 s / 60 MB', wall <= 0.15 && rss <= 60);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
  // An installed bin (`./node_modules/.bin/provision`, or `provision` on the PATH after a global
  // install) is bin/provision.js run through its #! line.
  const help = median(Array.from({ length: RUNS }, () => measure(cli, ['--help']).wall));
  row('`provision --help`, the installed bin', s(help), '≤ 0.1 s', help <= 0.1);
  const npx = median(Array.from({ length: Math.min(RUNS, 3) }, () => measure('npx', ['provision', '--help']).wall));
  row('  for comparison: `npx provision --help`', s(npx), '(npx start-up on top)', true);
}

function env(endpoint) {
  return {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: endpoint,
    NO_COLOR: '1',
  };
}

/** The paired deploy runs: full example (default, then --concurrency 1) and 20 apps, each reset first. */
async function deployRuns(endpoint, apps20, proxy) {
  const e = env(endpoint);
  const runs = { full: [], noop: [], c1: [], apps: [], appsNoop: [] };
  for (let i = 0; i < DEPLOY_RUNS; i++) {
    const full = await deploys.pair(endpoint, deploys.FULL, e, proxy);
    runs.full.push(full.deploy);
    runs.noop.push(full.noop);
    runs.c1.push((await deploys.pair(endpoint, deploys.FULL, e, proxy, ['--concurrency', '1'])).deploy);
    const apps = await deploys.pair(endpoint, apps20, e, proxy);
    runs.apps.push(apps.deploy);
    runs.appsNoop.push(apps.noop);
  }
  return runs;
}

function deployRowsFrom(runs) {
  const m = (list, f) => median(list.map(f));
  const full = m(runs.full, (r) => r.wall);
  const chain = m(runs.full, (r) => r.chain);
  const fullRatio = m(runs.full, (r) => r.wall / r.chain);
  row(`full example deploy (${runs.full[0].stacks} stacks), warm emulator`, s(full), '≤ 1.5 s', full <= 1.5);
  row(`  against the chain (${s(chain)}), same runs`, `${fullRatio.toFixed(2)}x`, '≤ 1.5x', fullRatio <= 1.5);
  const apps = m(runs.apps, (r) => r.wall);
  const bound = m(runs.apps, (r) => Math.max(r.chain, r.busy));
  const appsRatio = m(runs.apps, (r) => r.wall / Math.max(r.chain, r.busy));
  const [ch, busy] = [m(runs.apps, (r) => r.chain), m(runs.apps, (r) => r.busy)];
  row(`20 apps (${runs.apps[0].stacks} stacks), default settings`, s(apps), '≤ 6 s', apps <= 6);
  row(
    `  against max(chain ${s(ch)}, busy ${s(busy)})`,
    `${appsRatio.toFixed(2)}x (${s(bound)})`,
    '≤ 1.5x',
    appsRatio <= 1.5,
  );
  const c1 = m(runs.c1, (r) => r.wall);
  const c1Ratio = m(runs.c1, (r) => r.wall / r.sum);
  const sum = m(runs.c1, (r) => r.sum);
  row(
    '`--concurrency 1`, full example',
    `${s(c1)} (${c1Ratio.toFixed(2)}x)`,
    `≤ stacks' + run's own API time ${s(sum)} + 10%`,
    c1Ratio <= 1.1,
  );
  const ms = (list, key) => `${m(list, (r) => r[key]).toFixed(0)} ms`;
  console.log(
    `  (full deploy: first stack call at ${ms(runs.full, 'firstStackCallMs')}; --concurrency 1: start-up ${ms(runs.c1, 'startupMs')}, ` +
      `first stack call at ${ms(runs.c1, 'firstStackCallMs')}, the tool's own time between calls ${ms(runs.c1, 'betweenMs')}, after the last ${ms(runs.c1, 'endMs')})`,
  );
  floorLine(runs, { chain, sum });
  const noop = m(runs.noop, (r) => r.wall);
  const sets = Math.max(...runs.noop.map((r) => r.changeSets), ...runs.appsNoop.map((r) => r.changeSets));
  row('no-op re-run, full example', s(noop), '≤ 0.3 s', noop <= 0.3);
  row('  change sets created by the no-op re-runs', String(sets), '0', sets === 0);
  const appsNoop = m(runs.appsNoop, (r) => r.wall);
  row('no-op, 20 apps', s(appsNoop), '≤ 0.5 s', appsNoop <= 0.5);
}

/**
 * The floor under the two ratio rows: Node's start and the SDK packages the run loaded, nothing
 * else (tools/bench-floor.js), and the ratios a tool that cost only that would reach in the same runs.
 */
function floorLine(runs, { chain, sum }) {
  const packages = runs.c1[0].packages;
  const floorArgs = [path.join(__dirname, 'bench-floor.js'), ...packages];
  measure(process.execPath, floorArgs); // fills its compile cache, untimed
  const floor = median(Array.from({ length: RUNS }, () => measure(process.execPath, floorArgs).wall));
  // Node's own start, before any code of anybody's: the least any Node program spends outside its calls.
  const bare = median(Array.from({ length: RUNS }, () => measure(process.execPath, ['-e', '0']).wall));
  console.log(
    `  (floor: Node and the ${packages.length} SDK packages these runs load, nothing else, ${s(floor)}: ` +
      `a tool whose only cost that was would be at ${((chain + floor) / chain).toFixed(2)}x the chain ` +
      `and ${((sum + floor) / sum).toFixed(2)}x with --concurrency 1)`,
  );
  console.log(
    `  (Node alone, \`node -e 0\`: ${s(bare)}, ${((100 * bare) / sum).toFixed(0)}% of the --concurrency 1 sum, ` +
      `where that row allows 10% for everything that is not an AWS call; ${((100 * bare) / chain).toFixed(0)}% of the chain, ` +
      `where the full-deploy row allows 50%)`,
  );
}

/**
 * The ratio rows again with each call held 30 ms by the proxy, as a round trip to AWS is (printed
 * beside the table, not scored: the targets are for the emulator as it answers).
 */
async function latencyLines(endpoint, proxy, latencyMs) {
  await proxy.setLatency(latencyMs);
  try {
    const e = env(endpoint);
    const full = [];
    const c1 = [];
    for (let i = 0; i < DEPLOY_RUNS; i++) {
      full.push((await deploys.pair(endpoint, deploys.FULL, e, proxy)).deploy);
      c1.push((await deploys.pair(endpoint, deploys.FULL, e, proxy, ['--concurrency', '1'])).deploy);
    }
    const m = (list, f) => median(list.map(f));
    console.log(
      `\nwith ${latencyMs} ms per call, as a round trip to AWS: full example ${s(m(full, (r) => r.wall))}, ` +
        `${m(full, (r) => r.wall / r.chain).toFixed(2)}x its chain (${s(m(full, (r) => r.chain))}); ` +
        `--concurrency 1 ${s(m(c1, (r) => r.wall))}, ${m(c1, (r) => r.wall / r.sum).toFixed(2)}x of ${s(m(c1, (r) => r.sum))}`,
    );
  } finally {
    await proxy.setLatency(0);
  }
}

/** A CPU profile of one full deploy on the warm emulator, summarised (idle share first). */
async function profileRow(endpoint, proxy) {
  const { report } = require('./bench-profile');
  const e = env(endpoint);
  await deploys.prepare(endpoint, deploys.FULL, e, proxy);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-prof-'));
  try {
    const r = spawnSync(
      process.execPath,
      ['--cpu-prof', `--cpu-prof-dir=${dir}`, cli, 'deploy', '--params', deploys.FULL, '--yes', '--json'],
      { encoding: 'utf8', env: e },
    );
    if (r.status !== 0) throw new Error(`profiled deploy failed:\n${r.stderr}`);
    const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    console.log(`\n${report(path.join(dir, file)).text}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  console.log(
    `cfn-stages benchmarks: node ${process.version}, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`,
  );
  console.log(`medians of ${RUNS} runs (deploys: ${DEPLOY_RUNS} paired runs on one warm emulator)\n`);
  console.log(`${'measure'.padEnd(46)} ${'figure'.padEnd(24)} ${'target'.padEnd(44)}`);
  startupRows();
  deploys.emulator('stop');
  const endpoint = deploys.emulator('start');
  const proxy = await deploys.startProxy(endpoint);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-bench-'));
  try {
    const apps20 = deploys.twentyApps(dir);
    await deploys.pair(endpoint, deploys.FULL, env(endpoint), proxy); // warm-up, untimed
    deployRowsFrom(await deployRuns(endpoint, apps20, proxy));
    await latencyLines(endpoint, proxy, LATENCY_MS);
    if (process.argv.includes('--profile')) await profileRow(endpoint, proxy);
  } finally {
    proxy.stop();
    deploys.emulator('stop');
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const missed = rows.filter((r) => !r.met).length;
  console.log(
    `\n${rows.length - missed} of ${rows.length} rows at or under target (load ${os.loadavg()[0].toFixed(1)})`,
  );
}

module.exports = { measure, median };

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
