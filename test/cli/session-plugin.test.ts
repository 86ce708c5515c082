/** How the Session Manager plugin is found, described when missing, and invoked (as the AWS CLI does). */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  findPlugin,
  installInstructions,
  pluginInvocation,
  SESSION_ENV,
  takesSessionFromEnv,
} from '../../src/ops/session';

test('found only as an executable file on PATH', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smp-'));
  const file = path.join(dir, 'session-manager-plugin');
  expect(findPlugin({ PATH: dir }, 'linux')).toBeUndefined();
  fs.writeFileSync(file, '#!/bin/sh\n', { mode: 0o644 });
  expect(findPlugin({ PATH: dir }, 'linux')).toBeUndefined();
  fs.chmodSync(file, 0o755);
  expect(findPlugin({ PATH: `/nonexistent${path.delimiter}${dir}` }, 'linux')).toBe(file);
  fs.rmSync(dir, { recursive: true });
});

test('install instructions per system and architecture', () => {
  expect(installInstructions('darwin', 'arm64').join('\n')).toMatch(
    /brew install --cask session-manager-plugin[\s\S]*mac_arm64\/session-manager-plugin\.pkg/,
  );
  expect(installInstructions('linux', 'x64').join('\n')).toMatch(
    /ubuntu_64bit\/session-manager-plugin\.deb" && sudo dpkg -i[\s\S]*linux_64bit\/session-manager-plugin\.rpm/,
  );
  expect(installInstructions('linux', 'arm64').join('\n')).toMatch(/ubuntu_arm64[\s\S]*linux_arm64/);
  expect(installInstructions('win32', 'x64').join('\n')).toContain('windows/SessionManagerPluginSetup.exe');
});

test('plugins newer than 1.2.497.0 take the session from the environment', () => {
  expect(['1.2.707.0', '1.3', ' 1.2.498.0\n'].map(takesSessionFromEnv)).toEqual([true, true, true]);
  expect(['1.2.497.0', '1.2.463.0', 'unknown', ''].map(takesSessionFromEnv)).toEqual([false, false, false, false]);
});

test('arguments: session (or the variable holding it), region, StartSession, profile, request, endpoint', () => {
  const base = {
    session: { SessionId: 's', TokenValue: 't', StreamUrl: 'wss://x' },
    region: 'eu-west-1',
    request: { Target: 'i-1' },
    endpoint: 'https://ssm.eu-west-1.amazonaws.com',
  };
  expect(pluginInvocation({ ...base, viaEnv: false })).toEqual({
    args: [
      '{"SessionId":"s","TokenValue":"t","StreamUrl":"wss://x"}',
      'eu-west-1',
      'StartSession',
      '',
      '{"Target":"i-1"}',
      base.endpoint,
    ],
    env: {},
  });
  const viaEnv = pluginInvocation({ ...base, profile: 'dev', viaEnv: true });
  expect(viaEnv.args).toEqual([SESSION_ENV, 'eu-west-1', 'StartSession', 'dev', '{"Target":"i-1"}', base.endpoint]);
  expect(viaEnv.env).toEqual({ [SESSION_ENV]: '{"SessionId":"s","TokenValue":"t","StreamUrl":"wss://x"}' });
});
