/**
 * An app's alarms stack (33.app-alarms) in a plan: whether it has one, and the parameters the
 * deployer takes from the rest of the app (not offered as options): the load balancer's traffic
 * type, and the app's data stores, which its template is built for (each database, cache and
 * queue gets its alarms, by name).
 *
 * Every app with a service gets one, with the defaults when `alarms:` is absent: watching an app is
 * the default, and `alarms: { enabled: false }` is the way out. An app without a service has no
 * alarms stack (most of what 33 watches is the service and what serves it).
 */
import type { z } from 'zod';
import { PORT_PROTOCOL_PARAM, type AlarmOptions } from '../templates/appAlarms';
import { optionName } from './options';

/** The parts of an app the alarms stack reads (the params file's shape). */
export interface AlarmedApp {
  service?: unknown;
  loadBalancer?: Record<string, unknown>;
  data?: { kind: string; name: string }[];
  alarms?: { enabled?: boolean } & Record<string, unknown>;
}

/** What the plan needs for one app's alarms stack. */
export interface AlarmsDraft {
  /** The stack's options (thresholds), from `alarms:`. */
  options: Record<string, unknown>;
  /** The structural parameter: the load balancer's traffic type. */
  parameters: Record<string, string>;
  /** Where it comes from in the params file. */
  fields: Record<string, string>;
  /** The template is built for the app's own data stores. */
  build: AlarmOptions;
}

/** The alarms stack of app `app` (at `apps[i]`), or undefined when it has none. */
export function alarmsDraft(app: AlarmedApp, at: string): AlarmsDraft | undefined {
  if (!app.service || app.alarms?.enabled === false) return undefined;
  const { enabled: _enabled, ...options } = app.alarms ?? {};
  const protocol = optionName(PORT_PROTOCOL_PARAM);
  return {
    options,
    parameters: { [PORT_PROTOCOL_PARAM]: String(app.loadBalancer?.[protocol] ?? 'HTTP') },
    fields: { [PORT_PROTOCOL_PARAM]: `${at}.loadBalancer.${protocol}` },
    build: { stores: (app.data ?? []).map(({ kind, name }) => ({ kind, name })) },
  };
}

/** `apps[].alarms` besides the thresholds: the way to go without the stack (zod given: see CatalogueRow). */
export function alarmsFields(zod: typeof z): Record<string, z.ZodType> {
  return {
    enabled: zod
      .boolean()
      .optional()
      .describe('false: no alarms stack for this app (an app with a service gets one by default)'),
  };
}
