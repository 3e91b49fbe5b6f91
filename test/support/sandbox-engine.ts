import { createFakeTimers } from '../../src-main/engine/scheduler/timers';
import type { AppContext } from '../../src-main/host/context';
import { startEngineHost, type EngineHost } from '../../src-main/host/engine-host';
import { startF1Sandbox } from './f1-runtime';
import type { Sandbox } from '../../src-main/sandbox';
import type { ProcoreSandboxAccess } from './procore-admin';

/** The demo world `serve --sandbox` starts with. */
export const SANDBOX = { seed: 1, scale: 1 };

/**
 * The engine attached to `ctx` the way `serve --sandbox` attaches it: the Exact Online and
 * Procore simulators on loopback in this process, on ctx's data folder. The keep-alive's clock
 * is a fake one, so nothing runs in the background of a test.
 */
export async function startSandboxEngine(ctx: AppContext): Promise<{
  sandbox: Sandbox;
  host: EngineHost;
  /** What a Procore admin needs to change the sandbox company outside ml-connector. */
  procoreAccess(): ProcoreSandboxAccess;
  close(): Promise<void>;
}> {
  const sandbox = await startF1Sandbox(ctx.dataDir, SANDBOX);
  const host = await startEngineHost(ctx, {
    sandbox: SANDBOX,
    runningSandbox: sandbox,
    timers: createFakeTimers(Date.now()),
  });
  return {
    sandbox,
    host,
    procoreAccess: () => {
      const { baseUrl, credentials } = sandbox.systems.procore!;
      return {
        baseUrl,
        clientId: String(credentials['clientId']),
        clientSecret: String(credentials['clientSecret']),
        companyId: String(credentials['companyId']),
      };
    },
    close: async () => {
      await host.close();
      await sandbox.close();
    },
  };
}
