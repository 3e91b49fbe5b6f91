import { CLIENT_CREDENTIALS_POLICY, TokenCustodian } from '../../auth/custody';
import type { Logger } from '../../connectors/_kit';
import { createIntacctConnector, type IntacctConnector, type IntacctSecrets, type IntacctSettings, type RetainageSetting } from '../../connectors/sage-intacct';
import { connectionAccount, type CredentialStore } from '../../credentials';
import { connectionBudget } from '../../engine/scheduler/budget-spacing';
import { SANDBOX_COMMITMENT_ITEM, SANDBOX_COMMITMENT_OFFSET_ACCOUNT, SANDBOX_RETAINAGE_ACCOUNT } from '../../sandbox/sage-intacct/world-projection';
import type { Store } from '../../store/db';
import { memoryVault, type SystemOpener } from './types';

/**
 * Sage Intacct (XML Web Services): connected with the generic form (CONNECT_FORMS in
 * src-shared/domain/connect-forms.ts). The settings live in SQLite, the two passwords (Web
 * Services sender, user) in the OS keychain only, read lazily at each sign-in. Intacct has no
 * OAuth: the connector signs in with getAPISession and keeps the session itself, so the
 * connection's custodian never refreshes anything (the hub and the keep-alive expect one).
 */
export const LIVE_INTACCT_ID = 'live-sage-intacct';
export const INTACCT_GATEWAY = 'https://api.intacct.com/ia/xml/xmlgw.phtml';

/** What the Connections form stores (src-shared/domain/connect-forms.ts), as the connector and F3 read it. */
interface StoredIntacctSettings {
  endpointUrl?: string;
  senderId?: string;
  companyId?: string;
  userId?: string;
  entityId?: string;
  retainage?: string;
  retainageAccountNo?: string;
  purchasingItemId?: string;
  requestsPerMinute?: number;
}

function retainageOf(s: StoredIntacctSettings): RetainageSetting {
  if (s.retainage === 'separate-line' && s.retainageAccountNo) return { mode: 'separate-line', accountNo: s.retainageAccountNo, description: 'Retainage withheld (Procore pay application)' };
  if (s.retainage === 'net') return { mode: 'net' };
  return { mode: 'gross' };
}

/** The connector's settings from the stored ones. Vendors are keyed by VENDORID (F3 links them by it). */
export function connectorSettings(s: StoredIntacctSettings, endpointUrl: string): IntacctSettings {
  return {
    endpointUrl,
    senderId: s.senderId ?? '',
    companyId: s.companyId ?? '',
    userId: s.userId ?? '',
    ...(s.entityId ? { entityId: s.entityId } : {}),
    keyFields: { vendor: 'VENDORID' },
    retainage: retainageOf(s),
    ...(s.purchasingItemId ? { defaultPurchasingItemId: s.purchasingItemId } : {}),
    ...(s.requestsPerMinute ? { requestsPerMinute: s.requestsPerMinute } : {}),
  };
}

/** Intacct signs in per session inside the connector: this custodian only reports the state. */
function sessionCustodian(store: Store, connectionId: string): TokenCustodian {
  return new TokenCustodian({
    connectionId,
    vault: memoryVault(),
    policy: CLIENT_CREDENTIALS_POLICY,
    refresh: () => Promise.reject(new Error('Sage Intacct signs in with a session, not a token.')),
    onStateChange: (state) => store.connections.setStatus(connectionId, state),
  });
}

async function keychainSecrets(credentials: CredentialStore, connectionId: string): Promise<IntacctSecrets> {
  const read = async (field: 'senderPassword' | 'userPassword', what: string): Promise<string> => {
    const secret = await credentials.get(connectionAccount(connectionId, field));
    if (!secret) throw new Error(`The Sage Intacct ${what} is not in the keychain. Connect Sage Intacct again under Connections.`);
    return secret;
  };
  return { senderPassword: await read('senderPassword', 'sender password'), userPassword: await read('userPassword', 'user password') };
}

function hostsOf(...urls: string[]): string[] {
  return [...new Set(urls.map((u) => new URL(u).hostname))];
}

function open(store: Store, log: Logger, connectionId: string, settings: IntacctSettings, secrets: () => Promise<IntacctSecrets>, extraHosts: string[] = []) {
  const connector: IntacctConnector = createIntacctConnector(
    // The session endpoint Intacct names must be allowed too; it stays on intacct.com.
    { baseUrl: settings.endpointUrl, allowedHosts: [...hostsOf(settings.endpointUrl), ...extraHosts], logger: log, secrets: { getSecrets: secrets } },
    settings,
  );
  return { connector, custodian: sessionCustodian(store, connectionId), close: () => connector.close() };
}

export const sageIntacctOpener: SystemOpener<'sage-intacct'> = {
  system: 'sage-intacct',
  api: 'intacct',
  simulator: 'intacct',
  label: 'Sage Intacct',
  liveConnectionId: LIVE_INTACCT_ID,
  genericConnect: true,
  openLive({ store, credentials, log }) {
    const connection = store.connections.require(LIVE_INTACCT_ID);
    const stored = connection.settings as StoredIntacctSettings;
    const endpointUrl = stored.endpointUrl ?? INTACCT_GATEWAY;
    const hosts = new URL(endpointUrl).hostname.endsWith('intacct.com') ? ['api.intacct.com'] : [];
    return { connection, ...open(store, log, LIVE_INTACCT_ID, connectorSettings(stored, endpointUrl), () => keychainSecrets(credentials, LIVE_INTACCT_ID), hosts) };
  },
  openSandbox({ store, log, connection, sim }) {
    // The sandbox company's setup, stored like a user's so F3 reads one kind of settings.
    const defaults: StoredIntacctSettings = {
      senderId: String(sim.credentials['senderId']),
      companyId: String(sim.credentials['companyId']),
      userId: String(sim.credentials['userId']),
      retainage: 'separate-line',
      retainageAccountNo: SANDBOX_RETAINAGE_ACCOUNT,
      purchasingItemId: SANDBOX_COMMITMENT_ITEM,
    };
    const current = store.connections.require(connection.id).settings;
    const settings = { ...defaults, journalOffsetAccountNo: SANDBOX_COMMITMENT_OFFSET_ACCOUNT, ...current, endpointUrl: `${sim.baseUrl}/ia/xml/xmlgw.phtml` };
    // The simulator's company always takes the sandbox's own credentials.
    store.connections.setStatus(connection.id, 'connected');
    const saved = store.connections.update(connection.id, { settings });
    const secrets = async (): Promise<IntacctSecrets> => ({ senderPassword: String(sim.credentials['senderPassword']), userPassword: String(sim.credentials['userPassword']) });
    return { connection: saved, ...open(store, log, connection.id, connectorSettings(settings as StoredIntacctSettings, settings.endpointUrl), secrets) };
  },
  // Intacct publishes no XML-gateway rate (fact sheet 2.11): a window only when the connection paces itself.
  budget: (connector, connectionId) => connectionBudget(connectionId, 'hourly', null, connector.budget?.snapshot().nextAllowedAt ?? 0),
  nextAllowedAt: (connector) => connector.budget?.snapshot().nextAllowedAt ?? 0,
};
