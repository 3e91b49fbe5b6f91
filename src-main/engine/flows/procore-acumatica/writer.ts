import type { JsonValue } from '../../../../src-shared/domain/audit';
import { Decimal } from '../../../../src-shared/domain/money';
import type {
  AcumaticaConnector,
  AcumaticaReference,
  BillLineChange,
  BillWriteResult,
  FoundBill,
  WriteFailure,
} from '../../../connectors/acumatica';
import { VENDOR_CREDIT_TYPE, signedBillAmount } from '../../../connectors/acumatica';
import type { ProcoreConnector, SyncedLink, WriteBackResult } from '../../../connectors/procore';
import type { Store } from '../../../store/db';
import type { FoundTarget, TargetWriter, WriteOptions, WriteOutcome } from '../../sync/types';
import type { F2Write, PlannedBill, PlannedCostCode, PlannedPayment, PlannedSubcontract, PlannedVendor, VendorFields } from './model';
import { formatAmount, parseBillOriginId } from './plan-bills';
import { norm, procoreFields, acumaticaView } from './plan-vendors';

/**
 * F2's target half: one writer for everything the flow writes, in Acumatica (AP bills and their
 * release, vendors, subcontracts) and in Procore (the ERP link of a posted invoice or direct
 * cost, vendors, cost codes, payments), and the lookups crash recovery makes before anything
 * unconfirmed is retried. Every write is keyed so that repeating it changes nothing: bills by
 * vendor + vendor ref (looked up before insert), vendors by VendorID / origin_id, cost codes and
 * payments by origin_id, subcontracts by project + vendor ref.
 *
 * A bill's outcome covers the bill, its release (per setting) and the Procore link: it is "ok"
 * only when all three are done, and recovery counts it as written only when it finds all three,
 * so a run stopped between them completes the rest without posting the bill again.
 */

/** Statuses of a released AP bill (fact sheet 1.8). */
const RELEASED = new Set(['Open', 'Closed', 'Voided', 'Pending Payment']);

/** Invoice links written at once (each is one Procore call; the company budget paces them all). */
const LINK_CONCURRENCY = 4;

/** What Procore's origin data of an invoice or direct cost starts with once the flow posted it. */
export const POSTED_MARKER = 'ml-connector → Acumatica';

export const billKeyOf = (type: string, referenceNbr: string): string => `${type} ${referenceNbr}`;

const SYSTEM: Record<F2Write['entity'], 'acumatica' | 'procore'> = {
  bill: 'acumatica',
  vendor: 'acumatica',
  subcontract: 'acumatica',
  payment: 'procore',
  'cost-code': 'procore',
};

export interface F2WriterDeps {
  flow: string;
  store: Store;
  acumatica: AcumaticaConnector;
  procore: ProcoreConnector;
  /** Acumatica's accounts, subaccounts, branches, projects and cost codes read this run (checked before every bill). */
  reference(): Promise<AcumaticaReference>;
}

type Failure = Extract<WriteOutcome, { ok: false }>;
const failed = (originId: string, retryable: boolean, message: string, details?: JsonValue): Failure => ({
  originId,
  ok: false,
  retryable,
  message,
  ...(details !== undefined ? { details } : {}),
});

function fromWriteBack(originId: string, r: WriteBackResult | undefined, what: string): WriteOutcome | null {
  if (!r) return failed(originId, true, `${what}: Procore returned no result; it will be looked up before it is tried again`);
  if (r.ok) return null;
  return failed(originId, r.retryable, `${what}: ${r.message}`, r.fieldErrors as unknown as JsonValue);
}

function fromFailure(originId: string, f: WriteFailure, prefix = ''): Failure {
  return failed(originId, f.retryable, `${prefix}${f.message}`, f.problems as unknown as JsonValue);
}

export function postedLink(plan: PlannedBill, billKey: string): SyncedLink {
  return {
    projectId: plan.source.projectId,
    id: plan.source.procoreId,
    originId: billKey,
    originData: `${POSTED_MARKER} AP ${billKey} (vendor ${plan.bill.vendorId}, vendor ref ${plan.bill.vendorRef})`,
  };
}

/** The one writer of F2; `system` names the target of what it last wrote or looked up (audit words). */
export class F2Writer implements TargetWriter<F2Write> {
  #system: 'acumatica' | 'procore' = 'acumatica';
  constructor(private readonly deps: F2WriterDeps) {}

  get system(): string {
    return this.#system;
  }

  /** A view of this writer that always names one target (each stream writes to one system). */
  for(system: 'acumatica' | 'procore'): TargetWriter<F2Write> {
    return { system, write: (plans, options) => this.write(plans, options), lookup: (e, c, ids) => this.lookup(e, c, ids) };
  }

  async write(plans: readonly F2Write[], options: WriteOptions = {}): Promise<WriteOutcome[]> {
    const first = plans[0];
    if (!first) return [];
    this.#system = SYSTEM[first.entity];
    switch (first.entity) {
      case 'bill':
        return this.#bills(plans as PlannedBill[], options);
      case 'vendor':
        return this.#vendors(plans as PlannedVendor[], options);
      case 'payment':
        return this.#payments(plans as PlannedPayment[], options);
      case 'cost-code':
        return this.#costCodes(plans as PlannedCostCode[], options);
      case 'subcontract':
        return this.#subcontracts(plans as PlannedSubcontract[], options);
    }
  }

  async lookup(entity: string, containerId: string, originIds: readonly string[]): Promise<Map<string, FoundTarget>> {
    this.#system = SYSTEM[entity as F2Write['entity']] ?? 'acumatica';
    const plans = this.#unconfirmedPlans(entity, originIds);
    switch (entity) {
      case 'bill':
        return this.#findBills(plans as PlannedBill[]);
      case 'vendor':
        return this.#findVendors(plans as PlannedVendor[]);
      case 'payment':
        return this.#findPayments(containerId, plans as PlannedPayment[]);
      case 'cost-code':
        return this.#findCostCodes(containerId, originIds);
      case 'subcontract':
        return this.#findSubcontracts(plans as PlannedSubcontract[]);
      default:
        return new Map();
    }
  }

  /** The plans of the intents recovery is resolving (their payloads), by origin id. */
  #unconfirmedPlans(entity: string, originIds: readonly string[]): F2Write[] {
    const wanted = new Set(originIds);
    const byOrigin = new Map<string, F2Write>();
    for (const intent of this.deps.store.outbox.listUnconfirmed(this.deps.flow)) {
      const plan = intent.payload as unknown as F2Write;
      if (plan.entity === entity && wanted.has(plan.originId)) byOrigin.set(plan.originId, plan);
    }
    return [...byOrigin.values()];
  }

  // ---- bills ---------------------------------------------------------------------------------------

  async #bills(plans: PlannedBill[], options: WriteOptions): Promise<WriteOutcome[]> {
    const { acumatica, store, flow } = this.deps;
    const reference = await this.deps.reference();
    const outcomes = new Map<string, WriteOutcome>();
    const done: { plan: PlannedBill; type: string; referenceNbr: string; released: boolean }[] = [];
    const creates: PlannedBill[] = [];
    const updates: PlannedBill[] = [];
    for (const plan of plans) (store.targetRecords.get(flow, 'bill', plan.originId) ? updates : creates).push(plan);

    const created = creates.length ? await acumatica.createBills(creates.map((p) => p.bill), { reference, ...(options.signal ? { signal: options.signal } : {}) }) : [];
    creates.forEach((plan, i) => {
      const r = created[i] as BillWriteResult | undefined;
      if (!r) outcomes.set(plan.originId, failed(plan.originId, true, 'Acumatica returned no result for this bill; it will be looked up before it is tried again'));
      else if (!r.ok) outcomes.set(plan.originId, fromFailure(plan.originId, r));
      else {
        const problem = this.#heldProblem(plan, r.type, r.referenceNbr, r.amount, r.existed);
        if (problem) outcomes.set(plan.originId, failed(plan.originId, false, problem));
        else done.push({ plan, type: r.type, referenceNbr: r.referenceNbr, released: RELEASED.has(r.status) });
      }
    });

    for (const plan of updates) {
      if (options.signal?.aborted) {
        outcomes.set(plan.originId, failed(plan.originId, true, 'not written: the run was stopped before this record'));
        continue;
      }
      const outcome = await this.#updateBill(plan, options);
      if ('ok' in outcome) outcomes.set(plan.originId, outcome);
      else done.push(outcome.done);
    }

    // Release, per setting: only once the release completed does the bill count as posted.
    const toRelease = done.filter((d) => d.plan.release && !d.released);
    const released = toRelease.length
      ? await acumatica.releaseBills(toRelease.map((d) => ({ type: d.type, referenceNbr: d.referenceNbr })), options.signal ? { signal: options.signal } : {})
      : [];
    const notReleased = new Set<PlannedBill>();
    toRelease.forEach((d, i) => {
      const r = released[i];
      if (r?.ok) return;
      notReleased.add(d.plan);
      const message = r ? r.message : 'the release was not confirmed';
      outcomes.set(d.plan.originId, failed(d.plan.originId, r ? r.retryable : true, `Posted to Acumatica as ${billKeyOf(d.type, d.referenceNbr)}, but not released: ${message}`));
    });

    // The ERP link in Procore: the invoice or direct cost shows as synced (and read-only there).
    const linked = done.filter((d) => !notReleased.has(d.plan));
    for (const kind of ['requisition', 'direct-cost'] as const) {
      const group = linked.filter((d) => d.plan.source.kind === kind);
      if (group.length === 0) continue;
      const results = await this.#markSynced(kind, group.map((d) => postedLink(d.plan, billKeyOf(d.type, d.referenceNbr))), options);
      group.forEach((d, i) => {
        const key = billKeyOf(d.type, d.referenceNbr);
        const problem = fromWriteBack(d.plan.originId, results[i], `Posted to Acumatica as ${key}, but Procore did not take the link`);
        outcomes.set(d.plan.originId, problem ?? { originId: d.plan.originId, ok: true, targetId: key });
      });
    }
    return plans.map((p) => outcomes.get(p.originId) ?? failed(p.originId, true, 'no result for this bill'));
  }

  /**
   * The ERP links of a batch. Procore has no batch call for invoices (one PATCH each, made one
   * after another by the connector), so invoices go in a few interleaved slices at once; direct
   * costs go in one sync call per project anyway.
   */
  async #markSynced(kind: 'requisition' | 'direct-cost', links: SyncedLink[], options: WriteOptions): Promise<(WriteBackResult | undefined)[]> {
    const call = options.signal ? { signal: options.signal } : {};
    if (kind === 'direct-cost' || links.length <= 1) return this.deps.procore.markSynced(kind, links, call);
    const slices = Math.min(LINK_CONCURRENCY, links.length);
    const parts = Array.from({ length: slices }, (_, s) => links.flatMap((l, i) => (i % slices === s ? [l] : [])));
    const answers = await Promise.all(parts.map((part) => this.deps.procore.markSynced(kind, part, call)));
    return links.map((_, i) => answers[i % slices]![Math.floor(i / slices)]);
  }

  /** Why a bill Acumatica holds under the key is not the one planned (null: it is). */
  #heldProblem(plan: PlannedBill, type: string, referenceNbr: string, amount: string, existed: boolean): string | null {
    const expectedType = Decimal.parse(plan.total).isNegative() ? VENDOR_CREDIT_TYPE : 'Bill';
    const expected = Decimal.parse(plan.total).abs();
    const key = billKeyOf(type, referenceNbr);
    if (existed && type !== expectedType)
      return `Acumatica already holds ${key} for vendor ${plan.bill.vendorId} with vendor reference ${plan.bill.vendorRef}, not a ${expectedType}; correct it in Acumatica, then retry`;
    if (!Decimal.parse(amount).equals(expected))
      return existed
        ? `Acumatica already holds ${key} for vendor ${plan.bill.vendorId} with vendor reference ${plan.bill.vendorRef}, for ${formatAmount(amount)} instead of ${formatAmount(expected)}; correct it in Acumatica (or the invoice number in Procore), then retry`
        : `Acumatica posted ${key} for ${formatAmount(amount)} instead of ${formatAmount(expected)} (tax added by the vendor's tax zone?); check it in Acumatica`;
    return null;
  }

  /** A posted bill whose source amounts changed: its lines updated by their Acumatica ids, unless it is released. */
  async #updateBill(plan: PlannedBill, options: WriteOptions): Promise<WriteOutcome | { done: { plan: PlannedBill; type: string; referenceNbr: string; released: boolean } }> {
    const { acumatica, store, flow } = this.deps;
    const posted = store.targetRecords.get(flow, 'bill', plan.originId)!.payload as unknown as PlannedBill;
    const [found] = await acumatica.findBills([{ vendorId: plan.bill.vendorId, vendorRef: plan.bill.vendorRef }]);
    const bill = (found ?? []).find((b) => b.originId === plan.bill.originId || b.originId === null);
    if (!bill) return failed(plan.originId, false, `${plan.source.label} was posted to Acumatica, but no bill for vendor ${plan.bill.vendorId} with vendor reference ${plan.bill.vendorRef} is there any more; check Acumatica`);
    const key = billKeyOf(bill.type, bill.referenceNbr);
    if (bill.released || RELEASED.has(bill.status))
      return failed(plan.originId, false, `${plan.source.label} changed in Procore after it was posted, but ${key} is released in Acumatica (${bill.status}); enter the difference (${formatAmount(Decimal.parse(plan.total).minus(Decimal.parse(posted.total)))}) as a debit or credit adjustment`);
    const expectedType = Decimal.parse(plan.total).isNegative() ? VENDOR_CREDIT_TYPE : 'Bill';
    if (bill.type !== expectedType) return failed(plan.originId, false, `${plan.source.label} now totals ${formatAmount(plan.total)}, which ${key} cannot hold (a ${expectedType} is needed); correct it in Acumatica`);
    if (bill.lines.length !== posted.bill.lines.length)
      return failed(plan.originId, false, `${key} has ${bill.lines.length} lines in Acumatica, not the ${posted.bill.lines.length} posted; someone changed it there, so the flow does not update it: correct it in Acumatica`);
    const changes: BillLineChange[] = [];
    plan.bill.lines.forEach((line, i) => {
      const id = bill.lines[i]?.id;
      changes.push(id ? { kind: 'update', lineId: id, line } : { kind: 'add', line });
    });
    for (const extra of bill.lines.slice(plan.bill.lines.length)) changes.push({ kind: 'delete', lineId: extra.id });
    const [r] = await acumatica.updateBills(
      [{ id: bill.id, type: bill.type, date: plan.bill.date, ...(plan.bill.description ? { description: plan.bill.description } : {}), lines: changes }],
      options.signal ? { signal: options.signal } : {},
    );
    if (!r) return failed(plan.originId, true, 'Acumatica returned no result for the update');
    if (!r.ok) return fromFailure(plan.originId, r);
    const problem = this.#heldProblem(plan, bill.type, bill.referenceNbr, r.amount, false);
    if (problem) return failed(plan.originId, false, problem);
    return { done: { plan, type: bill.type, referenceNbr: bill.referenceNbr, released: RELEASED.has(r.status) } };
  }

  async #findBills(plans: PlannedBill[]): Promise<Map<string, FoundTarget>> {
    const out = new Map<string, FoundTarget>();
    if (plans.length === 0) return out;
    const keys = plans.map((p) => parseBillOriginId(p.originId) ?? { vendorId: p.bill.vendorId, vendorRef: p.bill.vendorRef });
    const found = await this.deps.acumatica.findBills(keys);
    const candidates: { plan: PlannedBill; bill: FoundBill }[] = [];
    plans.forEach((plan, i) => {
      const ours = (found[i] ?? []).filter((b) => b.originId === plan.bill.originId || b.originId === null);
      const bill = ours.length === 1 ? ours[0]! : null;
      // Released per setting, else the bill is not done: the next pass releases it (found, not re-posted).
      if (bill && (!plan.release || bill.released)) candidates.push({ plan, bill });
    });
    // The Procore link must be there too, or the next pass completes it.
    const byProject = new Map<string, { plan: PlannedBill; bill: FoundBill }[]>();
    for (const c of candidates) byProject.set(`${c.plan.source.kind}|${c.plan.source.projectId}`, [...(byProject.get(`${c.plan.source.kind}|${c.plan.source.projectId}`) ?? []), c]);
    for (const group of byProject.values()) {
      const { kind, projectId } = group[0]!.plan.source;
      const keysOf = group.map((c) => billKeyOf(c.bill.type, c.bill.referenceNbr));
      const linked =
        kind === 'requisition'
          ? new Set((await this.deps.procore.findRequisitionsByOrigin(projectId, keysOf)).keys())
          : new Set((await this.deps.procore.findDirectCostsByOrigin(projectId, keysOf)).keys());
      for (const c of group) {
        const key = billKeyOf(c.bill.type, c.bill.referenceNbr);
        if (!linked.has(key)) continue;
        const amount = Decimal.parse(c.bill.amount);
        out.set(c.plan.originId, { targetId: key, total: signedBillAmount(c.bill.type, amount).toMoneyString() });
      }
    }
    return out;
  }

  // ---- vendors -------------------------------------------------------------------------------------

  async #vendors(plans: PlannedVendor[], options: WriteOptions): Promise<WriteOutcome[]> {
    const call = options.signal ? { signal: options.signal } : {};
    const outcomes = new Map<string, WriteOutcome>();
    const toAcumatica = plans.filter((p) => p.acumatica);
    const acuResults = toAcumatica.length ? await this.deps.acumatica.upsertVendors(toAcumatica.map((p) => p.acumatica!), call) : [];
    toAcumatica.forEach((plan, i) => {
      const r = acuResults[i];
      if (!r) outcomes.set(plan.originId, failed(plan.originId, true, 'Acumatica returned no result for this vendor'));
      else if (!r.ok) outcomes.set(plan.originId, fromFailure(plan.originId, r));
    });
    const toProcore = plans.filter((p) => p.procore && !outcomes.has(p.originId));
    const procoreResults = toProcore.length ? await this.deps.procore.upsertVendors(toProcore.map((p) => p.procore!), call) : [];
    toProcore.forEach((plan, i) => {
      const problem = fromWriteBack(plan.originId, procoreResults[i], plan.acumatica ? `Written to Acumatica as vendor ${plan.vendorId}, but Procore did not take it` : `Procore did not take vendor ${plan.vendorId}`);
      if (problem) outcomes.set(plan.originId, problem);
    });
    return plans.map((p) => outcomes.get(p.originId) ?? { originId: p.originId, ok: true, targetId: p.vendorId });
  }

  async #findVendors(plans: PlannedVendor[]): Promise<Map<string, FoundTarget>> {
    const out = new Map<string, FoundTarget>();
    if (plans.length === 0) return out;
    const acumatica = new Map((await this.deps.acumatica.listVendors()).map((v) => [v.vendorId.toUpperCase(), acumaticaView(v)]));
    const procore = await this.deps.procore.findVendorsByOrigin(plans.map((p) => p.vendorId));
    const same = (a: VendorFields, b: VendorFields): boolean => (Object.keys(a) as (keyof VendorFields)[]).every((f) => norm(f, a[f]) === norm(f, b[f]));
    for (const plan of plans) {
      const a = acumatica.get(plan.vendorId.toUpperCase());
      const p = procore.get(plan.vendorId);
      if (!a || !p || (plan.procoreVendorId && p.sourceId !== plan.procoreVendorId)) continue;
      if (!same(a.fields, plan.agreed) || !same(procoreFields(p), plan.agreed)) continue;
      out.set(plan.originId, { targetId: plan.vendorId, total: plan.total });
    }
    return out;
  }

  // ---- payments, cost codes, subcontracts ------------------------------------------------------------

  async #payments(plans: PlannedPayment[], options: WriteOptions): Promise<WriteOutcome[]> {
    const results = await this.deps.procore.recordPayments(plans.map((p) => p.payment), options.signal ? { signal: options.signal } : {});
    return plans.map((plan, i) => {
      const r = results[i];
      const problem = fromWriteBack(plan.originId, r, `Procore did not record ${plan.label}`);
      return problem ?? { originId: plan.originId, ok: true, targetId: r && r.ok ? r.procoreId : plan.originId };
    });
  }

  async #findPayments(_containerId: string, plans: PlannedPayment[]): Promise<Map<string, FoundTarget>> {
    const out = new Map<string, FoundTarget>();
    const paid = plans.filter((p) => p.payment.target === 'requisition' && !p.payment.voided);
    if (paid.length === 0) return out; // a void or a payment date is simply written again (both are idempotent)
    const first = paid[0]!.payment as Extract<PlannedPayment['payment'], { target: 'requisition' }>;
    const found = await this.deps.procore.findContractPaymentsByOrigin(first.projectId, first.commitmentId, paid.map((p) => p.originId));
    const invoices = await this.deps.procore.findRequisitionsByOrigin(first.projectId, [...new Set(paid.map((p) => p.billKey))]);
    for (const plan of paid) {
      const payment = found.get(plan.originId);
      // The invoice's payment date is written after the contract payment: without it, the write is not done.
      if (payment && invoices.get(plan.billKey)?.paymentDate) out.set(plan.originId, { targetId: payment.id, total: payment.amount });
    }
    return out;
  }

  async #costCodes(plans: PlannedCostCode[], options: WriteOptions): Promise<WriteOutcome[]> {
    const projectId = plans[0]!.projectId;
    const results = await this.deps.procore.upsertCostCodes(projectId, plans.map((p) => p.costCode), options.signal ? { signal: options.signal } : {});
    return plans.map((plan, i) => {
      const r = results[i];
      return fromWriteBack(plan.originId, r, `Procore did not take ${plan.label}`) ?? { originId: plan.originId, ok: true, targetId: r && r.ok ? r.procoreId : plan.originId };
    });
  }

  async #findCostCodes(projectId: string, originIds: readonly string[]): Promise<Map<string, FoundTarget>> {
    const found = await this.deps.procore.findCostCodesByOrigin(projectId, originIds);
    return new Map([...found].map(([originId, code]) => [originId, { targetId: code.id, total: '0.00' }]));
  }

  async #subcontracts(plans: PlannedSubcontract[], options: WriteOptions): Promise<WriteOutcome[]> {
    const out: WriteOutcome[] = [];
    for (const plan of plans) {
      if (options.signal?.aborted) {
        out.push(failed(plan.originId, true, 'not written: the run was stopped before this record'));
        continue;
      }
      const r = await this.deps.acumatica.createSubcontract(plan.subcontract);
      if (!r.ok) out.push(fromFailure(plan.originId, r));
      else if (!Decimal.parse(r.total).equals(Decimal.parse(plan.total)))
        out.push(failed(plan.originId, false, `Acumatica ${r.existed ? 'already holds' : 'created'} subcontract ${r.number} for ${formatAmount(r.total)}, not ${formatAmount(plan.total)}; see the commitments reconciliation`));
      else out.push({ originId: plan.originId, ok: true, targetId: r.number });
    }
    return out;
  }

  async #findSubcontracts(plans: PlannedSubcontract[]): Promise<Map<string, FoundTarget>> {
    const out = new Map<string, FoundTarget>();
    if (plans.length === 0) return out;
    const found = await this.deps.acumatica.findCommitments(plans.map((p) => ({ project: p.subcontract.project, vendorRef: p.subcontract.vendorRef })));
    plans.forEach((plan, i) => {
      const sub = (found[i] ?? []).find((c) => c.kind === 'subcontract');
      if (sub) out.set(plan.originId, { targetId: sub.number, total: Decimal.parse(sub.total).toMoneyString() });
    });
    return out;
  }
}
