import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createBridge, type IpcBridge, type IpcMethodName } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import type { EngineApi } from '../../src-main/host/context';
import { dispatch } from '../../src-main/host/handlers';
import { demoAuditEntry, seedDemo } from '../../test/e2e/support/seed';
import { AUDIT_PAGE_SIZE, EMPTY_AUDIT_FILTER, toRequestFilter } from './audit-store';
import { createAppStores, subscribeToEvents } from './index';

/**
 * The zustand stores against the real handlers and a real SQLite file (the bridge calls
 * `dispatch` directly instead of going over HTTP), so each test checks the screen logic and the
 * contract together.
 */

let dataDir: string;
let ctx: ReturnType<typeof createAppContext>;
let calls: IpcMethodName[];
/** Lets a test hold back the answer of one method to check that stale answers are dropped. */
let gate: { method: IpcMethodName; release: Promise<void> } | null;

function bridge(): IpcBridge {
  return createBridge(
    async (method, request) => {
      calls.push(method);
      if (gate?.method === method) {
        const { release } = gate;
        gate = null;
        await release;
      }
      return dispatch(method, request, ctx);
    },
    (event, listener) =>
      ctx.events.subscribe((message) => {
        if (message.event === event) listener(message.payload);
      }),
  );
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'mlc-stores-'));
  ctx = createAppContext({ dataDir, credentials: new InMemoryCredentialStore(), log: silentLogger });
  calls = [];
  gate = null;
});

afterEach(() => {
  ctx.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('audit store', () => {
  beforeEach(() => {
    ctx.store.audit.appendMany(Array.from({ length: 250 }, (_, i) => demoAuditEntry(i + 1)));
  });

  it('pages newest first with keyset paging and knows when the end is reached', async () => {
    const { audit } = createAppStores(bridge());
    await audit.getState().loadFirstPage();
    expect(audit.getState().entries).toHaveLength(AUDIT_PAGE_SIZE);
    expect(audit.getState().entries[0]!.seq).toBe(250);
    await audit.getState().loadMore();
    await audit.getState().loadMore();
    const { entries, hasMore } = audit.getState();
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 250 }, (_, i) => 250 - i));
    expect(hasMore).toBe(false);
    await audit.getState().loadMore();
    expect(calls.filter((c) => c === 'audit.query')).toHaveLength(3);
  });

  it('a filter change drops the answer of the filter before it', async () => {
    const { audit } = createAppStores(bridge());
    let release!: () => void;
    gate = { method: 'audit.query', release: new Promise<void>((resolve) => (release = resolve)) };
    const slowAll = audit.getState().setFilter({ status: '' });
    const failed = audit.getState().setFilter({ status: 'failed' });
    await failed;
    release();
    await slowAll;
    const { entries, filter } = audit.getState();
    expect(filter.status).toBe('failed');
    expect(entries).toHaveLength(25);
    expect(entries.every((e) => e.status === 'failed')).toBe(true);
  });

  it('loads the selected entry with its snapshot, reports replay without an engine, exports the filter', async () => {
    const { audit } = createAppStores(bridge());
    await audit.getState().select(241);
    expect(audit.getState().detail?.entry).toMatchObject({ seq: 241, sourceSnapshot: { OrderNumber: 241 } });
    await audit.getState().replaySelected();
    expect(audit.getState().replay).toMatchObject({
      busy: false,
      error: 'The sync engine is not running in this process.',
    });
    await audit.getState().setFilter({ status: 'failed' });
    await audit.getState().exportCsv();
    const exported = audit.getState().exported!;
    expect(exported.result).toMatchObject({ delivery: 'file', rows: 25 });
    // No dialog or browser download in this host: a file in the data folder, and the words say where.
    expect(exported.text).toBe(`Saved 25 entries to ${exported.result!.path}.`);
    expect(readFileSync(exported.result!.path!, 'utf8').split('\r\n').filter(Boolean)).toHaveLength(26);
  });

  it('turns the form into a request filter: empty fields dropped, local days to instants', () => {
    expect(toRequestFilter(EMPTY_AUDIT_FILTER)).toEqual({});
    const filter = toRequestFilter({
      ...EMPTY_AUDIT_FILTER,
      fromDate: '2026-03-01',
      toDate: '2026-03-31',
      text: '  PO-1 ',
    });
    expect(filter.text).toBe('PO-1');
    expect(new Date(filter.from!).getTime()).toBe(new Date(2026, 2, 1).getTime());
    // The "to" day is included: the bound is the start of the next day.
    expect(new Date(filter.to!).getTime()).toBe(new Date(2026, 3, 1).getTime());
  });
});

describe('parked and mappings stores', () => {
  beforeEach(() => seedDemo(ctx.store));

  it('groups parked records, ticks a whole group and retries it through the engine', async () => {
    const retried: unknown[] = [];
    ctx.engine = {
      retryParked: async (req: unknown) => {
        retried.push(req);
        return { retried: 1, written: 1, stillParked: 0, failed: 0 };
      },
    } as unknown as EngineApi;
    const { parked } = createAppStores(bridge());
    await parked.getState().load();
    const groups = parked.getState().groups;
    expect(groups.map((g) => g.reasonCode).sort()).toEqual(['unmapped-cost', 'unmapped-vendor']);
    const cost = groups.find((g) => g.reasonCode === 'unmapped-cost')!;
    parked.getState().toggleGroup(cost);
    expect([...parked.getState().selected]).toEqual(cost.records.map((r) => r.id));
    parked.getState().toggleGroup(cost);
    expect(parked.getState().selected.size).toBe(0);
    await parked.getState().retryGroup(cost);
    expect(retried).toEqual([{ flow: 'exact-procore', reasonCode: 'unmapped-cost' }]);
    expect(parked.getState().retry).toMatchObject({ busy: false, result: { written: 1 }, error: null });
  });

  it('adds a mapping for an unmapped value, saves a version, and refuses a stale save', async () => {
    const stores = createAppStores(bridge());
    const { mappings } = stores;
    await mappings.getState().open('exact-procore', 'costs');
    const unmapped = mappings.getState().table!.unmapped;
    expect(unmapped.map((u) => u.mappingKey)).toEqual(['cost:4400|KST-12|']);
    const key = mappings.getState().addRow(unmapped[0]!.sourceKey);
    expect(mappings.getState().draft[0]).toMatchObject({
      key,
      isNew: true,
      values: { glAccountCode: '4400', costUnitCode: '' },
    });
    mappings.getState().editCell(key, 'costCode', '01-400');
    mappings.getState().editCell(key, 'lineItemTypeCode', 'M');
    expect(await mappings.getState().save('fix')).toBe(true);
    expect(mappings.getState().notice?.text).toMatch(/^Cost codes v2 saved\. /);
    expect(mappings.getState().table?.unmapped).toEqual([]);
    expect(mappings.getState().dirty).toBe(false);

    // Someone else saves version 3 meanwhile: this screen's save is refused, nothing is lost silently.
    await dispatch('mappings.save', { flow: 'exact-procore', set: 'costs', rows: [] }, ctx);
    mappings.getState().removeRow(key);
    expect(await mappings.getState().save('')).toBe(false);
    expect(mappings.getState().notice).toMatchObject({ kind: 'error' });
    expect(mappings.getState().notice?.text).toContain('Reload the table');
  });
});

describe('dashboard store', () => {
  it('says when the engine is not running, and follows run progress from events', async () => {
    const stores = createAppStores(bridge());
    const { dashboard } = stores;
    await dashboard.getState().load();
    expect(dashboard.getState()).toMatchObject({
      status: 'ready',
      flows: null,
      engineMessage: 'The sync engine is not running in this process.',
    });
    const off = subscribeToEvents(stores);
    ctx.events.emit('run.progress', {
      runId: 'r1',
      flow: 'exact-procore',
      phase: 'writing',
      processed: 3,
      total: 9,
      counts: { created: 3, updated: 0, unchanged: 0, parked: 0, failed: 0 },
    });
    expect(dashboard.getState().progress['exact-procore']).toMatchObject({
      phase: 'writing',
      processed: 3,
      total: 9,
    });
    off();
  });
});
