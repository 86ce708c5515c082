/**
 * The local AWS emulator for end-to-end tests: moto's server with cfn-stages' extension
 * (test/emulator/), started on a free loopback port and stopped with everything it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';

/** A running emulator. */
export interface Emulator {
  /** Base URL for SDK clients and `--endpoint-url` (loopback IP: no name lookup, no IPv6 surprise). */
  endpoint: string;
  port: number;
  /** The launcher's pid; it leads its own process group (negative pid addresses the group). */
  pid: number;
  /** Environment for a child process (the CLI) or an SDK client pointed at this emulator. */
  env: Record<string, string>;
  /** Options every @aws-sdk client constructor accepts, pointed at this emulator. */
  clientConfig: EmulatorClientConfig;
  /** Stops the server and its children; resolves once the process has exited. */
  stop(): Promise<void>;
}

export interface EmulatorClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** S3 on a bare host:port has no virtual-host names, so buckets go in the path. */
  forcePathStyle: boolean;
}

export interface StartOptions {
  /** How long to wait for the server to answer (ms). */
  timeoutMs?: number;
  /** Switches of the extension for this server (`CFN_STAGES_EMULATOR_*`, see test/emulator/README.md). */
  env?: Record<string, string>;
}

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const EMULATOR_REGION = 'us-east-1';
const PYTHON = path.join(REPO_ROOT, '.venv', 'bin', 'python');
const LAUNCHER = path.join(REPO_ROOT, 'test', 'emulator', 'launch.py');

/** Credentials moto accepts (any value works; these are the conventional fake ones). */
export const EMULATOR_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' };

/** SDK environment for talking to an emulator at `endpoint` (and nothing else). */
export function emulatorEnv(endpoint: string): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    AWS_REGION: EMULATOR_REGION,
    AWS_DEFAULT_REGION: EMULATOR_REGION,
    AWS_ENDPOINT_URL: endpoint,
    // Keep a developer's own profile, SSO cache and IMDS out of the picture.
    AWS_PROFILE: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** A TCP port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portIsOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/moto-api/', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    request.once('error', () => resolve(false));
    request.once('timeout', () => request.destroy());
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Signals the whole process group (the launcher is its leader), ignoring "already gone". */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-(child.pid as number), signal);
  } catch {
    /* already exited */
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function launch(port: number, timeoutMs: number, extraEnv: Record<string, string> = {}): Promise<Emulator> {
  if (!fs.existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: run \`npm run setup\` first`);
  // detached: the launcher leads its own process group, so stop() reaches anything it starts.
  const child = spawn(PYTHON, [LAUNCHER, '-H', '127.0.0.1', '-p', String(port)], {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1', ...extraEnv },
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000); // keep the tail for error messages
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const done = exited(child);
    signalGroup(child, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 5000);
    await done;
    clearTimeout(timer);
    child.stderr?.destroy();
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`emulator exited (code ${child.exitCode}):\n${log}`);
    if (await answers(port)) {
      const pid = child.pid as number;
      return { endpoint, port, pid, env: emulatorEnv(endpoint), clientConfig: clientConfig(endpoint), stop };
    }
    await sleep(50);
  }
  await stop();
  throw new Error(`emulator did not answer on ${endpoint} within ${timeoutMs} ms:\n${log}`);
}

/** Client options for an emulator at `endpoint`. */
export function clientConfig(endpoint: string): EmulatorClientConfig {
  return { endpoint, region: EMULATOR_REGION, credentials: EMULATOR_CREDENTIALS, forcePathStyle: true };
}

/**
 * Starts the emulator on a free loopback port and resolves once it answers HTTP. The port is
 * chosen just before the server binds it; if another process takes it in between, the start is
 * retried on a new port.
 */
export async function startEmulator(options: StartOptions = {}): Promise<Emulator> {
  const timeoutMs = options.timeoutMs ?? 30000;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      return await launch(await freePort(), timeoutMs, options.env);
    } catch (error) {
      lastError = error;
      if (!String(error).includes('Address already in use')) throw error;
    }
  }
  throw lastError;
}
