/**
 * preferProfileFlag (src/cli/global-options.ts): only an explicit `--profile` beside access keys
 * takes the keys out of the environment, with one line; anything else leaves the environment as
 * it is and says nothing. The runs themselves, against the emulator: test/e2e/profile-flag.test.ts.
 */
import { preferProfileFlag } from '../../src/cli/global-options';

test('--profile with keys: the keys and their session token go, and one line names what is ignored', () => {
  const env = {
    AWS_ACCESS_KEY_ID: 'AKIA1',
    AWS_SECRET_ACCESS_KEY: 's',
    AWS_SESSION_TOKEN: 't',
    AWS_REGION: 'eu-west-1',
  };
  expect(preferProfileFlag({ profile: 'dev' }, env)).toBe(
    'using profile dev (--profile); AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN in the environment are ignored',
  );
  expect(env).toEqual({ AWS_REGION: 'eu-west-1' });
});

test.each([
  ['no --profile', {}, { AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 's' }],
  ['--profile without keys', { profile: 'dev' }, { AWS_PROFILE: 'other', AWS_SESSION_TOKEN: 't' }],
])('%s: nothing said, nothing changed', (_name, opts, env) => {
  const before = { ...env };
  expect(preferProfileFlag(opts, env)).toBeUndefined();
  expect(env).toEqual(before);
});
