import { setTimeout as sleep } from 'node:timers/promises';
import type { JsonValue } from '../../../../src-shared/domain/audit';
import { Decimal } from '../../../../src-shared/domain/money';
import type {
  ProcoreCommitment,
  ProcoreDirectCost,
  ProcoreRequisition,
  ProcoreSourceDeletion,
  ProcoreVendorRecord,
} from '../../../../src-shared/domain/records';
import type { SourcePage, UnreadableSourceRow } from '../../../connectors/connector';
import { signedBillAmount, type AcumaticaConnector, type AcumaticaPayment, type FoundBill } from '../../../connectors/acumatica';
import { DEFAULT_CURSOR_SETTLE_SECONDS, type ProcoreConnector } from '../../../connectors/procore';
import type { Store } from '../../../store/db';
import { runFlowExclusively, type RunSummary, type RunTrigger } from '../../sync/flow-run';
import { recoverUnconfirmed } from '../../sync/recover';
import type { RunLockOptions } from '../../sync/run-lock';
import { audit, processPage, runStream, type StreamRunContext } from '../../sync/run-stream';
import type { SharedSourceReads } from '../../sync/shared-reads';
import type { RunCounts, RunGuard, StreamSpec } from '../../sync/types';
import { advanceAcumaticaCursor, formatAcumaticaCursor, parseAcumaticaCursor } from './cursor';
import { F2_FLOW, loadF2Mappings, type F2Mappings } from './mappings';
import type {
  CheckRecord,
  CommitmentRecord,
  CostCodeRecord,
  DirectCostRecord,
  F2Reference,
  F2Write,
  InvoiceRecord,
  PaidBill,
  PlannedBill,
  PlannedPayment,
  PlannedSubcontract,
  PlannedVendor,
  VendorPairRecord,
} from './model';
import { billOriginId, directCostLabel, invoiceLabel, planDirectCost, planInvoice, procoreOrigin } from './plan-bills';
import { costCodeRecords, planCostCode, type ProcoreCostCodeLists } from './plan-cost-codes';
import { checkLabel, paymentOriginId, planCheck } from './plan-payments';
import { planCommitment, subcontractKey } from './plan-subcontracts';
import { acumaticaView, pairVendors, planVendorPair } from './plan-vendors';
import { policyFromSettings, type F2Policy } from './policy';
import { reconcile, type ReconciliationReport, type ReconInput } from '../../reconcile/reconcile';
import { RECONCILIATION_TITLE, reconcileCommitments, type CommitmentsReport, type InvoiceToDate } from './reconcile';
import { checkRecordLabel, commitmentRecordLabel, costCodeRecordLabel, directCostRecordLabel, f2TargetLabel, invoiceBillAmount, invoiceRecordLabel, vendorRecordLabel, type ProjectNamer, type TargetNames } from './labels';
import { F2Writer, POSTED_MARKER } from './writer';

/**
 * F2: Procore → Acumatica. One run, after recovering what an interrupted run left unconfirmed:
 *   1. vendors both ways (so bills find their vendor),
 *   2. Acumatica cost codes into Procore's projects,
 *   3. approved subcontractor invoices and 4. approved direct costs → AP bills (+ release, + the
 *      ERP link in Procore),
 *   5. AP payments (Check) → payment status back in Procore,
 *   6. (setting) subcontracts for approved work order contracts Acumatica does not have.
 * Each is a stream of the shared runner (engine/sync): its own cursor, outbox, parking and audit.
 */
export interface F2Deps {
  store: Store;
  procore: ProcoreConnector;
  acumatica: AcumaticaConnector;
  sharedReads: SharedSourceReads;
  procoreConnectionId: string;
  acumaticaConnectionId: string;
  /** Default: from the Acumatica connection's settings. */
  policy?: F2Policy;
  onProgress?: (counts: RunCounts) => void;
  runId?: string;
  signal?: AbortSignal;
  lock?: RunLockOptions;
  now?: () => number;
}

export type { RunSummary, RunTrigger } from '../../sync/flow-run';

export const STREAMS = {
  vendors: 'vendors',
  costCodes: 'cost-codes',
  invoices: 'subcontractor-invoices',
  directCosts: 'direct-costs',
  payments: 'payments',
  commitments: 'commitments',
} as const;

export const ENTITIES = {
  invoice: 'subcontractor-invoice',
  directCost: 'direct-cost',
  vendor: 'vendor',
  costCode: 'cost-code',
  payment: 'ap-payment',
  commitment: 'commitment',
} as const;

/** The policy a run uses: the Acumatica connection's switches. */
export function policyOf(deps: Pick<F2Deps, 'store' | 'acumaticaConnectionId' | 'policy'>): F2Policy {
  return deps.policy ?? policyFromSettings(deps.store.connections.get(deps.acumaticaConnectionId)?.settings ?? {});
}

interface F2Specs {
  vendors: StreamSpec<VendorPairRecord, F2Write>;
  costCodes: StreamSpec<CostCodeRecord, F2Write>;
  invoices: StreamSpec<InvoiceRecord, F2Write>;
  directCosts: StreamSpec<DirectCostRecord, F2Write>;
  payments: StreamSpec<CheckRecord, F2Write>;
  commitments: StreamSpec<CommitmentRecord, F2Write, ProcoreSourceDeletion>;
}

interface Prepared {
  /** Context of streams read from Procore (their cursors belong to the Procore connection). */
  procoreCtx: StreamRunContext<F2Write>;
  /** Context of streams read from Acumatica. */
  acumaticaCtx: StreamRunContext<F2Write>;
  /** Context of recovery: one writer for every target, its words following each lookup. */
  recoveryCtx: StreamRunContext<F2Write>;
  specs: F2Specs;
  policy: F2Policy;
  mappings: F2Mappings;
  billReference(): Promise<F2Reference>;
  costCodeLists(): Promise<ProcoreCostCodeLists>;
  existingCommitments(): Promise<ReadonlySet<string>>;
  /** Every vendor of both sides, paired, for records waiting on a vendor (retry). */
  vendorPairs(sourceIds: ReadonlySet<string>): Promise<VendorPairRecord[]>;
}

async function collect<R, D>(pages: AsyncIterable<SourcePage<R, D>>): Promise<{ records: R[]; unreadable: UnreadableSourceRow[]; cursorAfter: string | null }> {
  const records: R[] = [];
  const unreadable: UnreadableSourceRow[] = [];
  let cursorAfter: string | null = null;
  for await (const page of pages) {
    records.push(...page.records);
    unreadable.push(...(page.unreadable ?? []));
    cursorAfter = page.cursorAfter;
  }
  return { records, unreadable, cursorAfter };
}

/** Procore records another integration owns (their origin_id is set, not by this flow): not this flow's to post. */
function postedByOthers(record: { originId: string | null; originData: string | null }): boolean {
  return record.originId !== null && !(record.originData ?? '').startsWith(POSTED_MARKER);
}

function prepare(deps: F2Deps, runId: string, counts: RunCounts, guard: RunGuard): Prepared {
  const { store, procore, acumatica } = deps;
  const policy = policyOf(deps);
  const { mappings, versions } = loadF2Mappings(store);
  const now = deps.now ?? Date.now;
  const once = <T>(load: () => Promise<T>): (() => Promise<T>) => {
    let loading: Promise<T> | null = null;
    return () => (loading ??= load());
  };
  let reference: F2Reference | null = null;
  // Read only when a record is to be planned: an idle poll costs one read per stream and nothing more.
  const billReference = once(async (): Promise<F2Reference> => {
    const [acu, acuVendors, procoreVendors] = await Promise.all([acumatica.readReference(), acumatica.listVendors(), procore.listVendors()]);
    reference = {
      acumatica: acu,
      acumaticaVendors: new Map(acuVendors.map((v) => [v.vendorId, { name: v.name, active: v.active, status: v.status }])),
      procoreVendors: new Map(procoreVendors.map((v) => [v.id, { name: v.name, originId: v.originId }])),
    };
    return reference;
  });
  const ref = (): F2Reference => {
    if (!reference) throw new Error('Acumatica reference data was not loaded before planning (every path that plans must await it).');
    return reference;
  };
  // Records and what they became, named as finance names them (labels.ts): projects by their
  // Acumatica project (and its description once the run read Acumatica's reference data).
  const projectName: ProjectNamer = (procoreProjectId) => {
    const mapped = mappings.projects.get(procoreProjectId)?.acumaticaProject;
    if (!mapped || mapped === 'X') return null;
    const description = reference?.acumatica.projects.get(mapped)?.description;
    return description ? `${mapped} ${description}` : mapped;
  };
  const acumaticaVendor = (vendorId: string): string | null => reference?.acumaticaVendors.get(vendorId)?.name ?? null;
  const names: TargetNames = { acumaticaVendor, project: projectName };
  const describeTarget = (plan: F2Write, targetId: string | null) => f2TargetLabel(plan, targetId, names);

  const costCodeLists = once(async (): Promise<ProcoreCostCodeLists> => {
    const visible = new Map((await procore.listProjects()).map((p) => [p.id, p]));
    const lists = new Map<string, { name: string; codes: ReadonlySet<string> }>();
    for (const projectId of mappings.projects.keys()) {
      const project = visible.get(projectId);
      if (!project) continue;
      lists.set(projectId, { name: project.name, codes: new Set((await procore.listCostCodes(projectId)).map((c) => c.fullCode)) });
    }
    return lists;
  });
  const existingCommitments = once(async (): Promise<ReadonlySet<string>> => {
    const [subs, pos] = await Promise.all([acumatica.listSubcontracts(), acumatica.listPurchaseOrders()]);
    return new Set([...subs, ...pos].flatMap((c) => (c.vendorRef ? c.projects.map((p) => subcontractKey(p, c.vendorRef!)) : [])));
  });
  let existingLoaded: ReadonlySet<string> | null = null;

  const writer = new F2Writer({ flow: F2_FLOW, store, acumatica, procore, reference: async () => (await billReference()).acumatica });
  const base = {
    store,
    flow: F2_FLOW,
    runId,
    mappingVersion: mappings.version || null,
    mappingVersions: versions as JsonValue,
    counts,
    guard,
    ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
  };
  const procoreCtx: StreamRunContext<F2Write> = { ...base, cursorOwner: deps.procoreConnectionId, writer: writer.for('acumatica') };
  const acumaticaCtx: StreamRunContext<F2Write> = { ...base, cursorOwner: deps.acumaticaConnectionId, writer: writer.for('procore') };
  const recoveryCtx: StreamRunContext<F2Write> = { ...base, cursorOwner: deps.procoreConnectionId, writer };

  const source = (stream: string) => ({ connectionId: deps.procoreConnectionId, stream, consumer: F2_FLOW });

  /** Pages of a Procore stream as F2's records: ids prefixed by kind, records other integrations own left out (audited). */
  async function* procorePages<R extends { sourceId: string; originId: string | null; originData: string | null }, W extends { sourceId: string }, D = never>(
    pages: AsyncIterable<SourcePage<R, D>>,
    kind: string,
    entity: string,
    wrap: (r: R) => W,
    label: (r: R) => string,
  ): AsyncGenerator<SourcePage<W, D>> {
    for await (const page of pages) {
      const records: W[] = [];
      for (const r of page.records) {
        if (postedByOthers(r)) {
          audit(procoreCtx, { entity, sourceId: `${kind}:${r.sourceId}`, step: 'unchanged', status: 'skipped', message: `${label(r)} belongs to another integration (its ERP link is "${r.originId}"); it is not posted to Acumatica` });
          continue;
        }
        records.push(wrap(r));
      }
      if (records.length > 0) await billReference();
      yield {
        records,
        deletions: page.deletions,
        unreadable: (page.unreadable ?? []).map((u) => ({ ...u, sourceId: `${kind}:${u.sourceId}` })),
        cursorAfter: page.cursorAfter,
      };
    }
  }

  /** Vendors changed on either side since the composite cursor, paired with their other half. */
  async function* readVendors(cursorText: string | null): AsyncGenerator<SourcePage<VendorPairRecord>> {
    const cursor = cursorText ? (JSON.parse(cursorText) as { procore: string | null; acumatica: string | null }) : { procore: null, acumatica: null };
    const changed = await collect(deps.sharedReads.read(source('readVendors'), cursor.procore, (c) => procore.readVendors(c)));
    const acuCursor = parseAcumaticaCursor(cursor.acumatica);
    const acuRows = await acumatica.listVendors(acuCursor.since ? { modifiedSince: acuCursor.since } : {});
    const { fresh, next } = advanceAcumaticaCursor(acuCursor, acuRows.map((v) => ({ ...v, lastModified: v.lastModified })), now());
    const cursorAfter = JSON.stringify({ procore: changed.cursorAfter ?? cursor.procore, acumatica: formatAcumaticaCursor(next) });
    if (changed.records.length === 0 && fresh.length === 0) {
      yield { records: [], deletions: [], unreadable: changed.unreadable.map((u) => ({ ...u, sourceId: `vendor:${u.sourceId}` })), cursorAfter };
      return;
    }
    // The other half of each pair: every vendor of both sides (a first read already has them all).
    const allProcore = cursor.procore === null ? changed.records : (await collect(procore.readVendors(null))).records;
    const allAcumatica = acuCursor.since === null ? acuRows : await acumatica.listVendors();
    const records = pairVendors({
      changedProcore: changed.records,
      changedAcumatica: fresh.map(acumaticaView),
      allProcore,
      allAcumatica: allAcumatica.map(acumaticaView),
      mapped: mappings.vendors,
    });
    yield { records, deletions: [], unreadable: changed.unreadable.map((u) => ({ ...u, sourceId: `vendor:${u.sourceId}` })), cursorAfter };
  }

  async function vendorPairs(sourceIds: ReadonlySet<string>): Promise<VendorPairRecord[]> {
    // A retry answers what the user just fixed: both sides as they are now (no settle window).
    const [allProcoreRecords, allAcumatica] = await Promise.all([procore.listVendorRecords(), acumatica.listVendors()]);
    const allProcore = { records: allProcoreRecords };
    const views = allAcumatica.map(acumaticaView);
    return pairVendors({ changedProcore: allProcore.records, changedAcumatica: views, allProcore: allProcore.records, allAcumatica: views, mapped: mappings.vendors }).filter((p) =>
      sourceIds.has(p.sourceId),
    );
  }

  /** Rows of an Acumatica list changed since the stream's cursor, as one page. */
  async function* acumaticaPage<T extends { id: string; lastModified: string | null }, W>(cursorText: string | null, list: (since: string | null) => Promise<T[]>, wrap: (rows: T[]) => Promise<W[]> | W[]): AsyncGenerator<SourcePage<W>> {
    const cursor = parseAcumaticaCursor(cursorText);
    const rows = await list(cursor.since);
    const { fresh, next } = advanceAcumaticaCursor(cursor, rows, now());
    yield { records: await wrap(fresh), deletions: [], cursorAfter: formatAcumaticaCursor(next) };
  }

  /** The Procore record behind each bill a payment names (bills this flow posted). */
  function paidBill(check: AcumaticaPayment, app: AcumaticaPayment['applications'][number]): PaidBill {
    let posted: PaidBill['posted'] = null;
    if (check.vendorId && app.vendorRef) {
      const target = store.targetRecords.get(F2_FLOW, 'bill', billOriginId(check.vendorId, app.vendorRef));
      const key = `${app.docType} ${app.referenceNbr}`;
      if (target && target.targetId === key) posted = { billKey: key, source: (target.payload as unknown as PlannedBill).source };
    }
    return { docType: app.docType, referenceNbr: app.referenceNbr, vendorRef: app.vendorRef, amountPaid: app.amountPaid, released: app.released, posted };
  }

  /** One record per bill a payment pays (its applications; a payment without any gives none). */
  const checkRecords = (c: AcumaticaPayment): CheckRecord[] =>
    c.applications.map((a) => {
      const paid = paidBill(c, a);
      return { ...checkRecord(c), sourceId: `payment:${paymentOriginId(c, a)}`, applications: [paid] };
    });
  const checkRecord = (c: AcumaticaPayment): CheckRecord => ({
    sourceId: `check:${c.type} ${c.referenceNbr}`,
    type: c.type,
    referenceNbr: c.referenceNbr,
    vendorId: c.vendorId,
    status: c.status,
    released: c.released,
    voided: c.voided,
    isVoidingDocument: c.isVoidingDocument,
    effective: c.effective,
    applicationDate: c.applicationDate,
    paymentRef: c.paymentRef,
    lastModified: c.lastModified,
    applications: [],
  });

  const specs: F2Specs = {
    vendors: {
      name: STREAMS.vendors,
      entity: ENTITIES.vendor,
      read: readVendors,
      plan: (pair, previous) => planVendorPair(pair, policy, previous as ReadonlyMap<string, PlannedVendor>),
      label: (pair) => `Vendor ${pair.procore?.name ?? pair.acumatica?.fields.name ?? pair.sourceId}`,
      describe: vendorRecordLabel,
      describeTarget,
    },
    costCodes: {
      name: STREAMS.costCodes,
      entity: ENTITIES.costCode,
      read: (cursor) =>
        acumaticaPage(
          cursor,
          async (since) => (await acumatica.listCostCodes(since ? { modifiedSince: since } : {})).map((c) => ({ ...c, id: c.code })),
          async (rows) =>
            rows.length && policy.costCodesToProcore
              ? costCodeRecords(rows, await costCodeLists(), (originId) => store.targetRecords.get(F2_FLOW, 'cost-code', originId) !== undefined)
              : [],
        ),
      plan: (rec) => planCostCode(rec, policy),
      label: (rec) => `Acumatica cost code ${rec.code} ${rec.description} for Procore project ${rec.projectName}`,
      describe: costCodeRecordLabel,
      describeTarget,
    },
    invoices: {
      name: STREAMS.invoices,
      entity: ENTITIES.invoice,
      read: (cursor) =>
        procorePages(
          deps.sharedReads.read(source('readRequisitions'), cursor, (c) => procore.readRequisitions(c)),
          'requisition',
          ENTITIES.invoice,
          (r: ProcoreRequisition): InvoiceRecord => ({ sourceId: `requisition:${r.sourceId}`, requisition: r }),
          invoiceLabel,
        ),
      plan: (rec, previous) => planInvoice(rec, mappings, ref(), policy, previous as ReadonlyMap<string, PlannedBill>),
      label: (rec) => invoiceLabel(rec.requisition),
      describe: (rec) => invoiceRecordLabel(rec.requisition, policy, projectName),
      describeTarget,
    },
    directCosts: {
      name: STREAMS.directCosts,
      entity: ENTITIES.directCost,
      read: (cursor) =>
        procorePages(
          deps.sharedReads.read(source('readDirectCosts'), cursor, (c) => procore.readDirectCosts(c)),
          'direct-cost',
          ENTITIES.directCost,
          (d: ProcoreDirectCost): DirectCostRecord => ({ sourceId: `direct-cost:${d.sourceId}`, directCost: d }),
          directCostLabel,
        ),
      plan: (rec, previous) => planDirectCost(rec, mappings, ref(), policy, previous as ReadonlyMap<string, PlannedBill>),
      label: (rec) => directCostLabel(rec.directCost),
      describe: (rec) => directCostRecordLabel(rec.directCost, policy, projectName),
      describeTarget,
    },
    payments: {
      name: STREAMS.payments,
      entity: ENTITIES.payment,
      read: (cursor) => acumaticaPage(cursor, (since) => acumatica.listChecks(since ? { modifiedSince: since } : {}), (rows) => rows.flatMap(checkRecords)),
      plan: (rec, previous) => planCheck(rec, policy, previous as ReadonlyMap<string, PlannedPayment>),
      label: (rec) => checkLabel(rec),
      describe: (rec) => checkRecordLabel(rec, policy, acumaticaVendor),
      describeTarget,
    },
    commitments: {
      name: STREAMS.commitments,
      entity: ENTITIES.commitment,
      read: async function* (cursor) {
        for await (const page of procorePages(
          deps.sharedReads.read(source('readCommitments'), cursor, (c) => procore.readCommitments(c)),
          'commitment',
          ENTITIES.commitment,
          (c: ProcoreCommitment): CommitmentRecord => ({ sourceId: `commitment:${c.sourceId}`, commitment: c }),
          (c) => `Commitment ${c.number}`,
        )) {
          if (page.records.length) existingLoaded = await existingCommitments();
          yield page;
        }
      },
      plan: (rec, previous) => planCommitment(rec, mappings, ref(), policy, existingLoaded ?? new Set(), previous as ReadonlyMap<string, PlannedSubcontract>),
      label: (rec) => `Commitment ${rec.commitment.number} (${rec.commitment.title})`,
      describe: (rec) => commitmentRecordLabel(rec.commitment, policy, projectName),
      describeTarget,
    },
  };
  return { procoreCtx, acumaticaCtx, recoveryCtx, specs, policy, mappings, billReference, costCodeLists, existingCommitments, vendorPairs };
}

/** One run of F2 under the flow's lease: recovery first, then `work`. */
function withRun(deps: F2Deps, trigger: RunTrigger, work: (p: Prepared) => Promise<void>): Promise<RunSummary> {
  return runFlowExclusively(
    {
      store: deps.store,
      flow: F2_FLOW,
      trigger,
      ...(deps.runId ? { runId: deps.runId } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
      ...(deps.lock ? { lock: deps.lock } : {}),
    },
    async ({ runId, counts, guard }) => {
      const prepared = prepare(deps, runId, counts, guard);
      await recoverUnconfirmed(prepared.recoveryCtx);
      await work(prepared);
    },
  );
}

/** One full sync of F2. */
export function runProcoreAcumatica(deps: F2Deps, trigger: RunTrigger): Promise<RunSummary> {
  return withRun(deps, trigger, async (p) => {
    await runStream(p.specs.vendors, p.procoreCtx);
    if (p.policy.costCodesToProcore) await runStream(p.specs.costCodes, p.acumaticaCtx);
    await runStream(p.specs.invoices, p.procoreCtx);
    await runStream(p.specs.directCosts, p.procoreCtx);
    await runStream(p.specs.payments, p.acumaticaCtx);
    if (p.policy.createSubcontracts) await runStream(p.specs.commitments, p.procoreCtx);
  });
}

type AnySpec = StreamSpec<{ sourceId: string }, F2Write, never>;

/** The stream an audit entity or parked record belongs to, with how to plan its stored snapshots. */
function streamOf(p: Prepared, stream: string): { spec: AnySpec; ctx: StreamRunContext<F2Write>; prepare: () => Promise<unknown> } | null {
  const procore = (spec: unknown, load: () => Promise<unknown>) => ({ spec: spec as AnySpec, ctx: p.procoreCtx, prepare: load });
  switch (stream) {
    case STREAMS.invoices:
      return procore(p.specs.invoices, p.billReference);
    case STREAMS.directCosts:
      return procore(p.specs.directCosts, p.billReference);
    case STREAMS.commitments:
      return procore(p.specs.commitments, p.billReference);
    case STREAMS.payments:
      return { spec: p.specs.payments as unknown as AnySpec, ctx: p.acumaticaCtx, prepare: async () => undefined };
    case STREAMS.costCodes:
      return { spec: p.specs.costCodes as unknown as AnySpec, ctx: p.acumaticaCtx, prepare: async () => undefined };
    default:
      return null;
  }
}

/**
 * Retries parked records (all open ones of F2, or a selection) with the current mappings:
 * invoices, direct costs, payments and cost codes from their stored snapshots; vendors by pairing
 * them again from both systems' current vendor lists (a link confirmed in Mappings changes the
 * pair itself). Idempotent: what already matches the target is not written.
 */
export function retryParked(deps: F2Deps, selection: { ids?: readonly number[]; reasonCode?: string } = {}, trigger: RunTrigger = 'manual'): Promise<RunSummary> {
  return withRun(deps, trigger, async (p) => {
    const open = deps.store.parked
      .listOpen(F2_FLOW)
      .filter((r) => (!selection.ids || selection.ids.includes(r.id)) && (!selection.reasonCode || r.reasonCode === selection.reasonCode));
    const vendorIds = new Set(open.filter((r) => r.stream === STREAMS.vendors && r.reasonCode !== 'source-unreadable').map((r) => r.sourceId));
    if (vendorIds.size) {
      const pairs = await p.vendorPairs(vendorIds);
      await processPage(p.specs.vendors, p.procoreCtx, { records: pairs, deletions: [] });
    }
    const byStream = new Map<string, { sourceId: string }[]>();
    for (const r of open) {
      if (r.stream === STREAMS.vendors) continue;
      const entity = r.stream;
      if (r.reasonCode === 'source-unreadable') {
        audit(p.procoreCtx, { entity, sourceId: r.sourceId, step: 'replayed', status: 'skipped', message: `Not retried: ${r.reasonText}` });
        continue;
      }
      const latest = deps.store.snapshots.latest(F2_FLOW, r.stream, r.sourceId);
      if (!latest) {
        audit(p.procoreCtx, { entity, sourceId: r.sourceId, step: 'replayed', status: 'skipped', message: `Parked record ${r.sourceId} has no stored source snapshot; the next sync reads it again` });
        continue;
      }
      byStream.set(r.stream, [...(byStream.get(r.stream) ?? []), latest.payload as unknown as { sourceId: string }]);
    }
    for (const [stream, records] of byStream) {
      const s = streamOf(p, stream);
      if (!s) continue;
      await s.prepare();
      await processPage(s.spec, s.ctx, { records, deletions: [] });
    }
    audit(p.procoreCtx, { entity: 'run', step: 'replayed', status: 'ok', message: `Retried ${open.length} parked record(s)`, result: { ids: open.map((r) => r.id) } });
  });
}

const STREAM_OF_ENTITY: Record<string, string> = {
  [ENTITIES.invoice]: STREAMS.invoices,
  [ENTITIES.directCost]: STREAMS.directCosts,
  [ENTITIES.vendor]: STREAMS.vendors,
  [ENTITIES.costCode]: STREAMS.costCodes,
  [ENTITIES.payment]: STREAMS.payments,
  [ENTITIES.commitment]: STREAMS.commitments,
};

/** Replays an audit entry: re-plans its source record from the latest stored snapshot and writes it if the target differs (idempotent). */
export async function replayAuditEntry(deps: F2Deps, seq: number): Promise<RunSummary & { message: string }> {
  const page = deps.store.audit.query({ flow: F2_FLOW }, { beforeSeq: seq + 1, limit: 1 });
  const entry = page.entries[0];
  if (!entry || entry.seq !== seq) throw new Error(`Audit entry ${seq} does not exist or does not belong to ${F2_FLOW}.`);
  if (!entry.sourceId) throw new Error(`Audit entry ${seq} is not about one source record; nothing to replay.`);
  const stream = STREAM_OF_ENTITY[entry.entity];
  if (!stream) throw new Error(`Audit entry ${seq} is about a ${entry.entity}, which is not replayed.`);
  const unreadable = deps.store.parked.getOpen(F2_FLOW, stream, entry.sourceId);
  if (unreadable?.reasonCode === 'source-unreadable') throw new Error(`Not replayed: ${unreadable.reasonText}`);
  const snapshot = deps.store.snapshots.latest(F2_FLOW, stream, entry.sourceId);
  if (!snapshot) throw new Error(`No stored snapshot of ${entry.entity} ${entry.sourceId}; run a sync first.`);
  const summary = await withRun(deps, 'manual', async (p) => {
    if (stream === STREAMS.vendors) {
      const pairs = await p.vendorPairs(new Set([entry.sourceId!]));
      await processPage(p.specs.vendors, p.procoreCtx, { records: pairs, deletions: [] });
    } else {
      const s = streamOf(p, stream)!;
      await s.prepare();
      await processPage(s.spec, s.ctx, { records: [snapshot.payload as unknown as { sourceId: string }], deletions: [] });
    }
    audit(p.procoreCtx, { entity: entry.entity, sourceId: entry.sourceId, step: 'replayed', status: 'ok', message: `Replayed audit entry ${seq}`, result: { replayOf: seq } });
  });
  const c = summary.counts;
  const message =
    summary.status === 'failed'
      ? (summary.error ?? 'The replay failed.')
      : c.created + c.updated > 0
        ? 'Written to Acumatica / Procore.'
        : c.parked > 0
          ? 'Still waiting: see Pending validation.'
          : 'Acumatica and Procore already match; nothing was written.';
  return { ...summary, message };
}

export type { ProcoreVendorRecord };

/** A parking reason without the record's own name in front (the report names the record already). */
function withoutLabel(reason: string | null, label: string): string | null {
  if (!reason?.startsWith(label)) return reason;
  const at = reason.indexOf('): ', label.length);
  return at < 0 ? reason : reason.slice(at + 3);
}

interface ReconciliationRead {
  commitments: CommitmentsReport;
  policy: F2Policy;
  mappings: F2Mappings;
  invoices: ProcoreRequisition[];
  directCosts: ProcoreDirectCost[];
  /** Acumatica's bills by the Procore origin they carry. */
  billsByOrigin: Map<string, FoundBill[]>;
}

const signed = (b: FoundBill): Decimal => signedBillAmount(b.type, Decimal.parse(b.amount));

/**
 * Both systems read in full for the reconciliation: every Procore commitment, change order,
 * approved invoice and direct cost; every Acumatica subcontract, purchase order, change order and
 * AP bill. Reads only.
 */
async function readForReconciliation(deps: F2Deps): Promise<ReconciliationRead> {
  const { procore, acumatica, store } = deps;
  // Procore reads stop a few seconds behind the clock (the connector's settle time), so the links a
  // sync wrote a moment ago would be missing: right after a run, wait until they are readable.
  const lastEnded = store.runs.listRecent(1, F2_FLOW)[0]?.endedAt;
  const readableAt = lastEnded ? Date.parse(lastEnded) + (DEFAULT_CURSOR_SETTLE_SECONDS + 1) * 1000 : 0;
  const now = deps.now?.() ?? Date.now();
  if (readableAt > now) await sleep(readableAt - now);
  const policy = policyOf(deps);
  const { mappings } = loadF2Mappings(store);
  const [commitments, changeOrders, invoices, directCosts, procoreVendors, subs, pos, acuChangeOrders, bills] = await Promise.all([
    collect(procore.readCommitments(null)),
    collect(procore.readCommitmentChangeOrders(null)),
    collect(procore.readRequisitions(null)),
    collect(procore.readDirectCosts(null)),
    procore.listVendors(),
    acumatica.listSubcontracts(),
    acumatica.listPurchaseOrders(),
    acumatica.listChangeOrders(),
    acumatica.listBills(),
  ]);
  const origins = new Map(procoreVendors.map((v) => [v.id, v.originId]));
  const ownInvoices = invoices.records.filter((r) => !postedByOthers(r));
  const toDate: InvoiceToDate[] = ownInvoices.map((r) => ({
    commitmentId: r.commitmentId,
    label: invoiceLabel(r),
    amount: invoiceBillAmount(r, policy.retainage),
    origin: procoreOrigin({ kind: 'requisition', procoreId: r.sourceId }),
    waiting: withoutLabel(store.parked.getOpen(F2_FLOW, STREAMS.invoices, `requisition:${r.sourceId}`)?.reasonText ?? null, invoiceLabel(r)),
  }));
  const billsByOrigin = new Map<string, FoundBill[]>();
  for (const b of bills) if (b.originId) billsByOrigin.set(b.originId, [...(billsByOrigin.get(b.originId) ?? []), b]);
  const report = reconcileCommitments({
    commitments: commitments.records,
    changeOrders: changeOrders.records,
    invoices: toDate,
    acumaticaCommitments: [...subs, ...pos],
    acumaticaChangeOrders: acuChangeOrders,
    bills: bills.map((b) => ({ origin: b.originId, type: b.type, referenceNbr: b.referenceNbr, amount: signed(b).toMoneyString() })),
    projects: new Map([...mappings.projects].map(([id, p]) => [id, p.acumaticaProject])),
    vendorOf: (id) => mappings.vendors.get(id) ?? origins.get(id) ?? null,
    generatedAt: new Date(deps.now?.() ?? Date.now()).toISOString(),
  });
  return { commitments: report, policy, mappings, invoices: ownInvoices, directCosts: directCosts.records.filter((d) => !postedByOthers(d)), billsByOrigin };
}

/**
 * "Commitments vs Acumatica" in detail: for each Procore commitment (with its approved change
 * orders) the Acumatica subcontract or purchase order of the same project and vendor ref, side by
 * side, every difference with its cause (reconcile.ts). Read-only.
 */
export async function reconcileCommitmentsNow(deps: F2Deps): Promise<CommitmentsReport> {
  return (await readForReconciliation(deps)).commitments;
}

/**
 * F2's answer to "do the two systems agree?" in the shape every flow gives (engine/reconcile,
 * decision 0023): one record per Procore commitment (its revised amount against the Acumatica
 * subcontract or purchase order, the cause of a difference from the line-by-line comparison),
 * and one per approved subcontractor invoice and direct cost against its AP bill (what the bill
 * should hold against what Acumatica holds, explained by the generic causes: waiting in Pending
 * validation, not yet synced, changed in Acumatica).
 */
export async function reconcileProcoreAcumatica(deps: F2Deps, apiCalls: () => Record<string, number>): Promise<ReconciliationReport> {
  const start = apiCalls();
  const read = await readForReconciliation(deps);
  const { store } = deps;
  const { policy, mappings } = read;
  const project = (procoreProjectId: string): string => mappings.projects.get(procoreProjectId)?.acumaticaProject ?? `Procore project ${procoreProjectId}`;
  const confirmedBill = (sourceId: string): PlannedBill | null =>
    (store.targetRecords.bySource(F2_FLOW, sourceId).find((t) => t.entity === 'bill')?.payload as unknown as PlannedBill | undefined) ?? null;
  const inputs: ReconInput[] = [];
  for (const c of read.commitments.commitments)
    inputs.push({
      sourceId: `commitment:${c.procoreId}`,
      documentType: 'Commitment',
      documentNumber: c.number,
      counterparty: c.vendor,
      project: c.acumaticaProject ?? project(c.procoreProjectId),
      currency: policy.currency,
      targetKey: `${c.acumaticaProject ?? c.procoreProjectId}/${c.number}`,
      expected: c.revised.procore,
      actual: c.revised.acumatica,
      // Acumatica's commitments are entered there, not written by F2; what both should hold is the
      // commitment as approved in Procore, so any difference is the target's (changed-in-target).
      confirmed: c.revised.procore,
      parkedReason: null,
      deletedAtSource: false,
      lineCount: 1,
      targetId: c.acumatica?.number ?? null,
    });
  const bill = (kind: 'requisition' | 'direct-cost', procoreId: string, stream: string, r: { documentType: string; documentNumber: string; vendor: string | null; projectId: string; expected: string; lines: number }): void => {
    const sourceId = `${kind}:${procoreId}`;
    const held = read.billsByOrigin.get(procoreOrigin({ kind, procoreId })) ?? [];
    const posted = confirmedBill(sourceId);
    inputs.push({
      sourceId,
      documentType: r.documentType,
      documentNumber: r.documentNumber,
      counterparty: r.vendor,
      project: project(r.projectId),
      currency: policy.currency,
      targetKey: posted?.originId ?? procoreOrigin({ kind, procoreId }),
      expected: r.expected,
      actual: held.length ? Decimal.sum(held.map(signed)).toMoneyString() : null,
      confirmed: posted?.total ?? null,
      parkedReason: store.parked.getOpen(F2_FLOW, stream, sourceId)?.reasonText ?? null,
      deletedAtSource: false,
      lineCount: r.lines,
      targetId: held.map((b) => `${b.type} ${b.referenceNbr}`).join(', ') || null,
    });
  };
  for (const r of read.invoices)
    bill('requisition', r.sourceId, STREAMS.invoices, {
      documentType: 'Subcontractor invoice',
      documentNumber: `${r.commitmentNumber ?? r.commitmentId} #${r.number}${r.invoiceNumber ? ` (${r.invoiceNumber})` : ''}`,
      vendor: r.vendor?.name ?? r.vendorName,
      projectId: r.projectId,
      expected: invoiceBillAmount(r, policy.retainage),
      lines: r.lines.length + 2,
    });
  for (const d of read.directCosts)
    bill('direct-cost', d.sourceId, STREAMS.directCosts, {
      documentType: 'Direct cost',
      documentNumber: d.invoiceNumber ?? d.sourceId,
      vendor: d.vendor?.name ?? null,
      projectId: d.projectId,
      expected: d.grandTotal,
      lines: d.lines.length,
    });
  const end = apiCalls();
  const report = reconcile(
    {
      flow: F2_FLOW,
      title: RECONCILIATION_TITLE,
      generatedAt: read.commitments.generatedAt,
      apiCalls: Object.fromEntries(Object.entries(end).map(([api, n]) => [api, n - (start[api] ?? 0)])),
    },
    inputs,
  );
  // Its explanation is what the line-by-line comparison found (a line keyed differently, a change
  // order never entered, no commitment at all).
  const why = new Map(
    read.commitments.commitments.map((c) => [`commitment:${c.procoreId}`, c.differences.filter((d) => !d.what.startsWith('Subcontractor invoice')).map((d) => d.cause)]),
  );
  for (const r of report.records) {
    const causes = why.get(r.sourceId);
    if (r.cause && causes?.length) r.explanation = `entered differently in Acumatica: ${causes.join('; ')}`;
  }
  return report;
}
