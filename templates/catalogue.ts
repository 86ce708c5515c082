/**
 * The template catalogue: every numbered template and its builder, in number order. `provision
 * synth` publishes exactly this list; the stage catalogue (stages/) adds options and stack names.
 */
import type { BuiltTemplate } from './kit/builder';
import type { TemplateIdValue } from './kit/ids';
import { buildNetwork } from './network';

export interface CatalogueEntry {
  id: TemplateIdValue;
  /** Builds the published (default) form of the template. */
  build: () => BuiltTemplate;
}

export const catalogue: CatalogueEntry[] = [
  { id: '11.env-network', build: buildNetwork },
  // 12, 13, 14, 21: environment and project templates
  // 31, 32, 91: application templates
  // 41-46: data stores
];

/** The published file name of a template. */
export function fileName(id: TemplateIdValue): string {
  return `${id}.cf`;
}
