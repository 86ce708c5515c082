/**
 * 21.project-ecr-image-repo: one ECR repository per project, shared by every environment, so the
 * image tested in dev is byte for byte the one that runs in prod. Images are scanned on push,
 * old images expire by a lifecycle policy, and the repository survives stack deletion and
 * replacement (its images are the project's releases).
 *
 * Encryption: KMS with the AWS-managed key (`aws/ecr`), not a customer key. The repository is
 * shared by environments that may live in other accounts; with the AWS-managed key a pull needs
 * only the repository policy, while a customer key would add a key policy to keep in step with
 * every puller and a monthly key charge per repository. ECR's encryption settings cannot be
 * changed after creation, so this is decided here once. checkov's CKV_AWS_136 asks for KMS, which
 * this is.
 */
import { ECR } from './kit/resources';
import { EcrRepo } from './contracts';
import { TemplateBuilder, type BuiltTemplate, type TemplateIdentity } from './kit/builder';
import { Fn, keep, sub } from './kit/cf';

/**
 * The lifecycle policy, as ECR takes it (a JSON string). Untagged images (left behind when a tag
 * moves, or by failed pushes) go first; then only the newest `KeepImages` images stay. A rule
 * on "any" tag status must have the highest priority number, so it comes last.
 */
export function lifecyclePolicyText(): string {
  const rules = [
    {
      rulePriority: 1,
      description: 'Expire untagged images after UntaggedImageDays days',
      selection: {
        tagStatus: 'untagged',
        countType: 'sinceImagePushed',
        countUnit: 'days',
        countNumber: '${UntaggedImageDays}',
      },
      action: { type: 'expire' },
    },
    {
      rulePriority: 2,
      description: 'Keep only the newest KeepImages images',
      selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: '${KeepImages}' },
      action: { type: 'expire' },
    },
  ];
  // The numbers are parameters: substitute them unquoted, so ECR reads JSON numbers.
  return JSON.stringify({ rules }).replace(/"(\$\{[A-Za-z]+\})"/g, '$1');
}

/** Who 21 is (its id, scope and stack-name rule), shared by its catalogue row and its builder. */
export const EcrRepoTemplate: TemplateIdentity<'project'> = {
  id: '21.project-ecr-image-repo',
  scope: 'project',
  stackSuffix: '',
};

export function buildEcrRepo(): BuiltTemplate {
  const t = new TemplateBuilder({
    ...EcrRepoTemplate,
    description:
      'ECR image repository for a project (shared by all environments): scan on push, lifecycle policy, KMS encryption, retained on delete',
    group: 'Image repository',
  });

  const mutability = t.param('ImageTagMutability', {
    Type: 'String',
    Default: 'IMMUTABLE',
    AllowedValues: ['IMMUTABLE', 'MUTABLE'],
    Description:
      'IMMUTABLE stops a pushed tag from being overwritten, so a version always names the same image in every environment. MUTABLE allows moving tags such as "latest".',
    label: 'Tag mutability',
  });
  t.param('KeepImages', {
    Type: 'Number',
    Default: 30,
    MinValue: 1,
    MaxValue: 1000,
    Description:
      'How many of the newest images to keep; older ones expire. Keep enough to roll back every environment to the version it runs.',
    label: 'Images to keep',
  });
  t.param('UntaggedImageDays', {
    Type: 'Number',
    Default: 3,
    MinValue: 1,
    MaxValue: 365,
    Description: 'Days after which untagged images (replaced tags, interrupted pushes) expire.',
    label: 'Untagged image expiry (days)',
  });

  const repo = t.add(
    'Repository',
    keep(
      new ECR.Repository({
        RepositoryName: Fn.Ref('RepositoryName'),
        ImageTagMutability: mutability,
        ImageScanningConfiguration: { ScanOnPush: true },
        EncryptionConfiguration: { EncryptionType: 'KMS' },
        LifecyclePolicy: { LifecyclePolicyText: sub(lifecyclePolicyText()) },
        Tags: t.tags(),
      }),
    ),
  );

  t.export(EcrRepo.RepositoryArn, repo.att('Arn'));
  t.export(EcrRepo.RepositoryUri, repo.att('RepositoryUri'));
  return t.build();
}
