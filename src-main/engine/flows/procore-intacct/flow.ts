import type { JsonValue } from '../../../../src-shared/domain/audit';
import type { ProcoreSourceDeletion } from '../../../../src-shared/domain/records';
import type { SourcePage } from '../../../connectors/connector';
import type { ProcoreConnector } from '../../../connectors/procore';
import { ReferenceIndex, type IntacctConnector } from '../../../connectors/sage-intacct';
import type { Store } from '../../../store/db';
import { runFlowExclusively, type RunSummary, type RunTrigger } from '../../sync/flow-run';
import { recoverUnconfirmed } from '../../sync/recover';
import type { RunLockOptions } from '../../sync/run-lock';
import { audit, processPage, runStream, type StreamRunContext } from '../../sync/run-stream';
import type { SharedSourceReads } from '../../sync/shared-reads';
import type { PlanOutcome, RunCounts, RunGuard, StreamSpec } from '../../sync/types';
import { billPaymentsRecordLabel, commitmentRecordLabel, f3TargetLabel, payApplicationRecordLabel, taskRecordLabel, vendorRecordLabel, type ProjectNamer } from './labels';
import { F3_FLOW, loadF3Mappings, type F3Mappings } from './mappings';
import type { BillPaymentsRecord, CommitmentRecord, PlannedDocument, PlannedPayment, PlannedWrite, RequisitionRecord, TaskRecord, VendorPairRecord } from './model';
import { planBillPayments } from './payments';
import { commitmentLabel, formatAmount, namedIssues, payApplicationLabel, planCommitment, planPayApplication, zeroDocument, type PlanContext } from './plan';
import { policyFromSettings, type F3Policy } from './policy';
import { readBillPayments, readCommitments, readPayApplications, readTasks, readVendorPairs, STREAMS, type ReadDeps } from './reads';
import { planTask } from './reference';
import { planVendorPair } from './vendors';
import { F3Writer } from './writer';

/**
 * F3: Procore → Sage Intacct. Five streams on the shared runner (engine/sync), in this order:
 * vendors both ways; commitments with their change orders → one Intacct document each;
 * approved pay applications → AP bills; payments of those bills → Procore; Intacct's tasks →
 * Procore cost codes (daily). Planning is pure (plan.ts, vendors.ts, payments.ts,
 * reference.ts); reads join what planning needs (reads.ts); the writer talks to both systems.
 */
export interface ProcoreIntacctDeps {
  store: Store;
  procore: ProcoreConnector;
  intacct: IntacctConnector;
  sharedReads: SharedSourceReads;
  procoreConnectionId: string;
  intacctConnectionId: string;
  /** Overrides of the policy read from the Intacct connection's settings (tests). */
  policy?: Partial<F3Policy>;
  now?: () => number;
  onProgress?: (counts: RunCounts) => void;
  runId?: string;
  signal?: AbortSignal;
  lock?: RunLockOptions;
}

export type { RunSummary, RunTrigger } from '../../sync/flow-run';
export { STREAMS } from './reads';

/** The audit entity of each stream's source records, and back. */
export const STREAM_ENTITIES: Record<string, string> = {
  [STREAMS.vendors]: 'vendor',
  [STREAMS.commitments]: 'commitment',
  [STREAMS.payApplications]: 'pay-application',
  [STREAMS.payments]: 'bill-payment',
  [STREAMS.tasks]: 'intacct-task',
};

/** The policy for this run: the Intacct connection's settings, then the overrides. */
export function currentPolicy(deps: ProcoreIntacctDeps): F3Policy {
  return policyFromSettings(deps.store.connections.get(deps.intacctConnectionId)?.settings, deps.policy);
}

interface Specs {
  vendors: StreamSpec<VendorPairRecord, PlannedWrite>;
  commitments: StreamSpec<CommitmentRecord, PlannedWrite, ProcoreSourceDeletion>;
  payApplications: StreamSpec<RequisitionRecord, PlannedWrite>;
  payments: StreamSpec<BillPaymentsRecord, PlannedWrite>;
  tasks: StreamSpec<TaskRecord, PlannedWrite>;
}

interface Prepared {
  contexts: Record<keyof Specs, StreamRunContext<PlannedWrite>>;
  specs: Specs;
  /** Loads Intacct's dimensions and Procore's vendor links and project names once per run. */
  loadReference(): Promise<PlanContext>;
  mappings: F3Mappings;
}

const documentOf = (previous: ReadonlyMap<string, PlannedWrite>): PlannedDocument | undefined =>
  [...previous.values()].find((p): p is PlannedDocument => p.entity === 'intacct-purchasing' || p.entity === 'intacct-bill' || p.entity === 'intacct-journal');

function prepare(deps: ProcoreIntacctDeps, runId: string, counts: RunCounts, guard: RunGuard): Prepared {
  const policy = currentPolicy(deps);
  const { mappings, versions } = loadF3Mappings(deps.store);
  const writer = new F3Writer({ store: deps.store, intacct: deps.intacct, procore: deps.procore, atomic: policy.atomicBatches });
  let loaded: Promise<PlanContext> | null = null;
  let context: PlanContext | null = null;
  let tasks: { taskId: string; name: string; projectId: string; active: boolean }[] = [];
  const loadReference = (): Promise<PlanContext> => {
    loaded ??= (async () => {
      const data = await deps.intacct.readReference(['GLACCOUNT', 'DEPARTMENT', 'LOCATION', 'PROJECT', 'TASK', 'COSTTYPE', 'CLASS', 'VENDOR', 'ITEM']);
      const reference = new ReferenceIndex(data);
      tasks = (data.TASK ?? []).map((t) => ({ taskId: t.id, name: t.name, projectId: t.projectId ?? '', active: t.active }));
      const [vendors, projects] = await Promise.all([deps.procore.listVendors(), deps.procore.listProjects()]);
      // Links Procore itself holds: a vendor whose origin id, or else External ID, is an Intacct VENDORID.
      const vendorLinks = new Map<string, string>();
      for (const v of vendors) {
        const id = [v.originId, v.originCode].find((x) => x && reference.get('VENDOR', x));
        if (id) vendorLinks.set(v.id, id);
      }
      context = { mappings, policy, reference, vendorLinks, projectNames: new Map(projects.map((p) => [p.id, p.name])) };
      return context;
    })();
    return loaded;
  };
  const planContext = (): PlanContext => {
    if (!context) throw new Error('Intacct reference data was not loaded before planning (every path that plans must await loadReference).');
    return context;
  };
  async function* withReference<R, D>(pages: AsyncIterable<SourcePage<R, D>>): AsyncGenerator<SourcePage<R, D>> {
    for await (const page of pages) {
      if (page.records.length > 0 || page.deletions.length > 0) await loadReference();
      yield page;
    }
  }
  // As finance names them in the audit log and Pending validation: document, counterparty, amount.
  const commitmentName = (record: CommitmentRecord): string => `${commitmentLabel(record.commitment)}, ${policy.currency} ${formatAmount(record.commitment.revisedContract)}`;
  const payApplicationName = (record: RequisitionRecord): string =>
    `${payApplicationLabel(record.requisition)}, ${policy.currency} ${formatAmount(policy.retainage === 'gross' ? record.requisition.totalClaimed : record.requisition.netPayable)} ${policy.retainage === 'gross' ? 'claimed' : 'payable'}`;
  const readDeps: ReadDeps = { store: deps.store, procore: deps.procore, intacct: deps.intacct, sharedReads: deps.sharedReads, procoreConnectionId: deps.procoreConnectionId, policy, mappings };
  const now = deps.now ?? Date.now;
  const base = {
    store: deps.store,
    flow: F3_FLOW,
    runId,
    writer,
    mappingVersion: mappings.version || null,
    mappingVersions: versions as JsonValue,
    counts,
    guard,
    ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
  };
  // Procore's streams keep their cursors on the Procore connection, Intacct's on the Intacct one;
  // the vendor pairs' composite cursor (both systems) on Procore's, where the pairs are shown.
  const on = (cursorOwner: string): StreamRunContext<PlannedWrite> => ({ ...base, cursorOwner });
  const contexts = {
    vendors: on(deps.procoreConnectionId),
    commitments: on(deps.procoreConnectionId),
    payApplications: on(deps.procoreConnectionId),
    payments: on(deps.intacctConnectionId),
    tasks: on(deps.intacctConnectionId),
  };
  // Procore's project names as this run read them with the reference data (no extra call).
  const projectName: ProjectNamer = (id) => context?.projectNames.get(id) ?? null;
  const describeTarget = (plan: PlannedWrite, targetId: string | null) => f3TargetLabel(plan, targetId, projectName);
  const specs: Specs = {
    vendors: {
      name: STREAMS.vendors,
      entity: 'vendor',
      read: (cursor) => readVendorPairs(readDeps, cursor),
      plan: (pair) => planVendorPair(pair, policy, mappings.vendors) as PlanOutcome<PlannedWrite>,
      label: (pair) => `Vendor ${pair.intacct.name} (${pair.intacct.vendorId})`,
      describe: vendorRecordLabel,
      describeTarget,
    },
    commitments: {
      name: STREAMS.commitments,
      entity: 'commitment',
      read: (cursor) => withReference(readCommitments(readDeps, cursor)),
      plan: (record, previous) => namedIssues(planCommitment(record, documentOf(previous), planContext()), commitmentName(record)) as PlanOutcome<PlannedWrite>,
      planDeletion: (_deletion, written) => {
        if (policy.deletedCommitment === 'leave') return [];
        return written.flatMap((w) => (w.entity === 'intacct-purchasing' || w.entity === 'intacct-bill' ? [zeroDocument(w)] : []));
      },
      deletionSourceId: (d) => d.sourceId,
      label: commitmentName,
      describe: (record) => commitmentRecordLabel(record, policy, projectName),
      describeTarget,
    },
    payApplications: {
      name: STREAMS.payApplications,
      entity: 'pay-application',
      read: (cursor) => withReference(readPayApplications(readDeps, cursor)),
      plan: (record, previous) => namedIssues(planPayApplication(record, documentOf(previous), planContext()), payApplicationName(record)) as PlanOutcome<PlannedWrite>,
      label: payApplicationName,
      describe: (record) => payApplicationRecordLabel(record, policy, projectName),
      describeTarget,
    },
    payments: {
      name: STREAMS.payments,
      entity: 'bill-payment',
      read: (cursor) => readBillPayments(readDeps, cursor),
      plan: (record, previous) => planBillPayments(record, policy, previous as ReadonlyMap<string, PlannedPayment>) as PlanOutcome<PlannedWrite>,
      label: (record) =>
        `Payments of AP bill ${record.bill.billNumber ?? record.bill.recordNo} (vendor ${record.bill.vendorId}, pay application #${record.requisition.number}), ${policy.currency} ${formatAmount(record.bill.totalPaid)} of ${formatAmount(record.bill.total)} paid`,
      describe: (record) => billPaymentsRecordLabel(record, policy),
      describeTarget,
    },
    tasks: {
      name: STREAMS.tasks,
      entity: 'intacct-task',
      read: (cursor) =>
        readTasks(
          readDeps,
          cursor,
          now(),
          async () => {
            await loadReference();
            return tasks;
          },
          async () => new Set((await loadReference()).projectNames.keys()),
        ),
      plan: (task) => planTask(task, policy) as PlanOutcome<PlannedWrite>,
      label: (task) => `Intacct task ${task.taskId} of project ${task.intacctProjectId}`,
      describe: taskRecordLabel,
      describeTarget,
    },
  };
  return { contexts, specs, loadReference, mappings };
}

function withRun(deps: ProcoreIntacctDeps, trigger: RunTrigger, work: (prepared: Prepared) => Promise<void>): Promise<RunSummary> {
  return runFlowExclusively(
    {
      store: deps.store,
      flow: F3_FLOW,
      trigger,
      ...(deps.runId ? { runId: deps.runId } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.lock ? { lock: deps.lock } : {}),
    },
    async ({ runId, counts, guard }) => {
      const prepared = prepare(deps, runId, counts, guard);
      // Unconfirmed intents of any stream are resolved first (the writer looks them up in either system).
      await recoverUnconfirmed(prepared.contexts.commitments);
      await work(prepared);
    },
  );
}

/** One full sync: recover, then every stream to its end. */
export function runProcoreIntacct(deps: ProcoreIntacctDeps, trigger: RunTrigger): Promise<RunSummary> {
  return withRun(deps, trigger, async ({ contexts, specs }) => {
    await runStream(specs.vendors, contexts.vendors);
    await runStream(specs.commitments, contexts.commitments);
    await runStream(specs.payApplications, contexts.payApplications);
    await runStream(specs.payments, contexts.payments);
    await runStream(specs.tasks, contexts.tasks);
  });
}

const STREAM_OF_PLAN_ENTITY: Record<string, readonly string[]> = {
  'intacct-purchasing': [STREAMS.commitments],
  'intacct-journal': [STREAMS.commitments],
  'intacct-bill': [STREAMS.payApplications, STREAMS.commitments],
  'procore-vendor': [STREAMS.vendors],
  'intacct-vendor': [STREAMS.vendors],
  'procore-payment': [STREAMS.payments],
  'procore-cost-code': [STREAMS.tasks],
};

/** Plans stored snapshots again (retry of parked records, replay), stream by stream. */
async function processSnapshots(prepared: Prepared, byStream: Map<string, JsonValue[]>): Promise<void> {
  const { specs, contexts, loadReference } = prepared;
  if ([...byStream.values()].some((records) => records.length > 0)) await loadReference();
  const order: (keyof Specs)[] = ['vendors', 'commitments', 'payApplications', 'payments', 'tasks'];
  for (const key of order) {
    const records = byStream.get(specs[key].name) ?? [];
    if (records.length === 0) continue;
    // The spec is generic over its record type; the snapshots are exactly those records.
    await processPage(specs[key] as unknown as StreamSpec<{ sourceId: string }, PlannedWrite>, contexts[key], { records: records as unknown as { sourceId: string }[], deletions: [] });
  }
}

/** Retries parked records from their latest snapshots with the current mappings; idempotent. */
export function retryParked(deps: ProcoreIntacctDeps, selection: { ids?: readonly number[]; reasonCode?: string } = {}, trigger: RunTrigger = 'manual'): Promise<RunSummary> {
  return withRun(deps, trigger, async (prepared) => {
    const ctx = prepared.contexts.commitments;
    const open = deps.store.parked.listOpen(F3_FLOW).filter((p) => (!selection.ids || selection.ids.includes(p.id)) && (!selection.reasonCode || p.reasonCode === selection.reasonCode));
    const byStream = new Map<string, JsonValue[]>();
    for (const p of open) {
      const entity = STREAM_ENTITIES[p.stream] ?? p.stream;
      if (p.reasonCode === 'source-unreadable') {
        // Writing an older snapshot would post stale figures: only a correction at the source helps.
        audit(ctx, { entity, sourceId: p.sourceId, step: 'replayed', status: 'skipped', message: `Not retried: ${p.reasonText}` });
        continue;
      }
      const latest = deps.store.snapshots.latest(F3_FLOW, p.stream, p.sourceId);
      if (!latest) {
        audit(ctx, { entity, sourceId: p.sourceId, step: 'replayed', status: 'skipped', message: `Parked record ${p.sourceId} has no stored source snapshot; the next sync reads it again` });
        continue;
      }
      byStream.set(p.stream, [...(byStream.get(p.stream) ?? []), latest.payload]);
    }
    await processSnapshots(prepared, byStream);
    const retried = [...byStream.values()].reduce((n, r) => n + r.length, 0);
    audit(ctx, { entity: 'run', step: 'replayed', status: 'ok', message: `Retried ${retried} parked record(s)`, result: { ids: open.map((p) => p.id) } });
  });
}

/** Replays the source record of an audit entry from its latest snapshot with the current mappings; idempotent. */
export async function replayAuditEntry(deps: ProcoreIntacctDeps, seq: number): Promise<RunSummary & { message: string }> {
  const page = deps.store.audit.query({ flow: F3_FLOW }, { beforeSeq: seq + 1, limit: 1 });
  const entry = page.entries[0];
  if (!entry || entry.seq !== seq) throw new Error(`Audit entry ${seq} does not exist or does not belong to ${F3_FLOW}.`);
  if (!entry.sourceId) throw new Error(`Audit entry ${seq} is not about one source record; nothing to replay.`);
  const streams = STREAM_OF_PLAN_ENTITY[entry.entity] ?? Object.entries(STREAM_ENTITIES).filter(([, e]) => e === entry.entity).map(([s]) => s);
  const stream = streams.find((s) => deps.store.snapshots.latest(F3_FLOW, s, entry.sourceId!));
  if (!stream) throw new Error(`No stored snapshot of ${entry.entity} ${entry.sourceId}; run a sync first.`);
  const unreadable = deps.store.parked.getOpen(F3_FLOW, stream, entry.sourceId);
  if (unreadable?.reasonCode === 'source-unreadable') throw new Error(`Not replayed: ${unreadable.reasonText}`);
  const snapshot = deps.store.snapshots.latest(F3_FLOW, stream, entry.sourceId)!;
  const summary = await withRun(deps, 'manual', async (prepared) => {
    await processSnapshots(prepared, new Map([[stream, [snapshot.payload]]]));
    audit(prepared.contexts.commitments, { entity: entry.entity, sourceId: entry.sourceId, step: 'replayed', status: 'ok', message: `Replayed audit entry ${seq}`, result: { replayOf: seq } });
  });
  const c = summary.counts;
  const message =
    summary.status === 'failed'
      ? (summary.error ?? 'The replay failed.')
      : c.created + c.updated > 0
        ? 'Written.'
        : c.parked > 0
          ? 'Still waiting: see Pending validation.'
          : 'Sage Intacct and Procore already match; nothing was written.';
  return { ...summary, message };
}
