/**
 * One change set line as a plan line (src/deploy/change-set.ts toResourceChange): the properties
 * that cause it, and the template parameters behind it (ParameterReference details), which let a
 * refusal name the params-file field.
 */
import type { Change } from '@aws-sdk/client-cloudformation';
import { toResourceChange } from '../../src/deploy/change-set';

const line: Change = {
  Type: 'Resource',
  ResourceChange: {
    Action: 'Modify',
    LogicalResourceId: 'Cluster',
    ResourceType: 'AWS::RDS::DBCluster',
    Replacement: 'True',
    Details: [
      {
        Target: { Attribute: 'Properties', Name: 'DatabaseName', RequiresRecreation: 'Always' },
        ChangeSource: 'DirectModification',
      },
      {
        Target: { Attribute: 'Properties', Name: 'DatabaseName', RequiresRecreation: 'Always' },
        ChangeSource: 'ParameterReference',
        CausingEntity: 'DatabaseName',
      },
      { Target: { Attribute: 'Tags' }, ChangeSource: 'DirectModification' },
    ],
  },
};

it('gives the properties behind a line and the parameters that cause it', () => {
  expect(toResourceChange(line)).toEqual([
    expect.objectContaining({
      action: 'Modify',
      replacement: 'always',
      causes: ['DatabaseName', 'Tags'],
      parameters: ['DatabaseName'],
    }),
  ]);
});

it('names no parameter when none is the cause', () => {
  const direct = { ...line, ResourceChange: { ...line.ResourceChange, Details: [line.ResourceChange!.Details![0]!] } };
  expect(toResourceChange(direct)[0]).not.toHaveProperty('parameters');
});
