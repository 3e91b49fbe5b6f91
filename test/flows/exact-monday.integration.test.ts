import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src-shared/domain/money';
import { replayAuditEntry, retryParked } from '../../src-main/engine/flows/exact-monday/flow';
import { F4_MAPPING_SETS, loadF4Mappings, seedF4SandboxMappings, statusLabel } from '../../src-main/engine/flows/exact-monday/mappings';
import { F4_FLOW } from '../../src-main/engine/flows/exact-monday/model';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { openStore } from '../../src-main/store';
import { itemsByKey, openF4Harness, type F4Harness } from './exact-monday.harness';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Issue 13's proof for F4, against the Exact Online and monday.com simulators: what lands on the
 * boards is checked against Exact's own records (not against our mappers), to the cent.
 */
type Row = Record<string, unknown>;
const world = generateWorld(1, 1);
const dec = (v: unknown): Decimal => Decimal.parse(typeof v === 'number' ? Decimal.fromJsonNumber(v).toString() : String(v));
const isoDate = (exactDate: unknown): string => new Date(Number(/-?\d+/.exec(String(exactDate))![0])).toISOString().slice(0, 10);
const boardOf = (type: string): string => world.mondayBoards.find((b) => b.documentType === type)!.mondayBoardId;
const PO_STATUS: Record<number, string> = { 10: 'Open', 20: 'Partial', 30: 'Complete', 40: 'Canceled' };
const SI_STATUS: Record<number, string> = { 10: 'Draft', 20: 'Open', 50: 'Processed' };
const SO_STATUS: Record<number, string> = { 12: 'Open', 20: 'Partial', 21: 'Complete', 45: 'Canceled' };

let h: F4Harness;
beforeAll(async () => {
  h = await openF4Harness({ seed: 1, scale: 1 });
}, 60_000);
afterAll(async () => h?.close());

describe('F4 Exact Online → monday.com on the sandbox', () => {
  let first: Awaited<ReturnType<F4Harness['run']>>;

  it('a clean sync creates exactly one item per document, every mapped column right (amounts to the cent, dates, labels)', async () => {
    first = await h.run();
    expect(first.status, first.error ?? '').toBe('succeeded');
    const exact = await h.exactState();
    const items = itemsByKey(await h.mondayState());
    const orders = exact['PurchaseOrders']!;
    const orderLines = exact['PurchaseOrderLines']!;
    const invoices = exact['SalesInvoices']!;
    const salesOrders = exact['SalesOrders']!;
    const ids = [...orders.map((o) => o['PurchaseOrderID']), ...invoices.map((i) => i['InvoiceID']), ...salesOrders.map((o) => o['OrderID'])].map(String);
    expect([...items.keys()].sort()).toEqual([...ids].sort());
    expect([...items.values()].filter((list) => list.length !== 1)).toEqual([]);
    expect(first.counts).toMatchObject({ created: ids.length, updated: 0, parked: 0, failed: 0 });

    const one = (id: unknown) => items.get(String(id))![0]!;
    for (const po of orders) {
      const item = one(po['PurchaseOrderID']);
      const total = Decimal.sum(orderLines.filter((l) => l['PurchaseOrderID'] === po['PurchaseOrderID']).map((l) => dec(l['AmountDC'])));
      expect(item.board).toBe(boardOf('purchase-order'));
      expect(item.group).toBe('topics');
      expect(item.name).toBe(String(po['OrderNumber']));
      expect(dec(item.cells['amount']).equals(total), `PO ${String(po['OrderNumber'])}: ${item.cells['amount']} vs ${total.toMoneyString()}`).toBe(true);
      expect(item.values['amount']).toBe(total.toMoneyString());
      expect(item.cells['doc_date']).toBe(isoDate(po['OrderDate']));
      expect(item.cells['due_date']).toBe(isoDate(po['ReceiptDate']));
      expect(item.cells['status']).toBe(PO_STATUS[po['OrderStatus'] as number]);
      expect(item.cells['party']).toBe(po['SupplierName']);
      expect(item.cells['currency']).toBe(po['Currency']);
      expect(item.cells['exact_url']).toContain(`PurchaseOrderID=%7b${String(po['PurchaseOrderID'])}%7d`);
    }
    for (const si of invoices) {
      const item = one(si['InvoiceID']);
      expect(item.board).toBe(boardOf('sales-invoice'));
      expect(item.name).toBe(String(si['InvoiceNumber']));
      expect(dec(item.cells['amount']).equals(dec(si['AmountFCExclVat']))).toBe(true);
      expect(dec(item.cells['vat']).equals(dec(si['VATAmountFC']))).toBe(true);
      expect(item.cells['doc_date']).toBe(isoDate(si['InvoiceDate']));
      expect(item.cells['due_date']).toBe(isoDate(si['DueDate']));
      expect(item.cells['status']).toBe(SI_STATUS[si['Status'] as number]);
      expect(item.cells['party']).toBe(si['InvoiceToName']);
    }
    const siLines = exact['SalesInvoiceLines']!;
    const someInvoice = invoices[0]!;
    const glOf = new Map(exact['GLAccounts']!.map((g) => [String(g['ID']), String(g['Code'])]));
    expect(one(someInvoice['InvoiceID']).cells['gl_account']).toBe([...new Set(siLines.filter((l) => l['InvoiceID'] === someInvoice['InvoiceID']).map((l) => glOf.get(String(l['GLAccount']))))].join(', '));
    for (const so of salesOrders) {
      const item = one(so['OrderID']);
      expect(item.board).toBe(boardOf('sales-order'));
      expect(dec(item.cells['amount']).equals(dec(so['AmountFCExclVat']))).toBe(true);
      expect(item.cells['doc_date']).toBe(isoDate(so['OrderDate']));
      expect(item.cells['status']).toBe(SO_STATUS[so['Status'] as number]);
      expect(item.cells['party']).toBe(so['OrderedByName']);
      // Sales orders carry no cost center in the demo: nothing to show, nothing flagged.
      expect(item.cells['cost_center']).toBe('');
    }
    expect(h.store.audit.verifyAuditChain().ok).toBe(true);
  });

  it('the purchase order with a GL account outside the reference values is created, flagged, and listed as "created, needs review"', async () => {
    const pair = world.deliberate.unmappedPair;
    const po = world.purchaseOrders.find((p) => p.key === pair.purchaseOrderKey)!;
    expect(first.counts.flagged).toBe(1);
    const open = h.store.parked.listOpen(F4_FLOW);
    expect(open.map((p) => ({ sourceId: p.sourceId, state: p.state, reasonCode: p.reasonCode, keys: (p.details as { mappingKeys: string[] }).mappingKeys }))).toEqual([
      { sourceId: po.exactId, state: 'flagged', reasonCode: 'needs-review:unmapped-gl-account', keys: [`gl:${pair.glAccountCode}`] },
    ]);
    expect(open[0]!.reasonText).toMatch(new RegExp(`^GL account ${pair.glAccountCode} \\(.+\\) of Purchase order ${po.orderNumber} is not among the GL account reference values`));
    const item = itemsByKey(await h.mondayState()).get(po.exactId)![0]!;
    expect(item.state).toBe('active');
    expect(item.cells['gl_account']!.split(', ')).toContain(pair.glAccountCode);
    expect(item.cells['review']).toBe(open[0]!.reasonText);
    const written = h.store.audit.query({ flow: F4_FLOW, text: po.exactId, step: 'written' }, { limit: 5 }).entries;
    expect(written).toHaveLength(1);
    expect(written[0]!.message).toContain(`Purchase order ${po.orderNumber} (`);
    expect(written[0]!.message).toContain('; needs review: GL account');
  });

  it('a second run writes nothing and costs one Exact call per feed and nothing in monday.com', async () => {
    const before = JSON.stringify([...itemsByKey(await h.mondayState())]);
    const calls = h.apiCalls();
    const again = await h.run();
    const after = h.apiCalls();
    expect(again.status).toBe('succeeded');
    expect(again.counts).toMatchObject({ created: 0, updated: 0, read: 0, flagged: 0 });
    // Purchase orders 1, sales invoices 1, sales orders 2 feeds, and one sync/Deleted read for all three kinds.
    expect(after.exact - calls.exact).toBe(5);
    expect(after.monday - calls.monday).toBe(0);
    expect(JSON.stringify([...itemsByKey(await h.mondayState())])).toBe(before);
  });

  it('an edited invoice updates its item (the same item, one board read and one update)', async () => {
    const exact = await h.exactState();
    const invoice = exact['SalesInvoices']!.find((i) => i['Status'] === 20)!;
    const id = String(invoice['InvoiceID']);
    const before = itemsByKey(await h.mondayState()).get(id)![0]!;
    const res = await h.exactApi('PUT', `salesinvoice/SalesInvoices(guid'${id}')`, { DueDate: '2026-12-31' });
    expect(res.status).toBe(204);
    const calls = h.apiCalls();
    const run = await h.run();
    expect(run.counts).toMatchObject({ updated: 1, created: 0, failed: 0 });
    expect(h.apiCalls().monday - calls.monday).toBe(2);
    const after = itemsByKey(await h.mondayState()).get(id)!;
    expect(after).toHaveLength(1);
    expect(after[0]!.id).toBe(before.id);
    expect(after[0]!.cells['due_date']).toBe('2026-12-31');
    expect(after[0]!.cells['amount']).toBe(before.cells['amount']);
  });

  it('a purchase order whose quantity changed updates its amount to the cent', async () => {
    const edit = world.deliberate.editedAfterSync;
    const po = world.purchaseOrders.find((p) => p.key === edit.purchaseOrderKey)!;
    const line = po.lines.find((l) => l.key === edit.lineKey)!;
    const res = await h.exactApi('PUT', `purchaseorder/PurchaseOrderLines(guid'${line.exactId}')`, { QuantityInPurchaseUnits: Number(edit.newQuantity), Quantity: Number(edit.newQuantity) });
    expect(res.status).toBe(204);
    const run = await h.run();
    expect(run.counts.updated).toBe(1);
    const lines = (await h.exactState())['PurchaseOrderLines']!.filter((l: Row) => l['PurchaseOrderID'] === po.exactId);
    const expected = Decimal.sum(lines.map((l) => dec(l['AmountDC'])));
    const item = itemsByKey(await h.mondayState()).get(po.exactId)![0]!;
    expect(item.values['amount']).toBe(expected.toMoneyString());
  });

  it('a deleted invoice follows the policy: its item is archived (still readable), never deleted', async () => {
    const exact = await h.exactState();
    const invoice = exact['SalesInvoices']!.find((i) => i['Status'] === 10)!;
    const id = String(invoice['InvoiceID']);
    expect((await h.exactApi('DELETE', `salesinvoice/SalesInvoices(guid'${id}')`)).status).toBe(204);
    const run = await h.run();
    expect(run.counts).toMatchObject({ deleted: 1, created: 0, failed: 0 });
    const after = itemsByKey(await h.mondayState()).get(id)!;
    expect(after.map((i) => i.state)).toEqual(['archived']);
    const audit = h.store.audit.query({ flow: F4_FLOW, text: id, step: 'deleted' }, { limit: 5 }).entries;
    expect(audit.map((e) => e.status)).toEqual(['ok']);
  });

  it('once its GL account is added to the reference values, the flagged order is updated and leaves Pending validation', async () => {
    const pair = world.deliberate.unmappedPair;
    const po = world.purchaseOrders.find((p) => p.key === pair.purchaseOrderKey)!;
    const set = h.store.mappings.getSet(F4_FLOW, F4_MAPPING_SETS.glAccounts)!;
    const rows = h.store.mappings.rows(h.store.mappings.currentVersion(set.id)!.id);
    h.store.mappings.createVersion(set.id, [...rows, { sourceKey: { glAccountCode: pair.glAccountCode }, target: { label: `${pair.glAccountCode} Sundry` } }], 'test: add the missing GL account');
    const retry = await retryParked(h.deps);
    expect(retry.status).toBe('succeeded');
    expect(retry.counts).toMatchObject({ updated: 1, flagged: 0 });
    expect(h.store.parked.listOpen(F4_FLOW)).toEqual([]);
    const item = itemsByKey(await h.mondayState()).get(po.exactId)![0]!;
    expect(item.cells['review']).toBe('');
    expect(item.cells['gl_account']!.split(', ')).toContain(`${pair.glAccountCode} Sundry`);
    // Replaying the write is idempotent.
    const written = h.store.audit.query({ flow: F4_FLOW, text: po.exactId, step: 'updated' }, { limit: 1 }).entries[0]!;
    const replay = await replayAuditEntry(h.deps, written.seq);
    // Named as finance names it (decision 0022), not by its Exact guid.
    expect(replay.message).toMatch(new RegExp(`^PO ${po.orderNumber} · .+: monday\\.com already matches; nothing was written\\.$`));
    expect(h.store.audit.verifyAuditChain().ok).toBe(true);
  });
});

describe('F4 board check: a missing or retyped column is a clear error before any write', () => {
  let broken: F4Harness;
  beforeAll(async () => {
    broken = await openF4Harness({ seed: 2, scale: 1 });
  }, 60_000);
  afterAll(async () => broken?.close());

  it('refuses the purchase-order board, writing nothing to it, and names the board, the column and the fix', async () => {
    const set = broken.store.mappings.getSet(F4_FLOW, F4_MAPPING_SETS.columns)!;
    const rows = broken.store.mappings.rows(broken.store.mappings.currentVersion(set.id)!.id);
    // VAT on the formula column, the receipt date on a column that is gone, the amount on the
    // supplier column as if it had been a numbers column when mapped (it is text).
    const po = (row: (typeof rows)[number], field: string) => (row.sourceKey as { documentType: string }).documentType === 'purchase-order' && (row.sourceKey as { field: string }).field === field;
    const changed = rows
      .filter((row) => !po(row, 'party'))
      .map((row) =>
        po(row, 'vat')
          ? { ...row, target: { columnId: 'amount_vat', columnType: 'numbers' } }
          : po(row, 'dueDate')
            ? { ...row, target: { columnId: 'receipt', columnType: 'date' } }
            : po(row, 'amount')
              ? { ...row, target: { columnId: 'party', columnType: 'numbers' } }
              : row,
      );
    broken.store.mappings.createVersion(set.id, changed, 'test: break the mapping');
    const run = await broken.run();
    expect(run.status).toBe('failed');
    expect(run.error).toContain('The monday.com board mapping does not fit the board, so nothing was written to it');
    expect(run.error).toContain('Column "Amount incl. 21% VAT" on board "Purchase orders" is a formula column');
    expect(run.error).toContain('Board "Purchase orders" has no column with id "receipt" any more');
    expect(run.error).toContain('Column "Supplier" on board "Purchase orders" was a numbers column when');
    const items = (await broken.mondayState()).items;
    expect(items.filter((i) => String((i['board'] as Row)['id']) === boardOf('purchase-order'))).toEqual([]);
    expect(broken.store.cursors.get(F4_FLOW, 'purchase-orders', broken.deps.exactConnectionId)).toBeUndefined();

    // Put right, the next run writes every purchase order once.
    broken.store.mappings.createVersion(set.id, rows, 'test: restore the mapping');
    const fixed = await broken.run();
    expect(fixed.status, fixed.error ?? '').toBe('succeeded');
    const after = itemsByKey(await broken.mondayState());
    expect([...after.values()].every((list) => list.length === 1)).toBe(true);
    expect(after.size).toBe(generateWorld(2, 1).purchaseOrders.length + generateWorld(2, 1).salesInvoices.length + generateWorld(2, 1).salesOrders.length);
  });
});

describe('F4 sandbox mappings', () => {
  it('maps each demo board, its columns, every GL account but the deliberate gap, the cost centers and the boards\' status labels', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlc-f4-seed-'));
    const store = openStore(dir);
    try {
      seedF4SandboxMappings(store, () => world);
      const { mappings } = loadF4Mappings(store);
      expect([...mappings.boards]).toEqual(world.mondayBoards.map((b) => [b.documentType, { boardId: b.mondayBoardId, groupId: b.groupId, whenCancelled: 'label', whenDeleted: 'archive' }]));
      expect(mappings.columns.get('purchase-order')?.get('key')).toEqual({ columnId: 'exact_key', columnType: 'text' });
      expect(mappings.columns.get('sales-invoice')?.has('project')).toBe(false);
      expect(mappings.glAccounts.has(world.deliberate.unmappedPair.glAccountCode)).toBe(false);
      expect(mappings.glAccounts.size).toBe(world.glAccounts.length - 1);
      expect(statusLabel(mappings, 'sales-order', 'cancelled')).toBe('Canceled');
      seedF4SandboxMappings(store, () => {
        throw new Error('a second start seeds nothing');
      });
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
