#!/usr/bin/env node
/**
 * The local AWS emulator as a background service, for `npm run demo` and `npm run bench`:
 *
 *   node tools/emulator.js start    start it (if not already running); prints its endpoint on stdout
 *   node tools/emulator.js stop     stop it and everything it started
 *   node tools/emulator.js status   print the endpoint and exit 0, or say so and exit 1
 *
 * It is moto's server with cfn-stages' extension (test/emulator/launch.py) on a free loopback port
 * (or $EMULATOR_PORT). State lives in .cache/emulator.json (pid, port, endpoint), its log in
 * .cache/emulator.log. Plain Node with no dependencies, so it runs before any build step.
 */
'use strict';

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const CACHE = path.join(ROOT, '.cache');
const STATE = path.join(CACHE, 'emulator.json');
const LOG = path.join(CACHE, 'emulator.log');
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
const LAUNCHER = path.join(ROOT, 'test', 'emulator', 'launch.py');
const START_TIMEOUT_MS = 30000;
const STOP_TIMEOUT_MS = 5000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function readState() {
  try {
    return JSON.parse(fs.readFileSync(STATE, 'utf8'));
  } catch {
    return null;
  }
}

/** True while the process (group leader) exists. */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** True when the server answers HTTP on its port. */
function answers(port) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/moto-api/', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    request.once('error', () => resolve(false));
    request.once('timeout', () => request.destroy());
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * True when `state.pid` is still the launcher this file started (a stale state file must never
 * make `stop` signal an unrelated process that reused the pid). Without /proc, trust the port.
 */
async function ours(state) {
  if (!alive(state.pid)) return false;
  try {
    const cmdline = fs.readFileSync(`/proc/${state.pid}/cmdline`, 'utf8').split('\0');
    return cmdline.includes(LAUNCHER) && cmdline.includes(String(state.port));
  } catch {
    return answers(state.port);
  }
}

async function running() {
  const state = readState();
  if (state && (await ours(state)) && (await answers(state.port))) return state;
  return null;
}

async function start() {
  const current = await running();
  if (current) return current;
  if (readState()) await stop(); // a stale or half-dead one: clear it first
  if (!fs.existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: run \`npm run setup\` first`);
  fs.mkdirSync(CACHE, { recursive: true });
  const port = Number(process.env.EMULATOR_PORT) || (await freePort());
  const log = fs.openSync(LOG, 'w');
  // detached: the launcher leads its own process group, so `stop` reaches anything it starts.
  const child = spawn(PYTHON, [LAUNCHER, '-H', '127.0.0.1', '-p', String(port)], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', log, log],
    env: { ...process.env, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
  });
  child.unref();
  fs.closeSync(log);
  const state = { pid: child.pid, port, endpoint: `http://127.0.0.1:${port}` };
  fs.writeFileSync(STATE, JSON.stringify(state) + '\n');
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!alive(child.pid)) break;
    if (await answers(port)) return state;
    await sleep(50);
  }
  await stop();
  const tail = fs.existsSync(LOG) ? fs.readFileSync(LOG, 'utf8').slice(-2000) : '';
  throw new Error(`the emulator did not start (log: ${path.relative(ROOT, LOG)}):\n${tail}`);
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    /* already gone */
  }
}

async function stop() {
  const state = readState();
  const owned = state !== null && (await ours(state));
  if (owned) {
    signalGroup(state.pid, 'SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (alive(state.pid) && Date.now() < deadline) await sleep(50);
    if (alive(state.pid)) signalGroup(state.pid, 'SIGKILL');
  }
  fs.rmSync(STATE, { force: true });
  return owned ? state : null;
}

async function main(command) {
  switch (command) {
    case 'start': {
      const state = await start();
      process.stdout.write(`${state.endpoint}\n`);
      return 0;
    }
    case 'stop': {
      const state = await stop();
      process.stderr.write(state ? `emulator stopped (pid ${state.pid})\n` : 'emulator was not running\n');
      return 0;
    }
    case 'status': {
      const state = await running();
      if (state) {
        process.stdout.write(`${state.endpoint}\n`);
        process.stderr.write(`emulator running (pid ${state.pid})\n`);
        return 0;
      }
      process.stderr.write('emulator not running\n');
      return 1;
    }
    default:
      process.stderr.write('usage: node tools/emulator.js start|stop|status\n');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`emulator: ${error.message}\n`);
    process.exit(1);
  },
);
