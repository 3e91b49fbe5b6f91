import type { JsonValue } from '../../../../src-shared/domain/audit';
import { recordName, targetReference } from '../../../../src-shared/domain/labels';
import type { PurchaseInvoice, PurchaseOrder, SourceDeletion, SourceEntityDeletion, Supplier } from '../../../../src-shared/domain/records';
import type { SourcePage } from '../../../connectors/connector';
import type { Store } from '../../../store/db';
import { runFlowExclusively, type RunSummary, type RunTrigger } from '../../sync/flow-run';
import { recoverUnconfirmed } from '../../sync/recover';
import type { RunLockOptions } from '../../sync/run-lock';
import { audit, processPage, runStream, type StreamRunContext } from '../../sync/run-stream';
import type { PlanOutcome, RunCounts, RunGuard, StreamSpec } from '../../sync/types';
import { CoupaState } from './coupa-view';
import { coupaSupplierRecordLabel, coupaTargetLabel, invoiceRecordLabel, purchaseOrderRecordLabel, supplierRecordLabel, type SupplierNamer } from './labels';
import { loadF5Mappings } from './mappings';
import {
  asValidationIssues,
  F5_FLOW,
  type CoupaFlowPolicy,
  type CreditNoteOriginal,
  type F5Mappings,
  type F5PlanResult,
  type PlannedCoupaSupplier,
  type PlannedCoupaWrite,
  type PlannedExactSupplier,
  type PlannedPurchaseOrder,
  type PlannedWrite,
  type SupplierBase,
} from './model';
import {
  cancellationOf,
  coupaNumberOf,
  invoiceLabel,
  mappedOriginal,
  planInvoice,
  planPurchaseOrder,
  poNumberOf,
  purchaseOrderLabel,
  referencedInvoiceNumber,
} from './plan';
import type { CoupaTarget, ExactSource } from './ports';
import { deactivationOf, planSupplierToCoupa, planSupplierToExact, type CoupaSupplierRecord, type LinkedExactSupplier } from './suppliers';
import { CoupaWriter, ExactWriter, RecoveryWriter } from './writer';

/**
 * F5: Exact Online → Coupa (suppliers, purchase orders and their cancellations, supplier invoices
 * and credit notes) and, when enabled, Coupa → Exact (suppliers). Flow-specific logic is the
 * planning (plan.ts, suppliers.ts), what each page needs to know of Coupa before it is planned
 * (read here in batches), and the writers (writer.ts); the rest is the shared runner.
 */
export interface ExactCoupaDeps {
  store: Store;
  exact: ExactSource;
  coupa: CoupaTarget;
  /** Owner of the Exact streams' cursors. */
  exactConnectionId: string;
  /** Owner of the Coupa supplier stream's cursor. */
  coupaConnectionId: string;
  onProgress?: (counts: RunCounts) => void;
  runId?: string;
  signal?: AbortSignal;
  lock?: RunLockOptions;
}

export type { RunSummary, RunTrigger } from '../../sync/flow-run';

export const STREAMS = {
  suppliers: 'suppliers',
  purchaseOrders: 'purchase-orders',
  deletedPurchaseOrders: 'deleted-purchase-orders',
  purchaseInvoices: 'purchase-invoices',
  deletedSuppliers: 'deleted-suppliers',
  coupaSuppliers: 'coupa-suppliers',
} as const;

/** The stream whose records an audit entity names (replay). */
const STREAM_OF_ENTITY: Readonly<Record<string, string>> = {
  supplier: STREAMS.suppliers,
  'purchase-order': STREAMS.purchaseOrders,
  'purchase-invoice': STREAMS.purchaseInvoices,
  'coupa-supplier': STREAMS.coupaSuppliers,
  'exact-supplier': STREAMS.coupaSuppliers,
};

interface F5Specs {
  suppliers: StreamSpec<Supplier, PlannedCoupaWrite>;
  purchaseOrders: StreamSpec<PurchaseOrder, PlannedCoupaWrite>;
  deletedPurchaseOrders: StreamSpec<never, PlannedCoupaWrite, SourceDeletion>;
  purchaseInvoices: StreamSpec<PurchaseInvoice, PlannedCoupaWrite>;
  deletedSuppliers: StreamSpec<never, PlannedCoupaWrite, SourceEntityDeletion<'supplier'>>;
  coupaSuppliers: StreamSpec<CoupaSupplierRecord, PlannedExactSupplier>;
}

interface PreparedRun {
  policy: CoupaFlowPolicy;
  /** Writes to Coupa; cursors of the Exact streams. */
  ctx: StreamRunContext<PlannedCoupaWrite>;
  /** Writes to Exact; the cursor of the Coupa supplier stream. */
  back: StreamRunContext<PlannedExactSupplier>;
  recovery: StreamRunContext<PlannedWrite>;
  specs: F5Specs;
  /** What a page of each stream needs to know of Coupa (and Exact) before it is planned. */
  before: {
    suppliers(records: readonly Supplier[]): Promise<void>;
    purchaseOrders(records: readonly PurchaseOrder[]): Promise<void>;
    purchaseInvoices(records: readonly PurchaseInvoice[]): Promise<void>;
  };
}

const outcome = <P>(result: F5PlanResult<P>): PlanOutcome<P> => (result.ok ? result : { ok: false, issues: asValidationIssues(result.issues) });

/** Reads pages, and before handing one on, what its records need of the other system (batched). */
async function* preparedPages<R, D>(pages: AsyncIterable<SourcePage<R, D>>, before: (records: readonly R[]) => Promise<void>): AsyncGenerator<SourcePage<R, D>> {
  for await (const page of pages) {
    if (page.records.length > 0) await before(page.records);
    yield page;
  }
}

/** The values both sides held after the pair's last sync, whichever direction wrote it last. */
function supplierBase(store: Store, coupaNumber: string, exactCode: string): SupplierBase | null {
  const toCoupa = store.targetRecords.get(F5_FLOW, 'supplier', coupaNumber);
  const toExact = store.targetRecords.get(F5_FLOW, 'exact-supplier', exactCode);
  const newest = !toCoupa ? toExact : !toExact ? toCoupa : toCoupa.updatedAt >= toExact.updatedAt ? toCoupa : toExact;
  return ((newest?.payload as { base?: SupplierBase } | undefined)?.base ?? null) || null;
}

/** The Exact supplier linked to a Coupa number, as the supplier stream last read it. */
function linkedExactSupplier(store: Store, m: F5Mappings, coupaNumber: string): LinkedExactSupplier | null {
  const code = [...m.supplierLinks].find(([, n]) => n === coupaNumber)?.[0] ?? coupaNumber;
  const sourceId = store.targetRecords.get(F5_FLOW, 'supplier', coupaNumber)?.sourceId ?? store.targetRecords.get(F5_FLOW, 'exact-supplier', code)?.targetId;
  const snapshot = sourceId ? store.snapshots.latest(F5_FLOW, STREAMS.suppliers, sourceId) : undefined;
  if (!snapshot) return null;
  return { supplier: snapshot.payload as unknown as Supplier, base: supplierBase(store, coupaNumber, code) };
}

function prepare(deps: ExactCoupaDeps, runId: string, counts: RunCounts, guard: RunGuard): PreparedRun {
  const { store } = deps;
  const { mappings: m, versions } = loadF5Mappings(store);
  const state = new CoupaState(deps.coupa);
  const coupaWriter = new CoupaWriter(store, deps.coupa, m.policy, state);
  const exactWriter = new ExactWriter(store, deps.exact);
  const common = {
    store,
    flow: F5_FLOW,
    runId,
    mappingVersion: m.version || null,
    mappingVersions: versions as JsonValue,
    counts,
    guard,
    ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
  };
  const ctx: StreamRunContext<PlannedCoupaWrite> = { ...common, cursorOwner: deps.exactConnectionId, writer: coupaWriter };
  const back: StreamRunContext<PlannedExactSupplier> = { ...common, cursorOwner: deps.coupaConnectionId, writer: exactWriter };
  const recovery: StreamRunContext<PlannedWrite> = { ...common, cursorOwner: deps.exactConnectionId, writer: new RecoveryWriter(coupaWriter, exactWriter) };

  const originals = new Map<string, CreditNoteOriginal>();
  async function resolveOriginals(records: readonly PurchaseInvoice[]): Promise<void> {
    for (const inv of records) {
      if (inv.documentType !== 'credit-note' || originals.has(inv.sourceId)) continue;
      const mapped = mappedOriginal(m, inv);
      const number = mapped ?? referencedInvoiceNumber(m.policy.creditNoteReference, inv.description);
      if (!number) {
        originals.set(inv.sourceId, { ok: false, problem: 'its description names no invoice' });
        continue;
      }
      const found = await deps.exact.findPurchaseInvoiceByNumber(inv.supplier.sourceId, number);
      originals.set(
        inv.sourceId,
        found && found.documentType === 'invoice'
          ? { ok: true, invoiceNumber: found.invoiceNumber, invoiceDate: found.invoiceDate, via: mapped ? 'mapping' : 'description' }
          : { ok: false, problem: `${mapped ? 'the mapped' : 'the named'} invoice ${number} of ${inv.supplier.name} is not in Exact` },
      );
    }
  }

  const before: PreparedRun['before'] = {
    suppliers: (records) => state.matchSuppliers(records.map((s) => ({ number: coupaNumberOf(m, s.code), name: s.name }))),
    async purchaseOrders(records) {
      const open = records.filter((po) => po.status !== 'cancelled');
      await state.ensureSuppliers(open.map((po) => coupaNumberOf(m, po.supplier.code)));
      await state.ensureOrders(open.map((po) => poNumberOf(m, po.number)));
      if (m.policy.shipToAddress === 'project' && open.length > 0) await state.ensureAddresses();
    },
    async purchaseInvoices(records) {
      await state.ensureSuppliers(records.map((inv) => coupaNumberOf(m, inv.supplier.code)));
      await state.ensureInvoices(records.map((inv) => ({ supplierNumber: coupaNumberOf(m, inv.supplier.code), invoiceNumber: inv.invoiceNumber })));
      await state.ensureOrders(records.flatMap((inv) => (inv.purchaseOrderNumber ? [poNumberOf(m, inv.purchaseOrderNumber)] : [])));
      await resolveOriginals(records);
    },
  };

  // Coupa's supplier names as this run read them (no extra call): "Coupa invoice F2026-00089" of whom.
  const supplierName: SupplierNamer = (number) => state.supplierByNumber(number)?.name ?? null;
  const describeTarget = (plan: PlannedWrite, targetId: string | null) => coupaTargetLabel(plan, targetId, supplierName);
  const specs: F5Specs = {
    suppliers: {
      name: STREAMS.suppliers,
      entity: 'supplier',
      read: (cursor) => preparedPages(deps.exact.readSuppliersChanged(cursor), before.suppliers),
      plan: (s) => outcome(planSupplierToCoupa(s, m, state, supplierBase(store, coupaNumberOf(m, s.code), s.code))),
      label: (s) => `Supplier ${s.code} (${s.name})`,
      describe: supplierRecordLabel,
      describeTarget,
    },
    purchaseOrders: {
      name: STREAMS.purchaseOrders,
      entity: 'purchase-order',
      read: (cursor) => preparedPages(deps.exact.readPurchaseOrders(cursor), before.purchaseOrders),
      plan: (po, previous) => outcome(planPurchaseOrder(po, m, state, previous)),
      label: (po) => `${purchaseOrderLabel(po)} (${po.supplier.name}${po.status === 'cancelled' ? ', cancelled in Exact' : ''})`,
      describe: purchaseOrderRecordLabel,
      describeTarget,
    },
    deletedPurchaseOrders: {
      name: STREAMS.deletedPurchaseOrders,
      entity: 'purchase-order',
      read: (cursor) => deps.exact.readDeletedPurchaseOrders(cursor),
      plan: () => ({ ok: true, writes: [] }),
      planDeletion: (deletion, written) =>
        m.policy.cancelledPurchaseOrders === 'leave'
          ? []
          : written.filter((w): w is PlannedPurchaseOrder => w.entity === 'purchase-order').map((w) => cancellationOf(w, deletion.sourceId)),
      deletionSourceId: (d) => d.sourceId,
      label: () => 'Purchase order deleted in Exact',
      describeTarget,
    },
    purchaseInvoices: {
      name: STREAMS.purchaseInvoices,
      entity: 'purchase-invoice',
      read: (cursor) => preparedPages(deps.exact.readPurchaseInvoices(cursor), before.purchaseInvoices),
      plan: (inv, previous) => outcome(planInvoice(inv, m, state, originals, previous)),
      label: (inv) => `${invoiceLabel(inv)} of ${inv.supplier.name}`,
      describe: invoiceRecordLabel,
      describeTarget,
    },
    deletedSuppliers: {
      name: STREAMS.deletedSuppliers,
      entity: 'supplier',
      read: (cursor) => syncedSupplierDeletions(store, deps.exact.readDeletedSuppliers(cursor)),
      // A supplier waiting in Pending validation that is deleted in Exact leaves it.
      recordStream: STREAMS.suppliers,
      plan: () => ({ ok: true, writes: [] }),
      planDeletion: (deletion, written) =>
        written.filter((w): w is PlannedCoupaSupplier => w.entity === 'supplier').map((w) => deactivationOf(w, deletion.sourceId)),
      deletionSourceId: (d) => d.sourceId,
      label: () => 'Supplier deleted in Exact',
      describeTarget,
      deletedMessage: (plan, targetId) => {
        const supplier = plan.entity === 'supplier' ? `Supplier ${plan.exactCode} ${plan.input.name}` : 'The supplier';
        const number = plan.entity === 'supplier' ? plan.input.number : plan.originId;
        return targetId === ''
          ? `${supplier} was deleted in Exact; Coupa has no supplier ${number}, so nothing was set inactive`
          : `${supplier} was deleted in Exact; set inactive in Coupa`;
      },
    },
    coupaSuppliers: {
      name: STREAMS.coupaSuppliers,
      entity: 'coupa-supplier',
      read: (cursor) => coupaSupplierPages(deps.coupa, cursor),
      plan: (cs) => outcome(planSupplierToExact(cs, m, cs.number ? linkedExactSupplier(store, m, cs.number) : null)),
      label: (cs) => `Coupa supplier ${cs.number ?? '(no number)'} (${cs.name})`,
      describe: coupaSupplierRecordLabel,
      describeTarget,
    },
  };
  return { policy: m.policy, ctx, back, recovery, specs, before };
}

/**
 * The accounts deleted in Exact that F5 wrote to Coupa as suppliers or holds in Pending
 * validation: sync/Deleted names customers and suppliers alike, and most were never F5's (the
 * feed's cursor is kept on every page).
 */
async function* syncedSupplierDeletions(
  store: Store,
  pages: AsyncIterable<SourcePage<never, SourceEntityDeletion<'supplier'>>>,
): AsyncGenerator<SourcePage<never, SourceEntityDeletion<'supplier'>>> {
  for await (const page of pages)
    yield {
      ...page,
      deletions: page.deletions.filter(
        (d) => store.targetRecords.bySource(F5_FLOW, d.sourceId).some((t) => t.entity === 'supplier') || store.parked.getOpen(F5_FLOW, STREAMS.suppliers, d.sourceId) !== undefined,
      ),
    };
}

/** Coupa's supplier changes as source records (keyed by Coupa id); the cursor is the last updated-at read. */
async function* coupaSupplierPages(coupa: CoupaTarget, cursor: string | null): AsyncGenerator<SourcePage<CoupaSupplierRecord>> {
  for await (const page of coupa.readSuppliers(cursor === '' ? null : cursor))
    yield { records: page.records.map((s) => ({ ...s, sourceId: s.id })), deletions: [], cursorAfter: page.cursorAfter };
}

/** One run of F5 under the flow's lease: recovery first (every unconfirmed intent looked up), then `work`. */
function withRun(deps: ExactCoupaDeps, trigger: RunTrigger, work: (run: PreparedRun) => Promise<void>): Promise<RunSummary> {
  return runFlowExclusively(
    {
      store: deps.store,
      flow: F5_FLOW,
      trigger,
      ...(deps.runId ? { runId: deps.runId } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.lock ? { lock: deps.lock } : {}),
    },
    async ({ runId, counts, guard }) => {
      const run = prepare(deps, runId, counts, guard);
      await recoverUnconfirmed(run.recovery);
      await work(run);
    },
  );
}

/**
 * One full sync: suppliers first (so documents find them in Coupa), purchase orders, their
 * deletions, supplier invoices (which may bill PO lines), suppliers deleted in Exact (set
 * inactive in Coupa), then Coupa's supplier changes when Coupa → Exact is enabled.
 */
export function runExactCoupa(deps: ExactCoupaDeps, trigger: RunTrigger): Promise<RunSummary> {
  return withRun(deps, trigger, async (run) => {
    await runStream(run.specs.suppliers, run.ctx);
    await runStream(run.specs.purchaseOrders, run.ctx);
    await runStream(run.specs.deletedPurchaseOrders, run.ctx);
    await runStream(run.specs.purchaseInvoices, run.ctx);
    // After the documents: an invoice of a supplier deleted since still reaches Coupa while it is active.
    await runStream(run.specs.deletedSuppliers, run.ctx);
    if (run.policy.suppliersFromCoupa) await runStream(run.specs.coupaSuppliers, run.back);
  });
}

/** Plans and writes stored snapshots of one stream (retry, replay): what they need of Coupa first. */
async function processSnapshots(run: PreparedRun, stream: string, records: unknown[]): Promise<void> {
  if (records.length === 0) return;
  const page = <R>() => ({ records: records as R[], deletions: [] });
  if (stream === STREAMS.suppliers) {
    await run.before.suppliers(records as Supplier[]);
    await processPage(run.specs.suppliers, run.ctx, page<Supplier>());
  } else if (stream === STREAMS.purchaseOrders) {
    await run.before.purchaseOrders(records as PurchaseOrder[]);
    await processPage(run.specs.purchaseOrders, run.ctx, page<PurchaseOrder>());
  } else if (stream === STREAMS.purchaseInvoices) {
    await run.before.purchaseInvoices(records as PurchaseInvoice[]);
    await processPage(run.specs.purchaseInvoices, run.ctx, page<PurchaseInvoice>());
  } else if (stream === STREAMS.coupaSuppliers) await processPage(run.specs.coupaSuppliers, run.back, page<CoupaSupplierRecord>());
}

const RETRY_ORDER = [STREAMS.suppliers, STREAMS.purchaseOrders, STREAMS.purchaseInvoices, STREAMS.coupaSuppliers];

/**
 * Retries parked records (all open ones of F5, or a selection) from their latest snapshots with
 * the current mappings, suppliers before the documents that need them. Idempotent.
 */
export function retryParked(deps: ExactCoupaDeps, selection: { ids?: readonly number[]; reasonCode?: string } = {}, trigger: RunTrigger = 'manual'): Promise<RunSummary> {
  return withRun(deps, trigger, async (run) => {
    const open = deps.store.parked
      .listOpen(F5_FLOW)
      .filter((p) => (!selection.ids || selection.ids.includes(p.id)) && (!selection.reasonCode || p.reasonCode === selection.reasonCode));
    const byStream = new Map<string, unknown[]>();
    let retried = 0;
    for (const p of open) {
      const entity = Object.entries(STREAM_OF_ENTITY).find(([, s]) => s === p.stream)?.[0] ?? p.stream;
      if (p.reasonCode === 'source-unreadable') {
        // An older readable snapshot may exist, but writing it would post stale figures.
        audit(run.ctx, { entity, sourceId: p.sourceId, step: 'replayed', status: 'skipped', message: `Not retried: ${p.reasonText}`, label: p.label });
        continue;
      }
      const latest = deps.store.snapshots.latest(F5_FLOW, p.stream, p.sourceId);
      if (!latest) {
        audit(run.ctx, { entity, sourceId: p.sourceId, step: 'replayed', status: 'skipped', message: `Parked record ${p.label ? recordName(p.label) : p.sourceId} has no stored source snapshot; the next sync reads it again`, label: p.label });
        continue;
      }
      byStream.set(p.stream, [...(byStream.get(p.stream) ?? []), latest.payload]);
      retried += 1;
    }
    for (const stream of RETRY_ORDER) await processSnapshots(run, stream, byStream.get(stream) ?? []);
    audit(run.ctx, { entity: 'run', step: 'replayed', status: 'ok', message: `Retried ${retried} parked record(s)`, result: { ids: open.map((p) => p.id) } });
  });
}

/** Replays an audit entry's source record from its latest snapshot with the current mappings (decision 0006). Idempotent. */
export async function replayAuditEntry(deps: ExactCoupaDeps, seq: number): Promise<RunSummary & { message: string }> {
  const page = deps.store.audit.query({ flow: F5_FLOW }, { beforeSeq: seq + 1, limit: 1 });
  const entry = page.entries[0];
  if (!entry || entry.seq !== seq) throw new Error(`Audit entry ${seq} does not exist or does not belong to ${F5_FLOW}.`);
  if (!entry.sourceId) throw new Error(`Audit entry ${seq} is not about one source record; nothing to replay.`);
  // Replaying the last snapshot of a supplier deleted in Exact would make it active again in Coupa.
  if (entry.step === 'deleted' && entry.entity === 'supplier') throw new Error(`Audit entry ${seq} records a supplier deleted in Exact Online; there is nothing to replay.`);
  const stream = STREAM_OF_ENTITY[entry.entity];
  if (!stream) throw new Error(`Audit entry ${seq} is about a ${entry.entity}, which is not replayed.`);
  const unreadable = deps.store.parked.getOpen(F5_FLOW, stream, entry.sourceId);
  if (unreadable?.reasonCode === 'source-unreadable') throw new Error(`Not replayed: ${unreadable.reasonText}`);
  const snapshot = deps.store.snapshots.latest(F5_FLOW, stream, entry.sourceId);
  if (!snapshot) throw new Error(`No stored snapshot of ${entry.entity} ${entry.sourceId}; run a sync first.`);
  const summary = await withRun(deps, 'manual', async (run) => {
    await processSnapshots(run, stream, [snapshot.payload]);
    audit(run.ctx, { entity: entry.entity, sourceId: entry.sourceId, step: 'replayed', status: 'ok', message: `Replayed audit entry ${seq}`, result: { replayOf: seq }, label: entry.label });
  });
  const c = summary.counts;
  const target = stream === STREAMS.coupaSuppliers ? 'Exact Online' : 'Coupa';
  // Named as finance names it: "PO 20011 · Koster B.V.: written to Coupa as purchase order 123".
  const targets = deps.store.targetRecords.bySource(F5_FLOW, entry.sourceId);
  const label = entry.label ?? targets.find((t) => t.label)?.label ?? null;
  const name = label ? `${recordName(label)}: ` : '';
  const written = targets.map((t) => t.targetLabel).filter((t) => t !== null);
  const message =
    summary.status === 'failed'
      ? `${name}${summary.error ?? 'The replay failed.'}`
      : c.created + c.updated > 0
        ? `${name}written to ${target}${written.length ? ` as ${written.map(targetReference).join(' and ')}` : ''}.`
        : c.parked > 0
          ? `${name}still waiting: see Pending validation.`
          : `${name}${target} already matches; nothing was written.`;
  return { ...summary, message: message.charAt(0).toUpperCase() + message.slice(1) };
}
