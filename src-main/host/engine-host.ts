import type { Notice } from '../engine/scheduler/notifications';
import { systemTimers, type SchedulerTimers } from '../engine/scheduler/timers';
import { AuditTextIndexer } from './audit-text-indexer';
import type { AppContext } from './context';
import { attachFlows, createEngineApi, stopEngine } from './engine-api';
import { openFlowHost, type FlowHost, type OpenFlow } from './flow-host';
import { liveCustody } from './live-connections';
import type { ConnectionsHubOptions } from './systems';
import { storedExpiryAnnouncements, TokenKeepAlive, type CustodiedConnection } from './token-keep-alive';

/**
 * What a long-running host (Electron main, `serve`) runs besides its UI: the sync engine over
 * every flow of the registry (those whose connections exist run; the others say what to
 * connect, and join as soon as a connection made in the page completes them), and the sign-in
 * keep-alive for every live connection that exists, whether or not a flow can use it yet (an
 * Exact sign-in connected before Procore must not lapse after 30 idle days). One custodian per
 * connection serves both (LiveCustody). It also keeps the audit text-search index behind the
 * log (AuditTextIndexer).
 */
export interface EngineHost {
  /** The flows opened over this process's connections (and why the others cannot run). */
  readonly flows: FlowHost;
  /** Settles when attaching after the latest 'connection.changed' has ended. */
  attachSettled(): Promise<void>;
  /** Checks every held sign-in now (joins a check in progress). */
  checkSignInsNow(): Promise<void>;
  /**
   * Stops the engine (runs in progress stop at their next safe point and are recorded
   * 'cancelled'; `reason` completes "Stopped …"), the keep-alive (waiting for a refresh in
   * progress), then closes the connectors.
   */
  close(reason?: string): Promise<void>;
}

export interface EngineHostOptions extends Pick<ConnectionsHubOptions, 'sandbox' | 'runningSandbox'> {
  /** A desktop notification (Electron); by default a warning in the log. */
  onNotice?: (notice: Notice) => void;
  /** Each time flows become able to run, at start or after a connection completed them (tray schedule). */
  onAttached?: (flows: readonly OpenFlow[]) => void;
  /** The keep-alive's clock (tests pass fake timers). */
  timers?: SchedulerTimers;
  /** The background schedule's clock (default: the system's; tests pass fake timers). */
  scheduleTimers?: SchedulerTimers;
}

export async function startEngineHost(ctx: AppContext, opts: EngineHostOptions = {}): Promise<EngineHost> {
  const { onNotice, onAttached, timers = systemTimers, scheduleTimers, ...runtime } = opts;
  const live = liveCustody({ store: ctx.store, credentials: ctx.credentials, log: ctx.log, dataDir: ctx.dataDir });
  const flows = await openFlowHost({ store: ctx.store, dataDir: ctx.dataDir, log: ctx.log, credentials: ctx.credentials, ...runtime });
  for (const { reason, error } of flows.unavailable.values()) {
    if ((error as Error).name === 'FlowNotConfiguredError') ctx.log.warn('flow not started', { reason });
    else ctx.log.error('a flow failed to start', { reason });
  }
  ctx.engine = createEngineApi(ctx, flows, scheduleTimers ? { timers: scheduleTimers } : {});
  let closed = false;
  const announce = (opened: readonly OpenFlow[]): void => {
    if (opened.length === 0) return;
    try {
      onAttached?.(opened);
    } catch (error) {
      ctx.log.error('the host could not start what runs with the engine', { reason: error instanceof Error ? error.message : String(error) });
    }
  };
  announce([...flows.flows.values()]);

  // A connection saved later (Procore connected after Exact) may complete a flow: open it then.
  // Attempts queue behind each other, so one change never opens a flow twice.
  let attaching: Promise<void> = Promise.resolve();
  const unsubscribe = ctx.events.subscribe((message) => {
    if (message.event !== 'connection.changed' || message.payload.change !== 'saved' || closed) return;
    attaching = attaching.then(async () => {
      if (closed) return;
      const opened = await flows.attachMore();
      attachFlows(ctx.engine, opened);
      announce(opened);
    });
  });

  const keepAlive = new TokenKeepAlive({
    // Read at every check: live connections made or removed while the app runs, plus the
    // flows' own (sandbox) connections. Live ones appear once: the flows hold the same custodians.
    connections: () => uniqueById([...live.custodied(), ...flows.hub.custodied()]),
    timers,
    log: ctx.log,
    announcements: storedExpiryAnnouncements(ctx.store.settings),
    onNotice: onNotice ?? ((notice) => ctx.log.warn(notice.title, { detail: notice.body })),
  });
  keepAlive.start();

  // The audit screen's text search index follows the log between syncs (decision 0014).
  const auditIndexer = new AuditTextIndexer({ audit: ctx.store.audit, events: ctx.events, log: ctx.log, timers });
  auditIndexer.start();

  return {
    flows,
    attachSettled: () => attaching,
    checkSignInsNow: () => keepAlive.checkNow(),
    close: async (reason = 'because the app is closing') => {
      closed = true;
      unsubscribe();
      auditIndexer.stop();
      await attaching;
      await stopEngine(ctx.engine, reason);
      await keepAlive.stop();
      await flows.close();
    },
  };
}

function uniqueById(connections: CustodiedConnection[]): CustodiedConnection[] {
  return connections.filter((c, index) => connections.findIndex((other) => other.id === c.id) === index);
}

/**
 * For callers that want the engine only (one-shot tools, tests): started with a fake-free
 * keep-alive, closed with everything it opened.
 */
export function attachEngine(ctx: AppContext, opts: Omit<EngineHostOptions, 'onAttached'> = {}): Promise<EngineHost> {
  return startEngineHost(ctx, opts);
}
