/**
 * Refuse first: params files with one realistic mistake each (written from the examples, so they
 * stay realistic as the examples change). The CLI runs `plan` or `deploy --yes` on each with every
 * AWS endpoint pointed at a TCP server of this test (AWS_ENDPOINT_URL and --endpoint-url): each run
 * exits 2, names the field and its line with the fix, and the server accepts no connection. Every
 * file runs through the CLI's main() in this process (fast: the SDK here would connect to the
 * server like any other); the mistakes the issue names run again as the built CLI in a process of
 * their own. A control run with a good file does connect, so "no connection" means something.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { emulatorEnv, REPO_ROOT } from '../helpers/emulator';

const CLI = path.join(REPO_ROOT, 'bin', 'provision.js');
const FULL = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'full.yaml'), 'utf8');
const SMALL = fs.readFileSync(path.join(REPO_ROOT, 'examples', 'small.yaml'), 'utf8');

interface Mistake {
  name: string;
  text: string;
  /** The params-file field the message must name. */
  field: string;
  /** Text of the line the message must point at (its first occurrence, after `after` if given). */
  at: string;
  after?: string;
  /** Part of the message that says what is wrong or how to fix it. */
  says: RegExp;
}

/** Replaces `from` (which must be there: a drifted example fails loudly) with `to`. */
function edit(base: string, ...pairs: [string, string][]): string {
  return pairs.reduce((text, [from, to]) => {
    if (!text.includes(from)) throw new Error(`the example no longer contains ${JSON.stringify(from)}`);
    return text.replace(from, to);
  }, base);
}

const NET = 'network:\n  azCount: 2\n  natGateways: single\n';
const net2 = (extra: string): [string, string] => [NET, `${NET}${extra}`];
const SVC = '      cpu: 512\n      memory: 1024\n';
const ECS = 'ecsCluster:\n  defaultCapacityStrategy: FARGATE\n';
const ecs = (extra: string): [string, string] => [ECS, `${ECS}${extra}`];
const EKS_PUBLIC = 'eksCluster:\n  endpointAccess: public-and-private\n';

/** The mistakes issue 11 names: these also run as the built CLI, each in a process of its own. */
const NAMED = 7;

const MISTAKES: Mistake[] = [
  {
    name: 'an octet over 255 in the VPC CIDR',
    text: edit(FULL, net2('  vpcCidr: 10.300.0.0/16\n')),
    field: 'network.vpcCidr',
    at: 'vpcCidr:',
    says: /300 is not an address octet/,
  },
  {
    name: 'private subnets outside the VPC',
    text: edit(FULL, net2('  privateSubnetCidrs: [10.1.32.0/19, 10.1.64.0/19]\n')),
    field: 'network.privateSubnetCidrs',
    at: 'privateSubnetCidrs:',
    says: /10\.1\.32\.0\/19 is not inside vpcCidr 10\.0\.0\.0\/16/,
  },
  {
    name: 'Fargate cpu 256 with memory 4096',
    text: edit(FULL, [SVC, '      cpu: 256\n      memory: 4096\n']),
    field: 'apps[0].service.memory',
    at: 'memory: 4096',
    says: /Fargate with 256 CPU units takes 512, 1024, 2048 MiB of memory/,
  },
  {
    name: 'two extras with the same path prefix',
    text: edit(FULL, ['pathPrefix: /admin', 'pathPrefix: /api2']),
    field: 'apps[0].extras[1].pathPrefix',
    after: 'suffix: admin',
    at: 'pathPrefix:',
    says: /path prefix \/api2 is already used by apps\[0\]\.extras\[0\]/,
  },
  {
    name: 'a region that does not exist',
    text: edit(FULL, ['region: us-east-1', 'region: us-east-9']),
    field: 'region',
    at: 'region:',
    says: /"us-east-9" is not an AWS region \(did you mean "us-east-1"\?\)/,
  },
  {
    name: 'minContainers above maxContainers',
    text: edit(FULL, ['minContainers: 1\n      maxContainers: 3', 'minContainers: 5\n      maxContainers: 3']),
    field: 'apps[0].service.minContainers',
    at: 'minContainers: 5',
    says: /minContainers 5 is more than maxContainers 3/,
  },
  {
    name: 'a service with neither repositoryName nor publicImage',
    text: edit(SMALL, ['      repositoryName: acme-web\n      imageTag: initial\n', '']),
    field: 'apps[0].service.repositoryName',
    at: '    service:',
    says: /Give repositoryName \(and imageTag\) or publicImage/,
  },
  {
    name: 'data subnets overlapping the public ones',
    text: edit(FULL, net2('  dataSubnetCidrs: [10.0.0.0/22, 10.0.4.0/22]\n')),
    field: 'network.dataSubnetCidrs',
    at: 'dataSubnetCidrs:',
    says: /10\.0\.0\.0\/22 overlaps 10\.0\.0\.0\/22 \(publicSubnetCidrs\)/,
  },
  {
    name: 'a VPC CIDR with host bits set',
    text: edit(SMALL, ['  natGateways: single', '  natGateways: single\n  vpcCidr: 10.0.0.1/16']),
    field: 'network.vpcCidr',
    at: 'vpcCidr:',
    says: /host bits set: the network is 10\.0\.0\.0\/16/,
  },
  {
    name: 'three zones but two private subnets',
    text: edit(FULL, ['  azCount: 2', '  azCount: 3\n  privateSubnetCidrs: [10.0.32.0/19, 10.0.64.0/19]']),
    field: 'network.privateSubnetCidrs',
    at: 'privateSubnetCidrs:',
    says: /3 availability zones need 3 CIDRs; it has 2/,
  },
  {
    name: 'a new VPC CIDR with the default subnets',
    text: edit(SMALL, ['  natGateways: single', '  natGateways: single\n  vpcCidr: 10.8.0.0/16']),
    field: 'network.publicSubnetCidrs',
    at: 'network:',
    says: /10\.0\.0\.0\/22 is not inside vpcCidr 10\.8\.0\.0\/16; .*template's defaults: set publicSubnetCidrs to subnets of your vpcCidr/,
  },
  {
    name: 'two extras with the same rule priority',
    text: edit(FULL, ['rulePriority: 20', 'rulePriority: 10']),
    field: 'apps[0].extras[1].rulePriority',
    after: 'suffix: admin',
    at: 'rulePriority:',
    says: /rule priority 10 is already used by apps\[0\]\.extras\[0\]/,
  },
  {
    name: 'an extra with cpu 1024 and the default memory',
    text: edit(FULL, ['        rulePriority: 10\n', '        rulePriority: 10\n        cpu: 1024\n']),
    field: 'apps[0].extras[0].cpu',
    at: 'cpu: 1024',
    says: /Fargate with 1024 CPU units takes 2048 to 8192 MiB/,
  },
  {
    name: 'ECS Exec with a read-only root file system',
    text: edit(FULL, [SVC, `${SVC}      readonlyRootFilesystem: true\n      enableExecuteCommand: true\n`]),
    field: 'apps[0].service.readonlyRootFilesystem',
    at: 'readonlyRootFilesystem:',
    says: /set readonlyRootFilesystem to false/,
  },
  {
    name: "a public URI outside the environment's domain",
    text: edit(FULL, ['  - name: acme\n', '  - name: acme\n    publicUri: acme.other.example.org/shop\n']).replace(
      'network:\n',
      'domain:\n  domainName: demo.example.com\n\nnetwork:\n',
    ),
    field: 'apps[0].publicUri',
    at: 'publicUri:',
    says: /is not demo\.example\.com or a name one label under it \(e\.g\. acme\.demo\.example\.com\)/,
  },
  {
    name: 'a public URI without the domain section',
    text: edit(FULL, ['  - name: acme\n', '  - name: acme\n    publicUri: acme.demo.example.com\n']),
    field: 'apps[0].publicUri',
    at: 'publicUri:',
    says: /needs the environment's domain: add domain:/,
  },
  {
    name: 'the EC2 capacity strategy without EC2 capacity',
    text: edit(FULL, [ECS, 'ecsCluster:\n  defaultCapacityStrategy: EC2\n']),
    field: 'ecsCluster.defaultCapacityStrategy',
    at: 'defaultCapacityStrategy:',
    says: /DefaultCapacityStrategy EC2 needs EnableEc2Capacity=true|needs enableEc2Capacity=true/,
  },
  {
    name: 'a public EKS endpoint without allowed networks',
    text: edit(SMALL, ['ecsCluster: {}', `ecsCluster: {}\n${EKS_PUBLIC}`]),
    field: 'eksCluster.endpointAccess',
    at: 'endpointAccess:',
    says: /A public endpoint needs publicAccessCidrs/,
  },
  {
    name: 'EC2 minimum size above the maximum',
    text: edit(FULL, ecs('  enableEc2Capacity: "true"\n  ec2MinSize: 5\n  ec2MaxSize: 2\n')),
    field: 'ecsCluster.ec2MinSize',
    at: 'ec2MinSize:',
    says: /ec2MinSize 5 is more than ec2MaxSize 2/,
  },
  {
    name: 'EC2 desired capacity above the maximum',
    text: edit(FULL, ecs('  enableEc2Capacity: "true"\n  ec2DesiredCapacity: 10\n')),
    field: 'ecsCluster.ec2DesiredCapacity',
    at: 'ec2DesiredCapacity:',
    says: /10 is outside ec2MinSize\.\.ec2MaxSize \(1\.\.4\)/,
  },
  {
    name: 'EKS node minimum above the maximum',
    text: edit(SMALL, ['ecsCluster: {}', 'ecsCluster: {}\neksCluster:\n  nodeMinSize: 3\n  nodeMaxSize: 2\n']),
    field: 'eksCluster.nodeMinSize',
    at: 'nodeMinSize:',
    says: /nodeMinSize 3 is more than nodeMaxSize 2/,
  },
  {
    name: 'an octet over 255 in the EKS public networks',
    text: edit(SMALL, ['ecsCluster: {}', `ecsCluster: {}\n${EKS_PUBLIC}  publicAccessCidrs: 203.0.113.999/32\n`]),
    field: 'eksCluster.publicAccessCidrs',
    at: 'publicAccessCidrs:',
    says: /999 is not an address octet/,
  },
  {
    name: 'a prefix length over 32',
    text: edit(FULL, [
      '      idleTimeoutSeconds: 120',
      '      idleTimeoutSeconds: 120\n      tcpAllowedCidr: 10.0.0.0/40',
    ]),
    field: 'apps[0].loadBalancer.tcpAllowedCidr',
    at: 'tcpAllowedCidr:',
    says: /a prefix length is 0 to 32/,
  },
  {
    name: 'a region one digit off',
    text: edit(SMALL, ['region: us-east-1', 'region: eu-central-3']),
    field: 'region',
    at: 'region:',
    says: /did you mean "eu-central-[12]"/,
  },
  {
    name: 'a memory size Fargate does not have',
    text: edit(FULL, [SVC, '      cpu: 512\n      memory: 3000\n']),
    field: 'apps[0].service.memory',
    at: 'memory: 3000',
    says: /must be one of/,
  },
  {
    name: 'an unknown NAT gateway setting',
    text: edit(FULL, ['natGateways: single', 'natGateways: none']),
    field: 'network.natGateways',
    at: 'natGateways:',
    says: /"one-per-az", "single"/,
  },
  {
    name: 'an upper-case environment name',
    text: edit(FULL, ['environment: demo', 'environment: Demo']),
    field: 'environment',
    at: 'environment: Demo',
    says: /lower-case/,
  },
  {
    name: 'a prefix without its hyphen',
    text: edit(SMALL, ['prefix: x-', 'prefix: xy']),
    field: 'prefix',
    at: 'prefix:',
    says: /hyphen/,
  },
  {
    name: 'a contact email without @',
    text: edit(SMALL, ['contactEmail: ops@example.com', 'contactEmail: ops-at-example.com']),
    field: 'tags.contactEmail',
    at: 'contactEmail:',
    says: /email/,
  },
  {
    name: 'a link to a data store the app does not have',
    text: edit(FULL, ['        - name: main ', '        - name: mian ']),
    field: 'apps[0].service.links[0].name',
    at: 'name: mian',
    says: /no data store named "mian"/,
  },
  {
    name: 'a path prefix without its slash',
    text: edit(FULL, ['pathPrefix: /api2', 'pathPrefix: api2']),
    field: 'apps[0].extras[0].pathPrefix',
    at: 'pathPrefix: api2',
    says: /a path such as \/api2/,
  },
  {
    name: 'cpu 512 with memory 512',
    text: edit(FULL, [SVC, '      cpu: 512\n      memory: 512\n']),
    field: 'apps[0].service.memory',
    at: 'memory: 512',
    says: /Fargate with 512 CPU units takes 1024 to 4096 MiB/,
  },
  {
    name: 'a misspelt section',
    text: edit(FULL, ['ecsCluster:\n', 'ecsClustr:\n']),
    field: 'ecsClustr',
    at: 'ecsClustr:',
    says: /did you mean "ecsCluster"/,
  },
  {
    name: 'four database instances',
    text: edit(FULL, ['        instances: 2', '        instances: 4']),
    field: 'apps[0].data[0].instances',
    at: 'instances: 4',
    says: /"1", "2", "3"/,
  },
  {
    name: 'a bucket link with queue access',
    text: edit(FULL, ['          access: [read]', '          access: [publish]']),
    field: 'apps[0].service.links[2].access',
    at: 'access: [publish]',
    says: /does not apply to a s3 link/,
  },
  {
    name: 'a one-node Redis',
    text: edit(FULL, ['        nodeType: cache.t4g.small', '        nodeType: cache.t4g.small\n        nodes: 1']),
    field: 'apps[0].data[1].nodes',
    at: 'nodes: 1',
    says: /between 2 and 6 nodes/,
  },
];

/** A TCP server that counts the connections it accepts (and drops them). */
async function countingServer(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let count = 0;
  const server = net.createServer((socket) => {
    count += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

interface Run {
  code: number | null;
  stderr: string;
}

/** Runs the CLI; `until` may end it early (the control run would otherwise retry for seconds). */
function cli(args: string[], endpoint: string, until?: () => boolean): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args, '--endpoint-url', endpoint], {
      env: { ...process.env, ...emulatorEnv(endpoint), NO_COLOR: '1' },
      cwd: REPO_ROOT,
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const timer = until ? setInterval(() => until() && child.kill('SIGKILL'), 20) : undefined;
    child.on('close', (code) => {
      if (timer) clearInterval(timer);
      resolve({ code, stderr });
    });
  });
}

function lineOf(text: string, at: string, after = ''): number {
  const index = text.indexOf(at, text.indexOf(after));
  if (index < 0) throw new Error(`no line with ${JSON.stringify(at)}`);
  return text.slice(0, index).split('\n').length;
}

let tmp: string;
let server: Awaited<ReturnType<typeof countingServer>>;
const runs: Run[] = [];
const processRuns: Run[] = [];
const fileOf = (i: number) => path.join(tmp, `bad-${String(i + 1).padStart(2, '0')}.yaml`);
// Half the files through plan, half through deploy: both refuse before any AWS call.
const argsOf = (i: number) => (i % 2 ? ['deploy', '--params', fileOf(i), '--yes'] : ['plan', '--params', fileOf(i)]);

/** Runs main() in this process with the SDK pointed at `endpoint`; returns its code and stderr. */
async function inProcess(args: string[], endpoint: string): Promise<Run> {
  const saved = { ...process.env };
  Object.assign(process.env, emulatorEnv(endpoint), { NO_COLOR: '1' });
  let stderr = '';
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    return { code: await main([...args, '--endpoint-url', endpoint]), stderr };
  } finally {
    err.mockRestore();
    out.mockRestore();
    process.env = saved;
    process.exitCode = undefined;
  }
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-bad-'));
  server = await countingServer();
  MISTAKES.forEach((m, i) => fs.writeFileSync(fileOf(i), m.text));
  for (let i = 0; i < MISTAKES.length; i++) runs[i] = await inProcess(argsOf(i), server.url);
  await Promise.all(Array.from({ length: NAMED }, async (_, i) => (processRuns[i] = await cli(argsOf(i), server.url))));
}, 120_000);

afterAll(async () => {
  await server?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('there are at least 30 mistakes, each a different file', () => {
  expect(MISTAKES.length).toBeGreaterThanOrEqual(30);
  expect(new Set(MISTAKES.map((m) => m.text)).size).toBe(MISTAKES.length);
});

test('no run made a network connection', () => {
  expect(runs.filter(Boolean)).toHaveLength(MISTAKES.length);
  expect(processRuns.filter(Boolean)).toHaveLength(NAMED);
  expect(server.connections()).toBe(0);
});

test('a --region that does not exist is refused too, before any connection', async () => {
  const run = await inProcess(
    ['plan', '--params', path.join(REPO_ROOT, 'examples', 'small.yaml'), '--region', 'eu-west-7'],
    server.url,
  );
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/--region: "eu-west-7" is not an AWS region \(did you mean "eu-west-[123]"\?\)/);
  expect(server.connections()).toBe(0);
});

test.each(MISTAKES.slice(0, NAMED).map((m, i) => [m.name, i] as const))(
  'the built CLI, in its own process, refuses %s the same way',
  (_name, i) => {
    expect(processRuns[i]).toEqual(runs[i]);
  },
);

describe.each(MISTAKES.map((m, i) => [m.name, m, i] as const))('%s', (_name, m, i) => {
  test('exits 2 naming the field and its line, with what is wrong', () => {
    const run = runs[i]!;
    expect(run.code).toBe(2);
    const problem = run.stderr.split('\n').find((l) => l.includes(` ${m.field}: `));
    expect({ problem, stderr: run.stderr }).toEqual({
      problem: expect.stringContaining(`line ${lineOf(m.text, m.at, m.after)}: ${m.field}: `),
      stderr: run.stderr,
    });
    expect(problem).toMatch(m.says);
  });
});

test('the control: a good file does reach the endpoint', async () => {
  const control = await countingServer();
  try {
    const run = await cli(
      ['plan', '--params', path.join(REPO_ROOT, 'examples', 'full.yaml')],
      control.url,
      () => control.connections() > 0,
    );
    expect(run.stderr).not.toMatch(/problem/);
    expect(control.connections()).toBeGreaterThan(0);
  } finally {
    await control.close();
  }
});
