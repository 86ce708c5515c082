/**
 * preferProfile (src/cli/global-options.ts): only a profile chosen explicitly (`--profile`, a
 * params file's `profile:`) beside access keys takes the keys out of the environment, with one
 * line; anything else (AWS_PROFILE alone is not a choice made here) leaves it as it is, silently. The runs themselves, against the emulator: test/e2e/profile-flag.test.ts.
 */
import { preferProfile } from '../../src/cli/global-options';

test('--profile with keys: the keys and their session token go, and one line names what is ignored', () => {
  const env = {
    AWS_ACCESS_KEY_ID: 'AKIA1',
    AWS_SECRET_ACCESS_KEY: 's',
    AWS_SESSION_TOKEN: 't',
    AWS_REGION: 'eu-west-1',
  };
  expect(preferProfile('dev', '--profile', env)).toBe(
    'using profile dev (--profile); AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN in the environment are ignored',
  );
  expect(env).toEqual({ AWS_REGION: 'eu-west-1' });
});

test.each([
  ['no profile', undefined, { AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 's', AWS_PROFILE: 'p' }],
  ['a profile without keys', 'dev', { AWS_PROFILE: 'other', AWS_SESSION_TOKEN: 't' }],
])('%s: nothing said, nothing changed', (_name, profile, env: Record<string, string>) => {
  const before = { ...env };
  expect(preferProfile(profile, '--profile', env)).toBeUndefined();
  expect(env).toEqual(before);
});
