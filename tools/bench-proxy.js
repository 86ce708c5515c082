'use strict';
/**
 * The bench's view of the API, from outside the tool's process: an HTTP proxy in a process of its
 * own, between a timed `provision` run and the local emulator. It records each call's service,
 * action and the stack it names, with the time the request reached it and the time the answer had
 * been written back, and it can hold each request for a round trip's latency first
 * (BENCH_LATENCY_MS) before passing it on.
 *
 * Why outside: a timer inside the tool's process (an SDK middleware) notes a call's end only when
 * the tool's one thread gets round to it, so any of the tool's own work that overlaps a call would
 * be counted as the API's time; and a wait simulated inside the tool's process is stretched by the
 * tool's own work in the same way. Here neither can happen: the tool's CPU time is never counted as
 * the API's, and a simulated round trip lasts what it says.
 *
 * Like AWS, the proxy keeps the tool's connections open between calls (the emulator's server
 * closes each after one answer; that reconnect is the proxy's, counted as API time, as it would be
 * AWS's if it did so).
 *
 *   node tools/bench-proxy.js http://127.0.0.1:PORT   prints the proxy's own address on stdout
 *   GET  /__bench/calls          the calls recorded since the last read, as JSON (and forgets them)
 *   POST /__bench/latency?ms=N   each later request waits N ms before it is passed on
 *
 * `__bench` cannot be an S3 bucket name, so the control paths never shadow an AWS call.
 * Bench-only: nothing in the product loads this file.
 */
const http = require('node:http');

const clock = () => performance.timeOrigin + performance.now();

/** The service a request is signed for: the fourth part of its SigV4 credential scope. */
function serviceOf(headers) {
  const m = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(headers.authorization || '');
  return m ? m[1] : 'unsigned';
}

/** Action and named stack: a JSON protocol's X-Amz-Target, a query protocol's form, else the method and path. */
function describe(req, body) {
  const target = req.headers['x-amz-target'];
  if (target) return { action: String(target).split('.').pop() };
  if (String(req.headers['content-type'] || '').startsWith('application/x-www-form-urlencoded')) {
    const form = new URLSearchParams(body.toString('utf8'));
    return { action: form.get('Action') || 'unknown', stack: form.get('StackName') || undefined };
  }
  return { action: `${req.method} ${req.url.split('?')[0]}` };
}

function startProxy(target, { latencyMs = Number(process.env.BENCH_LATENCY_MS || 0) } = {}) {
  const upstream = new URL(target);
  let calls = [];
  let latency = latencyMs;
  const control = (req, res) => {
    const url = new URL(req.url, 'http://proxy');
    if (url.pathname === '/__bench/calls') {
      res.end(JSON.stringify(calls));
      calls = [];
    } else if (url.pathname === '/__bench/latency') {
      latency = Number(url.searchParams.get('ms') || 0);
      res.end(JSON.stringify({ latency }));
    } else {
      res.statusCode = 404;
      res.end();
    }
  };
  const server = http.createServer((req, res) => {
    if (req.url.startsWith('/__bench/')) return control(req, res);
    const start = clock();
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const call = { service: serviceOf(req.headers), ...describe(req, body), start };
      const forward = () => {
        const out = http.request(
          { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode, answer.statusMessage, answerHeaders(answer.headers));
            answer.pipe(res);
          },
        );
        out.on('error', (err) => {
          res.statusCode = 502;
          res.end(String(err));
        });
        out.end(body);
      };
      res.on('finish', () => calls.push({ ...call, end: clock() }));
      if (latency > 0) setTimeout(forward, latency);
      else forward();
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The emulator's headers, less its `Connection: close`: the proxy keeps the tool's connection open. */
function answerHeaders(headers) {
  const { connection, ...rest } = headers;
  void connection;
  return rest;
}

module.exports = { startProxy, serviceOf, describe };

if (require.main === module) {
  startProxy(process.argv[2]).then((server) => {
    process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
  });
}
