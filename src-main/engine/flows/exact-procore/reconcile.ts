import { Decimal } from '../../../../src-shared/domain/money';
import type { PurchaseInvoice, PurchaseOrder, SourceDeletion } from '../../../../src-shared/domain/records';
import type { ExactOnlineConnector } from '../../../connectors/exact-online';
import type { ProcoreConnector } from '../../../connectors/procore';
import type { Store } from '../../../store/db';
import { reconcile, type ReconciliationReport, type ReconInput } from '../../reconcile/reconcile';
import { STREAMS } from './flow';
import { F1_FLOW, loadF1Mappings } from './mappings';
import { DEFAULT_POLICY, type FlowPolicy, type PlannedLine, type PlannedWrite } from './model';
import { planPurchaseInvoice, planPurchaseOrder } from './plan';

/**
 * F1's reconciliation (decision 0023): every Exact purchase order and purchase invoice read in
 * full, planned with the current mappings into what Procore should hold (cancelled orders at 0.00
 * per the flow's policy), and compared with every commitment and direct cost Procore holds under
 * an Exact origin, in each mapped project. Reads only; the calls are counted.
 *
 * Calls: Exact — the full purchase-order, deletion and purchase-entry reads (as an initial sync
 * reads them); Procore — its reference data, and per mapped project ⌈commitments / 1000⌉ +
 * ⌈direct costs / 1000⌉ lists (totals only, no lines).
 */
export interface ReconcileDeps {
  store: Store;
  exact: Pick<ExactOnlineConnector, 'readPurchaseOrders' | 'readDeletedPurchaseOrders' | 'readPurchaseInvoices'>;
  procore: Pick<ProcoreConnector, 'loadReference' | 'listOriginTotals'>;
  policy?: FlowPolicy;
  apiCalls(): Record<string, number>;
}

const ENTITY_OF = { commitment: 'commitment', 'direct-cost': 'direct-cost' } as const;

async function readAll<R, D>(pages: AsyncIterable<{ records: R[]; deletions: D[]; unreadable?: { sourceId: string; label: string; problem: string }[] }>) {
  const records: R[] = [];
  const deletions: D[] = [];
  const unreadable: { sourceId: string; label: string; problem: string }[] = [];
  for await (const page of pages) {
    records.push(...page.records);
    deletions.push(...page.deletions);
    unreadable.push(...(page.unreadable ?? []));
  }
  return { records, deletions, unreadable };
}

export async function reconcileExactProcore(deps: ReconcileDeps): Promise<ReconciliationReport> {
  const { store } = deps;
  const policy = deps.policy ?? DEFAULT_POLICY;
  const start = deps.apiCalls();
  const { mappings } = loadF1Mappings(store);
  const orders = await readAll<PurchaseOrder, never>(deps.exact.readPurchaseOrders(null));
  const invoices = await readAll<PurchaseInvoice, never>(deps.exact.readPurchaseInvoices(null));
  // sync/Deleted names orders deleted in Exact: they are gone whatever a full read still returns.
  const deletedOrders = new Set((await readAll<never, SourceDeletion>(deps.exact.readDeletedPurchaseOrders(null))).deletions.map((d) => d.sourceId));
  const projectIds = [...new Set(mappings.projects.values())];
  const ref = await deps.procore.loadReference(projectIds);

  // What Procore holds under an origin, per entity, in every project the app writes to.
  const containers = new Set(projectIds);
  for (const t of store.targetRecords.listForFlow(F1_FLOW)) if (t.containerId) containers.add(t.containerId);
  const held = new Map<string, { id: string; total: string; projectId: string }>();
  for (const projectId of containers) {
    if (!ref.projects.has(projectId)) continue; // not visible to the app: nothing to compare
    for (const entity of ['commitment', 'direct-cost'] as const)
      for (const [origin, found] of await deps.procore.listOriginTotals(projectId, entity)) held.set(`${entity}\u0000${origin}`, { ...found, projectId });
  }

  const projectName = (id: string | null) => (id === null ? null : (ref.projects.get(id)?.name ?? `Procore project ${id}`));
  const inputs: ReconInput[] = [];
  const seen = new Set<string>();
  const previousLines = (sourceId: string) =>
    new Map(store.targetRecords.bySource(F1_FLOW, sourceId).map((t) => [t.originId, (t.payload as unknown as PlannedWrite).lines as PlannedLine[]]));
  const confirmedOf = (entity: string, originId: string) => {
    const t = store.targetRecords.get(F1_FLOW, entity, originId);
    return t ? (t.payload as unknown as PlannedWrite).total : null;
  };

  /** One source document: its planned writes against Procore, or (parked) its own amount against what Procore holds for it. */
  const addDocument = (doc: {
    sourceId: string;
    stream: string;
    entity: 'commitment' | 'direct-cost';
    documentType: string;
    documentNumber: string;
    counterparty: string;
    currency: string;
    amount: string;
    lineCount: number;
    /** Exact project codes of its lines (a parked document is shown under its mapped project). */
    projectCodes: readonly (string | null)[];
    plan: () => { ok: true; writes: PlannedWrite[] } | { ok: false; issues: { message: string }[] };
  }) => {
    const parked = store.parked.getOpen(F1_FLOW, doc.stream, doc.sourceId);
    const planned = doc.plan();
    const base = { sourceId: doc.sourceId, documentType: doc.documentType, documentNumber: doc.documentNumber, counterparty: doc.counterparty, currency: doc.currency, deletedAtSource: false };
    if (planned.ok && !parked) {
      for (const w of planned.writes) {
        const key = `${doc.entity}\u0000${w.originId}`;
        seen.add(key);
        const found = held.get(key);
        inputs.push({ ...base, project: projectName(w.projectId), targetKey: w.originId, expected: w.total, actual: found?.total ?? null, confirmed: confirmedOf(doc.entity, w.originId), parkedReason: null, lineCount: w.lines.length, targetId: found?.id ?? null });
      }
      return;
    }
    const reason = parked?.reasonText ?? (planned.ok ? 'parked' : planned.issues.map((i) => i.message).join('; '));
    const written = store.targetRecords.bySource(F1_FLOW, doc.sourceId).filter((t) => t.entity === doc.entity);
    if (written.length === 0) {
      const mapped = doc.projectCodes.map((c) => (c === null ? undefined : mappings.projects.get(c))).find((id) => id !== undefined);
      inputs.push({ ...base, project: projectName(mapped ?? null), targetKey: doc.sourceId, expected: doc.amount, actual: null, confirmed: null, parkedReason: reason, lineCount: doc.lineCount });
      return;
    }
    // Written earlier; a later version waits: what Procore holds is the earlier one.
    for (const t of written) {
      const key = `${doc.entity}\u0000${t.originId}`;
      seen.add(key);
      const found = held.get(key);
      inputs.push({ ...base, project: projectName(t.containerId), targetKey: t.originId, expected: doc.amount, actual: found?.total ?? null, confirmed: (t.payload as unknown as PlannedWrite).total, parkedReason: reason, lineCount: doc.lineCount, targetId: found?.id ?? null });
    }
  };

  const sumOf = (lines: readonly { amount: string }[]) => Decimal.sum(lines.map((l) => Decimal.parse(l.amount))).toMoneyString();
  for (const po of orders.records.filter((o) => !deletedOrders.has(o.sourceId)))
    addDocument({
      sourceId: po.sourceId,
      stream: STREAMS.purchaseOrders,
      entity: 'commitment',
      documentType: 'Purchase order',
      documentNumber: po.number,
      counterparty: po.supplier.name,
      currency: po.currency,
      amount: po.status === 'cancelled' && policy.cancelled === 'close-and-zero' ? '0.00' : sumOf(po.lines),
      lineCount: po.lines.length,
      projectCodes: po.lines.map((l) => l.projectCode),
      plan: () => planPurchaseOrder(po, mappings, ref, policy, previousLines(po.sourceId)),
    });
  for (const inv of invoices.records)
    addDocument({
      sourceId: inv.sourceId,
      stream: STREAMS.purchaseInvoices,
      entity: 'direct-cost',
      documentType: 'Purchase invoice',
      documentNumber: inv.invoiceNumber,
      counterparty: inv.supplier.name,
      currency: inv.currency,
      amount: sumOf(inv.lines),
      lineCount: inv.lines.length,
      projectCodes: inv.lines.map((l) => l.projectCode),
      plan: () => planPurchaseInvoice(inv, mappings, ref, policy, previousLines(inv.sourceId)),
    });
  // Rows Exact sent that could not be read: they wait in Pending until corrected in Exact.
  for (const row of [...orders.unreadable, ...invoices.unreadable]) {
    if (store.targetRecords.bySource(F1_FLOW, row.sourceId).length > 0) continue; // compared below as written records
    inputs.push({ sourceId: row.sourceId, documentType: row.label, documentNumber: '', counterparty: null, project: null, currency: policy.currency, targetKey: row.sourceId, expected: null, actual: null, confirmed: null, parkedReason: row.problem, deletedAtSource: false, lineCount: 0 });
  }

  // Records the app wrote whose source document is gone (deleted in Exact, so absent from the full
  // read): the policy closes them at 0.00, so a zero record agrees and anything else is explained.
  const current = new Set([...orders.records.filter((o) => !deletedOrders.has(o.sourceId)), ...invoices.records].map((r) => r.sourceId));
  for (const t of store.targetRecords.listForFlow(F1_FLOW)) {
    const key = `${ENTITY_OF[t.entity as keyof typeof ENTITY_OF] ?? t.entity}\u0000${t.originId}`;
    if (seen.has(key) || current.has(t.sourceId)) continue;
    seen.add(key);
    const found = held.get(key);
    const plan = t.payload as unknown as PlannedWrite;
    inputs.push({
      sourceId: t.sourceId,
      documentType: t.entity === 'commitment' ? 'Purchase order' : 'Purchase invoice',
      documentNumber: t.entity === 'commitment' ? String((plan as { number?: string }).number ?? t.sourceId) : String((plan as { invoiceNumber?: string }).invoiceNumber ?? t.sourceId),
      counterparty: null,
      project: projectName(t.containerId),
      currency: plan.currency,
      targetKey: t.originId,
      expected: null,
      actual: found?.total ?? null,
      confirmed: plan.total,
      parkedReason: null,
      deletedAtSource: true,
      lineCount: plan.lines.length,
      targetId: found?.id ?? null,
    });
  }
  const end = deps.apiCalls();
  return reconcile(
    { flow: F1_FLOW, title: 'Exact Online → Procore', generatedAt: new Date().toISOString(), apiCalls: Object.fromEntries(Object.keys(end).map((api) => [api, (end[api] ?? 0) - (start[api] ?? 0)])) },
    inputs,
  );
}
