import type { Notice } from '../engine/scheduler/notifications';
import { systemTimers, type SchedulerTimers } from '../engine/scheduler/timers';
import { AuditTextIndexer } from './audit-text-indexer';
import type { AppContext } from './context';
import { createEngineApi, stopEngine } from './engine-api';
import { F1NotConfiguredError, openF1Runtime, type F1Runtime, type F1RuntimeOptions } from './f1-runtime';
import { liveCustody } from './live-connections';
import { storedExpiryAnnouncements, TokenKeepAlive, type CustodiedConnection } from './token-keep-alive';

/**
 * What a long-running host (Electron main, `serve`) runs besides its UI: the sync engine when
 * the flow's connections can be opened, and the sign-in keep-alive for every live connection
 * that exists, whether or not the flow can run (an Exact sign-in connected before Procore
 * must not lapse after 30 idle days). One custodian per connection serves both (LiveCustody).
 * It also keeps the audit text-search index behind the log (AuditTextIndexer).
 */
export interface EngineHost {
  /** The flow's runtime while the engine is attached; null while the flow cannot run. */
  readonly f1: F1Runtime | null;
  /** Why the engine is not attached (plain words, also logged), or null while it is. */
  readonly unavailable: { reason: string; error: unknown } | null;
  /** Settles when attaching after the latest 'connection.changed' has ended. */
  attachSettled(): Promise<F1Runtime | null>;
  /** Checks every held sign-in now (joins a check in progress). */
  checkSignInsNow(): Promise<void>;
  /**
   * Stops the engine (a run in progress stops at its next safe point and is recorded
   * 'cancelled'; `reason` completes "Stopped …"), the keep-alive (waiting for a refresh in
   * progress), then closes the connectors.
   */
  close(reason?: string): Promise<void>;
}

export interface EngineHostOptions extends Pick<F1RuntimeOptions, 'sandbox' | 'runningSandbox'> {
  /** A desktop notification (Electron); by default a warning in the log. */
  onNotice?: (notice: Notice) => void;
  /** Each time the engine attaches, at start or after a connection made it possible (tray schedule). */
  onAttached?: (f1: F1Runtime) => void;
  /** The keep-alive's clock (tests pass fake timers). */
  timers?: SchedulerTimers;
}

export async function startEngineHost(ctx: AppContext, opts: EngineHostOptions = {}): Promise<EngineHost> {
  const { onNotice, onAttached, timers = systemTimers, ...runtime } = opts;
  const live = liveCustody({ store: ctx.store, credentials: ctx.credentials, log: ctx.log, dataDir: ctx.dataDir });
  let f1: F1Runtime | null = null;
  let unavailable: EngineHost['unavailable'] = null;
  let closed = false;

  /** Attaches the engine unless it is attached; any failure leaves the host (and keep-alive) running. */
  async function attach(): Promise<F1Runtime | null> {
    if (f1 || closed) return f1;
    try {
      const opened = await openF1Runtime({ store: ctx.store, dataDir: ctx.dataDir, log: ctx.log, credentials: ctx.credentials, ...runtime });
      if (closed) {
        await opened.close();
        return null;
      }
      f1 = opened;
      unavailable = null;
      delete ctx.engineUnavailable;
      ctx.engine = createEngineApi(ctx, opened);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      unavailable = { reason, error };
      ctx.engineUnavailable = error instanceof F1NotConfiguredError ? reason : `The sync engine could not start: ${reason}`;
      if (error instanceof F1NotConfiguredError) ctx.log.warn('sync engine not started', { reason });
      else ctx.log.error('the sync engine failed to start', { reason });
      return null;
    }
    try {
      onAttached?.(f1);
    } catch (error) {
      ctx.log.error('the host could not start what runs with the engine', { reason: error instanceof Error ? error.message : String(error) });
    }
    return f1;
  }

  // A connection saved later (Procore connected after Exact) may complete the flow: attach then.
  // Attempts queue behind each other, so one change never opens two runtimes.
  let attaching: Promise<F1Runtime | null> = Promise.resolve(null);
  const tryAttach = (): void => {
    attaching = attaching.then(attach);
  };
  const unsubscribe = ctx.events.subscribe((message) => {
    if (message.event === 'connection.changed' && message.payload.change === 'saved' && !f1) tryAttach();
  });
  tryAttach();
  await attaching;

  const keepAlive = new TokenKeepAlive({
    // Read at every check: live connections made or removed while the app runs, plus the
    // engine's own (sandbox) connections. Live ones appear once: the engine holds the same custodians.
    connections: () => uniqueById([...live.custodied(), ...(f1?.custody ?? [])]),
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
    get f1() {
      return f1;
    },
    get unavailable() {
      return unavailable;
    },
    attachSettled: () => attaching,
    checkSignInsNow: () => keepAlive.checkNow(),
    close: async (reason = 'because the app is closing') => {
      closed = true;
      unsubscribe();
      auditIndexer.stop();
      await attaching;
      await stopEngine(ctx.engine, reason);
      await keepAlive.stop();
      await f1?.close();
    },
  };
}

function uniqueById(connections: CustodiedConnection[]): CustodiedConnection[] {
  return connections.filter((c, index) => connections.findIndex((other) => other.id === c.id) === index);
}

/**
 * For callers that want the flow only (one-shot tools, tests): the engine with its keep-alive
 * in one closable runtime, or null (nothing left running) when the flow cannot run because it
 * is not configured. Hosts that stay up use startEngineHost.
 */
export async function attachEngine(ctx: AppContext, opts: Omit<EngineHostOptions, 'onAttached'> = {}): Promise<F1Runtime | null> {
  const host = await startEngineHost(ctx, opts);
  const { f1, unavailable } = host;
  if (f1) return { ...f1, close: () => host.close() };
  await host.close();
  if (unavailable && !(unavailable.error instanceof F1NotConfiguredError)) throw unavailable.error;
  return null;
}
