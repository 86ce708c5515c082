/**
 * `provision init` as the README's quick start types it: every flag it is given ends up in the
 * file it writes. `--region` is also a global option, which commander parses wherever it stands on
 * the line; init must still write the region asked for.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { captureOutput } from '../helpers/capture';

let dir: string;
const io = captureOutput();
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'init-flags-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
const written = (env: string) => fs.readFileSync(path.join(dir, 'envs', `${env}.yaml`), 'utf8');

test.each([
  ['after the command (the quick start)', ['init', '--env', 'dev', '--region', 'eu-west-1']],
  ['before the command', ['--region', 'eu-west-1', 'init', '--env', 'dev']],
])('--region %s is the region written', async (_where, argv) => {
  expect(await main([...argv, '--prefix', 'ac-', '--contact-email', 'ops@acme.example', '--dir', dir])).toBe(0);
  const text = written('dev');
  expect(text).toMatch(/^region: eu-west-1$/m);
  expect(text).toMatch(/^prefix: ac-$/m);
  expect(text).toMatch(/^ {2}contactEmail: ops@acme\.example$/m);
});

test('a region that does not exist is refused with the fix, and nothing is written', async () => {
  expect(await main(['init', '--env', 'dev', '--region', 'eu-west-9', '--dir', dir])).toBe(2);
  const stderr = io.stderr();
  expect(stderr).toContain('eu-west-9');
  expect(stderr).toContain('--region');
  expect(fs.existsSync(path.join(dir, 'envs', 'dev.yaml'))).toBe(false);
});

test('--help shows the folder default once', async () => {
  expect(await main(['init', '--help'])).toBe(0);
  const help = io.stdout();
  expect(help).toMatch(/--dir <dir> +the repository folder \(default: the current one\)\n {2}--force/);
});
