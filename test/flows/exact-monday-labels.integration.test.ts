import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src-shared/domain/money';
import type { IpcResponse } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { loadF4Mappings } from '../../src-main/engine/flows/exact-monday/mappings';
import { F4_FLOW } from '../../src-main/engine/flows/exact-monday/model';
import type { ReconciliationReport } from '../../src-main/engine/reconcile/reconcile';
import { createAppContext } from '../../src-main/host/app-context';
import { main, type CliProcess } from '../../src-main/host/cli';
import { dispatch } from '../../src-main/host/handlers';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { openF4Harness, type F4Harness } from './exact-monday.harness';

/**
 * Issue 17 for F4 (Exact Online → monday.com), after a real sandbox sync through the CLI: records
 * in Pending validation and audit entries named as finance names them (number, counterparty,
 * amount; the item by name, board and id), and `reconcile exact-monday --json`. Then, on the
 * harness, hand edits on a board and an edit and a deletion in Exact, each with its cause.
 */
const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const world = generateWorld(1, 1);
let dataDir: string;

async function cli(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const proc: CliProcess = { out: (l) => out.push(l), err: (l) => err.push(l), env: process.env, onStopSignal: () => () => undefined };
  const code = await main([...args, '--data-dir', dataDir], proc);
  return { code, out, err };
}

function withContext<T>(work: (ctx: ReturnType<typeof createAppContext>) => Promise<T>): Promise<T> {
  const ctx = createAppContext({ dataDir, credentials: new InMemoryCredentialStore(), appVersion: '1.0.0', log: silentLogger });
  return work(ctx).finally(() => ctx.close());
}

describe('F4 on the CLI: records named as finance names them; the boards reconciled', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mlc-f4-labels-'));
    const sync = await cli('sync', F4_FLOW, '--sandbox');
    expect(sync.code, sync.err.join('\n')).toBe(0);
  }, 240_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('`parked list --json`: the order written with a GL account to review, by number, supplier and amount', async () => {
    const listed = await cli('parked', 'list', '--json');
    expect(listed.code).toBe(0);
    const { parked } = JSON.parse(listed.out.at(-1)!) as { parked: { sourceId: string; name: string; label: { number: string | null; counterparty: string | null; amount: string | null; currency: string | null } }[] };
    expect(parked.length).toBeGreaterThan(0);
    for (const p of parked) {
      expect(p.name).not.toMatch(GUID);
      expect(p.label).toMatchObject({ number: expect.any(String), counterparty: expect.any(String), amount: expect.stringMatching(/^-?\d+\.\d\d$/), currency: 'EUR' });
    }
    const po = world.purchaseOrders.find((p) => p.key === world.deliberate.unmappedPair.purchaseOrderKey)!;
    const supplier = world.suppliers.find((s) => s.key === po.supplierKey)!;
    const record = parked.find((p) => p.sourceId === po.exactId)!;
    expect(record.name).toBe(`PO ${po.orderNumber} · ${supplier.name}`);
    expect(record.label.amount).toBe(Decimal.sum(po.lines.map((l) => Decimal.parse(l.amount))).toMoneyString());
  });

  it('written items carry the document\'s label and "monday.com item <name> on board <board> (id …)"', async () => {
    await withContext(async (ctx) => {
      const entries = ctx.store.audit.query({ flow: F4_FLOW, step: 'written' }, { limit: 1000 }).entries;
      expect(entries.length).toBeGreaterThan(50);
      const boards = new Set<string>();
      for (const e of entries) {
        expect(e.message).not.toMatch(GUID);
        expect(e.label).toMatchObject({ number: expect.any(String), counterparty: expect.any(String), amount: e.amount });
        expect(e.targetLabel).toMatchObject({ system: 'monday.com', documentType: 'Item', id: e.targetId, amount: e.amount });
        // A flagged one says what needs review after it.
        expect(e.message).toMatch(new RegExp(` as item ${e.targetId}(; needs review: .+)?$`));
        const [, name, board] = /^(.+) on board (.+)$/.exec(e.targetLabel!.number!)!;
        expect(name).toMatch(new RegExp(`^${e.label!.number}( \\(credit note\\))?$`));
        boards.add(board!);
      }
      expect([...boards].sort()).toEqual(world.mondayBoards.map((b) => b.name).sort());
      expect(new Set(entries.map((e) => e.label!.documentType))).toEqual(new Set(['Purchase order', 'Sales invoice', 'Sales order']));

      // The record view: the document beside its item, column by column; nothing differs after the sync.
      const got = await dispatch('audit.get', { seq: entries[0]!.seq }, ctx);
      if (!got.ok) throw new Error(got.error.message);
      const comparison = (got.value as IpcResponse<'audit.get'>).entry.comparison!;
      expect(comparison.targetTitle).toBe('monday.com');
      expect(comparison.fields.filter((f) => f.differs)).toEqual([]);
      expect(comparison.lines.length).toBeGreaterThan(3);
      expect(comparison.lines.filter((l) => l.differs.length > 0)).toEqual([]);
      expect(comparison.lines.map((l) => l.source?.['column'])).toContain('Amount excl. VAT');
    });
  });

  it('`reconcile exact-monday --json`: every document agrees with its item, to the cent', async () => {
    const run = await cli('reconcile', F4_FLOW, '--json');
    expect(run.code, run.err.join('\n')).toBe(0);
    const report = JSON.parse(run.out.at(-1)!) as ReconciliationReport;
    expect(report.unexplained).toBe(0);
    expect(report.records.filter((r) => r.cause !== null)).toEqual([]);
    expect(report.records.length).toBeGreaterThan(50);
    expect(new Set(report.records.map((r) => r.documentType))).toEqual(new Set(['Purchase order', 'Sales invoice', 'Sales order']));
    expect(report.totals[0]!.expected).toBe(report.totals[0]!.actual);
    // Exact's full reads and, per board, the board and its items by key.
    expect(report.apiCalls['exact']).toBeGreaterThan(0);
    expect(report.apiCalls['monday']).toBeGreaterThanOrEqual(2 * world.mondayBoards.length);
  });
});

describe('F4 reconciliation after changes on the boards and in Exact', { timeout: 240_000 }, () => {
  let h: F4Harness;
  beforeAll(async () => {
    h = await openF4Harness({ seed: 1, scale: 1 });
    expect((await h.run()).status).toBe('succeeded');
  }, 240_000);
  afterAll(async () => h?.close());
  const reconcile = (): Promise<ReconciliationReport> => h.host.flows.get(F4_FLOW)!.runtime.reconcile!({ apiCalls: () => h.apiCalls() });

  it('an amount edited and an item archived on the board, a copy made there; a PO edited and one deleted in Exact: each with its cause', async () => {
    const agreed = await reconcile();
    expect(agreed.records.filter((r) => r.cause !== null)).toEqual([]);

    const { mappings } = loadF4Mappings(h.store);
    const poBoard = mappings.boards.get('purchase-order')!.boardId;
    const columns = mappings.columns.get('purchase-order')!;
    const amountColumn = columns.get('amount')!.columnId;
    const keyColumn = columns.get('key')!.columnId;
    const edit = world.deliberate.editedAfterSync;
    const edited = world.purchaseOrders.find((p) => p.key === edit.purchaseOrderKey)!;
    const others = world.purchaseOrders.filter((p) => p.key !== edit.purchaseOrderKey && p.key !== world.deliberate.cancelledPurchaseOrderKey && p.key !== world.deliberate.unmappedPair.purchaseOrderKey);
    const [changed, archived, copied, gone] = others;
    const itemOf = (exactId: string) => h.store.targetRecords.bySource(F4_FLOW, exactId)[0]!.targetId;
    const total = (p: { lines: { amount: string }[] }) => Decimal.sum(p.lines.map((l) => Decimal.parse(l.amount)));

    const ok = (r: Record<string, unknown>) => expect(r['errors'], JSON.stringify(r)).toBeUndefined();
    ok(await h.mondayGraphql('mutation ($b: ID!, $i: ID, $c: String!, $v: String) { change_simple_column_value(board_id: $b, item_id: $i, column_id: $c, value: $v) { id } }', { b: poBoard, i: itemOf(changed!.exactId), c: amountColumn, v: total(changed!).plus(Decimal.parse('100')).toMoneyString() }));
    ok(await h.mondayGraphql('mutation ($i: ID) { archive_item(item_id: $i) { id } }', { i: itemOf(archived!.exactId) }));
    ok(await h.mondayGraphql('mutation ($b: ID!, $n: String!, $v: JSON) { create_item(board_id: $b, item_name: $n, column_values: $v) { id } }', { b: poBoard, n: `${copied!.orderNumber} copy`, v: JSON.stringify({ [keyColumn]: copied!.exactId, [amountColumn]: total(copied!).toMoneyString() }) }));
    const line = edited.lines.find((l) => l.key === edit.lineKey)!;
    expect((await h.exactApi('PUT', `purchaseorder/PurchaseOrderLines(guid'${line.exactId}')`, { QuantityInPurchaseUnits: Number(edit.newQuantity), Quantity: Number(edit.newQuantity) })).status).toBe(204);
    expect((await h.exactApi('DELETE', `purchaseorder/PurchaseOrders(guid'${gone!.exactId}')`)).status).toBe(204);

    const report = await reconcile();
    expect(report.unexplained).toBe(0);
    const by = (cause: string) => report.records.filter((r) => r.cause === cause).map((r) => [r.documentNumber, r.difference]);
    const handChanged = by('changed-in-target');
    expect(handChanged).toHaveLength(3);
    expect(handChanged).toContainEqual([String(changed!.orderNumber), '100.00']);
    expect(handChanged).toContainEqual([String(archived!.orderNumber), total(archived!).negate().toMoneyString()]);
    expect(handChanged).toContainEqual([expect.stringMatching(new RegExp(`^${copied!.orderNumber} \\(duplicate item \\d+\\)$`)), total(copied!).toMoneyString()]);
    expect(by('not-yet-synced').map(([n]) => n)).toEqual([String(edited.orderNumber)]);
    expect(report.records.filter((r) => r.cause === 'deleted-at-source').map((r) => r.sourceId)).toEqual([gone!.exactId]);

    expect((await h.run()).status).toBe('succeeded');
    const after = await reconcile();
    expect(after.records.filter((r) => r.cause === 'not-yet-synced' || r.cause === 'deleted-at-source')).toEqual([]);
    expect(after.unexplained).toBe(0);
  });
});
