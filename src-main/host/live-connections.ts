import type { TokenSet } from '../../src-shared/domain/auth';
import { CLIENT_CREDENTIALS_POLICY, EXACT_CUSTODY_POLICY, exactCustodyPolicy, TokenCustodian, type CustodyPolicy, type TokenVault } from '../auth/custody';
import { fileLock } from '../auth/file-lock';
import { startAuthorization, type PendingAuthorization } from '../auth/loopback';
import type { Logger } from '../connectors/_kit';
import { createExactOnlineConnector, exactHostFor, type ExactMe, type ExactOnlineConnector, type ExactRegion } from '../connectors/exact-online';
import { createProcoreConnector, PROCORE_ENVIRONMENTS, type ProcoreConnector } from '../connectors/procore';
import { connectionAccount, type CredentialStore } from '../credentials';
import type { Store } from '../store/db';
import type { Connection } from '../store/repos/connections';
import { join } from 'node:path';
import { settingsCounter } from './token-call-counter';

/**
 * Live connections: the user's own Exact Online and Procore. Secrets (client secrets, token
 * sets) live only in the OS keychain; SQLite holds the non-secret settings (region, client id,
 * redirect URI, division, company id).
 */
export const LIVE_EXACT_ID = 'live-exact-online';
export const LIVE_PROCORE_ID = 'live-procore';

export interface LiveDeps {
  store: Store;
  credentials: CredentialStore;
  log: Logger;
  dataDir: string;
}

/** Token sets as one keychain entry per connection. */
export function keychainVault(credentials: CredentialStore, connectionId: string): TokenVault {
  const account = connectionAccount(connectionId, 'tokens');
  return {
    load: async () => {
      const text = await credentials.get(account);
      return text ? (JSON.parse(text) as TokenSet) : null;
    },
    save: (tokens) => credentials.set(account, JSON.stringify(tokens)),
    clear: async () => {
      await credentials.delete(account);
    },
  };
}

async function requireSecret(credentials: CredentialStore, connectionId: string, field: string, what: string): Promise<string> {
  const secret = await credentials.get(connectionAccount(connectionId, field));
  if (!secret) throw new Error(`${what} is not in the keychain. Connect again (npx ml-connector connect …).`);
  return secret;
}

interface ExactSettings {
  region: ExactRegion;
  clientId: string;
  redirectUri: string;
  baseUrl?: string;
  division?: number;
}

function exactConnector(deps: LiveDeps, settings: ExactSettings, custody: { current?: TokenCustodian }): ExactOnlineConnector {
  const baseUrl = settings.baseUrl ?? exactHostFor(settings.region);
  return createExactOnlineConnector(
    {
      baseUrl,
      allowedHosts: [new URL(baseUrl).hostname],
      logger: deps.log,
      tokens: {
        getAccessToken: () => custody.current!.getAccessToken(),
        handleUnauthorized: (t) => custody.current!.handleUnauthorized(t),
      },
    },
    { region: settings.region, baseUrl, division: settings.division ?? 1, clientId: settings.clientId },
  );
}

/**
 * Exact's idle refresh-token lifetime is not confirmed by Exact's own pages (fact sheet §1.2):
 * `refreshTokenLifetimeDays` in the connection's settings overrides the 30-day default.
 */
export function exactPolicyFromSettings(settings: Record<string, unknown> | undefined): CustodyPolicy {
  const days = settings?.['refreshTokenLifetimeDays'];
  if (days === undefined) return EXACT_CUSTODY_POLICY;
  if (typeof days !== 'number')
    throw new RangeError(`The Exact Online setting refreshTokenLifetimeDays must be a number of days, got ${JSON.stringify(days)}.`);
  return exactCustodyPolicy(days);
}

function exactCustodian(deps: LiveDeps, connectionId: string, exact: () => ExactOnlineConnector): TokenCustodian {
  return new TokenCustodian({
    connectionId,
    vault: keychainVault(deps.credentials, connectionId),
    policy: exactPolicyFromSettings(deps.store.connections.get(connectionId)?.settings),
    lock: fileLock(join(deps.dataDir, 'locks', `${connectionId}.lock`)),
    tokenCalls: settingsCounter(deps.store, connectionId),
    refresh: async (current) => {
      if (!current?.refreshToken) throw new Error('Exact Online is not signed in. Connect again.');
      const clientSecret = await requireSecret(deps.credentials, connectionId, 'clientSecret', 'The Exact Online client secret');
      return exact().refreshTokens({ refreshToken: current.refreshToken, clientSecret, accessTokenExpiresAt: current.accessTokenExpiresAt });
    },
    onStateChange: (state) => deps.store.connections.setStatus(connectionId, state),
  });
}

export interface ConnectExactRequest extends ExactSettings {
  clientSecret: string;
  /** Opens the system browser (Electron shell.openExternal) or prints the URL (CLI). */
  openBrowser: (url: string) => void | Promise<void>;
  /** Called with the pending sign-in so a UI/CLI can offer "paste the address" instead. */
  onPending?: (pending: PendingAuthorization) => void;
  timeoutMs?: number;
}

/**
 * Signs in to Exact Online through the RFC 8252 loopback (or a pasted redirect URL), stores the
 * client secret and tokens in the keychain, reads the user's divisions from current/Me and
 * stores the chosen one (default: the division the user last had open).
 */
export async function connectExactOnline(deps: LiveDeps, req: ConnectExactRequest): Promise<{ connection: Connection; me: ExactMe }> {
  const settings: ExactSettings = { region: req.region, clientId: req.clientId, redirectUri: req.redirectUri, ...(req.baseUrl ? { baseUrl: req.baseUrl } : {}) };
  const custody: { current?: TokenCustodian } = {};
  const exact = exactConnector(deps, settings, custody);
  const pending = await startAuthorization({
    authorizeEndpoint: exact.authorizeEndpoint(),
    clientId: req.clientId,
    redirectUri: req.redirectUri,
    openBrowser: req.openBrowser,
    ...(req.timeoutMs ? { timeoutMs: req.timeoutMs } : {}),
  });
  req.onPending?.(pending);
  const grant = await pending.result;

  const existing = deps.store.connections.get(LIVE_EXACT_ID);
  const base = { region: req.region, clientId: req.clientId, redirectUri: req.redirectUri, ...(req.baseUrl ? { baseUrl: req.baseUrl } : {}) };
  if (existing) deps.store.connections.update(LIVE_EXACT_ID, { settings: { ...existing.settings, ...base } });
  else deps.store.connections.create({ id: LIVE_EXACT_ID, system: 'exact-online', label: 'Exact Online', mode: 'live', settings: base });
  // The code exchange is a token-endpoint call too (Exact allows 200 a day).
  settingsCounter(deps.store, LIVE_EXACT_ID).increment(new Date().toISOString().slice(0, 10));
  const tokens = await exact.exchangeCode({ code: grant.code, codeVerifier: grant.pkce.verifier, redirectUri: grant.redirectUri, clientSecret: req.clientSecret });
  await deps.credentials.set(connectionAccount(LIVE_EXACT_ID, 'clientSecret'), req.clientSecret);
  custody.current = exactCustodian(deps, LIVE_EXACT_ID, () => exact);
  await custody.current.acceptNewGrant(tokens);

  const me = await exact.me();
  const division = req.division ?? me.currentDivision;
  if (me.divisions.length > 0 && !me.divisions.some((d) => d.code === division))
    throw new Error(`Division ${division} is not one of yours in Exact Online (${me.divisions.map((d) => `${d.code} ${d.name}`).join(', ')}).`);
  const saved = deps.store.connections.update(LIVE_EXACT_ID, {
    // Re-read: custody and the token-call counter updated the settings meanwhile.
    settings: { ...deps.store.connections.require(LIVE_EXACT_ID).settings, division, divisions: me.divisions.map((d) => ({ code: d.code, name: d.name })) },
  });
  await exact.close();
  return { connection: saved, me };
}

export interface ConnectProcoreRequest {
  companyId: string;
  clientId: string;
  clientSecret: string;
  environment?: keyof typeof PROCORE_ENVIRONMENTS;
  /** Overrides the environment's hosts (tests). */
  apiBaseUrl?: string;
  authBaseUrl?: string;
}

function procoreConnector(deps: LiveDeps, s: { companyId: string; apiBaseUrl: string; authBaseUrl: string }, custody: { current?: TokenCustodian }): ProcoreConnector {
  return createProcoreConnector(
    {
      baseUrl: s.apiBaseUrl,
      allowedHosts: [...new Set([new URL(s.apiBaseUrl).hostname, new URL(s.authBaseUrl).hostname])],
      logger: deps.log,
      tokens: { getAccessToken: () => custody.current!.getAccessToken(), handleUnauthorized: (t) => custody.current!.handleUnauthorized(t) },
    },
    { companyId: s.companyId, apiBaseUrl: s.apiBaseUrl, authBaseUrl: s.authBaseUrl },
  );
}

function procoreCustodian(deps: LiveDeps, connectionId: string, procore: () => ProcoreConnector, clientId: string): TokenCustodian {
  return new TokenCustodian({
    connectionId,
    vault: keychainVault(deps.credentials, connectionId),
    policy: CLIENT_CREDENTIALS_POLICY,
    refresh: async () =>
      procore().requestToken({ clientId, clientSecret: await requireSecret(deps.credentials, connectionId, 'clientSecret', 'The Procore client secret') }),
    onStateChange: (state) => deps.store.connections.setStatus(connectionId, state),
  });
}

/** Stores a Procore DMSA connection (client credentials) after proving it works. */
export async function connectProcore(deps: LiveDeps, req: ConnectProcoreRequest): Promise<{ connection: Connection; detail: string }> {
  const env = PROCORE_ENVIRONMENTS[req.environment ?? 'production'];
  const hosts = { companyId: req.companyId, apiBaseUrl: req.apiBaseUrl ?? env.apiBaseUrl, authBaseUrl: req.authBaseUrl ?? env.authBaseUrl };
  const settings = { ...hosts, clientId: req.clientId };
  const existing = deps.store.connections.get(LIVE_PROCORE_ID);
  const secretAccount = connectionAccount(LIVE_PROCORE_ID, 'clientSecret');
  const previousSecret = await deps.credentials.get(secretAccount);
  // New credentials must prove themselves: a token from earlier ones would hide a wrong secret.
  await deps.credentials.delete(connectionAccount(LIVE_PROCORE_ID, 'tokens'));
  await deps.credentials.set(secretAccount, req.clientSecret);
  const connection = existing
    ? deps.store.connections.update(LIVE_PROCORE_ID, { settings: { ...existing.settings, ...settings } })
    : deps.store.connections.create({ id: LIVE_PROCORE_ID, system: 'procore', label: 'Procore', mode: 'live', settings });
  const custody: { current?: TokenCustodian } = {};
  const procore = procoreConnector(deps, hosts, custody);
  custody.current = procoreCustodian(deps, LIVE_PROCORE_ID, () => procore, req.clientId);
  try {
    const test = await procore.testConnection();
    if (!test.ok) throw new Error(test.problem);
    return { connection, detail: test.detail };
  } catch (error) {
    // Refused: leave things as they were (no half-made connection, the old secret back).
    if (existing) deps.store.connections.update(LIVE_PROCORE_ID, { settings: existing.settings });
    else deps.store.connections.delete(LIVE_PROCORE_ID);
    if (previousSecret) await deps.credentials.set(secretAccount, previousSecret);
    else await deps.credentials.delete(secretAccount);
    throw error;
  } finally {
    await procore.close();
  }
}

/** Connectors for the stored live connections, with keychain-backed token custody. */
export function openLiveConnectors(deps: LiveDeps): {
  exact: ExactOnlineConnector;
  procore: ProcoreConnector;
  exactConnection: Connection;
  procoreConnection: Connection;
  /** The custodians behind the connectors (keep-alive, sign-in expiry). */
  exactCustodian: TokenCustodian;
  procoreCustodian: TokenCustodian;
} {
  const exactConnection = deps.store.connections.require(LIVE_EXACT_ID);
  const procoreConnection = deps.store.connections.require(LIVE_PROCORE_ID);
  const es = exactConnection.settings as unknown as ExactSettings & { division: number };
  const exactCustody: { current?: TokenCustodian } = {};
  const exact = exactConnector(deps, es, exactCustody);
  exactCustody.current = exactCustodian(deps, LIVE_EXACT_ID, () => exact);
  const ps = procoreConnection.settings as unknown as { companyId: string; apiBaseUrl: string; authBaseUrl: string; clientId: string };
  const procoreCustody: { current?: TokenCustodian } = {};
  const procore = procoreConnector(deps, ps, procoreCustody);
  procoreCustody.current = procoreCustodian(deps, LIVE_PROCORE_ID, () => procore, ps.clientId);
  return { exact, procore, exactConnection, procoreConnection, exactCustodian: exactCustody.current, procoreCustodian: procoreCustody.current };
}
