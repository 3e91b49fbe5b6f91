import type { JsonValue } from '../../../../src-shared/domain/audit';
import { recordName, targetReference } from '../../../../src-shared/domain/labels';
import type { PurchaseInvoice, PurchaseOrder, SourceDeletion } from '../../../../src-shared/domain/records';
import type { SourcePage } from '../../../connectors/connector';
import type { Store } from '../../../store/db';
import { runFlowExclusively, type RunSummary, type RunTrigger } from '../../sync/flow-run';
import { recoverUnconfirmed } from '../../sync/recover';
import type { RunLockOptions } from '../../sync/run-lock';
import { audit, processPage, runStream, type StreamRunContext } from '../../sync/run-stream';
import type { RunCounts, RunGuard, StreamSpec, TargetWriter, WriteOutcome } from '../../sync/types';
import { F1_FLOW, loadF1Mappings } from './mappings';
import { DEFAULT_POLICY, type FlowPolicy, type PlannedLine, type PlannedWrite, type PlannedCommitment, type PlannedDirectCost, type ProcoreReference } from './model';
import { procoreLabel, purchaseInvoiceLabel, purchaseOrderLabel, type ProjectNamer } from './labels';
import { planPurchaseInvoice, planPurchaseOrder } from './plan';
import type { ExactSource, ProcoreTarget } from './ports';

/**
 * F1: Exact Online purchase orders → Procore commitments, purchase invoices → direct costs,
 * deletions → closed, zeroed commitments. Flow-specific logic is the planning (plan.ts) and
 * the three stream specs below; everything else is the shared runner (engine/sync).
 */
export interface ExactProcoreDeps {
  store: Store;
  exact: ExactSource;
  procore: ProcoreTarget;
  /** Connection id of the Exact side (owner of the cursors). */
  exactConnectionId: string;
  policy?: FlowPolicy;
  onProgress?: (counts: RunCounts) => void;
  /** Run id to use (callers that must answer with it before the run ends); default: a new uuid. */
  runId?: string;
  /** Stops the run at its next safe point (Ctrl-C, SIGTERM, Quit). */
  signal?: AbortSignal;
  /** Who holds the flow's lease while this process runs it (engine/sync/run-lock.ts). */
  lock?: RunLockOptions;
}

export type { RunSummary, RunTrigger } from '../../sync/flow-run';

export const STREAMS = {
  purchaseOrders: 'purchase-orders',
  deletedPurchaseOrders: 'deleted-purchase-orders',
  purchaseInvoices: 'purchase-invoices',
} as const;

function procoreWriter(procore: ProcoreTarget): TargetWriter<PlannedWrite> {
  return {
    system: 'procore',
    async write(plans, options) {
      const groups = new Map<string, PlannedWrite[]>();
      for (const p of plans) {
        const key = `${p.entity}\u0000${p.projectId}`;
        const group = groups.get(key);
        if (group) group.push(p);
        else groups.set(key, [p]);
      }
      const outcomes: WriteOutcome[] = [];
      for (const group of groups.values()) {
        const first = group[0]!;
        outcomes.push(
          ...(first.entity === 'commitment'
            ? await procore.upsertCommitments(first.projectId, group as PlannedCommitment[], options)
            : await procore.upsertDirectCosts(first.projectId, group as PlannedDirectCost[], options)),
        );
      }
      return outcomes;
    },
    lookup: (entity, containerId, originIds) =>
      entity === 'commitment'
        ? procore.findCommitmentsByOrigin(containerId, originIds)
        : procore.findDirectCostsByOrigin(containerId, originIds),
  };
}

function linesByOrigin<P extends { lines: PlannedLine[] }>(previous: ReadonlyMap<string, P>): Map<string, PlannedLine[]> {
  return new Map([...previous].map(([origin, plan]) => [origin, plan.lines]));
}

/** A deletion at the source closes and zeroes what was written (or leaves it, per policy). */
function closeDeleted(policy: FlowPolicy) {
  return (deletion: SourceDeletion, written: readonly PlannedWrite[]): PlannedWrite[] => {
    if (policy.cancelled === 'leave') return [];
    const note = `Deleted in Exact Online on ${deletion.deletedAt.slice(0, 10)}.`;
    return written.map((w): PlannedWrite => {
      const lines = w.lines.map((l) => ({ ...l, amount: '0.00', quantity: l.quantity === null ? null : '0' }));
      const description = `${note} ${w.description}`.trim();
      return w.entity === 'commitment'
        ? { ...w, lines, total: '0.00', description, status: 'Closed' }
        : { ...w, lines, total: '0.00', description };
    });
  };
}

interface F1Specs {
  purchaseOrders: StreamSpec<PurchaseOrder, PlannedWrite>;
  deletedPurchaseOrders: StreamSpec<never, PlannedWrite, SourceDeletion>;
  purchaseInvoices: StreamSpec<PurchaseInvoice, PlannedWrite>;
}

interface PreparedRun {
  ctx: StreamRunContext<PlannedWrite>;
  specs: F1Specs;
  /** Loads Procore's reference data once per run; everything that plans awaits it first. */
  loadReference(): Promise<void>;
}

function prepare(deps: ExactProcoreDeps, runId: string, counts: RunCounts, guard: RunGuard): PreparedRun {
  const policy = deps.policy ?? DEFAULT_POLICY;
  const { mappings, versions } = loadF1Mappings(deps.store);
  // Procore's cost codes, line item types and vendors are read only when a record is to be
  // planned, so an idle poll costs one Exact call per stream and nothing in Procore.
  let loaded: ProcoreReference | null = null;
  const loadReference = async (): Promise<void> => {
    loaded ??= await deps.procore.loadReference([...new Set(mappings.projects.values())]);
  };
  const reference = (): ProcoreReference => {
    if (!loaded) throw new Error('Procore reference data was not loaded before planning (every path that plans must await loadReference).');
    return loaded;
  };
  async function* withReference<R, D>(pages: AsyncIterable<SourcePage<R, D>>): AsyncGenerator<SourcePage<R, D>> {
    for await (const page of pages) {
      if (page.records.length > 0) await loadReference();
      yield page;
    }
  }
  // Records are named with Procore's project names once its reference data is loaded (any record to plan loads it).
  const projectName: ProjectNamer = (code) => {
    const id = mappings.projects.get(code);
    return id === undefined ? null : (loaded?.projects.get(id)?.name ?? null);
  };
  const projectCodes = new Map([...mappings.projects].map(([code, id]) => [id, code]));
  const describeTarget = (plan: PlannedWrite, targetId: string | null) => procoreLabel(plan, targetId, loaded, (id) => projectCodes.get(id) ?? null);
  const ctx: StreamRunContext<PlannedWrite> = {
    store: deps.store,
    flow: F1_FLOW,
    runId,
    cursorOwner: deps.exactConnectionId,
    writer: procoreWriter(deps.procore),
    mappingVersion: mappings.version || null,
    mappingVersions: versions as JsonValue,
    counts,
    guard,
    ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
  };
  const specs: F1Specs = {
    purchaseOrders: {
      name: STREAMS.purchaseOrders,
      entity: 'purchase-order',
      read: (cursor) => withReference(deps.exact.readPurchaseOrders(cursor)),
      plan: (po, previous) => planPurchaseOrder(po, mappings, reference(), policy, linesByOrigin(previous as ReadonlyMap<string, PlannedCommitment>)),
      label: (po) => `Purchase order ${po.number}`,
      describe: (po) => purchaseOrderLabel(po, projectName),
      describeTarget,
    },
    deletedPurchaseOrders: {
      name: STREAMS.deletedPurchaseOrders,
      entity: 'purchase-order',
      read: (cursor) => deps.exact.readDeletedPurchaseOrders(cursor),
      plan: () => ({ ok: true, writes: [] }),
      planDeletion: closeDeleted(policy),
      deletionSourceId: (d) => d.sourceId,
      label: () => 'Deleted purchase order',
      describeTarget,
    },
    purchaseInvoices: {
      name: STREAMS.purchaseInvoices,
      entity: 'purchase-invoice',
      read: (cursor) => withReference(deps.exact.readPurchaseInvoices(cursor)),
      plan: (inv, previous) => planPurchaseInvoice(inv, mappings, reference(), policy, linesByOrigin(previous as ReadonlyMap<string, PlannedDirectCost>)),
      label: (inv) => `Purchase invoice ${inv.invoiceNumber}`,
      describe: (inv) => purchaseInvoiceLabel(inv, projectName),
      describeTarget,
    },
  };
  return { ctx, specs, loadReference };
}

/** One run of F1 under the flow's lease (engine/sync/flow-run.ts): recovery first, then `work`. */
function withRun(
  deps: ExactProcoreDeps,
  trigger: RunTrigger,
  work: (ctx: StreamRunContext<PlannedWrite>, specs: F1Specs, loadReference: () => Promise<void>) => Promise<void>,
): Promise<RunSummary> {
  return runFlowExclusively(
    {
      store: deps.store,
      flow: F1_FLOW,
      trigger,
      ...(deps.runId ? { runId: deps.runId } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.lock ? { lock: deps.lock } : {}),
    },
    async ({ runId, counts, guard }) => {
      const { ctx, specs, loadReference } = prepare(deps, runId, counts, guard);
      await recoverUnconfirmed(ctx);
      await work(ctx, specs, loadReference);
    },
  );
}

/** One full sync: recover, then purchase orders, deletions and purchase invoices to the end. */
export function runExactProcore(deps: ExactProcoreDeps, trigger: RunTrigger): Promise<RunSummary> {
  return withRun(deps, trigger, async (ctx, specs) => {
    await runStream(specs.purchaseOrders, ctx);
    await runStream(specs.deletedPurchaseOrders, ctx);
    await runStream(specs.purchaseInvoices, ctx);
  });
}

/**
 * Retries parked records (all open ones of F1, or a selection) from their stored snapshots
 * with the current mappings. Idempotent: a record that already matches Procore is not written.
 */
export function retryParked(
  deps: ExactProcoreDeps,
  selection: { ids?: readonly number[]; reasonCode?: string } = {},
  trigger: RunTrigger = 'manual',
): Promise<RunSummary> {
  return withRun(deps, trigger, async (ctx, specs, loadReference) => {
    const open = deps.store.parked
      .listOpen(F1_FLOW)
      .filter((p) => (!selection.ids || selection.ids.includes(p.id)) && (!selection.reasonCode || p.reasonCode === selection.reasonCode));
    const orders: PurchaseOrder[] = [];
    const invoices: PurchaseInvoice[] = [];
    for (const p of open) {
      const entity = p.stream === STREAMS.purchaseInvoices ? 'purchase-invoice' : 'purchase-order';
      if (p.reasonCode === 'source-unreadable') {
        // An older readable snapshot may exist, but writing it would post stale figures.
        audit(ctx, { entity, sourceId: p.sourceId, step: 'replayed', status: 'skipped', message: `Not retried: ${p.reasonText}`, label: p.label });
        continue;
      }
      // Latest known state of the record, not necessarily the one it was parked with.
      const latest = deps.store.snapshots.latest(F1_FLOW, p.stream, p.sourceId);
      if (!latest) {
        // Never silently: the record stays parked and the audit log says why it was not retried.
        audit(ctx, { entity, sourceId: p.sourceId, step: 'replayed', status: 'skipped', message: `Parked record ${p.label ? `${p.label.shortType} ${p.label.number ?? ''}`.trim() : p.sourceId} has no stored source snapshot; the next sync reads it again`, label: p.label });
        continue;
      }
      if (p.stream === STREAMS.purchaseOrders) orders.push(latest.payload as unknown as PurchaseOrder);
      else if (p.stream === STREAMS.purchaseInvoices) invoices.push(latest.payload as unknown as PurchaseInvoice);
    }
    if (orders.length + invoices.length) await loadReference();
    if (orders.length) await processPage(specs.purchaseOrders, ctx, { records: orders, deletions: [] });
    if (invoices.length) await processPage(specs.purchaseInvoices, ctx, { records: invoices, deletions: [] });
    audit(ctx, { entity: 'run', step: 'replayed', status: 'ok', message: `Retried ${orders.length + invoices.length} parked record(s)`, result: { ids: open.map((p) => p.id) } });
  });
}

/**
 * Replays an audit entry: re-plans its source record from the LATEST stored snapshot with the
 * current mappings and writes it if Procore differs (see docs/decisions/0006). Idempotent.
 */
export async function replayAuditEntry(deps: ExactProcoreDeps, seq: number): Promise<RunSummary & { message: string }> {
  const page = deps.store.audit.query({ flow: F1_FLOW }, { beforeSeq: seq + 1, limit: 1 });
  const entry = page.entries[0];
  if (!entry || entry.seq !== seq) throw new Error(`Audit entry ${seq} does not exist or does not belong to ${F1_FLOW}.`);
  if (!entry.sourceId) throw new Error(`Audit entry ${seq} is not about one source record; nothing to replay.`);
  const stream = entry.entity === 'purchase-invoice' ? STREAMS.purchaseInvoices : STREAMS.purchaseOrders;
  const unreadable = deps.store.parked.getOpen(F1_FLOW, stream, entry.sourceId);
  if (unreadable?.reasonCode === 'source-unreadable')
    throw new Error(`Not replayed: ${unreadable.reasonText}`);
  const snapshot = deps.store.snapshots.latest(F1_FLOW, stream, entry.sourceId);
  if (!snapshot) throw new Error(`No stored snapshot of ${entry.entity} ${entry.sourceId}; run a sync first.`);
  const summary = await withRun(deps, 'manual', async (ctx, specs, loadReference) => {
    await loadReference();
    if (stream === STREAMS.purchaseInvoices)
      await processPage(specs.purchaseInvoices, ctx, { records: [snapshot.payload as unknown as PurchaseInvoice], deletions: [] });
    else await processPage(specs.purchaseOrders, ctx, { records: [snapshot.payload as unknown as PurchaseOrder], deletions: [] });
    audit(ctx, { entity: entry.entity, sourceId: entry.sourceId, step: 'replayed', status: 'ok', message: `Replayed audit entry ${seq}`, result: { replayOf: seq }, label: entry.label });
  });
  const c = summary.counts;
  // Named as finance names it: "PO 20011 · Koster B.V.: written to Procore as commitment 5629…".
  const targets = deps.store.targetRecords.bySource(F1_FLOW, entry.sourceId);
  const label = entry.label ?? targets.find((t) => t.label)?.label ?? null;
  const name = label ? `${recordName(label)}: ` : '';
  const written = targets.map((t) => t.targetLabel).filter((t) => t !== null);
  const message =
    summary.status === 'failed'
      ? `${name}${summary.error ?? 'The replay failed.'}`
      : c.created + c.updated > 0
        ? `${name}written to Procore${written.length ? ` as ${written.map(targetReference).join(' and ')}` : ''}.`
        : c.parked > 0
          ? `${name}still waiting: see Pending validation.`
          : `${name}Procore already matches; nothing was written.`;
  return { ...summary, message: message.charAt(0).toUpperCase() + message.slice(1) };
}
