import { createFakeTimers } from '../../src-main/engine/scheduler/timers';
import type { AnyFlowPlugin } from '../../src-main/engine/flows/types';
import type { AppContext } from '../../src-main/host/context';
import { startEngineHost, type EngineHost } from '../../src-main/host/engine-host';
import { startSandboxFor } from '../../src-main/host/systems';
import type { Sandbox } from '../../src-main/sandbox';
import { SANDBOX } from './sandbox-engine';

/**
 * The engine attached to `ctx` as `serve --sandbox` attaches it, with the simulators of the given
 * flows' systems on loopback (startSandboxEngine starts F1's two). The keep-alive's clock is a
 * fake one, so nothing runs in the background of a test.
 */
export async function startSandboxEngineFor(ctx: AppContext, flows: readonly AnyFlowPlugin[]): Promise<{ sandbox: Sandbox; host: EngineHost; close(): Promise<void> }> {
  const sandbox = await startSandboxFor(flows, ctx.dataDir, SANDBOX);
  const host = await startEngineHost(ctx, { sandbox: SANDBOX, runningSandbox: sandbox, timers: createFakeTimers(Date.now()) });
  return {
    sandbox,
    host,
    close: async () => {
      await host.close();
      await sandbox.close();
    },
  };
}
