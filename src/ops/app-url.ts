/**
 * Each app's public URL, as `outputs` and `status` show it: its load balancer's `AppUrl` output
 * (31), `https://host/path` for an app with a publicUri; without one the load balancer's own name,
 * which is HTTP only (no certificate), and the commands say so.
 */
import type { StageKey } from '../../stages/catalogue';
import { APP_URL_OUTPUT } from '../../templates/loadBalancer';

export interface AppUrl {
  app: string;
  url: string;
  /** No publicUri: served over plain HTTP on the load balancer's name. */
  httpOnly: boolean;
}

/** The URL of every app whose load balancer stack is deployed, from the stacks' outputs by stack name. */
export function appUrls(
  stacks: { name: string; stage: StageKey; app?: string }[],
  outputsByStack: Record<string, Record<string, string> | undefined>,
): AppUrl[] {
  return stacks
    .filter((s) => s.stage === 'loadBalancer' && outputsByStack[s.name]?.[APP_URL_OUTPUT])
    .map((s) => {
      const url = outputsByStack[s.name]![APP_URL_OUTPUT]!;
      return { app: s.app ?? s.name, url, httpOnly: url.startsWith('http://') };
    });
}

/** The note beside an HTTP-only URL. */
export const HTTP_ONLY_NOTE = 'HTTP only: no publicUri, so no certificate';
