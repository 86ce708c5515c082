/**
 * From `--app A [--extra SUFFIX]` to the stacks that make the app: its load balancer stack (31,
 * which holds the configuration secret) and its service stacks (32, and 91 per extra). Names come
 * from the environment's plan, the same place `deploy` takes them from, so the two never disagree.
 * Pure: the plan in, stacks or a usage error out.
 */
import type { PlannedStack } from '../../stages/plan';
import { OpsError } from './errors';

/** The stacks of one app. */
export interface AppStacks {
  app: string;
  loadBalancer?: PlannedStack;
  /** The main service (32), when the app has one. */
  service?: PlannedStack;
  /** Extra services (91) by suffix. */
  extras: Map<string, PlannedStack>;
}

/** Every app of the plan, in params-file order. */
export function appNames(all: PlannedStack[]): string[] {
  return [...new Set(all.filter((s) => s.app).map((s) => s.app!))];
}

/** The app's stacks; a usage error naming the apps there are when `app` is not one of them. */
export function appStacks(all: PlannedStack[], app: string | undefined, file: string): AppStacks {
  const names = appNames(all);
  if (!app)
    throw new OpsError(
      'UnknownTarget',
      '--app NAME is required',
      names.length ? `apps in ${file}: ${names.join(', ')}` : `${file} has no apps`,
    );
  if (!names.includes(app)) {
    throw new OpsError(
      'UnknownTarget',
      `no app "${app}" in ${file}`,
      names.length ? `apps in ${file}: ${names.join(', ')}` : `${file} has no apps (add one under apps:)`,
    );
  }
  const mine = all.filter((s) => s.app === app);
  return {
    app,
    loadBalancer: mine.find((s) => s.stage === 'loadBalancer'),
    service: mine.find((s) => s.stage === 'service'),
    extras: new Map(mine.filter((s) => s.stage === 'extra').map((s) => [s.parameters.Suffix ?? '', s])),
  };
}

/** The service stack `--extra` picks (or the main service): a usage error naming the choices. */
export function serviceStack(stacks: AppStacks, extra: string | undefined, file: string): PlannedStack {
  const suffixes = [...stacks.extras.keys()];
  if (extra !== undefined) {
    const found = stacks.extras.get(extra);
    if (found) return found;
    throw new OpsError(
      'UnknownTarget',
      `app ${stacks.app} has no extra service "${extra}" in ${file}`,
      suffixes.length
        ? `its extra services: ${suffixes.join(', ')}`
        : `it has no extra services; leave out --extra for its main service`,
    );
  }
  if (stacks.service) return stacks.service;
  throw new OpsError(
    'UnknownTarget',
    `app ${stacks.app} has no main service in ${file} (no service: section)`,
    suffixes.length
      ? `pick one of its extra services with --extra ${suffixes.join('|')}`
      : 'add a service: section to the app and deploy it',
  );
}

/** Every service stack of the environment (32 and 91), in plan order. */
export function allServiceStacks(all: PlannedStack[]): PlannedStack[] {
  return all.filter((s) => s.stage === 'service' || s.stage === 'extra');
}
