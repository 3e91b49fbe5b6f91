import { ClientSecretRefusedError, NeedsReauthError, RefreshTooEarlyError, TokenCallCapError, type TokenSet } from '../../src-shared/domain/auth';

/**
 * Token custody for one connection: the only place that decides when to refresh.
 *
 * Why so careful: Exact rotates the refresh token on every refresh, and reusing the old one
 * ("Old refresh token used.") kills the connection until the user signs in again. So:
 *  - one refresh at a time per connection, across every caller in this process (single-flight)
 *    and across processes (the desktop app and the CLI share a data folder: a lock file);
 *  - inside the lock the token set is re-read, so a process that waited uses the set another
 *    process just stored instead of refreshing again with a dead refresh token;
 *  - the rotated set is written to the keychain BEFORE the new access token is handed out;
 *  - a dead grant moves the connection to `needs-reauth` and is never retried in a loop;
 *  - a refused client secret (`invalid_client`) moves it to `secret-refused`: no token call at
 *    all until the user enters the secret again or connects again (each refused call would still
 *    count against Exact's 200 a day);
 *  - both states are kept in the store (`recordedState`), so another process (the CLI, the
 *    tray) stops without spending a token call of its own, and resumes once the user acted;
 *  - refresh only when the policy allows it (Exact: last 30 s of the access token, or after a
 *    401), and count token-endpoint calls against the provider's daily cap.
 */
export type { TokenSet };

/** Where token sets live: the OS keychain in the app (never SQLite, never logs). */
export interface TokenVault {
  load(): Promise<TokenSet | null>;
  save(tokens: TokenSet): Promise<void>;
  clear(): Promise<void>;
}

export interface CustodyPolicy {
  /** How long before expiry a token counts as expired for callers (absorbs clock skew, request time). */
  expirySkewMs: number;
  /** Earliest moment a refresh is allowed for this set without a 401 (Exact: expiresAt − 30 s). */
  refreshAllowedAt(tokens: TokenSet): number;
  /** Idle lifetime of a refresh token (Exact: 30 days), or null when it does not expire. */
  refreshTokenLifetimeMs: number | null;
  /** Refresh proactively once the refresh token is this old, so it never dies while the app runs. */
  keepAliveAfterMs: number | null;
  /** Warn the user this long before the refresh token would expire. */
  warnBeforeMs: number;
  /** Max token-endpoint calls per UTC day (Exact: 200), or null. */
  dailyTokenCallCap: number | null;
}

const DAY_MS = 24 * 3600_000;

/**
 * Idle lifetime of an Exact refresh token. The fact sheet (§1.2) takes "30 days" from
 * integrators' write-ups (Exact's own pages were unreadable) and notes it was 180 days and is
 * being reduced, so it is a per-connection setting (`refreshTokenLifetimeDays`), not a constant.
 */
export const EXACT_REFRESH_TOKEN_LIFETIME_DAYS = 30;

/**
 * Exact's policy for a given refresh-token lifetime: keep-alive once a quarter of the lifetime
 * has passed (at most 7 days) and warn in the last third (at most 5 days), so a shorter
 * configured lifetime still leaves room for both.
 */
export function exactCustodyPolicy(refreshTokenLifetimeDays: number = EXACT_REFRESH_TOKEN_LIFETIME_DAYS): CustodyPolicy {
  if (!Number.isFinite(refreshTokenLifetimeDays) || refreshTokenLifetimeDays < 1 || refreshTokenLifetimeDays > 366)
    throw new RangeError(
      `The Exact Online refresh-token lifetime must be a number of days from 1 to 366, got ${JSON.stringify(refreshTokenLifetimeDays)}.`,
    );
  const lifetimeMs = refreshTokenLifetimeDays * DAY_MS;
  return {
    expirySkewMs: 5_000,
    refreshAllowedAt: (t) => t.accessTokenExpiresAt - 30_000,
    refreshTokenLifetimeMs: lifetimeMs,
    keepAliveAfterMs: Math.min(7 * DAY_MS, lifetimeMs / 4),
    warnBeforeMs: Math.min(5 * DAY_MS, lifetimeMs / 3),
    dailyTokenCallCap: 200,
  };
}

export const EXACT_CUSTODY_POLICY: CustodyPolicy = exactCustodyPolicy();

/** Client-credentials grants (Procore DMSA, Coupa): no refresh token; renew a little early. */
export const CLIENT_CREDENTIALS_POLICY: CustodyPolicy = {
  expirySkewMs: 60_000,
  refreshAllowedAt: () => 0,
  refreshTokenLifetimeMs: null,
  keepAliveAfterMs: null,
  warnBeforeMs: 0,
  dailyTokenCallCap: null,
};

export type ConnectionAuthState = 'connected' | 'needs-reauth' | 'secret-refused' | 'error';

/** The states in which custody makes no token call and hands out no token until the user acts. */
const STOPPED: ReadonlySet<ConnectionAuthState> = new Set(['needs-reauth', 'secret-refused']);

/** Persistent count of token-endpoint calls per UTC day (shared by processes via the store). */
export interface TokenCallCounter {
  /** Adds one call for `day` (YYYY-MM-DD) and returns the new count. */
  increment(day: string): number;
  get(day: string): number;
}

/** Serialises a critical section across processes (a lock file in the data folder). */
export interface CrossProcessLock {
  withLock<T>(fn: () => Promise<T>): Promise<T>;
}

export interface TokenCustodianOptions {
  connectionId: string;
  vault: TokenVault;
  /** Calls the token endpoint. Receives the current set (null for a first client-credentials grant). */
  refresh: (current: TokenSet | null) => Promise<TokenSet>;
  policy: CustodyPolicy;
  now?: () => number;
  lock?: CrossProcessLock;
  tokenCalls?: TokenCallCounter;
  onStateChange?: (state: ConnectionAuthState, detail: string) => void;
  /**
   * The state recorded for the connection (the store's status, which onStateChange writes),
   * read before every token decision. Lets a process adopt a stop another process recorded
   * (no token call of its own) and resume once the user acted anywhere: a new client secret
   * saved in Connections, or a new sign-in. Absent (sandbox, tests): this custodian's own state only.
   */
  recordedState?: () => string | null;
}

export class TokenCustodian {
  private inFlight: Promise<TokenSet> | null = null;
  private cached: TokenSet | null = null;
  private authState: ConnectionAuthState = 'connected';
  /** Whether the current state was reported yet (the first successful token call reports 'connected'). */
  private reported = false;
  /**
   * The set whose grant died. Another set in the vault means the user signed in again, possibly
   * through another custodian (the Connections screen builds its own): this one then resumes.
   */
  private deadGrant: TokenSet | null = null;
  private readonly now: () => number;

  constructor(private readonly opts: TokenCustodianOptions) {
    this.now = opts.now ?? Date.now;
  }

  get state(): ConnectionAuthState {
    return this.authState;
  }

  /** A valid access token: the stored one, or a freshly refreshed one. */
  async getAccessToken(): Promise<string> {
    await this.followRecordedState();
    await this.resumeAfterNewSignIn();
    this.assertUsable();
    const tokens = this.cached ?? (await this.opts.vault.load());
    this.cached = tokens;
    if (tokens && this.isFresh(tokens)) return tokens.accessToken;
    return (await this.refreshOnce({ forced: false })).accessToken;
  }

  /**
   * The API answered 401 to `rejectedAccessToken`. If another caller already replaced it, use
   * the new one; otherwise refresh (a 401 allows a refresh outside the normal window).
   */
  async handleUnauthorized(rejectedAccessToken: string): Promise<string> {
    await this.followRecordedState();
    await this.resumeAfterNewSignIn();
    this.assertUsable();
    const stored = await this.opts.vault.load();
    if (stored && stored.accessToken !== rejectedAccessToken && this.isFresh(stored)) {
      this.cached = stored;
      return stored.accessToken;
    }
    return (await this.refreshOnce({ forced: true, rejected: rejectedAccessToken })).accessToken;
  }

  /**
   * Called on a schedule: refreshes when the refresh token is old enough that an idle app could
   * lose it, as soon as the provider allows a refresh. Returns true when it refreshed.
   */
  async keepAlive(): Promise<boolean> {
    await this.followRecordedState();
    await this.resumeAfterNewSignIn();
    if (STOPPED.has(this.authState)) return false;
    const tokens = await this.opts.vault.load();
    if (!tokens || !this.keepAliveDue(tokens) || this.now() < this.opts.policy.refreshAllowedAt(tokens)) return false;
    await this.refreshOnce({ forced: false, keepAlive: true });
    return true;
  }

  /**
   * When the refresh token will expire if unused (an estimate: issue time + the policy's idle
   * lifetime), whether to warn the user now, and whether that moment has passed.
   */
  async refreshTokenExpiry(): Promise<{ expiresAt: number; warn: boolean; expired: boolean } | null> {
    const { refreshTokenLifetimeMs, warnBeforeMs } = this.opts.policy;
    const tokens = await this.opts.vault.load();
    if (!tokens || refreshTokenLifetimeMs === null || tokens.refreshTokenIssuedAt === null) return null;
    const expiresAt = tokens.refreshTokenIssuedAt + refreshTokenLifetimeMs;
    return { expiresAt, warn: expiresAt - this.now() <= warnBeforeMs, expired: expiresAt <= this.now() };
  }

  /** After a new sign-in: store the first token set and leave `needs-reauth` or `secret-refused`. */
  async acceptNewGrant(tokens: TokenSet): Promise<void> {
    await this.opts.vault.save(tokens);
    this.cached = tokens;
    this.deadGrant = null;
    this.setState('connected', 'signed in');
  }

  /**
   * The user entered the client secret again (this process): leave `secret-refused`; the next
   * token call tries the new secret. Another process learns it from the recorded state.
   */
  clientSecretReplaced(): void {
    if (this.authState !== 'secret-refused') return;
    this.setState('connected', 'client secret replaced');
  }

  /**
   * Adopts what the store says when it differs from this custodian's own view: a stop recorded
   * by another process (so this one makes no token call to find out), or the end of one (the
   * user acted in another process or screen).
   */
  private async followRecordedState(): Promise<void> {
    const recorded = this.opts.recordedState?.();
    if (recorded === undefined || recorded === null || recorded === this.authState) return;
    if (recorded === 'secret-refused') {
      this.cached = null;
      this.authState = 'secret-refused';
      this.reported = true;
      return;
    }
    if (recorded === 'needs-reauth' && this.authState === 'connected') {
      // The grant died in another process: the set in the vault now is the dead one.
      this.cached = null;
      this.deadGrant = await this.opts.vault.load();
      this.authState = 'needs-reauth';
      this.reported = true;
      return;
    }
    // The user replaced the secret (or signed in again) elsewhere; a new sign-in also leaves needs-reauth below.
    if (this.authState === 'secret-refused') {
      this.authState = 'connected';
      this.reported = true;
    }
  }

  /** The refresh token is old enough that an idle app could lose it. */
  private keepAliveDue(tokens: TokenSet): boolean {
    const { keepAliveAfterMs } = this.opts.policy;
    return keepAliveAfterMs !== null && tokens.refreshTokenIssuedAt !== null && this.now() - tokens.refreshTokenIssuedAt >= keepAliveAfterMs;
  }

  private async resumeAfterNewSignIn(): Promise<void> {
    if (this.authState !== 'needs-reauth') return;
    const stored = await this.opts.vault.load();
    if (!stored || (this.deadGrant !== null && stored.accessToken === this.deadGrant.accessToken)) return;
    this.cached = stored;
    this.deadGrant = null;
    this.setState('connected', 'signed in again');
  }

  private isFresh(tokens: TokenSet): boolean {
    return this.now() < tokens.accessTokenExpiresAt - this.opts.policy.expirySkewMs;
  }

  private assertUsable(): void {
    if (this.authState === 'secret-refused')
      throw new ClientSecretRefusedError(
        `The app\u2019s client secret of connection ${this.opts.connectionId} was refused: enter the current client secret under Connections (Edit), or connect again. No sign-in token calls are made until then.`,
      );
    if (this.authState === 'needs-reauth')
      throw new NeedsReauthError(`Connection ${this.opts.connectionId} needs you to sign in again.`);
  }

  private refreshOnce(why: { forced: boolean; rejected?: string; keepAlive?: boolean }): Promise<TokenSet> {
    // Single-flight: every concurrent caller in this process shares one refresh.
    if (!this.inFlight) {
      const run = (): Promise<TokenSet> => this.refreshLocked(why);
      this.inFlight = (this.opts.lock ? this.opts.lock.withLock(run) : run()).finally(() => {
        this.inFlight = null;
      });
    }
    return this.inFlight;
  }

  private async refreshLocked(why: { forced: boolean; rejected?: string; keepAlive?: boolean }): Promise<TokenSet> {
    // Inside the lock: another process may have stopped the connection while we waited.
    await this.followRecordedState();
    this.assertUsable();
    // Re-read inside the lock: another process may have rotated the tokens while we waited.
    const current = await this.opts.vault.load();
    // Someone renewed meanwhile: a keep-alive is satisfied by a young refresh token, others by a
    // fresh access token that is not the one just rejected.
    const renewedMeanwhile =
      current !== null &&
      (why.keepAlive ? !this.keepAliveDue(current) : this.isFresh(current) && current.accessToken !== why.rejected);
    if (renewedMeanwhile) {
      this.cached = current;
      return current;
    }
    if (current && !why.forced && this.now() < this.opts.policy.refreshAllowedAt(current)) {
      throw new RefreshTooEarlyError(
        `The access token of connection ${this.opts.connectionId} cannot be renewed before ${new Date(
          this.opts.policy.refreshAllowedAt(current),
        ).toISOString()}.`,
        this.opts.policy.refreshAllowedAt(current),
      );
    }
    this.countTokenCall();
    let next: TokenSet;
    try {
      next = await this.opts.refresh(current);
    } catch (err) {
      if (err instanceof ClientSecretRefusedError) {
        // The grant itself may be fine (client authentication failed first): keep it for when
        // the user has entered the current secret.
        this.cached = null;
        this.setState('secret-refused', err.message);
      } else if (err instanceof NeedsReauthError) {
        this.cached = null;
        this.deadGrant = current;
        this.setState('needs-reauth', err.message);
      }
      throw err;
    }
    // Persist the rotated set first: if we crash after this line, the next start has the live
    // refresh token; if we handed out the access token first, a crash would lose it.
    await this.opts.vault.save(next);
    this.cached = next;
    this.setState('connected', why.keepAlive ? 'kept alive' : 'refreshed');
    return next;
  }

  private countTokenCall(): void {
    const { tokenCalls, policy } = this.opts;
    if (!tokenCalls || policy.dailyTokenCallCap === null) return;
    const day = new Date(this.now()).toISOString().slice(0, 10);
    if (tokenCalls.get(day) >= policy.dailyTokenCallCap) {
      const tomorrow = Date.parse(`${day}T00:00:00Z`) + 24 * 3600_000;
      throw new TokenCallCapError(
        `Connection ${this.opts.connectionId} reached the provider's limit of ${policy.dailyTokenCallCap} sign-in token calls today.`,
        tomorrow,
      );
    }
    tokenCalls.increment(day);
  }

  private setState(state: ConnectionAuthState, detail: string): void {
    if (state === this.authState && this.reported) return;
    this.reported = true;
    this.authState = state;
    this.opts.onStateChange?.(state, detail);
  }
}
