'use strict';
/**
 * The floor under a deploy's start-up, for `npm run bench`: a Node process that turns on the CLI's
 * compile cache and loads the given AWS SDK client packages, and does nothing else. No program that
 * makes its AWS calls through these packages starts faster on this machine, so a run's wall time
 * can never come closer to its API time than this.
 *
 *   node tools/bench-floor.js @aws-sdk/client-cloudformation @aws-sdk/client-ssm ...
 *
 * Bench-only: nothing in the product loads this file.
 */
try {
  require('../dist/src/cli/compile-cache.js').enableCompileCache(['bench-floor']);
} catch {
  // Not built: the packages load without the cache.
}
for (const name of process.argv.slice(2)) require(name);
