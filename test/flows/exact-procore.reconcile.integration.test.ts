import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestCounters } from '../../src-main/connectors/_kit';
import { F1_FLOW } from '../../src-main/engine/flows/exact-procore/mappings';
import type { ReconciliationReport } from '../../src-main/engine/reconcile/reconcile';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { describeReconciliation, reconciliationCsv } from '../../src-main/host/reconciliation-views';
import { openF1Harness, type F1Harness } from '../support/f1-harness';

/**
 * The controller's month-end question on the sandbox: after a sync every difference between
 * Exact and Procore is explained; a hand edit in Procore, an edit and a deletion in Exact not yet
 * synced are each reported with their cause and amount. Procore and Exact are changed through
 * their own APIs, as people working in them would.
 */
const world = generateWorld(1, 1);
const apiCalls = () => Object.fromEntries(Object.entries(requestCounters.snapshot()).map(([api, c]) => [api, c.total]));

let h: F1Harness;
beforeAll(async () => {
  h = await openF1Harness({ seed: 1, scale: 1 });
  expect((await h.run()).status).toBe('succeeded');
}, 120_000);
afterAll(async () => h?.close());

const reconcile = (): Promise<ReconciliationReport> => h.rt.flow.runtime.reconcile!({ apiCalls });
const differing = (r: ReconciliationReport) => r.records.filter((x) => x.cause !== null);

/** A Procore user changes a commitment line's amount in Procore's own screens (its REST API). */
async function editInProcore(commitmentOrigin: string, delta: string): Promise<void> {
  const sim = h.sandbox.systems.procore!;
  const c = sim.credentials;
  const tokenRes = await fetch(`${sim.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: String(c['clientId']), client_secret: String(c['clientSecret']) }),
  });
  const token = ((await tokenRes.json()) as { access_token: string }).access_token;
  const state = await h.procoreState();
  const written = h.store.targetRecords.bySource(F1_FLOW, commitmentOrigin)[0]!;
  const contract = { id: written.targetId, project_id: written.containerId };
  const line = (state['line_items'] as Record<string, unknown>[]).find((l) => String(l['contract_id'] ?? l['commitment_id']) === String(contract.id))!;
  const amount = (Number(line['amount']) + Number(delta)).toFixed(2);
  const res = await fetch(`${sim.baseUrl}/rest/v1.0/purchase_order_contracts/${contract.id}/line_items/sync?project_id=${contract.project_id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, 'procore-company-id': String(c['companyId']), 'content-type': 'application/json' },
    body: JSON.stringify({ project_id: Number(contract.project_id), updates: [{ id: line['id'], amount, quantity: '1', unit_cost: amount }] }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  expect(((await res.json()) as { errors: unknown[] }).errors).toEqual([]);
}

describe('reconcile exact-procore on the sandbox', () => {
  it('after a sync: every difference is a parked record, each named with its reason; everything else agrees to the cent', async () => {
    const report = await reconcile();
    expect(report.unexplained).toBe(0);
    const open = h.store.parked.listOpen(F1_FLOW);
    expect(new Set(differing(report).map((r) => r.sourceId))).toEqual(new Set(open.map((p) => p.sourceId)));
    for (const r of differing(report)) {
      expect(r.cause).toBe('parked');
      expect(r.explanation).toMatch(/^waits in Pending validation: /);
      expect(r.actual).toBeNull();
    }
    const agreeing = report.records.filter((r) => r.cause === null);
    expect(agreeing.length).toBeGreaterThan(150);
    for (const r of agreeing) expect(r.actual).toBe(r.expected);
    // The totals add up: the target holds the source minus what waits.
    const [total] = report.totals;
    const waiting = differing(report).reduce((sum, r) => sum + Math.round(Number(r.expected) * 100), 0);
    expect(Math.round(Number(total!.expected) * 100) - Math.round(Number(total!.actual) * 100)).toBe(waiting);
    // Named as finance names them, grouped by project and supplier.
    const missing = world.suppliers.find((s) => s.key === world.deliberate.supplierMissingInProcoreKey)!;
    expect(report.byCounterparty.find((g) => g.label === missing.name)?.causes.parked).toBeGreaterThan(0);
    expect(report.byProject.map((g) => g.label)).toEqual(expect.arrayContaining(world.projects.map((p) => p.name)));
    // Reads both systems, through counted calls: Exact's full reads; Procore's reference data and two lists per project.
    expect(report.apiCalls['exact']).toBeGreaterThan(0);
    expect(report.apiCalls['procore']).toBe(3 + world.projects.length + 2 * world.projects.length);
    expect(describeReconciliation(report).at(-2)).toBe('Every difference is explained.');
  });

  it('a hand edit in Procore is reported as changed in the target, with its amount', async () => {
    const po = world.purchaseOrders.find((p) => p.key !== world.deliberate.cancelledPurchaseOrderKey && !h.store.parked.getOpen(F1_FLOW, 'purchase-orders', p.exactId))!;
    await editInProcore(po.exactId, '100.00');
    const report = await reconcile();
    const changed = report.records.filter((r) => r.cause === 'changed-in-target');
    expect(changed.map((r) => [r.documentNumber, r.difference])).toEqual([[String(po.orderNumber), '100.00']]);
    expect(changed[0]!.explanation).toBe('changed in the target by hand after it was written');
    expect(report.unexplained).toBe(0);
    expect(reconciliationCsv(report)).toContain(`Purchase order,${po.orderNumber},`);
  });

  it('an edit and a deletion in Exact not synced yet: "not yet synced" and "deleted at the source"; after the sync they agree again', async () => {
    const edit = world.deliberate.editedAfterSync;
    const po = world.purchaseOrders.find((p) => p.key === edit.purchaseOrderKey)!;
    const line = po.lines.find((l) => l.key === edit.lineKey)!;
    expect((await h.exactApi('PUT', `purchaseorder/PurchaseOrderLines(guid'${line.exactId}')`, { QuantityInPurchaseUnits: Number(edit.newQuantity), Quantity: Number(edit.newQuantity) })).status).toBe(204);
    const gone = world.purchaseOrders.find((p) => p.key !== edit.purchaseOrderKey && p.key !== world.deliberate.cancelledPurchaseOrderKey && !h.store.parked.getOpen(F1_FLOW, 'purchase-orders', p.exactId) && p.lines.length > 0 && written(p.exactId))!;
    expect((await h.exactApi('DELETE', `purchaseorder/PurchaseOrders(guid'${gone.exactId}')`)).status).toBe(204);
    const report = await reconcile();
    expect(report.records.filter((r) => r.cause === 'not-yet-synced').map((r) => r.documentNumber)).toEqual([String(po.orderNumber)]);
    expect(report.records.filter((r) => r.cause === 'deleted-at-source').map((r) => r.sourceId)).toEqual([gone.exactId]);
    expect(report.unexplained).toBe(0);

    expect((await h.run()).status).toBe('succeeded');
    const after = await reconcile();
    expect(after.records.filter((r) => r.cause === 'not-yet-synced' || r.cause === 'deleted-at-source')).toEqual([]);
    expect(after.unexplained).toBe(0);
  });
});

/** The app has written this PO to Procore (a commitment exists to be left behind by its deletion). */
function written(exactId: string): boolean {
  return h.store.targetRecords.bySource(F1_FLOW, exactId).length > 0;
}
