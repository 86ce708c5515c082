/**
 * `provision unlock`: removes an environment's run lock that a crashed run left behind. A lock
 * that still looks alive (recent heartbeat, its process running here) is kept unless --force.
 */
import type { GlobalOptions } from '../../cli/global-options';
import { output } from '../../cli/output';
import { environmentOf, openContext, unlockCommand } from '../../run/context';

export async function runUnlock(flags: { params?: string; force?: boolean }, global: GlobalOptions): Promise<void> {
  const ctx = await openContext(flags.params, global);
  try {
    const { unlock } = await import('../../deploy/lock');
    const env = environmentOf(ctx);
    const { removed } = await unlock(ctx.clients, env, { force: flags.force, unlockCommand: unlockCommand(ctx) });
    if (global.json) return output.json({ ok: true, environment: env, removed: removed ?? null });
    output.line(
      removed
        ? `removed the lock of ${env}: \`${removed.command}\` since ${removed.since} (host ${removed.host}, user ${removed.user}, pid ${removed.pid})`
        : `${env} is not locked`,
    );
  } finally {
    ctx.clients.destroy();
  }
}
