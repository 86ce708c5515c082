/**
 * The hardened defaults of issue 14, each with the setting that changes it: containers run as a
 * non-root user, audit logs are kept a year, KMS key policies allow grants only for AWS resources
 * and only where the service needs them, and one `protected:` switch drives database and load
 * balancer deletion protection and stack termination protection.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseParams } from '../../src/params/load';
import { planEnvironment } from '../../stages/plan';
import { ACCOUNT_KEY_ACTIONS } from '../../templates/kit/security';
import { DEFAULT_CONTAINER_USER } from '../../templates/service/service';
import { allTemplates, ofType, resource, root, type JsonTemplate } from '../helpers/templates';

const templates = allTemplates();
const byId = (prefix: string): JsonTemplate => templates.find((t) => t.id.startsWith(prefix))!.json;
const full = fs.readFileSync(path.join(root, 'examples', 'full.yaml'), 'utf8');

describe('containers run as a non-root user unless the params file says otherwise', () => {
  test.each(['32', '91'])('%s: ContainerUser defaults to 1000:1000 and goes into the container definition', (id) => {
    const t = byId(id);
    expect(DEFAULT_CONTAINER_USER).toBe('1000:1000');
    expect(t.Parameters.ContainerUser).toMatchObject({ Type: 'String', Default: '1000:1000' });
    const container = resource(t, 'TaskDefinition').Properties.ContainerDefinitions[0];
    expect(container.User).toEqual({
      'Fn::If': ['HasContainerUser', { Ref: 'ContainerUser' }, { Ref: 'AWS::NoValue' }],
    });
    // Empty means the image's own USER (often root): an explicit choice.
    expect(t.Conditions!.HasContainerUser).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'ContainerUser' }, ''] }] });
    const pattern = new RegExp(t.Parameters.ContainerUser.AllowedPattern);
    for (const ok of ['', '1000', '1000:1000', 'node', 'app:app', 'root'])
      expect({ ok, match: pattern.test(ok) }).toEqual({ ok, match: true });
    for (const bad of ['10 00', 'a;b', ':1000', 'Root'])
      expect({ bad, match: pattern.test(bad) }).toEqual({ bad, match: false });
  });

  test('the params file sets it per service; without it, the plan sends the non-root default', () => {
    const plan = planEnvironment(parseParams(full, 'full.yaml'));
    expect(plan.find((s) => s.name === 'x-demo-acme-service')!.parameters.ContainerUser).toBe('1000:1000');
    const asImage = full.replace('      containerPort: 3000\n', '      containerPort: 3000\n      containerUser: ""\n');
    const edited = planEnvironment(parseParams(asImage, 'full.yaml'));
    expect(edited.find((s) => s.name === 'x-demo-acme-service')!.parameters.ContainerUser).toBe('');
    expect(edited.find((s) => s.name === 'x-demo-acme-api2')!.parameters.ContainerUser).toBe('1000:1000');
  });
});

describe('audit logs are kept at least 365 days; diagnostic logs a month', () => {
  test.each([
    ['11', 'FlowLogRetentionDays', 'FlowLogGroup', 365],
    ['14', 'ControlPlaneLogRetentionDays', 'ControlPlaneLogGroup', 365],
    ['42', 'AuditLogRetentionDays', 'AuditLogGroup', 365],
    ['31', 'LogRetentionDays', 'AppLogGroup', 365],
    ['41', 'LogRetentionDays', 'PostgresqlLogGroup', 30],
    ['42', 'LogRetentionDays', 'ProfilerLogGroup', 30],
    ['43', 'LogRetentionDays', 'SlowLogGroup', 30],
  ])('%s: %s defaults to the days of %s', (id, param, group, days) => {
    const t = byId(id);
    expect(t.Parameters[param].Default).toBe(days);
    expect(resource(t, group).Properties.RetentionInDays).toEqual({ Ref: param });
  });
});

describe('KMS key policies: the account gets no kms:CreateGrant except for AWS resources, where the service needs it', () => {
  const keys = templates.flatMap(({ id, json }) =>
    ofType(json, 'AWS::KMS::Key').map(([keyId, r]) => ({
      id,
      keyId,
      statements: r.Properties.KeyPolicy.Statement as any[],
    })),
  );
  const granting = new Set([
    '14.env-eks-cluster SecretsKey',
    '41.data-postgres Key',
    '42.data-documentdb Key',
    '43.data-redis Key',
  ]);

  test('every customer-managed key of the catalogue is checked (11 keys in 10 templates)', () => {
    expect(keys).toHaveLength(11);
    expect(new Set(keys.map((k) => k.id)).size).toBe(10);
  });

  test.each(keys.map((k) => [`${k.id} ${k.keyId}`, k] as const))('%s', (name, key) => {
    const actions = (s: any): string[] => [].concat(s.Action ?? []);
    for (const s of key.statements) {
      expect({ sid: s.Sid, star: actions(s).includes('kms:*') }).toEqual({ sid: s.Sid, star: false });
      if (actions(s).some((a) => a === 'kms:CreateGrant' || a === 'kms:Create*')) {
        expect({ sid: s.Sid, condition: s.Condition }).toEqual({
          sid: s.Sid,
          condition: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
        });
      }
    }
    const admin = key.statements.find((s) => s.Sid === 'AccountAdministersKey');
    expect(admin.Action).toEqual(ACCOUNT_KEY_ACTIONS);
    const grants = key.statements.filter((s) => s.Sid === 'AccountGrantsForAwsResources');
    expect(grants).toHaveLength(granting.has(name) ? 1 : 0);
  });
});

describe('one protection switch: protected: in the params file', () => {
  const plan = (protectedLine: string, text = full) =>
    planEnvironment(
      parseParams(text.replace('region: us-east-1\n', `region: us-east-1\n${protectedLine}`), 'full.yaml'),
    );
  const view = (stacks: ReturnType<typeof planEnvironment>) =>
    Object.fromEntries(
      stacks
        .filter((s) => ['x-demo-network', 'x-demo-acme-loadbalancer', 'x-demo-acme-main'].includes(s.name))
        .map((s) => [s.name, [s.parameters.DeletionProtection, s.terminationProtection]]),
    );

  test('true: databases and load balancers keep deletion protection, and every stack termination protection', () => {
    const stacks = plan('protected: true\n');
    expect(view(stacks)).toEqual({
      'x-demo-network': [undefined, true],
      'x-demo-acme-loadbalancer': ['true', true],
      'x-demo-acme-main': ['true', true],
    });
    expect(stacks.every((s) => s.terminationProtection)).toBe(true);
  });

  test('false: all of them off, for an environment torn down freely', () => {
    const stacks = plan('protected: false\n');
    expect(view(stacks)).toEqual({
      'x-demo-network': [undefined, false],
      'x-demo-acme-loadbalancer': ['false', false],
      'x-demo-acme-main': ['false', false],
    });
  });

  test("absent: each template's default (databases protected, load balancer and stacks not)", () => {
    expect(view(plan(''))).toEqual({
      'x-demo-network': [undefined, false],
      'x-demo-acme-loadbalancer': ['false', false],
      'x-demo-acme-main': ['true', false],
    });
  });

  test("a store's own deletionProtection wins: one store let go on purpose in a protected environment", () => {
    const own = full.replace('        instances: 2\n', '        instances: 2\n        deletionProtection: "false"\n');
    expect(view(plan('protected: true\n', own))['x-demo-acme-main']).toEqual(['false', true]);
  });
});
