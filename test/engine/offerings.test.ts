/**
 * The offering questions and answers of the account preflight (src/deploy/offerings.ts): which
 * sizes the catalogue's templates ask about, which of them a run asks AWS (only what it creates or
 * changes), how the answers are judged, and that one call goes out per distinct question. The
 * end-to-end behaviour against the emulator is test/e2e/offerings.test.ts.
 */
import type { Stack } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { RDSClient } from '@aws-sdk/client-rds';
import type { AwsClients } from '../../src/aws/clients';
import {
  askOfferings,
  closest,
  describeOffering,
  newChoices,
  sizeChoices,
  versionMatches,
  type Asked,
} from '../../src/deploy/offerings';
import type { StackSpec } from '../../src/deploy/types';
import { allTemplates } from '../helpers/templates';
import { clientWithSend } from '../helpers/sdk-double';

const templates = allTemplates();

/** A catalogue template's body and its parameters (defaults, then `set`). */
function template(id: string, set: Record<string, string> = {}): { body: string; parameters: Record<string, string> } {
  const t = templates.find((x) => x.id === id)!;
  const defaults = Object.entries(t.json.Parameters).map(([k, v]) => [k, String(v.Default ?? '')]);
  return { body: JSON.stringify(t.json), parameters: { ...Object.fromEntries(defaults), ...set } };
}

function spec(id: string, set: Record<string, string> = {}): StackSpec {
  const { body, parameters } = template(id, set);
  return { name: `x-dev-${id}`, templateBody: body, parameters } as unknown as StackSpec;
}

describe('sizeChoices: what each template asks about', () => {
  test('Aurora instances: the class, the engine and the version their cluster takes', () => {
    const { body, parameters } = template('41.data-postgres', { Instances: '2', InstanceClass: 'db.r7g.large' });
    expect(sizeChoices(body, parameters, 'us-east-1')).toEqual([
      expect.objectContaining({
        kind: 'rds',
        resource: 'Instance1',
        parameter: 'InstanceClass',
        value: 'db.r7g.large',
        engine: 'aurora-postgresql',
        engineVersion: '17',
      }),
      expect.objectContaining({ kind: 'rds', resource: 'Instance2', value: 'db.r7g.large' }),
    ]);
  });

  test('DocumentDB instances ask RDS with engine docdb', () => {
    const { body, parameters } = template('42.data-documentdb', { Instances: '1' });
    expect(sizeChoices(body, parameters)).toEqual([
      expect.objectContaining({ kind: 'rds', value: 'db.t4g.medium', engine: 'docdb', engineVersion: '5.0.0' }),
    ]);
  });

  test('the ECS cluster asks only when its EC2 capacity is on (the Condition holds)', () => {
    const off = template('13.env-ecs-cluster');
    expect(sizeChoices(off.body, off.parameters)).toEqual([]);
    const on = template('13.env-ecs-cluster', { EnableEc2Capacity: 'true', Ec2InstanceType: 'm6i.large' });
    expect(sizeChoices(on.body, on.parameters)).toEqual([
      expect.objectContaining({ kind: 'ec2', parameter: 'Ec2InstanceType', value: 'm6i.large' }),
    ]);
  });

  test('EKS nodes: one question per type of the list; jump boxes: their type', () => {
    const eks = template('14.env-eks-cluster', { NodeInstanceTypes: 'm6i.large, m7i.large' });
    expect(sizeChoices(eks.body, eks.parameters).map((c) => [c.parameter, c.value])).toEqual([
      ['NodeInstanceTypes', 'm6i.large'],
      ['NodeInstanceTypes', 'm7i.large'],
    ]);
    const jump = template('12.env-jumpboxes');
    expect(sizeChoices(jump.body, jump.parameters).map((c) => c.value)).toEqual(['t3.micro']);
  });

  test('a template without sizes asks nothing', () => {
    const net = template('11.env-network');
    expect(sizeChoices(net.body, net.parameters)).toEqual([]);
  });
});

describe('newChoices: only what the run creates or changes', () => {
  const deployed = (s: StackSpec, parameters: Record<string, string>) => ({
    stack: {
      StackName: s.name,
      StackStatus: 'UPDATE_COMPLETE',
      Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      })),
    } as Stack,
    body: s.templateBody,
  });

  test('a new stack: every size', () => {
    expect(newChoices(spec('41.data-postgres', { Instances: '1' }), undefined)).toHaveLength(1);
  });

  test('deployed with the same sizes: nothing', () => {
    const s = spec('41.data-postgres', { Instances: '2' });
    expect(newChoices(s, deployed(s, s.parameters))).toEqual([]);
  });

  test('a new class, a new engine version, or a new instance: asked', () => {
    const s = spec('41.data-postgres', { Instances: '2', InstanceClass: 'db.r7g.large' });
    const before = { ...s.parameters, InstanceClass: 'db.t4g.medium' };
    expect(newChoices(s, deployed(s, before)).map((c) => c.resource)).toEqual(['Instance1', 'Instance2']);
    expect(newChoices(s, deployed(s, { ...s.parameters, EngineVersion: '16' }))).toHaveLength(2);
    const one = { ...s.parameters, Instances: '1' };
    expect(newChoices(s, deployed(s, one)).map((c) => c.resource)).toEqual(['Instance2']);
  });

  test('EC2 capacity turned on with the default type it had all along: asked (nothing ran it yet)', () => {
    const s = spec('13.env-ecs-cluster', { EnableEc2Capacity: 'true' });
    expect(newChoices(s, deployed(s, { ...s.parameters, EnableEc2Capacity: 'false' })).map((c) => c.value)).toEqual([
      't3.medium',
    ]);
  });
});

describe('judging answers', () => {
  test('a major version is offered when one of its minors is; a full version only as itself', () => {
    expect(versionMatches('17', '17.4')).toBe(true);
    expect(versionMatches('17', '16.8')).toBe(false);
    expect(versionMatches('17', '170.1')).toBe(false);
    expect(versionMatches('17.6', '17.4')).toBe(false);
    expect(versionMatches('5.0.0', '5.0.0')).toBe(true);
    expect(versionMatches(undefined, '5.0.0')).toBe(true);
  });

  test('alternatives: the same size in another family first, then the same family letter', () => {
    expect(
      closest('db.r5.large', ['db.t4g.medium', 'db.r6g.xlarge', 'db.t3.large', 'db.r7g.large', 'db.r6g.large']),
    ).toEqual(['db.r6g.large', 'db.r7g.large', 'db.t3.large', 'db.r6g.xlarge']);
  });
});

/** Clients whose EC2 and RDS answer from `answer`, recording each call's command and input. */
function clients(answer: (name: string, input: any) => unknown) {
  const calls: { name: string; input: any }[] = [];
  const send = async (command: any) => {
    const name = command.constructor.name as string;
    calls.push({ name, input: command.input });
    return answer(name, command.input);
  };
  const c = {
    region: async () => 'eu-west-1',
    ec2: clientWithSend(EC2Client, send),
    rds: clientWithSend(RDSClient, send),
  } as unknown as AwsClients;
  return { c, calls };
}

const ask = (stack: string, kind: 'ec2' | 'rds', value: string, extra = {}): Asked => ({
  stack,
  choice: { kind, resource: 'R', parameter: kind === 'ec2' ? 'InstanceType' : 'InstanceClass', value, ...extra },
});

describe('askOfferings', () => {
  const zones = { AvailabilityZones: ['eu-west-1c', 'eu-west-1a', 'eu-west-1b'].map((ZoneName) => ({ ZoneName })) };
  const offering = (InstanceType: string, Location: string) => ({ InstanceType, Location });

  test('one EC2 call for every type, one RDS call per engine and class; the network zones judge', async () => {
    const { c, calls } = clients((name, input) => {
      if (name === 'DescribeAvailabilityZonesCommand') return zones;
      if (name === 'DescribeInstanceTypeOfferingsCommand') {
        if (input.Filters[0].Name === 'location')
          return { InstanceTypeOfferings: [offering('m6i.large', 'eu-west-1a'), offering('m6i.large', 'eu-west-1b')] };
        return {
          InstanceTypeOfferings: [
            offering('t3.micro', 'eu-west-1a'),
            offering('t3.micro', 'eu-west-1b'),
            offering('m7i.large', 'eu-west-1a'),
          ],
        };
      }
      return { OrderableDBInstanceOptions: [{ DBInstanceClass: input.DBInstanceClass, EngineVersion: '17.4' }] };
    });
    const checks = await askOfferings(
      c,
      [
        ask('a', 'ec2', 't3.micro'),
        ask('b', 'ec2', 't3.micro'),
        ask('b', 'ec2', 'm7i.large'),
        ask('c', 'rds', 'db.r7g.large', { engine: 'aurora-postgresql', engineVersion: '17' }),
        ask('d', 'rds', 'db.r7g.large', { engine: 'aurora-postgresql', engineVersion: '17' }),
      ],
      2,
    );
    expect(checks.map((x) => [x.stack, x.value, x.offered])).toEqual([
      ['a', 't3.micro', true],
      ['b', 't3.micro', true],
      ['b', 'm7i.large', false],
      ['c', 'db.r7g.large', true],
      ['d', 'db.r7g.large', true],
    ]);
    expect(checks[2]).toEqual(
      expect.objectContaining({ where: 'eu-west-1 zones eu-west-1a, eu-west-1b', alternatives: ['m6i.large'] }),
    );
    expect(describeOffering({ ...checks[2]!, field: 'eksCluster.nodeInstanceTypes' })).toBe(
      'eksCluster.nodeInstanceTypes = m7i.large: not offered in eu-west-1 zones eu-west-1a, eu-west-1b (b); offered there: m6i.large',
    );
    expect(calls.map((x) => x.name).sort()).toEqual([
      'DescribeAvailabilityZonesCommand',
      'DescribeInstanceTypeOfferingsCommand', // the question, every type at once
      'DescribeInstanceTypeOfferingsCommand', // the alternatives, for the one not offered
      'DescribeOrderableDBInstanceOptionsCommand',
    ]);
    expect(calls.find((x) => x.name === 'DescribeInstanceTypeOfferingsCommand')!.input).toEqual({
      LocationType: 'availability-zone',
      Filters: [{ Name: 'instance-type', Values: ['t3.micro', 'm7i.large'] }],
    });
  });

  test('no network in the run: the region is asked', async () => {
    const { c, calls } = clients(() => ({ InstanceTypeOfferings: [offering('t3.micro', 'eu-west-1')] }));
    const [check] = await askOfferings(c, [ask('a', 'ec2', 't3.micro')]);
    expect(check).toEqual(expect.objectContaining({ offered: true, where: 'eu-west-1' }));
    expect(calls.map((x) => x.input.LocationType)).toEqual(['region']);
  });

  test('a class offered only for other versions is not offered; the alternatives are for the version asked', async () => {
    const { c } = clients((_name, input) => ({
      OrderableDBInstanceOptions: input.DBInstanceClass
        ? [{ DBInstanceClass: 'db.r5.large', EngineVersion: '15.12' }]
        : [
            { DBInstanceClass: 'db.r5.large', EngineVersion: '15.12' },
            { DBInstanceClass: 'db.r6g.large', EngineVersion: '17.4' },
          ],
    }));
    const [check] = await askOfferings(c, [
      ask('a', 'rds', 'db.r5.large', { engine: 'aurora-postgresql', engineVersion: '17' }),
    ]);
    expect(check).toEqual(expect.objectContaining({ offered: false, alternatives: ['db.r6g.large'] }));
  });

  test('no answer (AccessDenied) is "not checked", never a refusal', async () => {
    const denied = Object.assign(new Error('not authorized to perform ec2:DescribeInstanceTypeOfferings'), {
      name: 'UnauthorizedOperation',
    });
    const { c } = clients(() => {
      throw denied;
    });
    const checks = await askOfferings(
      c,
      [ask('a', 'ec2', 't3.micro'), ask('b', 'rds', 'db.t4g.medium', { engine: 'docdb' })],
      2,
    );
    expect(checks.map((x) => x.offered)).toEqual([undefined, undefined]);
    expect(checks[0]!.unchecked).toMatch(/^UnauthorizedOperation: not authorized/);
    expect(describeOffering(checks[0]!)).toMatch(
      /^a parameter InstanceType = t3\.micro: not checked in eu-west-1 \(UnauthorizedOperation: not authorized/,
    );
  });

  test('nothing asked, nothing called', async () => {
    const { c, calls } = clients(() => ({}));
    expect(await askOfferings(c, [])).toEqual([]);
    expect(calls).toEqual([]);
  });
});
