/**
 * The published catalogue passes cfn-lint with no errors or warnings, and checkov with no failed
 * check (a skip is allowed only in the template's metadata, with a reason; see catalogue.test.ts).
 * Both tools come from the project's .venv (tools/setup.sh).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { catalogueVersion } from '../../src/synth';
import { root, venvBin } from '../helpers/templates';

const dir = path.join(root, 'published', catalogueVersion());
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.cf'))
  .sort();

test('cfn-lint: no errors, no warnings', () => {
  const r = spawnSync(venvBin('cfn-lint'), ['--format', 'parseable', ...files.map((f) => path.join(dir, f))], {
    encoding: 'utf8',
  });
  expect(r.stdout + r.stderr).toBe('');
  expect(r.status).toBe(0);
}, 180_000);

test('checkov: no failed checks', () => {
  // checkov only recognises .json/.yaml/.template files: scan copies.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-stages-checkov-'));
  for (const f of files) fs.copyFileSync(path.join(dir, f), path.join(tmp, f.replace(/\.cf$/, '.json')));
  // --skip-download and the env settings keep checkov offline (no platform or PyPI look-ups).
  const env = { ...process.env, BC_SKIP_MAPPING: 'TRUE', CKV_SKIP_PACKAGE_UPDATE_CHECK: 'true', LOG_LEVEL: 'ERROR' };
  let raw: string;
  try {
    raw = execFileSync(
      venvBin('checkov'),
      ['-d', tmp, '--framework', 'cloudformation', '--skip-download', '--quiet', '--compact', '-o', 'json'],
      { encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 },
    );
  } catch (err: any) {
    raw = err.stdout; // checkov exits 1 when a check fails; the report is still on stdout
  }
  const report = JSON.parse(raw);
  const runs = Array.isArray(report) ? report : [report];
  const failed = runs
    .flatMap((r: any) => r.results?.failed_checks ?? [])
    .map((c: any) => `${c.file_path} ${c.resource}: ${c.check_id} ${c.check_name}`);
  const scanned = runs.reduce((n: number, r: any) => n + (r.summary?.resource_count ?? 0), 0);
  expect(failed).toEqual([]);
  expect(scanned).toBeGreaterThan(files.length); // it really read the templates
  fs.rmSync(tmp, { recursive: true, force: true });
}, 300_000);
