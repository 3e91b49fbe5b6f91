import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IpcResponse } from '../../src-shared/ipc';
import { Decimal } from '../../src-shared/domain/money';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { F5_FLOW } from '../../src-main/engine/flows/exact-coupa/model';
import type { ReconciliationReport } from '../../src-main/engine/reconcile/reconcile';
import { createAppContext } from '../../src-main/host/app-context';
import { main, type CliProcess } from '../../src-main/host/cli';
import { dispatch } from '../../src-main/host/handlers';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { openF5Harness, type F5Harness } from '../support/f5-harness';

/**
 * Issue 17 for F5 (Exact Online → Coupa), after a real sandbox sync through the CLI: parked
 * records and audit entries named as finance names them (number, supplier, amount; the Coupa
 * document written), and `reconcile exact-coupa --json` explaining every difference with its
 * cause. Then, on the harness, a hand change in Coupa and an edit and a deletion in Exact not
 * yet synced, each reported with its cause.
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

type ParkedJson = { number: number; sourceId: string; stream: string; name: string; label: { number: string | null; counterparty: string | null; amount: string | null; currency: string | null } };

describe('F5 on the CLI: records named as finance names them; reconcile explains every difference', { timeout: 240_000 }, () => {
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mlc-f5-labels-'));
    const sync = await cli('sync', F5_FLOW, '--sandbox');
    expect(sync.code, sync.err.join('\n')).toBe(0);
  }, 240_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('`parked list --json` names each record by number, supplier and amount', async () => {
    const listed = await cli('parked', 'list', '--json');
    expect(listed.code).toBe(0);
    const { parked } = JSON.parse(listed.out.at(-1)!) as { parked: ParkedJson[] };
    expect(parked.length).toBeGreaterThan(0);
    for (const p of parked) {
      expect(p.name).not.toMatch(GUID);
      expect(p.label.number).toBeTruthy();
      expect(p.label.counterparty).toBeTruthy();
      // Documents carry their amount; suppliers have none.
      if (p.stream === 'purchase-orders' || p.stream === 'purchase-invoices') expect(p.label).toMatchObject({ amount: expect.stringMatching(/^-?\d+\.\d\d$/), currency: 'EUR' });
    }
    const pair = world.deliberate.unmappedPair;
    const po = world.purchaseOrders.find((p) => p.key === pair.purchaseOrderKey)!;
    const supplier = world.suppliers.find((s) => s.key === po.supplierKey)!;
    const record = parked.find((p) => p.sourceId === po.exactId)!;
    expect(record.name).toBe(`PO ${po.orderNumber} · ${supplier.name}`);
    expect(record.label.amount).toBe(Decimal.sum(po.lines.map((l) => Decimal.parse(l.amount))).toMoneyString());
    const approved = world.purchaseEntries.find((e) => e.key === world.deliberate.coupaApprovedPurchaseEntryKey)!;
    expect(parked.find((p) => p.sourceId === approved.exactId)?.name).toMatch(new RegExp(`^Supplier invoice ${approved.invoiceNumber} · `));

    const text = (await cli('parked', 'list', '--flow', F5_FLOW)).out.join('\n');
    expect(text).not.toMatch(GUID);
    const escaped = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(text).toMatch(new RegExp(`^#\\d+ {2}PO ${po.orderNumber} · ${escaped(supplier.name)} · P26-\\d+ · .+ · €[\\d,]+\\.\\d\\d$`, 'm'));
  });

  it('written records carry their label and the Coupa document written; messages name it by its Coupa id', async () => {
    await withContext(async (ctx) => {
      const entries = ctx.store.audit.query({ flow: F5_FLOW, step: 'written' }, { limit: 1000 }).entries;
      expect(entries.length).toBeGreaterThan(50);
      const kinds = new Set<string>();
      for (const e of entries) {
        expect(e.message).not.toMatch(GUID);
        expect(e.label?.number).toBeTruthy();
        expect(e.label?.counterparty).toBeTruthy();
        expect(e.targetLabel).toMatchObject({ system: 'Coupa', id: e.targetId });
        expect(e.message.endsWith(` as ${e.targetLabel!.documentType.toLowerCase()} ${e.targetId}`)).toBe(true);
        kinds.add(e.targetLabel!.documentType);
        if (e.entity !== 'supplier') expect(e.targetLabel!.amount).toBe(e.amount);
      }
      expect([...kinds].sort()).toEqual(['Invoice', 'Purchase order', 'Supplier']);
      // A PO's Coupa document by its Coupa number, with the Coupa supplier's name.
      const poEntry = entries.find((e) => e.entity === 'purchase-order')!;
      expect(poEntry.targetLabel).toMatchObject({ number: `EX-${poEntry.label!.number}`, counterparty: expect.any(String) });
      expect(poEntry.label!.shortType).toBe('PO');

      // The record view: Exact beside Coupa, nothing differs right after the sync.
      for (const e of [poEntry, entries.find((x) => x.entity === 'purchase-invoice')!]) {
        const got = await dispatch('audit.get', { seq: e.seq }, ctx);
        if (!got.ok) throw new Error(got.error.message);
        const comparison = (got.value as IpcResponse<'audit.get'>).entry.comparison!;
        expect(comparison.targetTitle).toBe('Coupa');
        expect(comparison.fields.filter((f) => f.differs)).toEqual([]);
        expect(comparison.lines.length).toBeGreaterThan(0);
        expect(comparison.lines.every((l) => l.source !== null && l.target !== null && l.differs.length === 0)).toBe(true);
      }
      expect(ctx.store.audit.verifyAuditChain().ok).toBe(true);
    });
  });

  it('`reconcile exact-coupa --json`: every difference is a record waiting in Pending validation, with its reason', async () => {
    const run = await cli('reconcile', F5_FLOW, '--json');
    expect(run.code, run.err.join('\n')).toBe(0);
    const report = JSON.parse(run.out.at(-1)!) as ReconciliationReport;
    expect(report.unexplained).toBe(0);
    const differing = report.records.filter((r) => r.cause !== null);
    expect(differing.length).toBeGreaterThan(0);
    for (const r of differing) {
      expect(r.cause).toBe('parked');
      expect(r.explanation).toMatch(/^waits in Pending validation: /);
    }
    await withContext(async (ctx) => {
      const open = new Set(ctx.store.parked.listOpen(F5_FLOW).map((p) => p.sourceId));
      for (const r of differing) expect(open.has(r.sourceId)).toBe(true);
    });
    // The unmapped pair's PO: all of it missing in Coupa, as it waits.
    const po = world.purchaseOrders.find((p) => p.key === world.deliberate.unmappedPair.purchaseOrderKey)!;
    const record = report.records.find((r) => r.sourceId === po.exactId)!;
    expect(record).toMatchObject({ documentType: 'Purchase order', documentNumber: String(po.orderNumber), actual: null, cause: 'parked' });
    expect(record.difference).toBe(Decimal.sum(po.lines.map((l) => Decimal.parse(l.amount))).negate().toMoneyString());
    // Invoices Coupa approved before the sync agree in money though they wait (nothing to settle).
    const approved = world.purchaseEntries.find((e) => e.key === world.deliberate.coupaApprovedPurchaseEntryKey)!;
    expect(report.records.find((r) => r.sourceId === approved.exactId)).toMatchObject({ documentType: 'Supplier invoice', actual: expect.stringMatching(/^\d+\.\d\d$/) });
    // The totals: Coupa holds what Exact says, less what waits.
    const [total] = report.totals;
    const waiting = Decimal.sum(differing.map((r) => Decimal.parse(r.difference)));
    expect(Decimal.parse(total!.actual).minus(Decimal.parse(total!.expected)).equals(waiting)).toBe(true);
    expect(report.apiCalls['exact']).toBeGreaterThan(0);
    expect(report.apiCalls['coupa']).toBeGreaterThan(0);
    expect(report.apiCalls['coupa']).toBeLessThan(20);
  });
});

describe('F5 reconciliation after changes in both systems', { timeout: 240_000 }, () => {
  let h: F5Harness;
  beforeAll(async () => {
    h = await openF5Harness({ seed: 1, scale: 1 });
    expect((await h.run()).status).toBe('succeeded');
  }, 240_000);
  afterAll(async () => h?.close());
  const reconcile = (): Promise<ReconciliationReport> => h.rt.flow.runtime.reconcile!({ apiCalls: () => h.rt.apiCalls() });
  const parkedIds = () => new Set(h.store.parked.listOpen(F5_FLOW).map((p) => p.sourceId));

  it('a PO cancelled in Coupa by hand, a PO edited and one deleted in Exact: each with its cause and amount; a sync clears what was Exact\'s', async () => {
    const edit = world.deliberate.editedAfterSync;
    const edited = world.purchaseOrders.find((p) => p.key === edit.purchaseOrderKey)!;
    const line = edited.lines.find((l) => l.key === edit.lineKey)!;
    const waiting = parkedIds();
    const candidates = world.purchaseOrders.filter((p) => p.key !== edit.purchaseOrderKey && p.key !== world.deliberate.cancelledPurchaseOrderKey && !waiting.has(p.exactId) && h.store.targetRecords.bySource(F5_FLOW, p.exactId).length > 0);
    const [byHand, gone] = candidates;
    const held = h.store.targetRecords.bySource(F5_FLOW, byHand!.exactId)[0]!;
    expect((await h.coupaApi('PUT', `purchase_orders/${held.targetId}/cancel`)).status).toBe(200);
    expect((await h.exactApi('PUT', `purchaseorder/PurchaseOrderLines(guid'${line.exactId}')`, { QuantityInPurchaseUnits: Number(edit.newQuantity) })).status).toBe(204);
    expect((await h.exactApi('DELETE', `purchaseorder/PurchaseOrders(guid'${gone!.exactId}')`)).status).toBe(204);

    const report = await reconcile();
    expect(report.unexplained).toBe(0);
    const total = (p: { lines: { amount: string }[] }) => Decimal.sum(p.lines.map((l) => Decimal.parse(l.amount))).toMoneyString();
    expect(report.records.filter((r) => r.cause === 'changed-in-target').map((r) => [r.documentNumber, r.actual, r.difference])).toEqual([[String(byHand!.orderNumber), '0.00', Decimal.parse(total(byHand!)).negate().toMoneyString()]]);
    expect(report.records.filter((r) => r.cause === 'not-yet-synced').map((r) => r.documentNumber)).toEqual([String(edited.orderNumber)]);
    expect(report.records.filter((r) => r.cause === 'deleted-at-source').map((r) => [r.sourceId, r.expected, r.actual])).toEqual([[gone!.exactId, '0.00', total(gone!)]]);
    expect(report.records.filter((r) => r.cause !== null && r.cause !== 'parked')).toHaveLength(3);

    expect((await h.run()).status).toBe('succeeded');
    const after = await reconcile();
    expect(after.records.filter((r) => r.cause === 'not-yet-synced' || r.cause === 'deleted-at-source')).toEqual([]);
    // A hand change in Coupa stays until a person settles it.
    expect(after.records.filter((r) => r.cause === 'changed-in-target').map((r) => r.documentNumber)).toEqual([String(byHand!.orderNumber)]);
    expect(after.unexplained).toBe(0);
  });

  it('a PO and an invoice keyed in Coupa by hand under numbers no Exact document has: listed, "in Coupa only" with their amounts; a PO outside the prefix is not F5\'s', async () => {
    const supplier = world.suppliers.find((x) => x.coupaSupplierId !== null)!;
    const account = { code: '4010-KST-10', 'segment-1': '4010', 'segment-2': 'KST-10' };
    const order = (poNumber: string) => ({
      type: 'ExternalOrderHeader',
      'po-number': poNumber,
      supplier: { number: supplier.code },
      currency: { code: 'EUR' },
      'ship-to-user': { login: 'inkoop' },
      'order-lines': [{ 'line-num': 1, description: 'Steigerhuur extra week', price: '412.50', quantity: '2', account }],
    });
    expect((await h.coupaApi('POST', 'purchase_orders', order('EX-HAND-77'))).status).toBe(201);
    expect((await h.coupaApi('POST', 'purchase_orders', order('ELDERS-1'))).status).toBe(201);
    const remitTo = { 'remit-to-code': `RT-${supplier.code}` };
    const invoice = await h.coupaApi('POST', 'invoices', {
      'invoice-number': 'HAND-2026-001',
      'invoice-date': '2026-10-20T00:00:00+00:00',
      supplier: { number: supplier.code },
      currency: { code: 'EUR' },
      'account-type': { name: world.companyName },
      'bill-to-address': { 'location-code': 'HQ' },
      'remit-to-address': remitTo,
      'supplier-remit-to': remitTo,
      'line-level-taxation': true,
      'invoice-lines': [{ 'line-num': 1, description: 'Meerwerk', price: '100.00', type: 'InvoiceAmountLine', 'tax-amount': '21.00', account }],
    });
    expect(invoice.status).toBe(201);

    const report = await reconcile();
    const onlyInCoupa = report.records.filter((r) => r.documentNumber.endsWith('(in Coupa only)')).map((r) => [r.documentType, r.documentNumber, r.actual, r.cause]);
    expect(onlyInCoupa).toEqual(
      expect.arrayContaining([
        ['Purchase order', 'EX-HAND-77 (in Coupa only)', '825.00', 'changed-in-target'],
        ['Supplier invoice', 'HAND-2026-001 (in Coupa only)', '121.00', 'changed-in-target'],
      ]),
    );
    expect(report.records.some((r) => r.documentNumber.startsWith('ELDERS-1'))).toBe(false);
    expect(report.unexplained).toBe(0);
  });
});
