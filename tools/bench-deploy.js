'use strict';
/**
 * The deploy rows of `npm run bench`, on one local emulator (started here, warmed by an untimed
 * deploy, reset between runs). Each timed run records every AWS call's start and end
 * (tools/bench-calls.js), so a run's wall time is compared with figures from the same run:
 *
 * - per stack, its own API time: the union of the intervals of the calls that name it;
 * - the chain: the longest dependency path through those per-stack times (the emulator's own
 *   work along the critical path), plus the run's calls that name no stack (lock, preflight,
 *   shared status listings) that ran while no stack call was in flight;
 * - busy: the union of all calls' intervals (the emulator serialises much of its work);
 * - the sum of the stacks' own API times (what `--concurrency 1` cannot beat).
 *
 * As on a first run, the ECR repository is deployed and the services' image pushed before each
 * timed deploy (a service waits for its image), untimed.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
// BENCH_CLI: another build's bin/provision.js (e.g. main's), to measure before and after alike.
const CLI = process.env.BENCH_CLI ? path.resolve(process.env.BENCH_CLI) : path.join(ROOT, 'bin', 'provision.js');
const FULL = path.join(ROOT, 'examples', 'full.yaml');
const CALLS = path.join(__dirname, 'bench-calls.js');

function emulator(cmd) {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'emulator.js'), cmd], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`emulator ${cmd} failed:\n${r.stderr}`);
  return r.stdout.trim();
}

/** Clears every service's state (moto's reset), keeping the warm server. */
function reset(endpoint) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${endpoint}/moto-api/reset`, { method: 'POST' }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`reset: HTTP ${res.statusCode}`))));
    });
    req.once('error', reject);
    req.end();
  });
}

/** One `provision` run with its calls recorded; throws on a non-zero exit. */
function provision(args, env) {
  const file = path.join(os.tmpdir(), `cfn-stages-bench-calls-${process.pid}.jsonl`);
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['-r', CALLS, CLI, ...args], {
    encoding: 'utf8',
    env: { ...env, BENCH_CALLS: file },
    maxBuffer: 64 * 1024 * 1024,
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`provision ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const calls = fs.existsSync(file)
    ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(JSON.parse)
    : [];
  fs.rmSync(file, { force: true });
  return { wall, stdout: r.stdout, calls };
}

const ECS_AMI = '/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id'; // 13's default

/**
 * After a reset, moto builds each service's backend on its first request: EC2 loads its AMI
 * catalogue, IAM its managed policies, SSM a public parameter's tree on the first read below it
 * (0.1-0.25 s each, one at a time). AWS has no such cold start, so one read per service here,
 * untimed, leaves the timed run with the warm emulator the rows name.
 */
async function warm(endpoint, env) {
  // The SDK's notice that its 2027 releases need Node 22 would otherwise land in the bench's table.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
  const config = { endpoint, region: env.AWS_REGION, credentials };
  const { EC2Client, DescribeVpcsCommand } = require('@aws-sdk/client-ec2');
  const { IAMClient, ListRolesCommand } = require('@aws-sdk/client-iam');
  const { SSMClient, GetParametersCommand } = require('@aws-sdk/client-ssm');
  const sq = require('@aws-sdk/client-service-quotas');
  await Promise.all([
    new EC2Client(config).send(new DescribeVpcsCommand({})),
    new IAMClient(config).send(new ListRolesCommand({})),
    new SSMClient(config).send(new GetParametersCommand({ Names: [ECS_AMI] })),
    new sq.ServiceQuotasClient(config).send(
      new sq.GetServiceQuotaCommand({ ServiceCode: 'vpc', QuotaCode: 'L-F678F1CE' }),
    ),
  ]);
}

/** Untimed set-up of a fresh environment: the repository stack, then its image. */
async function prepare(endpoint, params, env) {
  await reset(endpoint);
  await warm(endpoint, env);
  provision(['deploy', '--params', params, '--yes', '--json', '--only', 'repository'], env);
  const r = spawnSync(process.execPath, [path.join(__dirname, 'push-image.js'), '--params', params], {
    encoding: 'utf8',
    env,
  });
  if (r.status !== 0) throw new Error(`push-image failed:\n${r.stderr}`);
}

/** Total length of the union of [start, end] intervals, in seconds. */
function unionSeconds(intervals) {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [from, to] = [-Infinity, -Infinity];
  for (const [s, e] of sorted) {
    if (s > to) {
      if (to > from) total += to - from;
      [from, to] = [s, e];
    } else to = Math.max(to, e);
  }
  if (to > from) total += to - from;
  return total / 1000;
}

/** The stack a call names (by name or by id), if any. */
function stackOf(call) {
  if (!call.stack) return undefined;
  const m = call.stack.match(/^arn:[^:]+:cloudformation:[^:]*:[^:]*:stack\/([^/]+)\//);
  return m ? m[1] : call.stack;
}

/** What a run's calls say: per-stack API time, chain, busy time, sum, change sets created. */
function analyse(report, calls) {
  const stacks = report.stacks;
  const names = new Set(stacks.map((s) => s.name));
  const own = new Map(stacks.map((s) => [s.name, []]));
  const unnamed = [];
  for (const c of calls) {
    const name = stackOf(c);
    if (name && names.has(name)) own.get(name).push([c.start, c.end]);
    else unnamed.push([c.start, c.end]);
  }
  const seconds = new Map([...own].map(([n, iv]) => [n, unionSeconds(iv)]));
  const byName = new Map(stacks.map((s) => [s.name, s]));
  const memo = new Map();
  const finish = (name) => {
    if (!memo.has(name)) {
      const deps = (byName.get(name).dependsOn || []).filter((d) => names.has(d));
      memo.set(name, seconds.get(name) + Math.max(0, ...deps.map(finish)));
    }
    return memo.get(name);
  };
  const longest = Math.max(0, ...stacks.map((s) => finish(s.name)));
  const allStack = [...own.values()].flat();
  // Run-level calls count where no stack call overlaps them (the rest is already in the stacks' time).
  const runLevel = unionSeconds([...unnamed, ...allStack]) - unionSeconds(allStack);
  return {
    stacks: stacks.length,
    chain: longest + runLevel,
    busy: unionSeconds(calls.map((c) => [c.start, c.end])),
    sum: [...seconds.values()].reduce((a, b) => a + b, 0),
    changeSets: calls.filter((c) => c.action === 'CreateChangeSet').length,
    results: stacks.reduce((m, s) => ({ ...m, [s.result]: (m[s.result] || 0) + 1 }), {}),
  };
}

/** examples/full.yaml's environment with 20 apps (load balancer and service each): 43 stacks. */
function twentyApps(dir) {
  const apps = Array.from(
    { length: 20 },
    (_, i) =>
      `  - name: app${i + 1}\n    loadBalancer: {}\n    service: { repositoryName: acme-web, imageTag: initial }`,
  ).join('\n');
  const file = path.join(dir, 'apps20.yaml');
  fs.writeFileSync(
    file,
    'environment: bench\nprefix: b-\nregion: us-east-1\ntags: { contactEmail: ops@example.com }\n' +
      'network: { azCount: 2, natGateways: single }\necsCluster: {}\nrepositories: [{ name: acme-web }]\n' +
      `apps:\n${apps}\n`,
  );
  return file;
}

const deployArgs = (params, extra = []) => ['deploy', '--params', params, '--yes', '--json', ...extra];

/** A timed deploy of a fresh environment and its timed no-op re-run, paired on one reset emulator. */
async function pair(endpoint, params, env, extra = []) {
  await prepare(endpoint, params, env);
  const run = provision(deployArgs(params, extra), env);
  const deploy = { wall: run.wall, ...analyse(JSON.parse(run.stdout), run.calls) };
  const again = provision(deployArgs(params, extra), env);
  const noop = { wall: again.wall, ...analyse(JSON.parse(again.stdout), again.calls) };
  return { deploy, noop };
}

module.exports = { analyse, unionSeconds, stackOf, pair, provision, prepare, reset, twentyApps, emulator, FULL };
