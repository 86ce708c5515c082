/**
 * An endpoint that answers, but not as AWS does: a proxy's or web server's HTML page where
 * `--endpoint-url` (or HTTPS_PROXY) leads. Through the built CLI against a local HTTP server that
 * answers every request with an HTML page, as a proxy's block page does (403): the command says the answer is not AWS's, with
 * its HTTP status and type and where to look, instead of the SDK's parse error and its advice to
 * "inspect the hidden field {error}.$response"; exit 1, and one document with --json.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO_ROOT } from '../helpers/emulator';
import { runCli, type CliRun } from '../helpers/cli';

jest.setTimeout(60_000);

let server: http.Server;
let endpoint: string;
let tmp: string;
/** The page's HTTP status: a block page's 403, or a captive portal's 200. */
let status = 403;

function cli(args: string[], timeoutMs?: number): Promise<CliRun> {
  return runCli(
    {
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    ['--endpoint-url', endpoint, ...args],
    { home: tmp, cwd: tmp, ...(timeoutMs ? { timeoutMs } : {}) },
  );
}

beforeAll(async () => {
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js')))
    throw new Error('dist/ is missing: run `npm run build` first');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'not-aws-e2e-'));
  fs.writeFileSync(
    path.join(tmp, 'dev.yaml'),
    'environment: dev\nprefix: x-\nregion: us-east-1\ntags: { contactEmail: ops@example.com }\n' +
      'network: { azCount: 2, natGateways: single }\n',
  );
  server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!DOCTYPE html><html><head><title>Not AWS</title></head><body>a web page</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test.each([
  ['plan (a query-protocol call first)', ['plan', '--params', 'dev.yaml']],
  ['deploy (a JSON-protocol call first: the run lock)', ['deploy', '--params', 'dev.yaml', '--yes']],
])('%s names an answer that is not AWS’s, and where to look', async (_name, args) => {
  const r = await cli(args);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(
    "provision: the AWS endpoint's answer is not an AWS API response (HTTP 403, text/html; charset=utf-8)\n" +
      '  check --endpoint-url (or AWS_ENDPOINT_URL) and any proxy (HTTPS_PROXY)',
  );
  expect(r.stderr).not.toContain('$response');
});

test('--json: one document', async () => {
  const r = await cli(['--json', 'status', '--params', 'dev.yaml']);
  expect(r.code).toBe(1);
  expect(JSON.parse(r.stdout)).toMatchObject({
    ok: false,
    error: expect.stringContaining('(HTTP 403, text/html; charset=utf-8)'),
  });
});

test('a web page answered "200 OK" is not read as an empty answer (no stacks, nothing in use)', async () => {
  status = 200;
  try {
    // Ends at once: an unread page must not hold its connection, and the process, open (it took 6 s).
    const r = await cli(['plan', '--params', 'dev.yaml'], 4000);
    expect(r.seconds).toBeLessThan(3.9); // not killed at the 4 s bound (it takes 0.2 s; it took 6 s)
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("the AWS endpoint's answer is not an AWS API response (HTTP 200, text/html");
    expect(r.stdout).not.toContain('would change');
  } finally {
    status = 403;
  }
});
