import type { SchedulerTimers } from '../engine/scheduler/timers';
import type { Sandbox } from '../sandbox';
import { startBrowserHost, type BrowserHost } from './browser-host';
import type { AppContext } from './context';
import { startEngineSchedule } from './engine-api';
import { startEngineHost, type EngineHost } from './engine-host';
import { DownloadOffers } from './exports';
import { dispatch } from './handlers';

/**
 * What `ml-connector serve` runs, in one place so tests run exactly the same: the engine over
 * every flow of the registry with its background schedule started (a schedule saved on the
 * Settings screen runs here as in the desktop app), the browser host on 127.0.0.1 with its
 * per-launch token, and exports delivered as browser downloads.
 */
export interface ServeOptions {
  port: number;
  rendererDir: string;
  /** The simulators `serve --sandbox` started, with the demo world they hold. */
  sandbox?: { seed: number; scale: number; running: Sandbox };
  /** The background schedule's clock (tests pass fake timers). */
  scheduleTimers?: SchedulerTimers;
  /** The sign-in keep-alive's clock (tests pass fake timers). */
  timers?: SchedulerTimers;
}

export interface ServedApp {
  engine: EngineHost;
  host: BrowserHost;
  /** Stops the page, then the engine (a run in progress stops at its next safe point; `reason` completes "Stopped …"). */
  close(reason?: string): Promise<void>;
}

/** Starts the engine (and its schedule) and the browser host on `ctx`; the caller closes ctx. */
export async function serveApp(ctx: AppContext, options: ServeOptions): Promise<ServedApp> {
  const downloads = new DownloadOffers();
  ctx.exports = downloads;
  const engine = await startEngineHost(ctx, {
    ...(options.sandbox
      ? { sandbox: { seed: options.sandbox.seed, scale: options.sandbox.scale }, runningSandbox: options.sandbox.running }
      : {}),
    ...(options.scheduleTimers ? { scheduleTimers: options.scheduleTimers } : {}),
    ...(options.timers ? { timers: options.timers } : {}),
  });
  // Flows that join later (a connection made in the page completes them) are planned the same way.
  startEngineSchedule(ctx.engine);
  let host: BrowserHost;
  try {
    host = await startBrowserHost({
      call: (method, request) => dispatch(method, request, ctx),
      events: ctx.events,
      port: options.port,
      rendererDir: options.rendererDir,
      downloads,
    });
  } catch (error) {
    await engine.close();
    throw error;
  }
  return {
    engine,
    host,
    close: async (reason) => {
      await host.close();
      await engine.close(reason);
    },
  };
}
