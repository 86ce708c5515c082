/**
 * `listExports`, the one place the tool lists the account's exports (deploy's check of what a run
 * imports, the wizard's look for an existing environment), reads every page. Against the emulator,
 * through the tool's own client factory: the emulator, like CloudFormation, answers ListExports
 * in pages of 100, so 130 exports take two pages.
 */
import { CreateStackCommand, ListExportsCommand, waitUntilStackCreateComplete } from '@aws-sdk/client-cloudformation';
import { createClients, type AwsClients } from '../../src/aws/clients';
import { listExports } from '../../src/deploy/exports';
import { EMULATOR_CREDENTIALS, EMULATOR_REGION, startEmulator, type Emulator } from '../helpers/emulator';

let emu: Emulator;
let clients: AwsClients;

/** A stack with one parameter resource and `count` exported outputs named `${name}-NNN`. */
function exportingTemplate(name: string, count: number): string {
  const outputs = Object.fromEntries(
    Array.from({ length: count }, (_v, i) => {
      const id = String(i).padStart(3, '0');
      return [`Out${id}`, { Value: `${name}-value-${id}`, Export: { Name: `${name}-${id}` } }];
    }),
  );
  return JSON.stringify({
    Resources: {
      Marker: {
        Type: 'AWS::SSM::Parameter',
        Properties: { Name: `/list-exports-test/${name}`, Type: 'String', Value: name },
      },
    },
    Outputs: outputs,
  });
}

beforeAll(async () => {
  emu = await startEmulator();
  clients = createClients({ endpointUrl: emu.endpoint, region: EMULATOR_REGION, credentials: EMULATOR_CREDENTIALS });
  for (const [name, count] of [
    ['pages-a', 70],
    ['pages-b', 60],
  ] as const) {
    await clients.cloudFormation.send(
      new CreateStackCommand({ StackName: name, TemplateBody: exportingTemplate(name, count) }),
    );
    await waitUntilStackCreateComplete(
      { client: clients.cloudFormation, maxWaitTime: 60, minDelay: 1, maxDelay: 1 },
      { StackName: name },
    );
  }
}, 90_000);

afterAll(async () => {
  clients?.destroy();
  await emu?.stop();
});

test('the emulator pages ListExports (100 a page), as CloudFormation does', async () => {
  const first = await clients.cloudFormation.send(new ListExportsCommand({}));
  expect(first.Exports).toHaveLength(100);
  expect(first.NextToken).toEqual(expect.any(String));
});

test('listExports reads every page: all 130 exports, each once, with its value and stack', async () => {
  const exports = await listExports(clients.cloudFormation);
  const names = exports.map((e) => e.Name);
  expect(names).toHaveLength(130);
  expect(new Set(names).size).toBe(130);
  for (const [name, count] of [
    ['pages-a', 70],
    ['pages-b', 60],
  ] as const) {
    const last = String(count - 1).padStart(3, '0');
    expect(exports.find((e) => e.Name === `${name}-${last}`)).toMatchObject({
      Value: `${name}-value-${last}`,
      ExportingStackId: expect.stringContaining(`:stack/${name}/`),
    });
  }
});
