/**
 * ECS Exec in 32 and 91 (what `provision exec` needs): off by default, and when on, the task
 * role gets exactly the agent's channels and the session logging into the app's own log group.
 */
import { buildEcsService } from '../../templates/ecsService';
import { buildExtraService } from '../../templates/extraService';
import { iamStatements, json, resource, type JsonTemplate } from '../helpers/templates';

const app = (key: string) => ({
  'Fn::ImportValue': { 'Fn::Sub': `\${Prefix}\${EnvironmentName}-\${ApplicationName}-${key}` },
});
const appLogGroup = {
  'Fn::Sub': [
    'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${LogGroup}:*',
    { LogGroup: app('LogGroupName') },
  ],
};

/** The task role's statements that exist only with ECS Exec on. */
function execStatements(t: JsonTemplate): any[] {
  return iamStatements(t)
    .filter((s) => s.where === 'TaskRole' && s.statement['Fn::If']?.[0] === 'ExecEnabled')
    .map((s) => s.statement['Fn::If'][1]);
}

describe.each([
  ['32.app-ecs-service', json(buildEcsService())],
  ['91.extra-service', json(buildExtraService())],
])('%s', (_name, t) => {
  test('ECS Exec is off unless EnableExecuteCommand is true (a setting; the service follows it)', () => {
    expect(t.Parameters.EnableExecuteCommand).toMatchObject({ Default: 'false', AllowedValues: ['false', 'true'] });
    expect(resource(t, 'Service').Properties.EnableExecuteCommand).toEqual({ 'Fn::If': ['ExecEnabled', true, false] });
  });

  test("with exec on: the agent channels, and session logging only into the app's log group", () => {
    const byAction = new Map(execStatements(t).flatMap((s) => [].concat(s.Action).map((a: string) => [a, s.Resource])));
    expect([...byAction.keys()].sort()).toEqual([
      'logs:CreateLogStream',
      'logs:DescribeLogGroups',
      'logs:DescribeLogStreams',
      'logs:PutLogEvents',
      'ssmmessages:CreateControlChannel',
      'ssmmessages:CreateDataChannel',
      'ssmmessages:OpenControlChannel',
      'ssmmessages:OpenDataChannel',
    ]);
    for (const a of ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'])
      expect(byAction.get(a)).toEqual([appLogGroup]);
    // The agent looks its group up by name: a list, within this account and region only.
    expect(byAction.get('logs:DescribeLogGroups')).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*' },
    ]);
  });
});
