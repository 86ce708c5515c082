#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI lives in src/cli (compiled to dist/ by `npm install` / `npm run build`).
// The compile cache goes first, so that every module after it loads from it (src/cli/compile-cache.ts).
try {
  require('../dist/src/cli/compile-cache.js').enableCompileCache();
} catch {
  // Not built yet (reported just below), or no cache: the CLI runs the same without it.
}
let main;
try {
  main = require('../dist/src/cli/main.js').main;
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && /dist[\\/]src[\\/]cli[\\/]main/.test(String(err.message))) {
    process.stderr.write(
      'provision: the CLI is not built yet. Run `npm install` (or `npm run build`) in the cfn-stages folder first.\n',
    );
    process.exit(1);
  }
  throw err;
}
main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
