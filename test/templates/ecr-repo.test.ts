/** 21.project-ecr-image-repo: scanned, pruned, encrypted, immutable by default, never deleted. */
import { EcrRepo } from '../../templates/contracts';
import { buildEcrRepo } from '../../templates/ecrRepo';
import { json, ofType, resource } from '../helpers/templates';

const built = buildEcrRepo();
const t = json(built);
const repo = resource(t, 'Repository');

test('is a project template: its own standard parameters, no environment', () => {
  expect(built.scope).toBe('project');
  expect(t.Parameters.Prefix).toBeUndefined();
  expect(t.Parameters.EnvironmentName).toBeUndefined();
  expect(t.Parameters.RepositoryName).toBeDefined();
  expect(repo.Properties.RepositoryName).toEqual({ Ref: 'RepositoryName' });
  expect(t.Metadata['cfn-stages'].StackName).toBe('ecr-{RepositoryName}');
  expect(ofType(t, 'AWS::ECR::Repository')).toHaveLength(1);
});

test('images are scanned on push', () => {
  expect(repo.Properties.ImageScanningConfiguration).toEqual({ ScanOnPush: true });
});

test('tag immutability is a parameter, IMMUTABLE by default', () => {
  expect(repo.Properties.ImageTagMutability).toEqual({ Ref: 'ImageTagMutability' });
  expect(t.Parameters.ImageTagMutability).toMatchObject({
    Default: 'IMMUTABLE',
    AllowedValues: ['IMMUTABLE', 'MUTABLE'],
  });
});

test('encrypted with KMS', () => {
  expect(repo.Properties.EncryptionConfiguration.EncryptionType).toBe('KMS');
});

test('retained on stack deletion and on replacement', () => {
  expect(repo.DeletionPolicy).toBe('RetainExceptOnCreate');
  expect(repo.UpdateReplacePolicy).toBe('Retain');
  expect(repo.Properties.EmptyOnDelete).toBeUndefined();
});

describe('lifecycle policy', () => {
  /** The policy ECR would receive for given parameter values. */
  const policyFor = (keep: number, days: number) =>
    JSON.parse(
      repo.Properties.LifecyclePolicy.LifecyclePolicyText['Fn::Sub']
        .replace('${KeepImages}', String(keep))
        .replace('${UntaggedImageDays}', String(days)),
    );

  test('expires untagged images after UntaggedImageDays, then keeps the newest KeepImages', () => {
    const { rules } = policyFor(30, 3);
    expect(rules).toEqual([
      expect.objectContaining({
        rulePriority: 1,
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 3 },
        action: { type: 'expire' },
      }),
      expect.objectContaining({
        rulePriority: 2,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 30 },
        action: { type: 'expire' },
      }),
    ]);
  });

  test('the "any" rule has the highest priority number, as ECR requires', () => {
    const { rules } = policyFor(5, 1);
    const any = rules.find((r: any) => r.selection.tagStatus === 'any');
    expect(any.rulePriority).toBe(Math.max(...rules.map((r: any) => r.rulePriority)));
  });

  test('counts are parameters: 30 images kept and untagged gone after a few days by default', () => {
    expect(t.Parameters.KeepImages).toMatchObject({ Type: 'Number', Default: 30, MinValue: 1 });
    expect(t.Parameters.UntaggedImageDays.Default).toBeLessThanOrEqual(7);
  });
});

test('exports the repository ARN and URI under ecr-<RepositoryName>-', () => {
  expect(built.exports).toEqual([EcrRepo.RepositoryArn, EcrRepo.RepositoryUri]);
  expect(t.Outputs!.RepositoryArn).toMatchObject({
    Value: { 'Fn::GetAtt': ['Repository', 'Arn'] },
    Export: { Name: { 'Fn::Sub': 'ecr-${RepositoryName}-RepositoryArn' } },
  });
  expect(t.Outputs!.RepositoryUri).toMatchObject({
    Value: { 'Fn::GetAtt': ['Repository', 'RepositoryUri'] },
    Export: { Name: { 'Fn::Sub': 'ecr-${RepositoryName}-RepositoryUri' } },
  });
});
