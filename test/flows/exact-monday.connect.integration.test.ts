import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IpcMethodName, IpcRequestInput, IpcResponse } from '../../src-shared/ipc';
import { CONNECT_FORMS } from '../../src-shared/domain/connect-forms';
import { silentLogger } from '../../src-main/connectors/_kit';
import { connectionAccount, InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { dispatch } from '../../src-main/host/handlers';
import { LIVE_MONDAY_ID } from '../../src-main/host/systems/monday';
import { startSandbox, type Sandbox } from '../../src-main/sandbox';

/**
 * "Connect monday.com" as the Connections screen does it (the generic form, `connections.connect`)
 * against the monday simulator standing in for api.monday.com: the token is proven before it is
 * kept, kept in the keychain only, and a refused one leaves nothing behind; "Test connection" then
 * names the account, the API version and the boards it sees.
 */
let sandbox: Sandbox;
let ctx: ReturnType<typeof createAppContext>;
let dir: string;
const credentials = new InMemoryCredentialStore();

async function call<M extends IpcMethodName>(method: M, request: IpcRequestInput<M>): Promise<{ ok: true; value: IpcResponse<M> } | { ok: false; error: { code: string; message: string } }> {
  return (await dispatch(method, request, ctx)) as never;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlc-f4-connect-'));
  sandbox = await startSandbox({ dataDir: join(dir, 'fake-cloud'), systems: ['monday'] });
  ctx = createAppContext({ dataDir: dir, credentials, log: silentLogger, appVersion: '0.0.0-test' });
  // The monday API address is fixed in the app (api.monday.com); a test points it at the simulator.
  ctx.store.connections.create({ id: LIVE_MONDAY_ID, system: 'monday', label: 'monday.com', mode: 'live', settings: { apiUrl: `${sandbox.systems.monday!.baseUrl}/v2` } });
}, 60_000);

afterAll(async () => {
  ctx?.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Connect monday.com', () => {
  it('the form asks for the API token (a secret), the API version (prefilled) and the account', () => {
    expect(CONNECT_FORMS.monday?.fields.map((f) => [f.name, f.kind, f.required ?? false, f.default ?? null])).toEqual([
      ['apiToken', 'secret', true, null],
      ['apiVersion', 'text', false, '2026-10'],
      ['account', 'text', false, null],
    ]);
  });

  it('a wrong token is refused in words, and nothing of it is kept', async () => {
    const refused = await call('connections.connect', { system: 'monday', values: { apiToken: 'not-a-token', apiVersion: '2026-10' } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringContaining('monday.com did not accept the connection') } });
    expect(await credentials.get(connectionAccount(LIVE_MONDAY_ID, 'apiToken'))).toBeNull();
    expect(ctx.store.connections.require(LIVE_MONDAY_ID).settings).toEqual({ apiUrl: `${sandbox.systems.monday!.baseUrl}/v2` });
  });

  it('an API version monday does not publish is refused before anything is sent', async () => {
    const refused = await call('connections.connect', { system: 'monday', values: { apiToken: String(sandbox.systems.monday!.credentials['apiToken']), apiVersion: '2026-11' } });
    expect(refused).toMatchObject({ ok: false, error: { message: expect.stringContaining('is not one monday publishes') } });
    expect(await credentials.get(connectionAccount(LIVE_MONDAY_ID, 'apiToken'))).toBeNull();
  });

  it('the right token connects: kept in the keychain only, and Test connection names account, version and boards', async () => {
    const token = String(sandbox.systems.monday!.credentials['apiToken']);
    const connected = await call('connections.connect', { system: 'monday', values: { apiToken: token, apiVersion: '2026-10', account: 'maasland' } });
    expect(connected).toMatchObject({ ok: true, value: { connectionId: LIVE_MONDAY_ID, detail: expect.stringMatching(/^Connected to monday.com account .+ \(API 2026-10, current\); 3 boards visible\.$/) } });
    expect(await credentials.get(connectionAccount(LIVE_MONDAY_ID, 'apiToken'))).toBe(token);
    const stored = ctx.store.connections.require(LIVE_MONDAY_ID);
    expect(stored.settings).toEqual({ apiUrl: `${sandbox.systems.monday!.baseUrl}/v2`, auth: 'token', apiVersion: '2026-10', account: 'maasland' });
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(stored.status).toBe('connected');
    const tested = await call('connections.test', { id: LIVE_MONDAY_ID });
    expect(tested).toMatchObject({ ok: true, value: { ok: true, detail: expect.stringContaining('3 boards visible') } });
  });
});
