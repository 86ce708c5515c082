'use strict';
/**
 * Preloaded by `npm run bench` into a timed `provision` run (`node -r tools/bench-calls.js ...`):
 * an SDK middleware on every AWS client records each HTTP call's start and end (the API's own
 * time, without the SDK's serialising, parsing or retry waits) with its service, action and the
 * stack it names, and writes them as JSON lines to $BENCH_CALLS when the process exits. The bench
 * turns these into the emulator's work per stack, along the longest dependency chain, and in all.
 *
 * With BENCH_LATENCY_MS=N, each call first waits N ms, as a round trip to AWS does (the local
 * emulator answers in a few ms over loopback): what a run gains by sending independent calls
 * together, or loses by sending them one after another, then shows as it would against AWS.
 *
 * Bench-only: nothing in the product loads this file.
 */
const fs = require('node:fs');
const { Client } = require('@smithy/core/client');

const file = process.env.BENCH_CALLS;
const latencyMs = Number(process.env.BENCH_LATENCY_MS || 0);
const t0 = Date.now() - performance.now();
const calls = [];
const instrumented = new WeakSet();

/** Innermost deserialize middleware: `next` is the HTTP handler alone. */
function timing(serviceId) {
  return (next, context) => async (args) => {
    const start = t0 + performance.now();
    try {
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      return await next(args);
    } finally {
      const input = context.__benchInput || {};
      calls.push({
        service: serviceId,
        action: String(context.commandName || '').replace(/Command$/, ''),
        stack: typeof input.StackName === 'string' ? input.StackName : undefined,
        start,
        end: t0 + performance.now(),
      });
    }
  };
}

if (file) {
  const send = Client.prototype.send;
  Client.prototype.send = function (command, ...rest) {
    if (!instrumented.has(this)) {
      instrumented.add(this);
      const serviceId = this.config?.serviceId || this.constructor.name.replace(/Client$/, '');
      this.middlewareStack.add(timing(serviceId), { step: 'deserialize', priority: 'low', name: 'benchCallTiming' });
      // The command's input, for the middleware (the handler context does not carry it).
      this.middlewareStack.add(
        (next, context) => (args) => {
          context.__benchInput = args.input;
          return next(args);
        },
        { step: 'initialize', priority: 'high', name: 'benchCallInput' },
      );
    }
    return send.call(this, command, ...rest);
  };
  process.on('exit', () => {
    fs.writeFileSync(file, calls.map((c) => JSON.stringify(c)).join('\n') + (calls.length ? '\n' : ''));
  });
}
