import type { Notice } from '../engine/scheduler/notifications';
import { systemTimers } from '../engine/scheduler/timers';
import type { Sandbox } from '../sandbox';
import type { AppContext } from './context';
import { createEngineApi } from './engine-api';
import { F1NotConfiguredError, openF1Runtime, type F1Runtime, type SandboxRunOptions } from './f1-runtime';
import { TokenKeepAlive } from './token-keep-alive';

/**
 * Gives a host (Electron main, `serve`) its sync engine when the flow's connections can be
 * opened; otherwise the UI's engine methods answer 'unavailable' with the reason logged.
 * While the engine is attached its sign-ins are kept alive (even with the schedule paused);
 * the returned runtime's close() stops that first.
 */
export async function attachEngine(
  ctx: AppContext,
  opts: { sandbox?: SandboxRunOptions; runningSandbox?: Sandbox; onNotice?: (notice: Notice) => void } = {},
): Promise<F1Runtime | null> {
  const { onNotice, ...runtime } = opts;
  try {
    const f1 = await openF1Runtime({ store: ctx.store, dataDir: ctx.dataDir, log: ctx.log, credentials: ctx.credentials, ...runtime });
    ctx.engine = createEngineApi(ctx, f1);
    const keepAlive = new TokenKeepAlive({
      connections: f1.custody,
      timers: systemTimers,
      log: ctx.log,
      onNotice: onNotice ?? ((notice) => ctx.log.warn(notice.title, { detail: notice.body })),
    });
    keepAlive.start();
    return {
      ...f1,
      close: async () => {
        await keepAlive.stop();
        await f1.close();
      },
    };
  } catch (error) {
    if (!(error instanceof F1NotConfiguredError)) throw error;
    ctx.log.warn('sync engine not started', { reason: error.message });
    return null;
  }
}
