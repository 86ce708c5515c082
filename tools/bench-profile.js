'use strict';
/**
 * A CPU profile (`node --cpu-prof`) summarised for `npm run bench -- --profile`: how much of the
 * run the process was idle (waiting on the API or on its own timers), and where the busy time
 * went, by package (node_modules/<name>) or by the project's own folders.
 *
 *   node tools/bench-profile.js FILE.cpuprofile
 */
const fs = require('node:fs');
const path = require('node:path');

/** Where a frame's code lives: a package name, a project folder, node's own code, or a V8 marker. */
function ownerOf(url, functionName) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node (core)';
  const rel = url.replace(/^file:\/\//, '');
  const m = rel.match(/\/(dist\/)?(src\/[^/]+|stages|templates|bin|tools)\//);
  return m ? m[2] : path.basename(rel);
}

/** Milliseconds of self time per owner, plus the profile's span. */
function summarise(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const deltas = profile.timeDeltas;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]);
    const owner = ownerOf(node.callFrame.url, node.callFrame.functionName);
    const ms = (deltas[i + 1] ?? 0) / 1000;
    self.set(owner, (self.get(owner) ?? 0) + ms);
  }
  const spanMs = (profile.endTime - profile.startTime) / 1000;
  return { spanMs, self };
}

function report(file) {
  const { spanMs, self } = summarise(JSON.parse(fs.readFileSync(file, 'utf8')));
  const idle = self.get('(idle)') ?? 0;
  const lines = [`CPU profile of ${path.basename(file)}: ${(spanMs / 1000).toFixed(3)} s`];
  lines.push(`  idle ${((100 * idle) / spanMs).toFixed(0)}% (${(idle / 1000).toFixed(3)} s)`);
  const busy = [...self.entries()].filter(([k]) => k !== '(idle)').sort((a, b) => b[1] - a[1]);
  for (const [owner, ms] of busy.slice(0, 8))
    lines.push(`  ${owner.padEnd(34)} ${(ms / 1000).toFixed(3)} s  ${((100 * ms) / spanMs).toFixed(0)}%`);
  return { text: lines.join('\n'), idleShare: idle / spanMs, spanMs };
}

module.exports = { report, summarise };

if (require.main === module) {
  if (!process.argv[2]) {
    process.stderr.write('usage: node tools/bench-profile.js FILE.cpuprofile\n');
    process.exit(2);
  }
  console.log(report(process.argv[2]).text);
}
