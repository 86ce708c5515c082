/**
 * Preloaded with `node --require` (through NODE_OPTIONS) by the start-up tests: when the process
 * exits, writes the files it loaded (require.cache, one per line) to $LOADED_MODULES_FILE.
 */
'use strict';
const fs = require('node:fs');

process.on('exit', () => {
  const file = process.env.LOADED_MODULES_FILE;
  if (file) fs.writeFileSync(file, Object.keys(require.cache).join('\n') + '\n');
});
