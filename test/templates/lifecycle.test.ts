/**
 * What a destroy leaves behind and what a re-create then meets, for every catalogue template:
 * - a kept resource never carries a fixed name the tool made up, so the same stack can be created
 *   again after a destroy (the ECR repository's name and a bucket name the user gives are the
 *   user's contract: a re-create adopts those, see src/deploy/adopt.ts);
 * - kept means `RetainExceptOnCreate`: a first creation that fails leaves nothing behind;
 * - a KMS key is kept exactly when something kept (retained, or a final snapshot) is encrypted
 *   with it; otherwise it is scheduled for deletion with its stack, after AWS's shortest window.
 */
import { allTemplates, type JsonResource } from '../helpers/templates';

const templates = allTemplates();
const KEPT = ['Retain', 'RetainExceptOnCreate', 'Snapshot'];

/** The properties that give each kept type its physical name. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::SQS::Queue': 'QueueName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::ECR::Repository': 'RepositoryName',
};

const STACK_ID = JSON.stringify({ Ref: 'AWS::StackId' });

function refersTo(resource: JsonResource, logicalId: string): boolean {
  const text = JSON.stringify(resource);
  return (
    text.includes(JSON.stringify({ 'Fn::GetAtt': [logicalId, 'Arn'] })) ||
    text.includes(JSON.stringify({ Ref: logicalId })) ||
    text.includes(`\${${logicalId}.Arn}`)
  );
}

describe.each(templates.map((t) => [t.id, t.json] as const))('%s', (_id, json) => {
  const resources = Object.entries(json.Resources);

  test('nothing is kept with a plain Retain: a failed first creation deletes what it made', () => {
    for (const [rid, r] of resources) expect({ rid, policy: r.DeletionPolicy }).not.toEqual({ rid, policy: 'Retain' });
  });

  test('a kept resource has no fixed name the tool made up', () => {
    for (const [rid, r] of resources.filter(([, r]) => KEPT.includes(r.DeletionPolicy ?? ''))) {
      const nameProperty = NAME_PROPERTY[r.Type];
      const name = nameProperty ? r.Properties?.[nameProperty] : undefined;
      if (name === undefined) continue;
      if (r.Type === 'AWS::ECR::Repository') expect(name).toEqual({ Ref: 'RepositoryName' });
      else if (r.Type === 'AWS::S3::Bucket')
        expect(name).toEqual({ 'Fn::If': ['HasBucketName', { Ref: 'BucketName' }, { Ref: 'AWS::NoValue' }] });
      else
        expect({ rid, uniquePerCreation: JSON.stringify(name).includes(STACK_ID) }).toEqual({
          rid,
          uniquePerCreation: true,
        });
    }
  });

  test('a KMS key is kept exactly when kept data is encrypted with it; otherwise it goes with the stack after 7 days', () => {
    for (const [keyId, key] of resources.filter(([, r]) => r.Type === 'AWS::KMS::Key')) {
      const keptUsers = resources
        .filter(([rid, r]) => rid !== keyId && KEPT.includes(r.DeletionPolicy ?? '') && refersTo(r, keyId))
        .map(([rid]) => rid);
      expect({
        keyId,
        keptUsers: keptUsers.length > 0,
        policy: key.DeletionPolicy,
        window: key.Properties.PendingWindowInDays,
      }).toEqual({
        keyId,
        keptUsers: keptUsers.length > 0,
        policy: keptUsers.length ? 'RetainExceptOnCreate' : 'Delete',
        window: 7,
      });
    }
  });
});

test('the keys that go with their stack are the ones whose data goes too', () => {
  const deleted = templates.flatMap(({ id, json }) =>
    Object.entries(json.Resources)
      .filter(([, r]) => r.Type === 'AWS::KMS::Key' && r.DeletionPolicy === 'Delete')
      .map(([rid]) => `${id}/${rid}`),
  );
  expect(deleted.sort()).toEqual([
    '11.env-network/LogsKey',
    '14.env-eks-cluster/LogsKey',
    '14.env-eks-cluster/SecretsKey',
    '33.app-alarms/TopicKey',
    '46.data-sns-topic/Key',
  ]);
});
