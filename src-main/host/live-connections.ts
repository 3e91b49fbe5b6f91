import type { TokenSet } from '../../src-shared/domain/auth';
import { CLIENT_CREDENTIALS_POLICY, EXACT_CUSTODY_POLICY, exactCustodyPolicy, TokenCustodian, type CustodyPolicy, type TokenVault } from '../auth/custody';
import { fileLock } from '../auth/file-lock';
import { startAuthorization, type IssuerExpectation, type PendingAuthorization } from '../auth/loopback';
import type { Logger } from '../connectors/_kit';
import type { AccessTokenProvider } from '../connectors/connector';
import { createExactOnlineConnector, exactHostFor, type ExactMe, type ExactOnlineConnector, type ExactRegion } from '../connectors/exact-online';
import { createProcoreConnector, PROCORE_ENVIRONMENTS, type ProcoreConnector } from '../connectors/procore';
import { connectionAccount, type CredentialStore } from '../credentials';
import type { Store } from '../store/db';
import type { Connection } from '../store/repos/connections';
import { join } from 'node:path';
import { settingsCounter } from './token-call-counter';
import type { CustodiedConnection } from './token-keep-alive';

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
  /**
   * The issuer a sign-in response must name in `iss` when it carries one (RFC 9207). Exact
   * publishes no authorization-server metadata, so it is configured per connection; default:
   * the origin of the Exact host (https://start.exactonline.nl).
   */
  issuer?: string;
  /** Exact sends `iss` in every sign-in response (RFC 9207), so one without it is refused. Default false. */
  issParameterSupported?: boolean;
  /** Access-token lifetime (s) when a token answer has no `expires_in`; default 600. */
  accessTokenLifetimeSeconds?: number;
}

/** What a sign-in response of this connection must say about its sender (RFC 9207). */
export function exactIssuerExpectation(settings: Pick<ExactSettings, 'region' | 'baseUrl' | 'issuer' | 'issParameterSupported'>): IssuerExpectation {
  const issuer = settings.issuer?.trim() || new URL(settings.baseUrl ?? exactHostFor(settings.region)).origin;
  return { issuer, required: settings.issParameterSupported === true };
}

function exactConnector(deps: LiveDeps, settings: ExactSettings, custodian: () => TokenCustodian): ExactOnlineConnector {
  const baseUrl = settings.baseUrl ?? exactHostFor(settings.region);
  return createExactOnlineConnector(
    {
      baseUrl,
      allowedHosts: [new URL(baseUrl).hostname],
      logger: deps.log,
      tokens: {
        getAccessToken: () => custodian().getAccessToken(),
        handleUnauthorized: (t) => custodian().handleUnauthorized(t),
      },
    },
    {
      region: settings.region,
      baseUrl,
      division: settings.division ?? 1,
      clientId: settings.clientId,
      ...(typeof settings.accessTokenLifetimeSeconds === 'number' ? { accessTokenLifetimeSeconds: settings.accessTokenLifetimeSeconds } : {}),
    },
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

function exactCustodian(deps: LiveDeps): TokenCustodian {
  const custodian: TokenCustodian = new TokenCustodian({
    connectionId: LIVE_EXACT_ID,
    vault: keychainVault(deps.credentials, LIVE_EXACT_ID),
    policy: exactPolicyFromSettings(deps.store.connections.get(LIVE_EXACT_ID)?.settings),
    lock: fileLock(join(deps.dataDir, 'locks', `${LIVE_EXACT_ID}.lock`)),
    tokenCalls: settingsCounter(deps.store, LIVE_EXACT_ID),
    refresh: async (current) => {
      if (!current?.refreshToken) throw new Error('Exact Online is not signed in. Connect again.');
      const clientSecret = await requireSecret(deps.credentials, LIVE_EXACT_ID, 'clientSecret', 'The Exact Online client secret');
      // A connector for this one call, from the settings as stored now: a new sign-in may have
      // changed the app (client id) or the host since this custodian was made.
      const exact = exactConnector(deps, storedExactSettings(deps.store), () => custodian);
      try {
        return await exact.refreshTokens({ refreshToken: current.refreshToken, clientSecret, accessTokenExpiresAt: current.accessTokenExpiresAt });
      } finally {
        await exact.close();
      }
    },
    onStateChange: (state) => deps.store.connections.setStatus(LIVE_EXACT_ID, state),
    // A stop recorded by another process (the CLI, the tray) holds here too, without a token call.
    recordedState: () => deps.store.connections.get(LIVE_EXACT_ID)?.status ?? null,
  });
  return custodian;
}

function storedExactSettings(store: Store): ExactSettings {
  return store.connections.require(LIVE_EXACT_ID).settings as unknown as ExactSettings;
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
  const stored = deps.store.connections.get(LIVE_EXACT_ID)?.settings as Partial<ExactSettings> | undefined;
  // Per-connection OAuth settings: as given now, else as stored (a reconnect keeps them).
  const oauthSettings: Pick<ExactSettings, 'issuer' | 'issParameterSupported' | 'accessTokenLifetimeSeconds'> = {};
  const issuer = req.issuer ?? stored?.issuer;
  const issParameterSupported = req.issParameterSupported ?? stored?.issParameterSupported;
  const accessTokenLifetimeSeconds = req.accessTokenLifetimeSeconds ?? stored?.accessTokenLifetimeSeconds;
  if (typeof issuer === 'string' && issuer.trim()) oauthSettings.issuer = issuer.trim();
  if (typeof issParameterSupported === 'boolean') oauthSettings.issParameterSupported = issParameterSupported;
  if (typeof accessTokenLifetimeSeconds === 'number') oauthSettings.accessTokenLifetimeSeconds = accessTokenLifetimeSeconds;
  const settings: ExactSettings = { region: req.region, clientId: req.clientId, redirectUri: req.redirectUri, ...(req.baseUrl ? { baseUrl: req.baseUrl } : {}), ...oauthSettings };
  // The process's one Exact custodian (see LiveCustody), made once the connection row exists.
  const custodian = (): TokenCustodian => liveCustody(deps).custodian(LIVE_EXACT_ID);
  const exact = exactConnector(deps, settings, custodian);
  const pending = await startAuthorization({
    authorizeEndpoint: exact.authorizeEndpoint(),
    clientId: req.clientId,
    redirectUri: req.redirectUri,
    issuer: exactIssuerExpectation(settings),
    openBrowser: req.openBrowser,
    ...(req.timeoutMs ? { timeoutMs: req.timeoutMs } : {}),
  });
  req.onPending?.(pending);
  const grant = await pending.result;

  const existing = deps.store.connections.get(LIVE_EXACT_ID);
  const base = { region: req.region, clientId: req.clientId, redirectUri: req.redirectUri, ...(req.baseUrl ? { baseUrl: req.baseUrl } : {}), ...oauthSettings };
  if (existing) deps.store.connections.update(LIVE_EXACT_ID, { settings: { ...existing.settings, ...base } });
  else deps.store.connections.create({ id: LIVE_EXACT_ID, system: 'exact-online', label: 'Exact Online', mode: 'live', settings: base });
  // The code exchange is a token-endpoint call too (Exact allows 200 a day).
  settingsCounter(deps.store, LIVE_EXACT_ID).increment(new Date().toISOString().slice(0, 10));
  const tokens = await exact.exchangeCode({ code: grant.code, codeVerifier: grant.pkce.verifier, redirectUri: grant.redirectUri, clientSecret: req.clientSecret });
  await deps.credentials.set(connectionAccount(LIVE_EXACT_ID, 'clientSecret'), req.clientSecret);
  await custodian().acceptNewGrant(tokens);

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
  /** Commitment line-item writes at once (1–16); the stored value, or the default, when absent. */
  writeConcurrency?: number;
}

interface ProcoreSettings {
  companyId: string;
  apiBaseUrl: string;
  authBaseUrl: string;
  clientId: string;
  /** Stored as given at connect time; absent = the connector's default. */
  writeConcurrency?: number;
}

function procoreConnector(deps: LiveDeps, s: Omit<ProcoreSettings, 'clientId'>, tokens: AccessTokenProvider): ProcoreConnector {
  return createProcoreConnector(
    {
      baseUrl: s.apiBaseUrl,
      allowedHosts: [...new Set([new URL(s.apiBaseUrl).hostname, new URL(s.authBaseUrl).hostname])],
      logger: deps.log,
      tokens,
    },
    {
      companyId: s.companyId,
      apiBaseUrl: s.apiBaseUrl,
      authBaseUrl: s.authBaseUrl,
      ...(s.writeConcurrency !== undefined ? { writeConcurrency: s.writeConcurrency } : {}),
    },
  );
}

/**
 * Client credentials (DMSA): a new token costs nothing and rotates nothing, so no lock and no
 * call cap. Each token call uses a connector made from `settings()` at that moment.
 */
function procoreCustodian(deps: LiveDeps, settings: () => ProcoreSettings): TokenCustodian {
  const custodian: TokenCustodian = new TokenCustodian({
    connectionId: LIVE_PROCORE_ID,
    vault: keychainVault(deps.credentials, LIVE_PROCORE_ID),
    policy: CLIENT_CREDENTIALS_POLICY,
    refresh: async () => {
      const clientSecret = await requireSecret(deps.credentials, LIVE_PROCORE_ID, 'clientSecret', 'The Procore client secret');
      const current = settings();
      const procore = procoreConnector(deps, current, custodian);
      try {
        return await procore.requestToken({ clientId: current.clientId, clientSecret });
      } finally {
        await procore.close();
      }
    },
    onStateChange: (state) => deps.store.connections.setStatus(LIVE_PROCORE_ID, state),
  });
  return custodian;
}

function storedProcoreSettings(store: Store): ProcoreSettings {
  return store.connections.require(LIVE_PROCORE_ID).settings as unknown as ProcoreSettings;
}

/** Stores a Procore DMSA connection (client credentials) after proving it works. */
export async function connectProcore(deps: LiveDeps, req: ConnectProcoreRequest): Promise<{ connection: Connection; detail: string }> {
  const env = PROCORE_ENVIRONMENTS[req.environment ?? 'production'];
  const hosts = { companyId: req.companyId, apiBaseUrl: req.apiBaseUrl ?? env.apiBaseUrl, authBaseUrl: req.authBaseUrl ?? env.authBaseUrl };
  const settings = {
    ...hosts,
    clientId: req.clientId,
    ...(req.writeConcurrency !== undefined ? { writeConcurrency: req.writeConcurrency } : {}),
  };
  // A custodian of its own, not the process's shared one (LiveCustody): that one may still hold
  // a token from the earlier credentials, which would hide a wrong secret. Client-credentials
  // tokens do not rotate, so a second custodian cannot break anything; the shared one picks up
  // the new token from the keychain at its next 401. Made before anything is stored: a setting
  // the connector refuses (e.g. writeConcurrency 40) changes nothing.
  const custodian = procoreCustodian(deps, () => settings);
  const procore = procoreConnector(deps, settings, custodian);
  try {
    const existing = deps.store.connections.get(LIVE_PROCORE_ID);
    const secretAccount = connectionAccount(LIVE_PROCORE_ID, 'clientSecret');
    const previousSecret = await deps.credentials.get(secretAccount);
    // New credentials must prove themselves: a token from earlier ones would hide a wrong secret.
    await deps.credentials.delete(connectionAccount(LIVE_PROCORE_ID, 'tokens'));
    await deps.credentials.set(secretAccount, req.clientSecret);
    const connection = existing
      ? deps.store.connections.update(LIVE_PROCORE_ID, { settings: { ...existing.settings, ...settings } })
      : deps.store.connections.create({ id: LIVE_PROCORE_ID, system: 'procore', label: 'Procore', mode: 'live', settings });
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
    }
  } finally {
    // Also when the keychain fails before the test: the connector's connection pool is closed.
    await procore.close();
  }
}

/** A stored live connection, opened: its connector and the process's custodian of its tokens. */
export interface LiveConnection<C> {
  connection: Connection;
  connector: C;
  custodian: TokenCustodian;
}

/** The live Exact Online connection on its own (Procore need not be connected). */
export function openLiveExact(deps: LiveDeps): LiveConnection<ExactOnlineConnector> {
  const connection = deps.store.connections.require(LIVE_EXACT_ID);
  const custodian = liveCustody(deps).custodian(LIVE_EXACT_ID);
  return { connection, custodian, connector: exactConnector(deps, connection.settings as unknown as ExactSettings, () => custodian) };
}

/** The live Procore connection on its own (Exact Online need not be connected). */
export function openLiveProcore(deps: LiveDeps): LiveConnection<ProcoreConnector> {
  const connection = deps.store.connections.require(LIVE_PROCORE_ID);
  const custodian = liveCustody(deps).custodian(LIVE_PROCORE_ID);
  return { connection, custodian, connector: procoreConnector(deps, connection.settings as unknown as ProcoreSettings, custodian) };
}

type LiveConnectionId = typeof LIVE_EXACT_ID | typeof LIVE_PROCORE_ID;

/**
 * One token custodian per live connection for everything in this process that uses the same
 * store: the keep-alive, the sync engine, "Test connection" and a new Exact sign-in. Exact rotates
 * the refresh token on every refresh and a second refresh with the old one kills the grant, so
 * two custodians of one connection must never race (the file lock and re-read inside custody
 * make that safe across processes; one custodian makes it single-flight in this one).
 *
 * Custodians are made on first use and live as long as the store; they hold no open resources
 * (each token call uses a connector made and closed for it).
 */
export class LiveCustody {
  readonly #deps: LiveDeps;
  readonly #custodians = new Map<LiveConnectionId, TokenCustodian>();

  constructor(deps: LiveDeps) {
    this.#deps = deps;
  }

  /** The custodian of a stored live connection (throws ConnectionNotFoundError when it is not stored). */
  custodian(id: LiveConnectionId): TokenCustodian {
    let custodian = this.#custodians.get(id);
    if (!custodian) {
      const { store } = this.#deps;
      store.connections.require(id);
      custodian = id === LIVE_EXACT_ID ? exactCustodian(this.#deps) : procoreCustodian(this.#deps, () => storedProcoreSettings(store));
      this.#custodians.set(id, custodian);
    }
    return custodian;
  }

  /** The live connections stored now, each with its custodian (what the keep-alive checks). */
  custodied(): CustodiedConnection[] {
    return ([LIVE_EXACT_ID, LIVE_PROCORE_ID] as const).flatMap((id) => {
      const connection = this.#deps.store.connections.get(id);
      return connection ? [{ id, label: connection.label, custodian: this.custodian(id) }] : [];
    });
  }
}

const custodyByStore = new WeakMap<Store, LiveCustody>();

/**
 * The LiveCustody of `deps.store`. Every caller in a process passes the same keychain and data
 * folder for a store, so the first caller's deps serve all.
 */
export function liveCustody(deps: LiveDeps): LiveCustody {
  let custody = custodyByStore.get(deps.store);
  if (!custody) {
    custody = new LiveCustody(deps);
    custodyByStore.set(deps.store, custody);
  }
  return custody;
}
