import type { Sandbox } from '../sandbox';
import type { AppContext } from './context';
import { createEngineApi } from './engine-api';
import { F1NotConfiguredError, openF1Runtime, type F1Runtime, type SandboxRunOptions } from './f1-runtime';

/**
 * Gives a host (Electron main, `serve`) its sync engine when the flow's connections can be
 * opened; otherwise the UI's engine methods answer 'unavailable' with the reason logged.
 */
export async function attachEngine(
  ctx: AppContext,
  opts: { sandbox?: SandboxRunOptions; runningSandbox?: Sandbox } = {},
): Promise<F1Runtime | null> {
  try {
    const f1 = await openF1Runtime({ store: ctx.store, dataDir: ctx.dataDir, log: ctx.log, credentials: ctx.credentials, ...opts });
    ctx.engine = createEngineApi(ctx, f1);
    return f1;
  } catch (error) {
    if (!(error instanceof F1NotConfiguredError)) throw error;
    ctx.log.warn('sync engine not started', { reason: error.message });
    return null;
  }
}
