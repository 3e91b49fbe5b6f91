import { NeedsReauthError, type TokenSet } from '../../../src-shared/domain/auth';
import { TokenCustodian, type CustodyPolicy } from '../../auth/custody';
import type { Logger } from '../../connectors/_kit';
import {
  createAcumaticaConnector,
  type AcumaticaAuth,
  type AcumaticaConnector,
  type AcumaticaSettings,
  type RetainageMode,
} from '../../connectors/acumatica';
import { connectionAccount, type CredentialStore } from '../../credentials';
import { connectionBudget } from '../../engine/scheduler/budget-spacing';
import type { Store } from '../../store/db';
import type { Connection } from '../../store/repos/connections';
import { keychainVault } from '../live-connections';
import { memoryVault, type OpenedParts, type SystemOpener } from './types';

/**
 * Acumatica (contract-based REST, Default endpoint): the user's own instance, connected with the
 * generic form (CONNECT_FORMS.acumatica: instance URL, tenant, endpoint version, a cookie login
 * or an OAuth client, and the per-connection switches), and the simulator on the sandbox.
 * Secrets (password, OAuth client secret, tokens) live only in the OS keychain and are read when
 * the connector first signs in.
 */
export const LIVE_ACUMATICA_ID = 'live-acumatica';

/**
 * The app's demo tenant: more API users than the trial licence's two, because a run killed on
 * purpose (the crash suite) leaves its session until Acumatica's idle expiry; and actions that
 * answer, one after the other, 202 + a status URL to poll or 204 at once, as Acumatica does for
 * long and quick operations (the simulator's default polls every one).
 */
const SANDBOX_ACUMATICA_CONFIG = { maxApiUsers: 10, actionCompletion: 'alternate' };

/**
 * The switches a sandbox connection starts with (written into its settings once, so they show
 * and can be changed): the demo tenant uses Acumatica's construction features, releases bills
 * and keeps retainage on a line of its own, to its retainage payable account.
 */
const SANDBOX_SETTINGS = {
  construction: 'yes',
  releaseBills: 'yes',
  retainage: 'net-line',
  retainageAccount: '20500',
  branches: 'HEADOFFICE',
  // The demo tenant has no licence queue to protect: more writes in flight than a live default.
  writeConcurrency: '8',
  maxInFlight: '10',
};

/** Settings of an Acumatica connection as the connect form stores them (strings from the form). */
interface StoredSettings {
  instanceUrl?: string;
  tenant?: string;
  endpointVersion?: string;
  auth?: string;
  username?: string;
  clientId?: string;
  branch?: string;
  /** Comma list, when the instance cannot list its branches (CompaniesStructure). */
  branches?: string;
  construction?: string | boolean;
  retainage?: string;
  originField?: string;
  requestsPerMinute?: number | string;
  maxInFlight?: number | string;
  /** Independent writes (bill PUTs, releases) in flight at once; default 4. */
  writeConcurrency?: number | string;
}

const yes = (v: unknown): boolean => v === true || (typeof v === 'string' && /^(yes|true|1|on)$/i.test(v.trim()));
const whole = (v: unknown): number | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

/** The connector's settings from a connection's stored settings (live or sandbox). */
export function acumaticaSettingsOf(stored: StoredSettings, extra: Partial<AcumaticaSettings> = {}): AcumaticaSettings {
  const branches = stored.branches
    ?.split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const rpm = whole(stored.requestsPerMinute);
  const inFlight = whole(stored.maxInFlight);
  const writes = whole(stored.writeConcurrency);
  return {
    ...(stored.instanceUrl ? { instanceUrl: stored.instanceUrl } : {}),
    tenant: stored.tenant ?? '',
    endpointVersion: stored.endpointVersion ?? '',
    ...(stored.branch ? { branch: stored.branch } : {}),
    ...(branches?.length ? { branches } : {}),
    construction: yes(stored.construction),
    // The flow's 'acumatica' retainage is Acumatica's own (screen fields); the other modes write plain lines.
    retainage: (stored.retainage === 'acumatica' ? 'screen-fields' : 'not-used') as RetainageMode,
    ...(stored.originField ? { originField: stored.originField } : {}),
    ...(writes !== undefined ? { writeConcurrency: writes } : {}),
    ...(rpm !== undefined || inFlight !== undefined
      ? { licence: { ...(rpm !== undefined ? { requestsPerMinute: rpm } : {}), ...(inFlight !== undefined ? { maxInFlight: inFlight } : {}) } }
      : {}),
    ...extra,
  };
}

/** OAuth tokens of Acumatica: access tokens live an hour; refresh tokens slide, so no keep-alive is needed. */
const ACUMATICA_OAUTH_POLICY: CustodyPolicy = {
  expirySkewMs: 60_000,
  refreshAllowedAt: () => 0,
  refreshTokenLifetimeMs: null,
  keepAliveAfterMs: null,
  warnBeforeMs: 0,
  dailyTokenCallCap: null,
};

async function secret(credentials: CredentialStore, field: string, what: string): Promise<string> {
  const value = await credentials.get(connectionAccount(LIVE_ACUMATICA_ID, field));
  if (!value) throw new NeedsReauthError(`${what} is not in the keychain. Connect Acumatica again under Connections.`);
  return value;
}

function openLive(deps: { store: Store; credentials: CredentialStore; log: Logger }): OpenedParts<'acumatica'> {
  const connection = deps.store.connections.require(LIVE_ACUMATICA_ID);
  const stored = connection.settings as StoredSettings;
  const settings = acumaticaSettingsOf(stored);
  const instanceUrl = stored.instanceUrl ?? '';
  const host = (() => {
    try {
      return new URL(instanceUrl).hostname;
    } catch {
      return '';
    }
  })();
  const late: { connector?: AcumaticaConnector } = {};
  const oauth = stored.auth === 'oauth';
  const custodian = new TokenCustodian({
    connectionId: LIVE_ACUMATICA_ID,
    vault: keychainVault(deps.credentials, LIVE_ACUMATICA_ID),
    policy: ACUMATICA_OAUTH_POLICY,
    refresh: async (current: TokenSet | null) => {
      if (!oauth) throw new NeedsReauthError('This Acumatica connection signs in with a user name and password, not OAuth tokens.');
      const clientSecret = await secret(deps.credentials, 'clientSecret', 'The Acumatica OAuth client secret');
      const clientId = stored.clientId ?? '';
      if (current?.refreshToken) {
        try {
          return await late.connector!.refreshTokens({ clientId, clientSecret, refreshToken: current.refreshToken });
        } catch (error) {
          if (!(error instanceof NeedsReauthError)) throw error;
          // A spent refresh token: the password grant signs in again with the stored user.
        }
      }
      const password = await secret(deps.credentials, 'password', 'The Acumatica password');
      return late.connector!.requestTokens({ clientId, clientSecret, username: stored.username ?? '', password });
    },
    onStateChange: (state) => deps.store.connections.setStatus(LIVE_ACUMATICA_ID, state),
  });
  const auth: AcumaticaAuth = oauth
    ? { tokens: custodian }
    : { login: { username: stored.username ?? '', password: () => secret(deps.credentials, 'password', 'The Acumatica password') } };
  const connector = createAcumaticaConnector({ baseUrl: instanceUrl, allowedHosts: host ? [host] : [], logger: deps.log, ...auth }, settings);
  late.connector = connector;
  return { connection, connector, custodian, close: () => connector.close() };
}

/** A custodian for a cookie-session connection: nothing to refresh, so asking for a token is a mistake. */
function cookieCustodian(connection: Connection, store: Store): TokenCustodian {
  return new TokenCustodian({
    connectionId: connection.id,
    vault: memoryVault(),
    policy: ACUMATICA_OAUTH_POLICY,
    refresh: () => Promise.reject(new NeedsReauthError('The Acumatica sandbox signs in with a user name and password, not OAuth tokens.')),
    onStateChange: (state) => store.connections.setStatus(connection.id, state),
  });
}

export const acumaticaOpener: SystemOpener<'acumatica'> = {
  system: 'acumatica',
  api: 'acumatica',
  simulator: 'acumatica',
  sandboxConfig: SANDBOX_ACUMATICA_CONFIG,
  label: 'Acumatica',
  liveConnectionId: LIVE_ACUMATICA_ID,
  genericConnect: true,
  openLive: (deps) => openLive(deps),
  openSandbox({ store, log, connection, sim }) {
    // The demo's switches, written once into the sandbox connection (a user's later changes stay).
    const current = store.connections.require(connection.id).settings as Record<string, unknown>;
    const missing = Object.entries(SANDBOX_SETTINGS).filter(([key]) => current[key] === undefined);
    const settings = missing.length ? { ...Object.fromEntries(missing), ...current } : current;
    if (missing.length) store.connections.update(connection.id, { settings: settings as never });
    const creds = sim.credentials as { username: string; password: string; tenant: string; endpointVersion: string };
    const stored: StoredSettings = { tenant: creds.tenant, endpointVersion: creds.endpointVersion, ...(settings as StoredSettings), instanceUrl: sim.baseUrl };
    const connector = createAcumaticaConnector(
      { baseUrl: sim.baseUrl, allowedHosts: [new URL(sim.baseUrl).hostname], logger: log, login: { username: creds.username, password: creds.password } },
      // The simulator answers on loopback at once: status polls of a release need not wait long.
      acumaticaSettingsOf(stored, { actionPolling: { firstDelayMs: 10, maxDelayMs: 100 } }),
    );
    return { connection: store.connections.require(connection.id), connector, custodian: cookieCustodian(connection, store), close: () => connector.close() };
  },
  // Acumatica's licence limit is per minute, which the connector paces itself; no hourly or daily quota spaces polls.
  budget: (connector, connectionId) => connectionBudget(connectionId, 'hourly', null, connector.budget.snapshot().nextAllowedAt),
  nextAllowedAt: (connector) => connector.budget.snapshot().nextAllowedAt,
};
