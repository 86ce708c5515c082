/**
 * Template ids. An id is `NN.name`: its number is the coarse deploy order (1x environment, 2x
 * project, 3x application, 4x data, 9x extras) and the id is also the published file name without
 * `.cf`. Published names are a contract (people bookmark the URLs), so an id never changes. Each
 * template module declares its own id (its `TemplateIdentity`, see kit/builder.ts); the catalogue
 * (stages/catalogue.ts) lists them: there is no table of ids to keep in step.
 */

/** `11.env-network`, `32.app-ecs-service`... */
export type TemplateId = `${number}.${string}`;

/** Whether a string read from elsewhere (a deployed stack's tag) has the form of an id. */
export function isTemplateId(s: string): s is TemplateId {
  return /^\d+\.[a-z0-9-]+$/.test(s);
}

/** The number at the front of an id: 11, 21, 32... (the coarse deploy order). */
export function templateNumber(id: TemplateId): number {
  return Number(id.split('.')[0]);
}

/** The published file name of a template: `11.env-network.cf`. */
export function fileName(id: TemplateId): string {
  return `${id}.cf`;
}
