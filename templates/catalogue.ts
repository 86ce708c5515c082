/**
 * The template catalogue: every numbered template and its builder, in number order. `provision
 * synth` publishes exactly this list; the stage catalogue (stages/) adds options and stack names.
 */
import type { BuiltTemplate } from './kit/builder';
import type { TemplateIdValue } from './kit/ids';
import type { LinkSpec } from './kit/links';
import { buildNetwork } from './network';
import { buildJumpboxes } from './jumpboxes';
import { buildEcsCluster } from './ecsCluster';
import { buildEksCluster } from './eksCluster';
import { buildEcrRepo } from './ecrRepo';

export interface CatalogueEntry {
  id: TemplateIdValue;
  /**
   * Builds the template. With no options: the published form. Services (32, 91) also take the
   * links to their application's data stores, which the deployer passes per stack.
   */
  build: (options?: { links?: LinkSpec[] }) => BuiltTemplate;
}

export const catalogue: CatalogueEntry[] = [
  { id: '11.env-network', build: buildNetwork },
  { id: '12.env-jumpboxes', build: buildJumpboxes },
  { id: '13.env-ecs-cluster', build: buildEcsCluster },
  { id: '14.env-eks-cluster', build: buildEksCluster },
  { id: '21.project-ecr-image-repo', build: buildEcrRepo },
  // 31, 32, 91: application templates
  // 41-46: data stores
];

/** The published file name of a template. */
export function fileName(id: TemplateIdValue): string {
  return `${id}.cf`;
}
