import { ClientSecretRefusedError, NeedsReauthError, RefreshTooEarlyError } from '../../src-shared/domain/auth';
import type { TokenCustodian } from '../auth/custody';
import type { Logger } from '../connectors/_kit';
import { clientSecretRefusedNotice, signInAgainNotice, signInExpiringNotice, signInExpiringWarning, type Notice } from '../engine/scheduler/notifications';
import type { SchedulerTimers, TimerHandle } from '../engine/scheduler/timers';
import type { ConnectionStatus } from '../store/repos/connections';
import type { SettingsRepo } from '../store/repos/settings';

/**
 * Keeps sign-ins alive while the app runs, and says when one is about to lapse.
 *
 * Exact's refresh token dies after an idle period (30 days by default; configurable, see
 * exactCustodyPolicy) and rotates on every refresh. A paused schedule, business hours over a
 * holiday or a tray left running without syncing would let it die, so a ticker asks each
 * custodian, every few hours, whether a keep-alive refresh is due. The custodian decides (it
 * knows the age, the refresh window and the daily token-call cap) and serialises the refresh
 * with every other caller, in this process and across processes.
 */

/** A connection whose tokens the app holds, with the custodian that renews them. */
export interface CustodiedConnection {
  id: string;
  label: string;
  custodian: TokenCustodian;
}

/** Between checks. Keep-alive is due after days, so a few hours is ample and costs nothing when not due. */
export const KEEP_ALIVE_INTERVAL_MS = 3 * 3600_000;
/** The first check waits a minute: at start the first sync usually renews the tokens anyway. */
export const FIRST_KEEP_ALIVE_CHECK_MS = 60_000;

/** Date and time in the user's locale and time zone, e.g. "21 Dec 2026, 10:00". */
export function formatSignInTime(epochMs: number): string {
  return new Date(epochMs).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

export interface SignInView {
  /** ISO time the sign-in lapses if nothing renews it; null when there is no such moment. */
  tokenExpiresAt: string | null;
  /** Plain words for the dashboard, or null when all is well. */
  warning: string | null;
}

/**
 * A connection's sign-in as the dashboard shows it. Timestamps only: token values never leave
 * the custodian and the keychain.
 *
 * tokenExpiresAt: for Exact, when the refresh token dies if nothing renews it (its issue time +
 * the configured idle lifetime). For client-credentials grants (Procore DMSA, Coupa) it is null
 * on purpose: there is no sign-in that can lapse, the app fetches a new access token with the
 * stored client secret whenever it needs one, and "valid until" an access token's expiry an
 * hour away would only alarm.
 */
export async function signInView(
  connection: { label: string; status: ConnectionStatus },
  custodian: TokenCustodian | undefined,
  formatTime: (epochMs: number) => string = formatSignInTime,
): Promise<SignInView> {
  if (connection.status === 'secret-refused')
    return { tokenExpiresAt: null, warning: `${connection.label} refused the app\u2019s client secret; syncing with it is stopped until you enter the current one (Connections, Edit) or connect again.` };
  if (connection.status === 'needs-reauth')
    return { tokenExpiresAt: null, warning: `${connection.label} needs you to sign in again; syncing with it is stopped until you do (Connections).` };
  const expiry = custodian ? await custodian.refreshTokenExpiry() : null;
  if (!expiry) return { tokenExpiresAt: null, warning: null };
  const tokenExpiresAt = new Date(expiry.expiresAt).toISOString();
  if (expiry.expired)
    return { tokenExpiresAt, warning: `${connection.label} sign-in has most likely expired (${formatTime(expiry.expiresAt)}); sign in again (Connections).` };
  return { tokenExpiresAt, warning: expiry.warn ? signInExpiringWarning(connection.label, expiry.expiresAt, formatTime) : null };
}

/**
 * Which expiry date was already announced, per connection. Kept in the store's settings
 * (storedExpiryAnnouncements) so a restart does not announce the same date again; a renewal
 * gives a new date, which is announced when it in turn comes near.
 */
export interface ExpiryAnnouncements {
  /** The expiry (epoch ms) last announced for the connection, or null. */
  get(connectionId: string): number | null;
  set(connectionId: string, expiresAt: number): void;
}

const ANNOUNCED_EXPIRY_KEY_PREFIX = 'sign-in-expiry-announced:';

/** Announcements kept in the store's settings, one key per connection (read back defensively). */
export function storedExpiryAnnouncements(settings: Pick<SettingsRepo, 'get' | 'set'>): ExpiryAnnouncements {
  return {
    get: (connectionId) => {
      const value = settings.get(ANNOUNCED_EXPIRY_KEY_PREFIX + connectionId) as { expiresAt?: unknown } | undefined;
      return typeof value?.expiresAt === 'number' ? value.expiresAt : null;
    },
    set: (connectionId, expiresAt) => settings.set(ANNOUNCED_EXPIRY_KEY_PREFIX + connectionId, { expiresAt }),
  };
}

/** For a ticker without a store (tests): announcements last as long as the process. */
function memoryExpiryAnnouncements(): ExpiryAnnouncements {
  const announced = new Map<string, number>();
  return { get: (id) => announced.get(id) ?? null, set: (id, expiresAt) => announced.set(id, expiresAt) };
}

export interface TokenKeepAliveOptions {
  /**
   * The connections to keep alive; a function when the set changes while the app runs (the
   * user connects or removes a live connection): it is read at every check.
   */
  connections: readonly CustodiedConnection[] | (() => readonly CustodiedConnection[]);
  /** Where announced expiry dates are kept (default: in memory, i.e. once per launch). */
  announcements?: ExpiryAnnouncements;
  timers: SchedulerTimers;
  log: Logger;
  /** A desktop notification (Electron) or a log line (CLI, browser host). */
  onNotice?: (notice: Notice) => void;
  intervalMs?: number;
  firstCheckAfterMs?: number;
  formatTime?: (epochMs: number) => string;
}

export class TokenKeepAlive {
  readonly #opts: TokenKeepAliveOptions;
  #started = false;
  #timer: TimerHandle | null = null;
  #check: Promise<void> | null = null;
  /** Expiry already announced per connection: the warning fires once per expiry date, not per check. */
  readonly #announced: ExpiryAnnouncements;

  constructor(opts: TokenKeepAliveOptions) {
    this.#opts = opts;
    this.#announced = opts.announcements ?? memoryExpiryAnnouncements();
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#arm(this.#opts.firstCheckAfterMs ?? FIRST_KEEP_ALIVE_CHECK_MS);
  }

  /**
   * Stops checking and waits for a check in progress: a refresh cut off between the provider
   * rotating the token and the keychain storing it would lose the sign-in.
   */
  async stop(): Promise<void> {
    this.#started = false;
    if (this.#timer !== null) this.#opts.timers.clearTimer(this.#timer);
    this.#timer = null;
    await this.#check;
  }

  /** Checks every connection now; a call during a check joins it (never two at once). */
  checkNow(): Promise<void> {
    this.#check ??= this.#checkAll().finally(() => {
      this.#check = null;
    });
    return this.#check;
  }

  #arm(delayMs: number): void {
    this.#timer = this.#opts.timers.setTimer(() => {
      this.#timer = null;
      // The next check is planned only once this one has ended, so checks never pile up.
      void this.checkNow().then(() => {
        if (this.#started) this.#arm(this.#opts.intervalMs ?? KEEP_ALIVE_INTERVAL_MS);
      });
    }, delayMs);
  }

  async #checkAll(): Promise<void> {
    const { connections, log } = this.#opts;
    let current: readonly CustodiedConnection[];
    try {
      current = typeof connections === 'function' ? connections() : connections;
    } catch (error) {
      // E.g. a connection setting custody cannot use; the next check tries again.
      log.warn('keep-alive: could not list the connections to check', { reason: error instanceof Error ? error.message : String(error) });
      return;
    }
    for (const connection of current) await this.#checkOne(connection);
  }

  /** Never throws: a failure is logged (message only, no token) and the next check tries again. */
  async #checkOne({ id, label, custodian }: CustodiedConnection): Promise<void> {
    const { log } = this.#opts;
    try {
      // Custody does nothing for a connection in needs-reauth until the user signs in again.
      if (await custodian.keepAlive()) log.info('sign-in renewed by keep-alive', { connectionId: id });
    } catch (error) {
      if (error instanceof ClientSecretRefusedError) {
        // Custody stopped the connection; no token call is made until the user acts.
        log.warn('keep-alive: the provider refused the client secret; waiting for the user to enter it again', { connectionId: id, reason: error.message });
        this.#opts.onNotice?.(clientSecretRefusedNotice([label]));
        return;
      }
      if (error instanceof NeedsReauthError) {
        // Custody moved the connection to needs-reauth; later checks skip it until a new sign-in.
        log.warn('keep-alive: the sign-in is no longer accepted; waiting for the user to sign in again', { connectionId: id, reason: error.message });
        this.#opts.onNotice?.(signInAgainNotice([label]));
        return;
      }
      if (error instanceof RefreshTooEarlyError)
        log.info('keep-alive: the provider wants a later refresh; the next check tries again', { connectionId: id, retryAt: new Date(error.retryAt).toISOString() });
      else log.warn('keep-alive refresh failed; the next check tries again', { connectionId: id, reason: error instanceof Error ? error.message : String(error) });
    }
    await this.#warnIfExpiring(id, label, custodian);
  }

  async #warnIfExpiring(id: string, label: string, custodian: TokenCustodian): Promise<void> {
    try {
      const expiry = custodian.state === 'needs-reauth' || custodian.state === 'secret-refused' ? null : await custodian.refreshTokenExpiry();
      if (!expiry?.warn || expiry.expired || this.#announced.get(id) === expiry.expiresAt) return;
      this.#announced.set(id, expiry.expiresAt);
      this.#opts.log.warn('sign-in expires soon', { connectionId: id, expiresAt: new Date(expiry.expiresAt).toISOString() });
      this.#opts.onNotice?.(signInExpiringNotice(label, expiry.expiresAt, this.#opts.formatTime ?? formatSignInTime));
    } catch (error) {
      this.#opts.log.warn('keep-alive: could not read the sign-in expiry', { connectionId: id, reason: error instanceof Error ? error.message : String(error) });
    }
  }
}
