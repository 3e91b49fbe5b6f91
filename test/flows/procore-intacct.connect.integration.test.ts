import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IpcMethodName, IpcRequestInput, IpcResponse } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit';
import type { IntacctConnector } from '../../src-main/connectors/sage-intacct';
import { connectionAccount, InMemoryCredentialStore } from '../../src-main/credentials';
import { F3_FLOW } from '../../src-main/engine/flows/procore-intacct/mappings';
import { createAppContext } from '../../src-main/host/app-context';
import { openFlowHost } from '../../src-main/host/flow-host';
import { dispatch } from '../../src-main/host/handlers';
import { LIVE_INTACCT_ID } from '../../src-main/host/systems/sage-intacct';
import { startSandbox, type Sandbox } from '../../src-main/sandbox';

/**
 * Connecting your own Sage Intacct with the generic form (`connections.connect`): the values are
 * proven with Test connection before they are kept, the passwords go to the keychain only, a
 * refusal leaves nothing behind; then F3 opens on the live connections (Procore and Intacct here
 * being the simulators standing in for the real services).
 */
let sandbox: Sandbox;
let dir: string;
let ctx: ReturnType<typeof createAppContext>;
const credentials = new InMemoryCredentialStore();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlc-f3-connect-'));
  sandbox = await startSandbox({ dataDir: join(dir, 'fake-cloud'), systems: ['procore', 'intacct'], config: { procore: { spikeLimit: 1000 } } });
  ctx = createAppContext({ dataDir: dir, credentials, log: silentLogger, appVersion: '0.0.0-test' });
});
afterAll(async () => {
  ctx?.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call<M extends IpcMethodName>(method: M, request: IpcRequestInput<M>) {
  return dispatch(method, request, ctx) as Promise<{ ok: true; value: IpcResponse<M> } | { ok: false; error: { code: string; message: string } }>;
}

const intacct = () => sandbox.systems.intacct!.credentials as Record<string, string>;
const values = (overrides: Record<string, string> = {}) => ({
  endpointUrl: `${sandbox.systems.intacct!.baseUrl}/ia/xml/xmlgw.phtml`,
  senderId: intacct()['senderId']!,
  senderPassword: intacct()['senderPassword']!,
  companyId: intacct()['companyId']!,
  userId: intacct()['userId']!,
  userPassword: intacct()['userPassword']!,
  purchasingItemId: 'PROCORE-COMMIT',
  retainage: 'separate-line',
  retainageAccountNo: '1610',
  ...overrides,
});

describe('Connect Sage Intacct (generic form) and run F3 live', () => {
  it('a wrong user password is refused in plain words and leaves nothing stored', async () => {
    const result = await call('connections.connect', { system: 'sage-intacct', values: values({ userPassword: 'wrong' }) });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toMatch(/Sage Intacct did not accept the connection: .*(user|password)/i);
    expect(ctx.store.connections.get(LIVE_INTACCT_ID)).toBeUndefined();
    expect(await credentials.get(connectionAccount(LIVE_INTACCT_ID, 'userPassword'))).toBeNull();
  });

  it('the right values are tested, the settings kept without the passwords, the passwords in the keychain', async () => {
    const result = await call('connections.connect', { system: 'sage-intacct', values: values() });
    expect(result.ok, JSON.stringify(result)).toBe(true);
    if (result.ok) expect(result.value.detail).toBe('Signed in to Sage Intacct company ML-SANDBOX as xml_gateway (the top level).');
    const stored = ctx.store.connections.require(LIVE_INTACCT_ID);
    expect(stored).toMatchObject({ system: 'sage-intacct', mode: 'live', status: 'connected' });
    expect(JSON.stringify(stored.settings)).not.toContain(intacct()['userPassword']!);
    expect(JSON.stringify(stored.settings)).not.toContain(intacct()['senderPassword']!);
    expect(await credentials.get(connectionAccount(LIVE_INTACCT_ID, 'senderPassword'))).toBe(intacct()['senderPassword']);
    const tested = await call('connections.test', { id: LIVE_INTACCT_ID });
    expect(tested).toMatchObject({ ok: true, value: { ok: true } });
  });

  it('with Procore connected too, F3 opens on the live connections; Intacct signs in with the keychain’s passwords', async () => {
    const procore = sandbox.systems.procore!;
    const connected = await call('connections.connectProcore', {
      companyId: String(procore.credentials['companyId']),
      clientId: String(procore.credentials['clientId']),
      clientSecret: String(procore.credentials['clientSecret']),
      apiBaseUrl: procore.baseUrl,
      authBaseUrl: procore.baseUrl,
    });
    expect(connected.ok, JSON.stringify(connected)).toBe(true);
    const host = await openFlowHost({ store: ctx.store, dataDir: dir, log: silentLogger, credentials, only: [F3_FLOW] });
    try {
      const flow = host.flows.get(F3_FLOW);
      expect(flow, host.unavailable.get(F3_FLOW)?.reason).toBeDefined();
      expect(flow!.connections.map((c) => c.connection.mode)).toEqual(['live', 'live']);
      // A whole run would take minutes here: the live Procore connection paces itself to Procore's
      // real limits (25 calls per 10 s). One Intacct read proves the live sign-in path.
      const intacctConnector = flow!.connections[1]!.connector as IntacctConnector;
      const reference = await intacctConnector.readReference(['VENDOR', 'ITEM']);
      expect(reference.ITEM?.some((i) => i.id === 'PROCORE-COMMIT')).toBe(true);
      expect(host.hub.apiCalls()['intacct']).toBe(2); // the sign-in and the read
    } finally {
      await host.close();
    }
  });
});
