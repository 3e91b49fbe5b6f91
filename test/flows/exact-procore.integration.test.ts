import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src-shared/domain/money';
import { F1_FLOW, F1_MAPPING_SETS } from '../../src-main/engine/flows/exact-procore/mappings';
import { retryParked, replayAuditEntry } from '../../src-main/engine/flows/exact-procore/flow';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { booksView, openF1Harness, type F1Harness } from '../support/f1-harness';

/**
 * Issue 4's proof, against the Exact Online and Procore simulators: what lands in Procore is
 * checked against Exact's own records (not against our mappers), to the cent.
 */
type Row = Record<string, unknown>;
const world = generateWorld(1, 1);
const dec = (v: unknown) => Decimal.parse(typeof v === 'number' ? Decimal.fromJsonNumber(v).toString() : String(v));

let h: F1Harness;
beforeAll(async () => {
  h = await openF1Harness({ seed: 1, scale: 1 });
});
afterAll(async () => h?.close());

describe('F1 Exact Online → Procore on the sandbox', () => {
  let first: Awaited<ReturnType<F1Harness['run']>>;

  it('a clean initial sync writes exactly the expected commitments, lines and direct costs, to the cent', async () => {
    first = await h.run();
    expect(first.status).toBe('succeeded');
    const exact = await h.exactState();
    const books = booksView(await h.procoreState());
    expect(books.duplicateCommitmentOrigins).toBe(0);
    expect(books.duplicateDirectCostOrigins).toBe(0);

    const orders = exact['PurchaseOrders'] as Row[];
    const lines = exact['PurchaseOrderLines'] as Row[];
    const parked = new Set(h.store.parked.listOpen(F1_FLOW).map((p) => p.sourceId));
    const expectedOrders = orders.filter((o) => !parked.has(String(o['PurchaseOrderID'])));
    // Every PO that was not parked is one commitment (no PO of the sandbox spans projects).
    expect(Object.keys(books.commitments).sort()).toEqual(expectedOrders.map((o) => String(o['PurchaseOrderID'])).sort());
    for (const order of expectedOrders) {
      const id = String(order['PurchaseOrderID']);
      const c = books.commitments[id]!;
      const own = lines.filter((l) => l['PurchaseOrderID'] === id);
      const cancelled = order['OrderStatus'] === 40;
      const expectedTotal = cancelled ? Decimal.ZERO : Decimal.sum(own.map((l) => dec(l['AmountDC'])));
      expect(dec(c.grand_total).equals(expectedTotal), `PO ${order['OrderNumber']}: ${String(c.grand_total)} vs ${expectedTotal.toMoneyString()}`).toBe(true);
      expect(c.lines.map((l) => l.origin_id).sort()).toEqual(own.map((l) => String(l['ID'])).sort());
      expect(c.status).toBe(cancelled ? 'Closed' : 'Draft');
    }

    const entries = exact['PurchaseEntries'] as Row[];
    const entryLines = exact['PurchaseEntryLines'] as Row[];
    const expectedEntries = entries.filter((e) => !parked.has(String(e['EntryID'])));
    expect(Object.keys(books.directCosts).sort()).toEqual(expectedEntries.map((e) => String(e['EntryID'])).sort());
    for (const entry of expectedEntries) {
      const d = books.directCosts[String(entry['EntryID'])]!;
      const own = entryLines.filter((l) => l['EntryID'] === entry['EntryID']);
      const net = Decimal.sum(own.map((l) => dec(l['AmountDC'])));
      expect(Decimal.sum(d.lines.map((l) => dec(l.amount))).equals(net)).toBe(true);
      expect(d.invoice_number).toBe(entry['YourRef']);
    }
    expect(first.counts.created).toBe(expectedOrders.length + expectedEntries.length);
    expect(h.store.audit.verifyAuditChain().ok).toBe(true);
  });

  it('parks the deliberate problems with reasons in finance words', () => {
    const reasons = h.store.parked.listOpen(F1_FLOW).map((p) => p.reasonText);
    const pair = world.deliberate.unmappedPair;
    expect(reasons).toContain(`GL ${pair.glAccountCode} / cost center ${pair.costCenterCode} has no cost code mapping`);
    const missing = world.suppliers.find((s) => s.key === world.deliberate.supplierMissingInProcoreKey)!;
    expect(reasons.some((r) => r.startsWith(`Supplier ${missing.code} (${missing.name}) is not linked to a Procore vendor`))).toBe(true);
  });

  it('a second run writes nothing, and costs one Exact call per stream and nothing in Procore', async () => {
    const before = JSON.stringify(booksView(await h.procoreState()));
    const callsBefore = h.rt.apiCalls();
    const again = await h.run();
    const callsAfter = h.rt.apiCalls();
    expect(again.counts.created + again.counts.updated + again.counts.failed).toBe(0);
    expect(again.counts.read).toBe(0);
    expect(callsAfter.exact - callsBefore.exact).toBe(3);
    expect(callsAfter.procore - callsBefore.procore).toBe(0);
    expect(JSON.stringify(booksView(await h.procoreState()))).toBe(before);
  });

  it('after a restart (the simulators come back on other ports) an idle run still reads nothing', async () => {
    await h.restart();
    const run = await h.run();
    expect(run.status).toBe('succeeded');
    expect(run.counts.read).toBe(0);
    expect(h.rt.apiCalls().procore).toBe(0);
  });

  it('a PO edited in Exact updates its commitment', async () => {
    const edit = world.deliberate.editedAfterSync;
    const line = world.purchaseOrders.find((p) => p.key === edit.purchaseOrderKey)!.lines.find((l) => l.key === edit.lineKey)!;
    const po = world.purchaseOrders.find((p) => p.key === edit.purchaseOrderKey)!;
    const res = await h.exactApi('PUT', `purchaseorder/PurchaseOrderLines(guid'${line.exactId}')`, { QuantityInPurchaseUnits: Number(edit.newQuantity), Quantity: Number(edit.newQuantity) });
    expect(res.status).toBe(204);
    const run = await h.run();
    expect(run.counts.updated).toBe(1);
    const c = booksView(await h.procoreState()).commitments[po.exactId]!;
    const expected = Decimal.parse(edit.newQuantity).times(Decimal.parse(line.unitPrice), 2);
    expect(c.lines.find((l) => l.origin_id === line.exactId)!.amount).toBe(expected.toMoneyString());
  });

  it('the unmapped pair syncs once the mapping is added, and leaves Pending validation', async () => {
    const pair = world.deliberate.unmappedPair;
    const set = h.store.mappings.getSet(F1_FLOW, F1_MAPPING_SETS.costs)!;
    const rows = h.store.mappings.rows(h.store.mappings.currentVersion(set.id)!.id);
    h.store.mappings.createVersion(set.id, [...rows, { sourceKey: { glAccountCode: pair.glAccountCode, costCenterCode: pair.costCenterCode, costUnitCode: null }, target: { costCode: world.costCodes[0]!.code, lineItemTypeCode: world.lineItemTypes[0]!.code } }], 'test: map the deliberate pair');
    const po = world.purchaseOrders.find((p) => p.key === pair.purchaseOrderKey)!;
    const retry = await retryParked(h.rt.deps);
    expect(retry.status).toBe('succeeded');
    expect(h.store.parked.listOpen(F1_FLOW).some((p) => p.sourceId === po.exactId)).toBe(false);
    expect(booksView(await h.procoreState()).commitments[po.exactId]).toBeDefined();
    // Replaying the write is idempotent.
    const written = h.store.audit.query({ flow: F1_FLOW, text: po.exactId, step: 'written' }, { limit: 1 }).entries[0]!;
    const replay = await replayAuditEntry(h.rt.deps, written.seq);
    // Named as finance names it: the PO's number and supplier, not its Exact guid.
    expect(replay.message).toMatch(new RegExp(`^PO ${po.orderNumber} · .+: Procore already matches; nothing was written\\.$`));
    expect(replay.message).not.toContain(po.exactId);
  });

  it('a PO deleted in Exact closes and zeroes its commitment instead of deleting it', async () => {
    const synced = booksView(await h.procoreState()).commitments;
    const po = world.purchaseOrders.find((p) => p.orderStatus === 10 && synced[p.exactId]?.status === 'Draft')!;
    expect((await h.exactApi('DELETE', `purchaseorder/PurchaseOrders(guid'${po.exactId}')`)).status).toBe(204);
    const run = await h.run();
    expect(run.counts.deleted).toBe(1);
    const c = booksView(await h.procoreState()).commitments[po.exactId]!;
    expect(c.status).toBe('Closed');
    expect(c.grand_total).toBe('0.00');
    expect(h.store.audit.verifyAuditChain().ok).toBe(true);
  });
});
