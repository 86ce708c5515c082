'use strict';
/**
 * Deploy figures for `npm run bench`, on the local emulator (started and stopped here):
 * a full deploy of examples/full.yaml on a fresh emulator (median of several), and a no-op
 * re-run. For the full deploy it also prints the sum of all stacks' times and the longest
 * dependency chain (critical path), so the wall time can be compared with both. As on a first
 * run, the ECR repository is deployed and the services' image pushed before the timed deploy
 * (a service waits for its image), so the timed deploy finds that one stack unchanged.
 */
const { execFileSync } = require('node:child_process');
const path = require('node:path');

function emulator(root, cmd) {
  return execFileSync(process.execPath, [path.join(root, 'tools', 'emulator.js'), cmd], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
}

/** The repository first, then its image (tools/push-image.js), untimed. */
function imageFirst(cli, root, env) {
  execFileSync(
    process.execPath,
    [cli, 'deploy', '--params', path.join(root, 'examples', 'full.yaml'), '--yes', '--only', 'repository'],
    { encoding: 'utf8', env },
  );
  execFileSync(
    process.execPath,
    [path.join(root, 'tools', 'push-image.js'), '--params', path.join(root, 'examples', 'full.yaml')],
    { encoding: 'utf8', env },
  );
}

function deploy(cli, root, env) {
  const start = process.hrtime.bigint();
  const out = execFileSync(
    process.execPath,
    [cli, 'deploy', '--params', path.join(root, 'examples', 'full.yaml'), '--yes', '--json'],
    { encoding: 'utf8', env },
  );
  return { wall: Number(process.hrtime.bigint() - start) / 1e9, report: JSON.parse(out) };
}

/** Longest chain of stack durations through the dependency graph. */
function criticalPath(stacks) {
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const memo = new Map();
  const finish = (s) => {
    if (memo.has(s.name)) return memo.get(s.name);
    const deps = (s.dependsOn || []).map((d) => byName.get(d)).filter(Boolean);
    const v = (s.seconds || 0) + Math.max(0, ...deps.map(finish));
    memo.set(s.name, v);
    return v;
  };
  return Math.max(...stacks.map(finish));
}

function run({ median, cli, root, runs }) {
  const fullRuns = Math.max(3, Math.min(runs, 5));
  const walls = [];
  let last;
  for (let i = 0; i < fullRuns; i++) {
    emulator(root, 'stop');
    const endpoint = emulator(root, 'start');
    const env = {
      ...process.env,
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: endpoint,
      NO_COLOR: '1',
    };
    try {
      imageFirst(cli, root, env);
      last = deploy(cli, root, env);
      walls.push(last.wall);
      if (i === fullRuns - 1) {
        const noop = Array.from({ length: runs }, () => deploy(cli, root, env).wall);
        const stacks = last.report.stacks;
        const sum = stacks.reduce((n, s) => n + (s.seconds || 0), 0);
        console.log(
          `${'deploy full example'.padEnd(28)} median ${median(walls).toFixed(3)} s  (${fullRuns} runs on a fresh emulator, ${stacks.length} stacks)`,
        );
        console.log(
          `${''.padEnd(28)} longest dependency chain ${criticalPath(stacks).toFixed(3)} s, sum of all stacks ${sum.toFixed(3)} s`,
        );
        console.log(
          `${'deploy no-op re-run'.padEnd(28)} median ${median(noop).toFixed(3)} s  (${runs} runs; target < 2 s)`,
        );
      }
    } finally {
      emulator(root, 'stop');
    }
  }
}

module.exports = { run, criticalPath };
