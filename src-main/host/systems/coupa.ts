import { CLIENT_CREDENTIALS_POLICY, TokenCustodian } from '../../auth/custody';
import { createCoupaConnector, DEFAULT_COUPA_SCOPES, type CoupaConnector, type CoupaSettings } from '../../connectors/coupa';
import { connectionAccount } from '../../credentials';
import { connectionBudget } from '../../engine/scheduler/budget-spacing';
import { keychainVault, type LiveDeps } from '../live-connections';
import { memoryVault, type OpenedParts, type SystemOpener } from './types';

/**
 * Coupa: OAuth2 client credentials against the customer's instance (connected with the generic
 * form: instance URL, client id, client secret in the keychain, scopes, token path). The chart of
 * accounts, ship-to and bill-to belong to the flow's policy, which passes them per write; the
 * sandbox connection names the sandbox instance's values as well. Coupa's limit is per second
 * (25/s), so polls are not spaced by a daily or hourly budget.
 */
export const LIVE_COUPA_ID = 'live-coupa';

/**
 * Coupa's 25 requests/s would make the demo's first sync take ~15 s of waiting; the app's sandbox
 * instance allows 100/s (a first sync of the demo in ~4 s). The simulator's own default stays
 * 25/s, and the bench and the rate-limit tests use it. The connector paces at whatever limit the
 * simulator names.
 */
const SANDBOX_COUPA_LIMITS = { rateLimitPerSecond: 100, rateLimitQueue: 80 };

/** The sandbox instance (src-main/sandbox/coupa/seed.ts): chart of accounts 1, user inkoop, head office HQ. */
const SANDBOX_SETTINGS = {
  chartOfAccounts: { accountType: { id: '1' } },
  defaultShipToUserLogin: 'inkoop',
  defaultBillToLocationCode: 'HQ',
} as const satisfies Partial<CoupaSettings>;

interface StoredCoupaSettings {
  instanceUrl: string;
  clientId: string;
  /** Space- or comma-separated; absent = every scope F5 uses. */
  scopes?: string;
  tokenPath?: string;
}

function scopesOf(text: string | undefined): readonly string[] {
  const scopes = (text ?? '').split(/[\s,]+/).filter(Boolean);
  return scopes.length ? scopes : DEFAULT_COUPA_SCOPES;
}

/** A connector and the custodian of its tokens; the secret is read from `secret()` only when a token is needed. */
function openCoupa(
  deps: { log: LiveDeps['log'] },
  connectionId: string,
  settings: Omit<CoupaSettings, 'clientId' | 'instanceUrl'> & { instanceUrl: string; clientId: string },
  vault: ConstructorParameters<typeof TokenCustodian>[0]['vault'],
  secret: () => Promise<string>,
  onState: (state: Parameters<NonNullable<ConstructorParameters<typeof TokenCustodian>[0]['onStateChange']>>[0]) => void,
): { connector: CoupaConnector; custodian: TokenCustodian } {
  const late: { connector?: CoupaConnector } = {};
  const custodian = new TokenCustodian({
    connectionId,
    vault,
    policy: CLIENT_CREDENTIALS_POLICY,
    refresh: async () => late.connector!.requestToken(await secret()),
    onStateChange: onState,
  });
  const host = new URL(settings.instanceUrl).hostname;
  const connector = createCoupaConnector({ baseUrl: settings.instanceUrl, allowedHosts: [host], logger: deps.log, tokens: custodian }, settings);
  late.connector = connector;
  return { connector, custodian };
}

export const coupaOpener: SystemOpener<'coupa'> = {
  system: 'coupa',
  api: 'coupa',
  simulator: 'coupa',
  sandboxConfig: SANDBOX_COUPA_LIMITS,
  label: 'Coupa',
  liveConnectionId: LIVE_COUPA_ID,
  genericConnect: true,
  openLive(deps): OpenedParts<'coupa'> {
    const connection = deps.store.connections.require(LIVE_COUPA_ID);
    const s = connection.settings as unknown as StoredCoupaSettings;
    // A custodian per opening: client-credentials tokens do not rotate, so two cannot break each other.
    const { connector, custodian } = openCoupa(
      deps,
      LIVE_COUPA_ID,
      { instanceUrl: s.instanceUrl, clientId: s.clientId, scopes: scopesOf(s.scopes), ...(s.tokenPath ? { tokenPath: s.tokenPath } : {}) },
      keychainVault(deps.credentials, LIVE_COUPA_ID),
      async () => {
        const secret = await deps.credentials.get(connectionAccount(LIVE_COUPA_ID, 'clientSecret'));
        if (!secret) throw new Error('The Coupa client secret is not in the keychain. Connect Coupa again under Connections.');
        return secret;
      },
      (state) => deps.store.connections.setStatus(LIVE_COUPA_ID, state),
    );
    return { connection, connector, custodian, close: () => connector.close() };
  },
  openSandbox({ store, log, connection, sim }) {
    const { connector, custodian } = openCoupa(
      { log },
      connection.id,
      {
        instanceUrl: sim.baseUrl,
        clientId: String(sim.credentials['clientId']),
        requestsPerSecond: Number(sim.credentials['requestsPerSecond'] ?? SANDBOX_COUPA_LIMITS.rateLimitPerSecond),
        ...SANDBOX_SETTINGS,
      },
      memoryVault(),
      async () => String(sim.credentials['clientSecret']),
      (state) => store.connections.setStatus(connection.id, state),
    );
    return { connection, connector, custodian, close: () => connector.close() };
  },
  budget: (connector, connectionId) => connectionBudget(connectionId, 'hourly', null, connector.budget.snapshot().nextAllowedAt),
  nextAllowedAt: (connector) => connector.budget.snapshot().nextAllowedAt,
};
