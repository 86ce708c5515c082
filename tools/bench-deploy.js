'use strict';
/**
 * The deploy rows of `npm run bench`, on one local emulator (started here, warmed by an untimed
 * deploy, reset between runs). Each timed run goes through the timing proxy (tools/bench-proxy.js,
 * a process of its own), which records every AWS call's start and end from outside the tool, so a
 * run's wall time is compared with figures from the same run:
 *
 * - per stack, its own API time: the union of the intervals of the calls that name it;
 * - the chain: the longest dependency path through those per-stack times (the emulator's own
 *   work along the critical path), plus the run's calls that name no stack (lock, preflight,
 *   shared status listings) that ran while no stack call was in flight;
 * - busy: the union of all calls' intervals (the emulator serialises much of its work);
 * - the sum: the stacks' own API times added up, plus the run's calls that name no stack where no
 *   stack call overlaps them, counted as in the chain: what `--concurrency 1` cannot beat. Issue
 *   12 asks for "the sum of the stacks' own API time"; the run-level calls (the lock and its
 *   release, the image check, the account preflight and its service-linked roles, the shared
 *   status listings) are API time a one-at-a-time run must wait for just as much, and the chain
 *   already counts them, so the sum does too. The tool's own start-up and the gaps between calls
 *   are not API time: they stay on the wall side of the ratio.
 *
 * As on a first run, the ECR repository is deployed and the services' image pushed before each
 * timed deploy (a service waits for its image), untimed.
 */
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
// BENCH_CLI: another build's bin/provision.js (e.g. main's), to measure before and after alike.
const CLI = process.env.BENCH_CLI ? path.resolve(process.env.BENCH_CLI) : path.join(ROOT, 'bin', 'provision.js');
const FULL = path.join(ROOT, 'examples', 'full.yaml');
const PROXY = path.join(__dirname, 'bench-proxy.js');

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

/** A GET or POST to the proxy's control paths; resolves with the parsed answer. */
function control(proxy, method, what) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${proxy}/__bench/${what}`, { method }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    });
    req.once('error', reject);
    req.end();
  });
}

/**
 * Starts the timing proxy in front of the emulator at `endpoint` (see tools/bench-proxy.js), each
 * call held `latencyMs` first. Resolves with its address, stop() and setLatency(ms).
 */
function startProxy(endpoint, latencyMs = 0) {
  const child = spawn(process.execPath, [PROXY, endpoint], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_LATENCY_MS: String(latencyMs) },
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench proxy exited (${code})`)));
    child.stdout.once('data', (line) => {
      child.removeAllListeners('exit');
      const url = String(line).trim();
      resolve({ url, stop: () => child.kill(), setLatency: (ms) => control(url, 'POST', `latency?ms=${ms}`) });
    });
  });
}

/** One `provision` run through the proxy, with its calls recorded; throws on a non-zero exit. */
async function provision(args, env, proxy) {
  await control(proxy.url, 'GET', 'calls'); // forget the calls of anything before this run
  const start = process.hrtime.bigint();
  const startedAt = performance.timeOrigin + performance.now();
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...env, AWS_ENDPOINT_URL: proxy.url },
    maxBuffer: 64 * 1024 * 1024,
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`provision ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const calls = await control(proxy.url, 'GET', 'calls');
  return { wall, startedAt, stdout: r.stdout, calls };
}

/**
 * Where a run's wall time goes besides its calls: start-up (process start to the first call),
 * the tool's own time between calls (while no call is in flight), and the end (after the last
 * call to the exit); plus when the first call of a stack's own chain went out (the run-level
 * phase before it: lock, checks, preflight). Milliseconds.
 */
function phases(run) {
  const calls = [...run.calls].sort((a, b) => a.start - b.start);
  if (!calls.length) return {};
  const ended = run.startedAt + run.wall * 1000;
  let between = 0;
  let reach = calls[0].end;
  for (const c of calls.slice(1)) {
    if (c.start > reach) between += c.start - reach;
    reach = Math.max(reach, c.end);
  }
  const firstWrite = calls.findIndex((c) => c.action === 'CreateChangeSet');
  const chainStart = calls
    .slice(0, Math.max(0, firstWrite))
    .reverse()
    .find((c) => c.action === 'DescribeStacks' && c.stack === calls[firstWrite].stack);
  return {
    startupMs: calls[0].start - run.startedAt,
    betweenMs: between,
    endMs: ended - reach,
    ...(firstWrite >= 0 ? { firstStackCallMs: (chainStart ?? calls[firstWrite]).start - run.startedAt } : {}),
  };
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
async function prepare(endpoint, params, env, proxy) {
  await reset(endpoint);
  await warm(endpoint, env);
  await provision(['deploy', '--params', params, '--yes', '--json', '--only', 'repository'], env, proxy);
  const r = spawnSync(process.execPath, [path.join(__dirname, 'push-image.js'), '--params', params], {
    encoding: 'utf8',
    env,
  });
  if (r.status !== 0) throw new Error(`push-image failed:\n${r.stderr}`);
}

/** The SDK client package of each signing name the proxy records. */
const PACKAGES = {
  cloudformation: 'client-cloudformation',
  ssm: 'client-ssm',
  ecr: 'client-ecr',
  iam: 'client-iam',
  ec2: 'client-ec2',
  rds: 'client-rds', // the preflight's orderable classes (Aurora, DocumentDB)
  servicequotas: 'client-service-quotas',
  ecs: 'client-ecs',
  elasticloadbalancing: 'client-elastic-load-balancing-v2',
  s3: 'client-s3',
  route53: 'client-route-53',
  monitoring: 'client-cloudwatch',
  sns: 'client-sns',
  logs: 'client-cloudwatch-logs',
  autoscaling: 'client-auto-scaling',
  sts: 'client-sts',
  secretsmanager: 'client-secrets-manager',
};

/** The SDK packages a run's calls came through. */
function packagesOf(calls) {
  return [...new Set(calls.map((c) => PACKAGES[c.service]).filter(Boolean))].sort().map((p) => `@aws-sdk/${p}`);
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
    packages: packagesOf(calls),
    stacks: stacks.length,
    chain: longest + runLevel,
    busy: unionSeconds(calls.map((c) => [c.start, c.end])),
    sum: [...seconds.values()].reduce((a, b) => a + b, 0) + runLevel,
    runLevel,
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

/** A timed deploy of a fresh environment and its timed no-op re-run, paired on one reset emulator, through `proxy`. */
async function pair(endpoint, params, env, proxy, extra = []) {
  await prepare(endpoint, params, env, proxy);
  const run = await provision(deployArgs(params, extra), env, proxy);
  const deploy = { wall: run.wall, ...analyse(JSON.parse(run.stdout), run.calls), ...phases(run) };
  const again = await provision(deployArgs(params, extra), env, proxy);
  const noop = { wall: again.wall, ...analyse(JSON.parse(again.stdout), again.calls), ...phases(again) };
  return { deploy, noop };
}

module.exports = {
  analyse,
  phases,
  unionSeconds,
  stackOf,
  pair,
  provision,
  prepare,
  startProxy,
  packagesOf,
  reset,
  twentyApps,
  emulator,
  FULL,
};
