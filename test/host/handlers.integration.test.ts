import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntryInput } from '../../src-shared/domain/audit';
import type { IpcMethodName, IpcRequestInput, IpcResponse } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import {
  connectionAccount,
  InMemoryCredentialStore,
  KeytarCredentialStore,
} from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import type { AnyIpcEvent } from '../../src-main/host/event-bus';
import { dispatch } from '../../src-main/host/handlers';

/** Every handler against a real SQLite file in a temp folder and the in-memory credential store. */
let dataDir: string;
let credentials: InMemoryCredentialStore;
let ctx: ReturnType<typeof createAppContext>;
let events: AnyIpcEvent[];
let clock: number;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'mlc-handlers-'));
  credentials = new InMemoryCredentialStore();
  clock = Date.parse('2026-03-01T09:00:00.000Z');
  ctx = createAppContext({
    dataDir,
    credentials,
    appVersion: '1.2.3',
    log: silentLogger,
    now: () => new Date((clock += 1000)),
  });
  events = [];
  ctx.events.subscribe((message) => events.push(message));
});

afterEach(() => {
  ctx.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call<M extends IpcMethodName>(
  method: M,
  request?: IpcRequestInput<M>,
): Promise<IpcResponse<M>> {
  const result = await dispatch(method, request, ctx);
  if (!result.ok) throw new Error(`${method} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as IpcResponse<M>;
}

/** Every byte the app wrote to the data folder (database, WAL, anything else). */
function everythingOnDisk(): string {
  return readdirSync(dataDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name)).toString('latin1'))
    .join('\n');
}

const MONDAY_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.monday-secret-7f3a';

describe('connections', () => {
  it('save puts settings in SQLite and the secret only in the credential store; nothing returns it', async () => {
    const saved = await call('connections.save', {
      system: 'monday',
      label: 'Finance board',
      mode: 'live',
      // Names that only mention a token are ordinary settings.
      settings: {
        boardId: '123456',
        columns: { amount: 'numbers3' },
        tokenUrl: 'https://auth.monday.com/oauth2/token',
      },
      secrets: { apiToken: MONDAY_TOKEN },
    });
    expect(saved.created).toBe(true);
    expect(saved.connection).toMatchObject({
      system: 'monday',
      label: 'Finance board',
      mode: 'live',
      settings: {
        boardId: '123456',
        columns: { amount: 'numbers3' },
        tokenUrl: 'https://auth.monday.com/oauth2/token',
      },
      secrets: { apiToken: true },
      status: 'not-connected',
    });
    expect(await credentials.get(connectionAccount(saved.connection.id, 'apiToken'))).toBe(MONDAY_TOKEN);
    expect(everythingOnDisk()).not.toContain(MONDAY_TOKEN);
    expect(everythingOnDisk()).toContain('Finance board');

    const listed = await call('connections.list');
    expect(listed.connections).toHaveLength(1);
    expect(JSON.stringify(listed)).not.toContain(MONDAY_TOKEN);
    expect(JSON.stringify(saved)).not.toContain(MONDAY_TOKEN);
    expect(events).toEqual([
      { event: 'connection.changed', payload: { id: saved.connection.id, change: 'saved' } },
    ]);
  });

  it('update replaces settings, keeps secrets not mentioned, and removes a secret set to null', async () => {
    const { connection } = await call('connections.save', {
      system: 'procore',
      label: 'Procore',
      mode: 'sandbox',
      settings: { companyId: '1' },
      secrets: { clientSecret: 'cs-1', refreshToken: 'rt-1' },
    });
    const updated = await call('connections.save', {
      id: connection.id,
      system: 'procore',
      label: 'Procore (prod)',
      mode: 'live',
      settings: { companyId: '2' },
      secrets: { refreshToken: null },
    });
    expect(updated.created).toBe(false);
    expect(updated.connection).toMatchObject({
      id: connection.id,
      label: 'Procore (prod)',
      mode: 'live',
      settings: { companyId: '2' },
      secrets: { clientSecret: true, accessToken: false, refreshToken: false },
    });
    expect(await credentials.get(connectionAccount(connection.id, 'clientSecret'))).toBe('cs-1');
    expect(await credentials.get(connectionAccount(connection.id, 'refreshToken'))).toBeNull();
  });

  it('refuses to change the system of a connection, and to update one that does not exist', async () => {
    const { connection } = await call('connections.save', { system: 'coupa', label: 'Coupa', mode: 'live' });
    const changed = await dispatch(
      'connections.save',
      { id: connection.id, system: 'procore', label: 'X', mode: 'live' },
      ctx,
    );
    expect(changed).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const missing = await dispatch(
      'connections.save',
      { id: 'no-such-id', system: 'coupa', label: 'X', mode: 'live' },
      ctx,
    );
    expect(missing).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it('a nested secret-looking setting is refused by the store guard as invalid-request, and nothing is kept', async () => {
    const result = await dispatch(
      'connections.save',
      {
        system: 'acumatica',
        label: 'Acu',
        mode: 'live',
        settings: { oauth: { client_secret: 'nested-s3cret' } },
      },
      ctx,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(JSON.stringify(result)).not.toContain('nested-s3cret');
    expect((await call('connections.list')).connections).toEqual([]);
    expect(everythingOnDisk()).not.toContain('nested-s3cret');
  });

  it('delete removes the keychain entries and the row, and emits connection.changed', async () => {
    const { connection } = await call('connections.save', {
      system: 'sage-intacct',
      label: 'Intacct',
      mode: 'live',
      settings: { senderId: 'acme', companyId: 'ACME-1' },
      secrets: { senderPassword: 'sp', userPassword: 'up' },
    });
    events.length = 0;
    const deleted = await call('connections.delete', { id: connection.id });
    expect(sortedCopy(deleted.removedSecrets)).toEqual(['senderPassword', 'userPassword']);
    expect(await credentials.get(connectionAccount(connection.id, 'senderPassword'))).toBeNull();
    expect(await credentials.get(connectionAccount(connection.id, 'userPassword'))).toBeNull();
    expect((await call('connections.list')).connections).toEqual([]);
    expect(events).toEqual([
      { event: 'connection.changed', payload: { id: connection.id, change: 'deleted' } },
    ]);
    expect(await dispatch('connections.delete', { id: connection.id }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'not-found' },
    });
  });
});

describe('when the OS keychain is unavailable', () => {
  /** The real keytar store with a keytar that cannot load (as on a machine without libsecret). */
  const brokenKeychain = () =>
    new KeytarCredentialStore({
      loadKeytar: async () => {
        throw new Error('libsecret-1.so.0: cannot open shared object file: No such file or directory');
      },
    });

  it('saving a new connection with a secret fails with keychain-unavailable and keeps nothing half-made', async () => {
    const secretless = createAppContext({ dataDir, credentials: brokenKeychain(), log: silentLogger });
    try {
      const result = await dispatch(
        'connections.save',
        { system: 'monday', label: 'B', mode: 'live', secrets: { apiToken: 'tok-123456' } },
        secretless,
      );
      expect(result).toMatchObject({ ok: false, error: { code: 'keychain-unavailable' } });
      if (!result.ok) expect(result.error.message).toContain('libsecret');
      expect(JSON.stringify(result)).not.toContain('tok-123456');
      expect(secretless.store.connections.list()).toEqual([]);
    } finally {
      secretless.close();
    }
  });

  it('deleting keeps the connection (so no secret is orphaned) and says why', async () => {
    const { connection } = await call('connections.save', {
      system: 'coupa',
      label: 'Coupa',
      mode: 'live',
      secrets: { clientSecret: 's-1' },
    });
    const secretless = createAppContext({ dataDir, credentials: brokenKeychain(), log: silentLogger });
    try {
      const result = await dispatch('connections.delete', { id: connection.id }, secretless);
      expect(result).toMatchObject({ ok: false, error: { code: 'keychain-unavailable' } });
      expect(secretless.store.connections.get(connection.id)).toBeDefined();
    } finally {
      secretless.close();
    }
  });
});

describe('runs, parked records and the audit log', () => {
  const entry = (sourceId: string, overrides: Partial<AuditEntryInput> = {}): AuditEntryInput => ({
    flow: 'F1',
    runId: 'run-1',
    entity: 'purchase-order',
    sourceId,
    step: 'written',
    status: 'ok',
    mappingVersion: 1,
    targetSystem: 'procore',
    targetId: `T-${sourceId}`,
    amount: '1234.56',
    currency: 'EUR',
    sourceSnapshot: { id: sourceId },
    targetPayload: { origin_id: sourceId },
    result: { id: `T-${sourceId}` },
    message: `PO ${sourceId} written`,
    ...overrides,
  });

  it('runs.list returns newest first, filtered by flow', async () => {
    ctx.store.runs.start('run-1', 'F1', 'manual');
    ctx.store.runs.finish('run-1', 'succeeded', { fetched: 3, written: 3 });
    ctx.store.runs.start('run-2', 'F2', 'schedule');
    ctx.store.runs.finish('run-2', 'failed', { fetched: 0 }, 'Procore answered 503 three times.');
    const all = await call('runs.list');
    expect(all.runs.map((r) => r.id)).toEqual(['run-2', 'run-1']);
    expect(all.runs[1]).toMatchObject({
      flow: 'F1',
      status: 'succeeded',
      counts: { fetched: 3, written: 3 },
      error: null,
    });
    expect((await call('runs.list', { flow: 'F1' })).runs.map((r) => r.id)).toEqual(['run-1']);
  });

  it('audit.query pages with keyset bounds, newest first, and leaves payloads in main', async () => {
    for (let i = 1; i <= 5; i++) ctx.store.audit.append(entry(`PO-${i}`, i === 3 ? { flow: 'F2' } : {}));
    const first = await call('audit.query', { filter: { flow: 'F1' }, limit: 2 });
    expect(first.entries.map((e) => e.sourceId)).toEqual(['PO-5', 'PO-4']);
    expect(first.hasMore).toBe(true);
    const second = await call('audit.query', {
      filter: { flow: 'F1' },
      limit: 2,
      beforeSeq: first.entries.at(-1)!.seq,
    });
    expect(second.entries.map((e) => e.sourceId)).toEqual(['PO-2', 'PO-1']);
    expect(second.hasMore).toBe(false);
    expect(second.entries[0]).toMatchObject({
      amount: '1234.56',
      currency: 'EUR',
      step: 'written',
      status: 'ok',
    });
    expect(second.entries[0]).not.toHaveProperty('sourceSnapshot');
    expect(second.entries[0]).not.toHaveProperty('targetPayload');
    const text = await call('audit.query', { filter: { text: 'po-3' } });
    expect(text.entries.map((e) => e.sourceId)).toEqual(['PO-3']);
  });

  it('audit.verify reports an intact chain, and app.status counts what is stored', async () => {
    for (let i = 1; i <= 3; i++) ctx.store.audit.append(entry(`PO-${i}`));
    ctx.store.parked.park({
      flow: 'F1',
      stream: 'purchase-orders',
      sourceId: 'PO-9',
      reasonCode: 'unmapped-cost-code',
      reasonText: 'Cost code 01-100 is not mapped.',
    });
    await call('connections.save', { system: 'exact-online', label: 'Exact', mode: 'sandbox' });

    expect(await call('audit.verify')).toEqual({
      intact: true,
      checked: 3,
      firstBadSeq: null,
      problem: null,
      reason: null,
    });
    const status = await call('app.status');
    expect(status).toMatchObject({
      appVersion: '1.2.3',
      dataDir,
      schemaVersion: expect.any(Number),
      counts: { connections: 1, auditEntries: 3, openParked: 1 },
    });
    expect(status.schemaVersion).toBeGreaterThanOrEqual(2);
    expect(status.auditHead?.seq).toBe(3);
  });

  it('parked.list returns open records, filtered by flow and reason', async () => {
    const park = (sourceId: string, flow: string, reasonCode: string) =>
      ctx.store.parked.park({
        flow,
        stream: 'purchase-orders',
        sourceId,
        reasonCode,
        reasonText: `Reason ${reasonCode}`,
      });
    park('A', 'F1', 'unmapped-cost-code');
    park('B', 'F1', 'unknown-vendor');
    park('C', 'F2', 'unknown-vendor');
    ctx.store.parked.resolve('F1', 'purchase-orders', 'A', 'mapping fixed');
    expect((await call('parked.list')).records.map((r) => r.sourceId).sort()).toEqual(['B', 'C']);
    expect((await call('parked.list', { flow: 'F1' })).records.map((r) => r.sourceId)).toEqual(['B']);
    expect(
      (await call('parked.list', { reasonCode: 'unknown-vendor' })).records.map((r) => r.sourceId).sort(),
    ).toEqual(['B', 'C']);
    const one = await call('parked.list', { flow: 'F2', reasonCode: 'unknown-vendor' });
    expect(one.records).toEqual([
      expect.objectContaining({
        sourceId: 'C',
        reasonText: 'Reason unknown-vendor',
        stream: 'purchase-orders',
      }),
    ]);
  });
});

function sortedCopy(values: readonly string[]): string[] {
  return [...values].sort();
}
