import type { JsonValue } from '../../../../src-shared/domain/audit';
import type {
  ProcoreCommitment,
  ProcoreCommitmentChangeOrder,
  ProcoreRequisition,
  ProcoreSourceDeletion,
  ProcoreVendorRecord,
} from '../../../../src-shared/domain/records';
import type { SourcePage, UnreadableSourceRow } from '../../../connectors/connector';
import type { ProcoreConnector } from '../../../connectors/procore';
import type { IntacctConnector, IntacctVendor } from '../../../connectors/sage-intacct';
import { canonicalJson } from '../../../store/canonical-json';
import type { Store } from '../../../store/db';
import type { SharedSourceReads } from '../../sync/shared-reads';
import { F3_FLOW, type F3Mappings } from './mappings';
import { requisitionOfKey, type BillPaymentsRecord, type CommitmentRecord, type RequisitionRecord, type TaskRecord, type VendorPairRecord } from './model';
import type { F3Policy } from './policy';
import { agreedAfter, intacctValues, normalName, procoreValues } from './vendors';

/**
 * F3's source reads. Procore's streams are read through the shared reads (F2 reads the same
 * ones, decision 0017); some records are joined from two reads, so that a stored snapshot holds
 * everything needed to plan it again (replay, retry): a commitment with its change orders, a pay
 * application with the cost types of its lines, an Intacct vendor with its Procore vendor.
 */
export const STREAMS = {
  vendors: 'vendors',
  commitments: 'commitments',
  payApplications: 'pay-applications',
  payments: 'payments',
  tasks: 'intacct-tasks',
} as const;

/** Change orders per commitment, kept by this flow (a change order may arrive before its commitment posts). */
const CHANGE_ORDER_INDEX = 'change-order-index';

export interface ReadDeps {
  store: Store;
  procore: ProcoreConnector;
  intacct: IntacctConnector;
  sharedReads: SharedSourceReads;
  procoreConnectionId: string;
  policy: F3Policy;
  mappings: F3Mappings;
}

type Composite = Record<string, string | null>;

function parseCursor(cursor: string | null): Composite {
  if (!cursor) return {};
  try {
    const parsed = JSON.parse(cursor) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Composite) : {};
  } catch {
    return {};
  }
}

const composite = (value: Composite): string => JSON.stringify(value);

function latest<T>(store: Store, stream: string, sourceId: string): T | undefined {
  return store.snapshots.latest(F3_FLOW, stream, sourceId)?.payload as T | undefined;
}

/** Origin ids this flow does not write: a record holding one belongs to another integration. */
export function ownedElsewhere(originId: string | null): boolean {
  return originId !== null && originId !== '';
}

function shared<R, D>(deps: ReadDeps, stream: string, cursor: string | null, read: (cursor: string | null) => AsyncIterable<SourcePage<R, D>>): AsyncIterable<SourcePage<R, D>> {
  return deps.sharedReads.read({ connectionId: deps.procoreConnectionId, stream, consumer: F3_FLOW }, cursor, read);
}

// ---- commitments with their change orders ---------------------------------------------------------

/**
 * Change orders first (the list is small: one per project), kept per commitment; then the
 * commitments changed since the cursor, each joined with its change orders; last, commitments
 * whose change orders changed although they did not. Commitments another integration owns
 * (origin id set, e.g. created from Exact by F1) and those not in a posted status are passed over.
 */
export async function* readCommitments(deps: ReadDeps, cursor: string | null): AsyncGenerator<SourcePage<CommitmentRecord, ProcoreSourceDeletion>> {
  const { store, procore, policy } = deps;
  const at = parseCursor(cursor);
  const changed = new Map<string, ProcoreCommitmentChangeOrder[]>();
  const unreadableOrders: UnreadableSourceRow[] = [];
  let ordersCursor = at['o'] ?? null;
  for await (const page of shared(deps, 'readCommitmentChangeOrders', ordersCursor, (c) => procore.readCommitmentChangeOrders(c))) {
    for (const co of page.records) changed.set(co.commitmentId, [...(changed.get(co.commitmentId) ?? []).filter((x) => x.sourceId !== co.sourceId), co]);
    unreadableOrders.push(...(page.unreadable ?? []));
    ordersCursor = page.cursorAfter;
  }
  // Kept before the commitments are read: a crash after this re-reads the same change orders (the index merge is idempotent).
  const ordersOf = new Map<string, ProcoreCommitmentChangeOrder[]>();
  store.transaction(() => {
    for (const [commitmentId, orders] of changed) {
      const known = latest<{ changeOrders: ProcoreCommitmentChangeOrder[] }>(store, CHANGE_ORDER_INDEX, commitmentId)?.changeOrders ?? [];
      const merged = [...known.filter((k) => !orders.some((o) => o.sourceId === k.sourceId)), ...orders].sort((a, b) => a.sourceId.localeCompare(b.sourceId));
      store.snapshots.record(F3_FLOW, CHANGE_ORDER_INDEX, commitmentId, { changeOrders: merged } as unknown as JsonValue);
      ordersOf.set(commitmentId, merged);
    }
  });
  const changeOrders = (commitmentId: string): ProcoreCommitmentChangeOrder[] =>
    ordersOf.get(commitmentId) ?? latest<{ changeOrders: ProcoreCommitmentChangeOrder[] }>(store, CHANGE_ORDER_INDEX, commitmentId)?.changeOrders ?? [];
  const posts = (c: ProcoreCommitment): boolean => !ownedElsewhere(c.originId) && policy.commitmentStatuses.includes(c.status);

  const seen = new Set<string>();
  let commitmentsCursor = at['c'] ?? null;
  let first = true;
  for await (const page of shared(deps, 'readCommitments', commitmentsCursor, (c) => procore.readCommitments(c))) {
    const records = page.records.filter(posts).map((c): CommitmentRecord => {
      seen.add(c.sourceId);
      return { sourceId: c.sourceId, commitment: c, changeOrders: changeOrders(c.sourceId) };
    });
    commitmentsCursor = page.cursorAfter;
    yield {
      records,
      deletions: page.deletions,
      unreadable: [...(page.unreadable ?? []), ...(first ? unreadableOrders : [])],
      // The change orders' cursor moves only with the last page, once every commitment they touch was handed over.
      cursorAfter: composite({ c: commitmentsCursor, o: at['o'] ?? null }),
    };
    first = false;
  }
  const amended: CommitmentRecord[] = [];
  for (const commitmentId of changed.keys()) {
    if (seen.has(commitmentId)) continue;
    const before = latest<CommitmentRecord>(store, STREAMS.commitments, commitmentId);
    if (before && posts(before.commitment)) amended.push({ sourceId: commitmentId, commitment: before.commitment, changeOrders: changeOrders(commitmentId) });
  }
  yield { records: amended, deletions: [], unreadable: first ? unreadableOrders : [], cursorAfter: composite({ c: commitmentsCursor, o: ordersCursor }) };
}

// ---- pay applications --------------------------------------------------------------------------------

/** Approved pay applications, each with the cost type of every G703 line (from the commitment's lines). */
export async function* readPayApplications(deps: ReadDeps, cursor: string | null): AsyncGenerator<SourcePage<RequisitionRecord>> {
  const { store, procore } = deps;
  for await (const page of shared(deps, 'readRequisitions', cursor, (c) => procore.readRequisitions(c))) {
    yield {
      records: page.records.filter((r) => !ownedElsewhere(r.originId)).map((r) => ({ sourceId: r.sourceId, requisition: r, costTypes: costTypesOf(store, r) })),
      deletions: [],
      ...(page.unreadable ? { unreadable: page.unreadable } : {}),
      cursorAfter: page.cursorAfter,
    };
  }
}

function costTypesOf(store: Store, r: ProcoreRequisition): Record<string, string | null> {
  const commitment = latest<CommitmentRecord>(store, STREAMS.commitments, r.commitmentId);
  const orders = commitment?.changeOrders ?? latest<{ changeOrders: ProcoreCommitmentChangeOrder[] }>(store, CHANGE_ORDER_INDEX, r.commitmentId)?.changeOrders ?? [];
  const types = new Map<string, string | null>();
  for (const l of commitment?.commitment.lines ?? []) types.set(l.sourceLineId, l.lineItemTypeCode);
  for (const co of orders) for (const l of co.lines ?? []) types.set(l.sourceLineId, l.lineItemTypeCode);
  return Object.fromEntries(r.lines.map((l) => [l.sourceLineId, (l.lineItemId ? types.get(l.lineItemId) : undefined) ?? null]));
}

// ---- vendors both ways ---------------------------------------------------------------------------------

/**
 * Intacct vendors changed since the cursor and Procore vendors changed since theirs, as pairs
 * (an Intacct vendor with its Procore vendor). The counterpart that did not change comes from the
 * pair's last snapshot; only a pair never seen before needs the other system's whole list. An
 * Intacct vendor read again exactly as last time (the cursor's own second is read again) is
 * passed over unless its Procore vendor changed.
 */
export async function* readVendorPairs(deps: ReadDeps, cursor: string | null): AsyncGenerator<SourcePage<VendorPairRecord>> {
  const { store, procore, intacct, mappings } = deps;
  const at = parseCursor(cursor);
  const changedIntacct = await intacct.listVendors({ modifiedSince: at['i'] ?? null });
  const changedProcore = new Map<string, ProcoreVendorRecord>();
  let procoreCursor = at['p'] ?? null;
  const unreadable: UnreadableSourceRow[] = [];
  for await (const page of shared(deps, 'readVendors', procoreCursor, (c) => procore.readVendors(c))) {
    for (const v of page.records) changedProcore.set(v.sourceId, v);
    unreadable.push(...(page.unreadable ?? []));
    procoreCursor = page.cursorAfter;
  }
  const cursorAfter = composite({ i: changedIntacct.cursorAfter ?? at['i'] ?? null, p: procoreCursor });

  const procoreOfIntacct = new Map([...mappings.vendors].map(([procoreId, vendorId]) => [vendorId, procoreId]));
  const mappedProcoreIds = new Set(mappings.vendors.keys());
  // Read from the start, the changed Procore vendors are all of them.
  let everyProcore: ProcoreVendorRecord[] | null = at['p'] ? null : [...changedProcore.values()];
  const allProcore = async (): Promise<ProcoreVendorRecord[]> => {
    if (everyProcore) return everyProcore;
    const list: ProcoreVendorRecord[] = [];
    for await (const page of procore.readVendors(null)) list.push(...page.records);
    everyProcore = list;
    return list;
  };
  const before = (vendorId: string): VendorPairRecord | undefined => latest<VendorPairRecord>(store, STREAMS.vendors, vendorId);

  /** The Procore vendor of an Intacct vendor, and how they are linked. */
  const counterpart = async (v: IntacctVendor, hint?: ProcoreVendorRecord): Promise<{ procore: ProcoreVendorRecord | null; linkedBy: VendorPairRecord['linkedBy'] }> => {
    const last = before(v.vendorId);
    const mapped = procoreOfIntacct.get(v.vendorId);
    // A link the finance team made, one this flow made (it created the Procore vendor), or one seen before.
    const linked = mapped ?? store.targetRecords.get(F3_FLOW, 'procore-vendor', v.vendorId)?.targetId ?? (last?.linkedBy ? last.procore?.sourceId : undefined);
    const how = (p: ProcoreVendorRecord): VendorPairRecord['linkedBy'] => (mapped ? 'mapping' : last?.linkedBy && last.linkedBy !== 'name' ? last.linkedBy : p.originId === v.vendorId ? 'origin_id' : 'origin_code');
    if (hint) return { procore: hint, linkedBy: how(hint) };
    if (linked) {
      const found = changedProcore.get(linked) ?? (last?.procore?.sourceId === linked ? last.procore : ((await allProcore()).find((p) => p.sourceId === linked) ?? null));
      return { procore: found, linkedBy: found ? how(found) : null };
    }
    const all = await allProcore();
    const byOrigin = all.find((p) => p.originId === v.vendorId);
    if (byOrigin) return { procore: byOrigin, linkedBy: 'origin_id' };
    const byCode = all.find((p) => p.originCode === v.vendorId && !mappedProcoreIds.has(p.sourceId));
    if (byCode) return { procore: byCode, linkedBy: 'origin_code' };
    // The same name, not linked to anything yet: the same company, not a second vendor to create.
    const byName = all.find((p) => normalName(p.name) === normalName(v.name) && !mappedProcoreIds.has(p.sourceId) && !p.originId);
    return byName ? { procore: byName, linkedBy: 'name' } : { procore: null, linkedBy: null };
  };

  const pairs = new Map<string, VendorPairRecord>();
  const add = async (v: IntacctVendor, hint?: ProcoreVendorRecord): Promise<void> => {
    const { procore: p, linkedBy } = await counterpart(v, hint);
    const last = before(v.vendorId);
    const agreed = last ? agreedAfter(last.agreed, intacctValues(last.intacct), last.procore ? procoreValues(last.procore) : null) : {};
    pairs.set(v.vendorId, { sourceId: v.vendorId, intacct: v, procore: p, linkedBy, agreed });
  };
  for (const v of changedIntacct.vendors) {
    const last = before(v.vendorId);
    const seenAsIs = last !== undefined && canonicalJson(last.intacct as unknown as JsonValue) === canonicalJson(v as unknown as JsonValue) && !(last.procore && changedProcore.has(last.procore.sourceId));
    if (!seenAsIs) await add(v);
  }

  // Procore changes of linked vendors: their Intacct vendor from the pair's snapshot, or read by VENDORID.
  const intacctOfProcore = new Map<string, string>(mappings.vendors);
  for (const p of changedProcore.values()) if (p.originId && !intacctOfProcore.has(p.sourceId)) intacctOfProcore.set(p.sourceId, p.originId);
  const wanted = [...changedProcore.values()].flatMap((p) => {
    const vendorId = intacctOfProcore.get(p.sourceId);
    return vendorId && !pairs.has(vendorId) ? [{ vendorId, procore: p }] : [];
  });
  if (wanted.length > 0) {
    const known = new Map<string, IntacctVendor>();
    const missing: string[] = [];
    for (const { vendorId } of wanted) {
      const last = before(vendorId);
      if (last) known.set(vendorId, last.intacct);
      else missing.push(vendorId);
    }
    if (missing.length > 0) for (const [vendorId, v] of await intacct.findVendors(missing)) known.set(vendorId, v);
    for (const { vendorId, procore: p } of wanted) {
      const v = known.get(vendorId);
      if (v) await add(v, p);
    }
  }
  yield { records: [...pairs.values()], deletions: [], unreadable, cursorAfter };
}

// ---- Intacct tasks into Procore cost codes ---------------------------------------------------------

/** Every active task of each mapped Intacct project, with the Procore project's cost code of that code; at most once per `referenceEveryHours`. */
export async function* readTasks(
  deps: ReadDeps,
  cursor: string | null,
  now: number,
  tasksOf: () => Promise<{ taskId: string; name: string; projectId: string; active: boolean }[]>,
  visibleProjects: () => Promise<ReadonlySet<string>>,
): AsyncGenerator<SourcePage<TaskRecord>> {
  if (cursor && now - Date.parse(cursor) < deps.policy.referenceEveryHours * 3_600_000) return;
  const byIntacctProject = new Map<string, string[]>();
  for (const [procoreProjectId, m] of deps.mappings.projects) byIntacctProject.set(m.intacctProjectId, [...(byIntacctProject.get(m.intacctProjectId) ?? []), procoreProjectId]);
  const tasks = (await tasksOf()).filter((t) => t.active && byIntacctProject.has(t.projectId));
  const records: TaskRecord[] = [];
  const projects = [...new Set(tasks.flatMap((t) => byIntacctProject.get(t.projectId) ?? []))];
  const visible = await visibleProjects();
  for (const procoreProjectId of projects) {
    if (!visible.has(procoreProjectId)) continue;
    const codes = new Map((await deps.procore.listCostCodes(procoreProjectId)).map((c) => [c.fullCode, c]));
    const intacctProjectId = deps.mappings.projects.get(procoreProjectId)!.intacctProjectId;
    for (const t of tasks.filter((x) => x.projectId === intacctProjectId)) {
      const code = codes.get(t.taskId);
      records.push({
        sourceId: `${t.taskId}@${procoreProjectId}`,
        procoreProjectId,
        intacctProjectId,
        taskId: t.taskId,
        name: t.name,
        procoreCostCode: code ? { id: code.id, name: code.name, originId: code.originId } : null,
      });
    }
  }
  yield { records, deletions: [], cursorAfter: new Date(now).toISOString() };
}

// ---- payments of the bills this flow posted -------------------------------------------------------------

/** Prefixed: an Intacct RECORDNO is a small number, not to be mistaken for a Procore id. */
const billSourceId = (recordNo: string): string => `intacct-bill-${recordNo}`;

/** Pay-application bills whose payment status changed since the cursor, with the payments applied to them. */
export async function* readBillPayments(deps: ReadDeps, cursor: string | null): AsyncGenerator<SourcePage<BillPaymentsRecord>> {
  const { store, intacct } = deps;
  const { bills, cursorAfter } = await intacct.readBillPayments({ modifiedSince: cursor });
  // A bill back to unpaid still matters when this flow showed a payment of it in Procore: the
  // payment was reversed or voided, and Procore must stop showing it.
  const paid = bills.filter(
    (b) => requisitionOfKey(b.key) !== null && (b.paymentStatus !== 'unpaid' || latest<BillPaymentsRecord>(store, STREAMS.payments, billSourceId(b.recordNo)) !== undefined),
  );
  const payments = paid.length > 0 ? await intacct.readPaymentsOfBills(paid.map((b) => b.recordNo)) : [];
  const records: BillPaymentsRecord[] = [];
  for (const bill of paid) {
    const requisitionId = requisitionOfKey(bill.key)!;
    const posted = latest<RequisitionRecord>(store, STREAMS.payApplications, requisitionId);
    if (!posted) continue; // not one this flow planned (its key was typed in Intacct): nothing to show in Procore
    const r = posted.requisition;
    records.push({
      sourceId: billSourceId(bill.recordNo),
      bill,
      requisition: { id: r.sourceId, projectId: r.projectId, commitmentId: r.commitmentId, number: r.number, invoiceNumber: r.invoiceNumber },
      payments: payments.filter((p) => p.billRecordNo === bill.recordNo),
    });
  }
  yield { records, deletions: [], cursorAfter: cursorAfter ?? cursor ?? '' };
}
