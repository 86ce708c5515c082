/**
 * Where a service's container image comes from, and what the execution role needs to pull it.
 *
 * Two forms, chosen when the template is built:
 * - `parameter` (the published template): the project's ECR repository by name and tag, or any
 *   public image (a `PublicImage` parameter, which wins when set). The ECR image URI and ARN are
 *   built from the account, region and repository name (the values 21 exports), NOT imported:
 *   CloudFormation documents no guarantee that an `Fn::ImportValue` in the unused branch of an
 *   `Fn::If` is skipped, and an import of a missing export fails the whole stack ("No export
 *   named ... found"), so a public-image app would need an ECR stack it does not use. Building
 *   the name avoids that for every parameter value.
 * - `ecr` (what the deployer builds for an app whose image is in the project's repository): the
 *   URI and ARN are imported from 21's contracts, unconditionally, so the deployer orders 21
 *   before the service and CloudFormation refuses to delete a repository a service still uses.
 */
import { Fn, sub, type IntrinsicFunction, type PolicyStatement, type Value } from '../kit/cf';
import type { TemplateBuilder } from '../kit/builder';
import { EcrRepo } from '../contracts';
import { allow } from '../kit/iam';
import { Patterns, StdParam } from '../kit/names';
import { either, notEmpty, onlyIf } from './cfn';

/** How the template refers to the image: see the module comment. */
export type ImageSource = 'parameter' | 'ecr';

export interface ServiceImage {
  /** The image reference for the container definition. */
  image: Value<string>;
  /** Execution-role statements that let ECS pull it (none for a public image). */
  pullStatements: PolicyStatement[];
}

const GROUP = 'Image';
const ECR_PULL = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];

/** ecr:GetAuthorizationToken has no resource to scope to: AWS requires "*" for it. */
const ecrLogin = (): PolicyStatement => allow(['ecr:GetAuthorizationToken'], '*');

/**
 * The parameter that names the tag to run, and Docker's rule for a tag: `provision release`
 * changes this one parameter and checks a tag by this rule before any AWS call.
 */
export const ImageTag = {
  parameter: 'ImageTag',
  pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$',
  message: 'a Docker tag: letters, digits, "_", "." and "-", at most 128',
} as const;

function imageTag(t: TemplateBuilder<'application'>): IntrinsicFunction {
  return t.param(ImageTag.parameter, {
    Type: 'String',
    Default: 'initial',
    AllowedPattern: ImageTag.pattern,
    ConstraintDescription: ImageTag.message,
    label: 'Image tag',
    group: GROUP,
    Description:
      'The tag to run from the ECR repository (e.g. "initial" for the first, seeded image; `provision release` changes it).',
  });
}

/** Declares the image parameters and returns the image and the pull permissions. */
export function serviceImage(t: TemplateBuilder<'application'>, source: ImageSource): ServiceImage {
  return source === 'ecr' ? ecrImage(t) : parameterImage(t);
}

function ecrImage(t: TemplateBuilder<'application'>): ServiceImage {
  const rule = Patterns.RepositoryName;
  // Declared before t.import: importing a project contract needs the RepositoryName parameter.
  t.param(StdParam.RepositoryName, {
    Type: 'String',
    AllowedPattern: rule.pattern,
    MinLength: rule.minLength,
    MaxLength: rule.maxLength,
    ConstraintDescription: rule.message,
    label: 'Image repository name (e.g. "acme-web")',
    group: GROUP,
    Description: "The project's ECR repository (made by 21.project-ecr-image-repo).",
  });
  const tag = imageTag(t);
  const uri = t.import(EcrRepo.RepositoryUri);
  const arn = t.import(EcrRepo.RepositoryArn);
  return { image: Fn.Join(':', [uri, tag]), pullStatements: [ecrLogin(), allow(ECR_PULL, [arn])] };
}

function parameterImage(t: TemplateBuilder<'application'>): ServiceImage {
  const rule = Patterns.RepositoryName;
  const repo = t.param(StdParam.RepositoryName, {
    Type: 'String',
    Default: '',
    AllowedPattern: `^$|${rule.pattern}`,
    MaxLength: rule.maxLength,
    ConstraintDescription: `empty (public image), or ${rule.message}`,
    label: 'Image repository name (e.g. "acme-web")',
    group: GROUP,
    Description:
      "The project's ECR repository in this account and region (made by 21.project-ecr-image-repo). Leave empty when PublicImage is set.",
  });
  imageTag(t); // used by name in the ECR URI below
  const publicImage = t.param('PublicImage', {
    Type: 'String',
    Default: '',
    AllowedPattern: '^$|^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})?$',
    MaxLength: 255,
    ConstraintDescription: 'empty, or an image reference such as "nginx:1.27" or "public.ecr.aws/org/app:tag"',
    label: 'Public image (optional)',
    group: GROUP,
    Description:
      'An image from a public registry (Docker Hub, public.ecr.aws, ghcr.io...). When set it is used instead of the ECR repository.',
  });
  const usePublic = t.condition('UsePublicImage', notEmpty(publicImage));
  const useEcr = t.condition('UseEcrImage', Fn.Not({ Condition: usePublic }));
  t.rule('ImageIsGiven', {
    Assertions: [
      {
        Assert: Fn.Or([notEmpty(repo), notEmpty(publicImage)]),
        AssertDescription: 'Give RepositoryName (and ImageTag) or PublicImage.',
      },
    ],
  });
  const ecrUri = sub('${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/${RepositoryName}:${ImageTag}');
  const repoArn = sub('arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/${RepositoryName}');
  return {
    image: either<IntrinsicFunction>(usePublic, publicImage, ecrUri),
    pullStatements: [onlyIf(useEcr, ecrLogin()), onlyIf(useEcr, allow(ECR_PULL, [repoArn]))],
  };
}
