import { NeedsReauthError, type TokenSet } from '../../../src-shared/domain/auth';
import { CLIENT_CREDENTIALS_POLICY, TokenCustodian, type TokenVault } from '../../auth/custody';
import type { AccessTokenProvider } from '../../connectors/connector';
import { createMondayConnector, MONDAY_API_URL, type MondayConnector } from '../../connectors/monday';
import { connectionAccount } from '../../credentials';
import { connectionBudget } from '../../engine/scheduler/budget-spacing';
import type { Store } from '../../store/db';
import { keychainVault } from '../live-connections';
import { memoryVault, type SystemOpener } from './types';

/** The user's own monday.com account (one per data folder), connected with the generic form. */
export const LIVE_MONDAY_ID = 'live-monday';

/** Non-secret settings of a monday.com connection (SQLite); the API token lives in the keychain only. */
interface MondayConnectionSettings {
  apiVersion?: string;
  account?: string;
  /** Overrides https://api.monday.com/v2 (tests). */
  apiUrl?: string;
}

const REAUTH_MESSAGE = 'monday.com refused the API token (it was revoked or regenerated). Connect monday.com again under Connections with a new token.';

/**
 * The custodian as the connector's token provider: once the token was refused, every later call
 * stops before sending with the same sentence (custody's own says only "sign in again").
 */
function tokensOf(custodian: TokenCustodian): AccessTokenProvider {
  const explain = (error: unknown): never => {
    throw error instanceof NeedsReauthError ? new NeedsReauthError(REAUTH_MESSAGE) : error;
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
  openLive({ store, credentials, log }) {
    const connection = store.connections.require(LIVE_MONDAY_ID);
    const settings = connection.settings as MondayConnectionSettings;
    const apiUrl = settings.apiUrl ?? MONDAY_API_URL;
    // The token is read from the keychain when the first call needs it, not when the app starts.
    const custodian = personalTokenCustodian(
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
      { baseUrl: apiUrl, allowedHosts: [new URL(apiUrl).hostname], logger: log, tokens: tokensOf(custodian) },
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
