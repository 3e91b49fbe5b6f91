import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IpcMethodName, IpcRequestInput, IpcResponse } from '../../src-shared/ipc';
import { CONNECT_FORMS } from '../../src-shared/domain/connect-forms';
import { silentLogger } from '../../src-main/connectors/_kit';
import { connectionAccount, InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { dispatch } from '../../src-main/host/handlers';
import { LIVE_COUPA_ID } from '../../src-main/host/systems/coupa';
import { startSandbox, type Sandbox } from '../../src-main/sandbox';

/**
 * Connect Coupa with the generic form (connections.connect, CONNECT_FORMS.coupa) against the
 * Coupa simulator standing in for a customer's instance: the secret goes to the credential store
 * only, the settings to SQLite, Test connection names what the scopes allow; a wrong secret or a
 * token path the instance does not serve is refused in words and leaves what was there before.
 */
let dir: string;
let sandbox: Sandbox;
let ctx: ReturnType<typeof createAppContext>;
const credentials = new InMemoryCredentialStore();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlc-f5-connect-'));
  sandbox = await startSandbox({ dataDir: join(dir, 'fake-cloud'), systems: ['coupa'] });
  ctx = createAppContext({ dataDir: dir, credentials, log: silentLogger, appVersion: '0.0.0-test' });
});

afterAll(async () => {
  ctx?.close();
  await sandbox?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function call<M extends IpcMethodName>(method: M, request: IpcRequestInput<M>): Promise<{ ok: true; value: IpcResponse<M> } | { ok: false; error: { code: string; message: string } }> {
  return (await dispatch(method, request, ctx)) as never;
}

const values = (extra: Record<string, string> = {}) => ({
  instanceUrl: sandbox.systems.coupa!.baseUrl,
  clientId: String(sandbox.systems.coupa!.credentials['clientId']),
  clientSecret: String(sandbox.systems.coupa!.credentials['clientSecret']),
  ...extra,
});

describe('Connect Coupa (generic form)', () => {
  it('the form asks for the instance URL, client id, secret (keychain), scopes and token path', () => {
    expect(CONNECT_FORMS.coupa?.fields.map((f) => [f.name, f.kind])).toEqual([
      ['instanceUrl', 'url'],
      ['clientId', 'text'],
      ['clientSecret', 'secret'],
      ['scopes', 'text'],
      ['tokenPath', 'select'],
    ]);
  });

  it('connects: the secret is kept in the credential store only, and Test connection says what the connection may do', async () => {
    const connected = await call('connections.connect', { system: 'coupa', values: values({ tokenPath: '/oauth2/access_tokens' }) });
    expect(connected).toMatchObject({ ok: true, value: { connectionId: LIVE_COUPA_ID, detail: expect.stringMatching(/^Connected to Coupa 127\.0\.0\.1:\d+; this connection may read purchase orders, write purchase orders/) } });
    const stored = ctx.store.connections.get(LIVE_COUPA_ID)!;
    expect(stored.settings).toEqual({ instanceUrl: values().instanceUrl, clientId: values().clientId, tokenPath: '/oauth2/access_tokens' });
    expect(JSON.stringify(stored)).not.toContain(values().clientSecret);
    expect(await credentials.get(connectionAccount(LIVE_COUPA_ID, 'clientSecret'))).toBe(values().clientSecret);
    expect(await call('connections.test', { id: LIVE_COUPA_ID })).toMatchObject({ ok: true, value: { ok: true, detail: expect.stringContaining('Connected to Coupa') } });
  });

  it('a wrong secret is refused in words and leaves the working connection as it was', async () => {
    const refused = await call('connections.connect', { system: 'coupa', values: values({ clientSecret: 'not-the-secret' }) });
    expect(refused).toMatchObject({ ok: false, error: { code: 'unavailable', message: expect.stringMatching(/^Coupa did not accept the connection: .*client/i) } });
    expect(refused.ok ? '' : refused.error.message).not.toContain('not-the-secret');
    expect(await credentials.get(connectionAccount(LIVE_COUPA_ID, 'clientSecret'))).toBe(values().clientSecret);
    expect(ctx.store.connections.get(LIVE_COUPA_ID)?.settings).toMatchObject({ tokenPath: '/oauth2/access_tokens' });
    expect(await call('connections.test', { id: LIVE_COUPA_ID })).toMatchObject({ ok: true, value: { ok: true } });
  });

  it('refuses a plain-http address that is not this computer before anything is stored', async () => {
    const refused = await call('connections.connect', { system: 'coupa', values: values({ instanceUrl: 'http://acme.coupahost.com' }) });
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid-request', message: expect.stringMatching(/Instance URL must be an https:\/\/ address/) } });
  });
});
