import { join } from 'node:path';
import { NeedsReauthError, type TokenSet } from '../../../src-shared/domain/auth';
import { CLIENT_CREDENTIALS_POLICY, TokenCustodian, type CustodyPolicy, type TokenVault } from '../../auth/custody';
import { fileLock } from '../../auth/file-lock';
import { startAuthorization, type PendingAuthorization } from '../../auth/loopback';
import type { AccessTokenProvider } from '../../connectors/connector';
import { createMondayConnector, createMondayOAuthClient, MONDAY_API_URL, MONDAY_AUTH_URL, MONDAY_OAUTH_SCOPES, type MondayConnector } from '../../connectors/monday';
import { connectionAccount } from '../../credentials';
import { connectionBudget } from '../../engine/scheduler/budget-spacing';
import type { Store } from '../../store/db';
import { keychainVault, type LiveDeps } from '../live-connections';
import { memoryVault, type SystemOpener } from './types';

/** The user's own monday.com account (one per data folder), connected with the generic form. */
export const LIVE_MONDAY_ID = 'live-monday';

/** Non-secret settings of a monday.com connection (SQLite); the API token lives in the keychain only. */
interface MondayConnectionSettings {
  apiVersion?: string;
  account?: string;
  /** Overrides https://api.monday.com/v2 (tests). */
  apiUrl?: string;
  /** 'oauth': signed in through the user's monday app (OAuth 2.1); absent: a personal API token. */
  auth?: 'token' | 'oauth';
  /** OAuth: the monday app's client id and registered redirect URI (the secret is in the keychain). */
  clientId?: string;
  redirectUri?: string;
  /** Overrides https://auth.monday.com (tests). */
  authUrl?: string;
}

/**
 * OAuth 2.1 grants: access tokens expire (their JWT `exp`), every refresh replaces the refresh
 * token. monday documents no idle lifetime for refresh tokens, so there is no keep-alive or
 * warning, and no daily cap on token calls.
 */
const MONDAY_OAUTH_POLICY: CustodyPolicy = { ...CLIENT_CREDENTIALS_POLICY };

const OAUTH_REAUTH = 'monday.com no longer accepts the sign-in of this connection. Connect monday.com again (Connections, or npx ml-connector connect monday --oauth).';

/** The custodian of an OAuth connection: refreshes under a lock across processes, as rotating refresh tokens need. */
function oauthCustodian(deps: LiveDeps, settings: () => MondayConnectionSettings): TokenCustodian {
  const { store, credentials, log, dataDir } = deps;
  return new TokenCustodian({
    connectionId: LIVE_MONDAY_ID,
    vault: keychainVault(credentials, LIVE_MONDAY_ID),
    policy: MONDAY_OAUTH_POLICY,
    lock: fileLock(join(dataDir, 'locks', `${LIVE_MONDAY_ID}.lock`)),
    refresh: async (current) => {
      if (!current?.refreshToken) throw new NeedsReauthError(OAUTH_REAUTH);
      const s = settings();
      const clientSecret = await credentials.get(connectionAccount(LIVE_MONDAY_ID, 'clientSecret'));
      if (!s.clientId || !clientSecret) throw new NeedsReauthError(OAUTH_REAUTH);
      const client = createMondayOAuthClient({ clientId: s.clientId, logger: log, ...(s.authUrl ? { authUrl: s.authUrl } : {}) });
      try {
        return await client.refresh({ refreshToken: current.refreshToken, clientSecret });
      } finally {
        await client.close();
      }
    },
    onStateChange: (state) => store.connections.setStatus(LIVE_MONDAY_ID, state),
    recordedState: () => store.connections.get(LIVE_MONDAY_ID)?.status ?? null,
  });
}

const REAUTH_MESSAGE = 'monday.com refused the API token (it was revoked or regenerated). Connect monday.com again under Connections with a new token.';

/**
 * The custodian as the connector's token provider: once the token was refused, every later call
 * stops before sending with the same sentence (custody's own says only "sign in again").
 */
function tokensOf(custodian: TokenCustodian, reauthMessage = REAUTH_MESSAGE): AccessTokenProvider {
  const explain = (error: unknown): never => {
    throw error instanceof NeedsReauthError ? new NeedsReauthError(reauthMessage) : error;
  };
  return {
    getAccessToken: () => custodian.getAccessToken().catch(explain),
    handleUnauthorized: (rejected) => custodian.handleUnauthorized(rejected).catch(explain),
  };
}

/**
 * A personal API token does not expire and cannot be refreshed (fact sheet §4.1): custody hands
 * it out as a token set that never ages, and a 401 with the token that is stored now means it
 * was revoked or regenerated — needs re-authorisation, once, never a retry loop.
 */
function personalTokenCustodian(connectionId: string, vault: TokenVault, token: () => Promise<string>, store: Store): TokenCustodian {
  return new TokenCustodian({
    connectionId,
    vault,
    policy: CLIENT_CREDENTIALS_POLICY,
    refresh: async (current): Promise<TokenSet> => {
      const stored = await token();
      if (current?.accessToken === stored) throw new NeedsReauthError(REAUTH_MESSAGE);
      return { accessToken: stored, accessTokenExpiresAt: Number.MAX_SAFE_INTEGER, refreshToken: null, refreshTokenIssuedAt: null };
    },
    onStateChange: (state) => store.connections.setStatus(connectionId, state),
  });
}

export const mondayOpener: SystemOpener<'monday'> = {
  system: 'monday',
  api: 'monday',
  simulator: 'monday',
  label: 'monday.com',
  liveConnectionId: LIVE_MONDAY_ID,
  genericConnect: true,
  // The form connects a personal token: after an OAuth sign-in, connecting with it switches back.
  genericConnectSettings: { auth: 'token' },
  openLive(deps) {
    const { store, credentials, log } = deps;
    const connection = store.connections.require(LIVE_MONDAY_ID);
    const settings = connection.settings as MondayConnectionSettings;
    const apiUrl = settings.apiUrl ?? MONDAY_API_URL;
    // The token is read from the keychain when the first call needs it, not when the app starts.
    const custodian = settings.auth === 'oauth' ? oauthCustodian(deps, () => store.connections.require(LIVE_MONDAY_ID).settings as MondayConnectionSettings) : personalTokenCustodian(
      LIVE_MONDAY_ID,
      keychainVault(credentials, LIVE_MONDAY_ID),
      async () => {
        const token = await credentials.get(connectionAccount(LIVE_MONDAY_ID, 'apiToken'));
        if (!token) throw new NeedsReauthError('The monday.com API token is not in the keychain. Connect monday.com again under Connections.');
        return token;
      },
      store,
    );
    const connector = createMondayConnector(
      { baseUrl: apiUrl, allowedHosts: [new URL(apiUrl).hostname], logger: log, tokens: tokensOf(custodian, settings.auth === 'oauth' ? OAUTH_REAUTH : REAUTH_MESSAGE) },
      {
        apiUrl,
        ...(settings.apiVersion ? { apiVersion: settings.apiVersion } : {}),
        ...(settings.account ? { account: settings.account } : {}),
      },
    );
    return { connection, connector, custodian, close: () => connector.close() };
  },
  openSandbox({ store, connection, log, sim }) {
    const apiUrl = `${sim.baseUrl}/v2`;
    const custodian = personalTokenCustodian(connection.id, memoryVault(), async () => String(sim.credentials['apiToken']), store);
    const connector = createMondayConnector(
      { baseUrl: sim.baseUrl, allowedHosts: [new URL(sim.baseUrl).hostname], logger: log, tokens: tokensOf(custodian) },
      // The simulator's account: its budgets are its own, apart from any real account's.
      { apiUrl, account: `sandbox-${new URL(sim.baseUrl).port}` },
    );
    return { connection, connector, custodian, close: () => connector.close() };
  },
  // monday limits complexity per minute, not calls per hour or day: no window spaces polls, the
  // connector waits for the next minute itself; a spent minute holds the next poll back.
  budget: (connector: MondayConnector, connectionId) => connectionBudget(connectionId, 'hourly', null, mondayNextAllowedAt(connector)),
  nextAllowedAt: (connector) => mondayNextAllowedAt(connector),
};

function mondayNextAllowedAt(connector: MondayConnector): number {
  const budget = connector.complexityBudget();
  return budget && budget.remaining <= 0 ? budget.resetAt : 0;
}

export interface ConnectMondayOAuthRequest {
  clientId: string;
  clientSecret: string;
  /** Registered in the monday app (Developer Center → OAuth → Redirect URLs): http://127.0.0.1:PORT/path. */
  redirectUri: string;
  /** Opens the system browser (the app) or prints the address (CLI). */
  openBrowser: (url: string) => void | Promise<void>;
  /** A test system serving the API at /v2 and the sign-in (the sandbox's simulator); else kept as stored. */
  baseUrl?: string;
  /** The pending sign-in, so the CLI can offer "paste the address" instead. */
  onPending?: (pending: PendingAuthorization) => void;
  timeoutMs?: number;
}

/**
 * "Connect monday.com" through the user's own monday app (OAuth 2.1): the browser sign-in on the
 * RFC 8252 loopback with PKCE and state (src-main/auth, decision 0026), the code exchanged for a
 * token set kept in the keychain with the client secret, then Test connection. When any step
 * fails, the connection is left as it was (settings, secret and tokens).
 */
export async function connectMondayOAuth(deps: LiveDeps, req: ConnectMondayOAuthRequest): Promise<{ detail: string }> {
  const { store, credentials, log } = deps;
  const existing = store.connections.get(LIVE_MONDAY_ID);
  const stored = (existing?.settings ?? {}) as MondayConnectionSettings;
  const base = req.baseUrl?.replace(/\/$/, '');
  const before: MondayConnectionSettings = base ? { ...stored, apiUrl: `${base}/v2`, authUrl: base } : stored;
  const client = createMondayOAuthClient({ clientId: req.clientId, logger: log, ...(before.authUrl ? { authUrl: before.authUrl } : {}) });
  const secretAccount = connectionAccount(LIVE_MONDAY_ID, 'clientSecret');
  const tokensAccount = connectionAccount(LIVE_MONDAY_ID, 'tokens');
  const previous = { secret: await credentials.get(secretAccount), tokens: await credentials.get(tokensAccount) };
  try {
    const pending = await startAuthorization({
      authorizeEndpoint: client.authorizeEndpoint(),
      clientId: req.clientId,
      redirectUri: req.redirectUri,
      // monday's answers are not known to carry `iss` (RFC 9207): checked when present, not required.
      issuer: { issuer: new URL(before.authUrl ?? MONDAY_AUTH_URL).origin, required: false },
      extraParams: { scope: MONDAY_OAUTH_SCOPES },
      openBrowser: req.openBrowser,
      ...(req.timeoutMs ? { timeoutMs: req.timeoutMs } : {}),
    });
    req.onPending?.(pending);
    const grant = await pending.result;
    const tokens = await client.exchangeCode({ code: grant.code, codeVerifier: grant.pkce.verifier, redirectUri: grant.redirectUri, clientSecret: req.clientSecret });
    const settings = { ...before, auth: 'oauth', clientId: req.clientId, redirectUri: req.redirectUri };
    if (existing) store.connections.update(LIVE_MONDAY_ID, { settings });
    else store.connections.create({ id: LIVE_MONDAY_ID, system: 'monday', label: 'monday.com', mode: 'live', settings });
    await credentials.set(secretAccount, req.clientSecret);
    await credentials.set(tokensAccount, JSON.stringify(tokens satisfies TokenSet));
    const live = mondayOpener.openLive(deps);
    try {
      const tested = await live.connector.testConnection();
      if (!tested.ok) throw new Error(tested.problem);
      store.connections.setStatus(LIVE_MONDAY_ID, 'connected');
      return { detail: tested.detail };
    } finally {
      await live.close();
    }
  } catch (error) {
    if (existing) store.connections.update(LIVE_MONDAY_ID, { settings: existing.settings });
    else if (store.connections.get(LIVE_MONDAY_ID)) store.connections.delete(LIVE_MONDAY_ID);
    for (const [account, value] of [[secretAccount, previous.secret], [tokensAccount, previous.tokens]] as const)
      if (value === null) await credentials.delete(account).catch(() => {});
      else await credentials.set(account, value).catch(() => {});
    throw error;
  } finally {
    await client.close();
  }
}
