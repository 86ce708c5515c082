'use strict';
/**
 * Preloaded by end-to-end tests into a `provision` run (`NODE_OPTIONS=-r test/helpers/sdk-calls.js`):
 * an SDK middleware on every AWS client records each call's service, action and the stack it names,
 * with its start and end, and writes them as JSON lines to $SDK_CALLS when the process exits, so a
 * test sees every AWS call the real CLI made (how many GetTemplate calls a no-op made, say).
 *
 * Test-only: nothing in the product loads this file. (The benchmark times calls from outside the
 * process instead: tools/bench-proxy.js.)
 */
const fs = require('node:fs');
const { Client } = require('@smithy/core/client');

const file = process.env.SDK_CALLS;
const t0 = Date.now() - performance.now();
const calls = [];
const instrumented = new WeakSet();

/** Innermost deserialize middleware: `next` is the HTTP handler alone. */
function timing(serviceId) {
  return (next, context) => async (args) => {
    const start = t0 + performance.now();
    try {
      return await next(args);
    } finally {
      const input = context.__testInput || {};
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
      this.middlewareStack.add(timing(serviceId), { step: 'deserialize', priority: 'low', name: 'testCallTiming' });
      // The command's input, for the middleware (the handler context does not carry it).
      this.middlewareStack.add(
        (next, context) => (args) => {
          context.__testInput = args.input;
          return next(args);
        },
        { step: 'initialize', priority: 'high', name: 'testCallInput' },
      );
    }
    return send.call(this, command, ...rest);
  };
  process.on('exit', () => {
    fs.writeFileSync(file, calls.map((c) => JSON.stringify(c)).join('\n') + (calls.length ? '\n' : ''));
  });
}
