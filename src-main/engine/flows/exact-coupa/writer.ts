import type { JsonValue } from '../../../../src-shared/domain/audit';
import { Decimal } from '../../../../src-shared/domain/money';
import type { Supplier } from '../../../../src-shared/domain/records';
import type { CoupaInvoice, CoupaPurchaseOrder, CoupaSupplier, CoupaWriteFailure } from '../../../connectors/coupa';
import type { Store } from '../../../store/db';
import type { FoundTarget, TargetWriter, WriteOptions, WriteOutcome } from '../../sync/types';
import type { CoupaState } from './coupa-view';
import { F5_FLOW, type CoupaFlowPolicy, type PlannedCoupaSupplier, type PlannedCoupaWrite, type PlannedExactSupplier, type PlannedInvoice, type PlannedPurchaseOrder, type PlannedWrite } from './model';
import { coupaAccountCode } from './policy';
import type { CoupaTarget, ExactSource } from './ports';
import { exactValues, sameValue } from './suppliers';

/**
 * F5's target writers. The Coupa connector upserts by Coupa's natural keys (po-number; invoice
 * number + supplier; supplier number), looking each up before it creates, so a write repeated
 * after a crash updates instead of duplicating. The lookups recovery makes answer "found" only
 * when Coupa holds everything the unconfirmed plan says (an invoice also submitted, a PO issued
 * when the policy issues, a cancellation cancelled); otherwise the record is planned and written
 * again from the source, and the upsert brings Coupa up to date.
 */

const COUPA = 'coupa';
const EXACT = 'exact-online';
const EDITABLE_INVOICE = new Set(['new', 'draft', 'invalid']);

const dec = (text: string): Decimal => Decimal.parse(text);
const sameDecimal = (a: string | null, b: string | null): boolean => (a === null || b === null ? a === b : dec(a).equals(dec(b)));
const sameText = (a: string | null | undefined, b: string | null | undefined): boolean => (a ?? '').trim() === (b ?? '').trim();

type FailedOutcome = Extract<WriteOutcome, { ok: false }>;

function failure(result: CoupaWriteFailure): FailedOutcome {
  return {
    originId: '',
    ok: false,
    retryable: result.retryable,
    message: result.message,
    details: { code: result.code, coupaMessages: result.coupaMessages, coupaId: result.id } as JsonValue,
  };
}

/** The newest unconfirmed plan of each origin id (what recovery asks Coupa about). */
function unconfirmedPlans<P extends PlannedWrite>(store: Store, entity: string, containerId: string, originIds: readonly string[]): Map<string, P> {
  const wanted = new Set(originIds);
  const plans = new Map<string, P>();
  for (const intent of store.outbox.listUnconfirmed(F5_FLOW)) {
    const plan = intent.payload as unknown as P;
    if (plan.entity === entity && plan.containerId === containerId && wanted.has(plan.originId)) plans.set(plan.originId, plan);
  }
  return plans;
}

const found = (targetId: string, plan: PlannedWrite): FoundTarget => ({ targetId, total: plan.total, ...('lines' in plan ? { lines: plan.lines } : {}) });

export class CoupaWriter implements TargetWriter<PlannedCoupaWrite> {
  readonly system = COUPA;

  constructor(
    private readonly store: Store,
    private readonly coupa: CoupaTarget,
    private readonly policy: CoupaFlowPolicy,
    private readonly state: CoupaState,
  ) {}

  async write(plans: readonly PlannedCoupaWrite[], options: WriteOptions = {}): Promise<WriteOutcome[]> {
    const first = plans[0];
    if (!first) return [];
    const call = { ...(options.signal ? { signal: options.signal } : {}) };
    let outcomes: WriteOutcome[];
    if (first.entity === 'supplier') outcomes = await this.#suppliers(plans as PlannedCoupaSupplier[], call);
    else if (first.entity === 'purchase-invoice') outcomes = await this.#invoices(plans as PlannedInvoice[], call);
    else if (first.containerId === 'cancelled') outcomes = await this.#cancel(plans as PlannedPurchaseOrder[], call);
    else outcomes = await this.#orders(plans as PlannedPurchaseOrder[], call);
    return outcomes.map((o, i) => ({ ...o, originId: plans[i]!.originId }));
  }

  async #suppliers(plans: readonly PlannedCoupaSupplier[], call: { signal?: AbortSignal }): Promise<WriteOutcome[]> {
    const deactivations = plans.filter((p) => p.deactivate);
    if (deactivations.length > 0) {
      // Kept apart from upserts (one batch holds one kind in practice; recovery may mix them).
      const upserts = plans.filter((p) => !p.deactivate);
      const [off, up] = [await this.#deactivate(deactivations, call), await this.#suppliers(upserts, call)];
      return plans.map((p) => (p.deactivate ? off[deactivations.indexOf(p)]! : up[upserts.indexOf(p)]!));
    }
    if (plans.length === 0) return [];
    const results = await this.coupa.upsertSuppliers(plans.map((p) => p.input), call);
    return results.map((r) => {
      if (!r.ok) return failure(r);
      this.state.noteSupplier(r.supplier);
      return { originId: '', ok: true, targetId: r.id };
    });
  }

  /**
   * Suppliers deleted in Exact: set inactive under the name Coupa has (a name edited in Coupa
   * stays); one Coupa has no longer is not created; one already inactive costs no write. The
   * connector looks the batch up once (2 calls for one supplier, was 3: decision 0019).
   */
  async #deactivate(plans: readonly PlannedCoupaSupplier[], call: { signal?: AbortSignal }): Promise<WriteOutcome[]> {
    const results = await this.coupa.deactivateSuppliers(plans.map((p) => p.input.number), call);
    return results.map((r): WriteOutcome => {
      if (!r.ok) return failure(r);
      if (r.supplier) this.state.noteSupplier(r.supplier);
      return { originId: '', ok: true, targetId: r.id ?? '' };
    });
  }

  async #orders(plans: readonly PlannedPurchaseOrder[], call: { signal?: AbortSignal }): Promise<WriteOutcome[]> {
    const results = await this.coupa.upsertPurchaseOrders(plans.map((p) => p.input), { ...call, chartOfAccounts: this.policy.chartOfAccounts });
    const outcomes: WriteOutcome[] = results.map((r) => (r.ok ? { originId: '', ok: true, targetId: r.id } : failure(r)));
    const written = results.flatMap((r, i) => (r.ok ? [{ i, po: r.purchaseOrder }] : []));
    for (const { po } of written) this.state.noteOrder(po);
    // Issuing (sending to the supplier) is the flow's policy, one action per PO still in draft.
    if (this.policy.issuePurchaseOrders !== 'off') {
      const drafts = written.filter((w) => w.po.status === 'draft');
      if (drafts.length) {
        const issued = await this.coupa.issuePurchaseOrders(drafts.map((d) => d.po.poNumber), { ...call, withoutSend: this.policy.issuePurchaseOrders === 'issue-without-send' });
        issued.forEach((r, k) => {
          if (!r.ok) outcomes[drafts[k]!.i] = failure(r);
        });
      }
    }
    if (this.policy.markExported) await this.#markExported('purchase-orders', written.filter((w) => !w.po.exported).map((w) => ({ i: w.i, id: w.po.id })), outcomes, call);
    return outcomes;
  }

  async #cancel(plans: readonly PlannedPurchaseOrder[], call: { signal?: AbortSignal }): Promise<WriteOutcome[]> {
    const results = await this.coupa.cancelPurchaseOrders(plans.map((p) => p.originId), call);
    // 'absent': Coupa has no such PO (nothing to cancel); the record is confirmed with no Coupa id.
    return results.map((r) => (r.ok ? { originId: '', ok: true, targetId: r.id ?? '' } : failure(r)));
  }

  async #invoices(plans: readonly PlannedInvoice[], call: { signal?: AbortSignal }): Promise<WriteOutcome[]> {
    const results = await this.coupa.upsertInvoices(plans.map((p) => p.input), { ...call, chartOfAccounts: this.policy.chartOfAccounts });
    const outcomes: WriteOutcome[] = results.map((r) => (r.ok ? { originId: '', ok: true, targetId: r.id } : failure(r)));
    const written = results.flatMap((r, i) => (r.ok ? [{ i, invoice: r.invoice }] : []));
    for (const { invoice } of written) this.state.noteInvoice(invoice);
    if (this.policy.markExported) await this.#markExported('invoices', written.filter((w) => !w.invoice.exported).map((w) => ({ i: w.i, id: w.invoice.id })), outcomes, call);
    return outcomes;
  }

  async #markExported(kind: 'purchase-orders' | 'invoices', items: { i: number; id: string }[], outcomes: WriteOutcome[], call: { signal?: AbortSignal }): Promise<void> {
    if (items.length === 0) return;
    const marked = await this.coupa.markExported(kind, items.map((x) => x.id), call);
    marked.forEach((r, k) => {
      if (!r.ok) outcomes[items[k]!.i] = { ...failure(r), message: `Written, but not yet marked exported in Coupa: ${r.message}` };
    });
  }

  async lookup(entity: string, containerId: string, originIds: readonly string[]): Promise<Map<string, FoundTarget>> {
    const out = new Map<string, FoundTarget>();
    if (entity === 'supplier') {
      const plans = unconfirmedPlans<PlannedCoupaSupplier>(this.store, entity, containerId, originIds);
      const suppliers = await this.coupa.findSuppliersByNumber([...plans.keys()]);
      for (const [number, plan] of plans) {
        const s = suppliers.get(number);
        // A deactivation is done once Coupa's supplier is inactive (or Coupa has none to deactivate).
        if (plan.deactivate) {
          if (!s || s.status === 'inactive') out.set(number, found(s ? s.id : '', plan));
        } else if (s && supplierHolds(s, plan)) out.set(number, found(s.id, plan));
      }
    } else if (entity === 'purchase-order') {
      const plans = unconfirmedPlans<PlannedPurchaseOrder>(this.store, entity, containerId, originIds);
      const orders = await this.coupa.findPurchaseOrdersByNumber([...plans.keys()]);
      for (const [poNumber, plan] of plans) {
        const po = orders.get(poNumber);
        if (po && orderHolds(po, plan, this.policy)) out.set(poNumber, found(po.id, plan));
      }
    } else if (entity === 'purchase-invoice') {
      const plans = [...unconfirmedPlans<PlannedInvoice>(this.store, entity, containerId, originIds).values()];
      const invoices = await this.coupa.findInvoices(plans.map((p) => ({ invoiceNumber: p.input.invoiceNumber, supplier: p.input.supplier })));
      plans.forEach((plan, i) => {
        const invoice = invoices[i];
        if (invoice && invoiceHolds(invoice, plan, this.policy)) out.set(plan.originId, found(invoice.id, plan));
      });
    }
    return out;
  }
}

export function supplierHolds(s: CoupaSupplier, plan: PlannedCoupaSupplier): boolean {
  const input = plan.input;
  if (s.number !== input.number || !sameText(s.name, input.name)) return false;
  if (input.taxId !== undefined && !sameText(s.taxId, input.taxId)) return false;
  if (input.status !== undefined && (s.status ?? 'active') !== input.status) return false;
  if (input.primaryContact !== undefined && !sameValue('email', s.primaryContact?.email ?? null, input.primaryContact?.email ?? null)) return false;
  const codes = new Set(s.remitTos.map((r) => r.code));
  return (input.remitTos ?? []).every((r) => codes.has(r.code));
}

export function orderHolds(po: CoupaPurchaseOrder, plan: PlannedPurchaseOrder, policy: CoupaFlowPolicy): boolean {
  if (plan.containerId === 'cancelled') return po.status === 'cancelled';
  if (po.status === 'cancelled' || po.supplier?.number !== ('number' in plan.input.supplier ? plan.input.supplier.number : null)) return false;
  if (policy.issuePurchaseOrders !== 'off' && po.status === 'draft') return false;
  if (policy.markExported && !po.exported) return false;
  if (po.lines.length !== plan.input.lines.length) return false;
  const byNum = new Map(po.lines.map((l) => [l.lineNum, l]));
  return plan.input.lines.every((l) => {
    const held = byNum.get(l.lineNum);
    return (
      held !== undefined &&
      sameText(held.description, l.description) &&
      sameDecimal(held.quantity, l.quantity) &&
      sameDecimal(held.price, l.price) &&
      held.accountCode === coupaAccountCode(policy.chartOfAccounts, l.glAccount, l.costCenter)
    );
  });
}

export function invoiceHolds(inv: CoupaInvoice, plan: PlannedInvoice, policy: CoupaFlowPolicy): boolean {
  const input = plan.input;
  // A draft is not done: its submit is still to come (the upsert finds the draft and submits it).
  if (EDITABLE_INVOICE.has(inv.status) || inv.invoiceDate !== input.invoiceDate || inv.currency !== input.currency) return false;
  if (inv.isCreditNote !== Boolean(input.creditNote)) return false;
  if (policy.markExported && !inv.exported) return false;
  if (inv.lines.length !== input.lines.length) return false;
  const byNum = new Map(inv.lines.map((l) => [l.lineNum, l]));
  return input.lines.every((l) => {
    const held = byNum.get(l.lineNum);
    return (
      held !== undefined &&
      sameDecimal(held.price, l.price) &&
      sameDecimal(held.quantity, l.quantity) &&
      sameDecimal(held.taxAmount, l.taxAmount) &&
      held.accountCode === coupaAccountCode(policy.chartOfAccounts, l.glAccount, l.costCenter) &&
      (!l.orderLine || ('poNumber' in l.orderLine && held.poNumber === l.orderLine.poNumber))
    );
  });
}

/** Suppliers written to Exact (Coupa → Exact, when enabled): created deduped by Code, or fields changed. */
export class ExactWriter implements TargetWriter<PlannedExactSupplier> {
  readonly system = EXACT;

  constructor(
    private readonly store: Store,
    private readonly exact: ExactSource,
  ) {}

  async write(plans: readonly PlannedExactSupplier[], options: WriteOptions = {}): Promise<WriteOutcome[]> {
    const outcomes: WriteOutcome[] = [];
    for (const plan of plans) {
      if (options.signal?.aborted) {
        outcomes.push({ originId: plan.originId, ok: false, retryable: true, message: 'The run was stopped before this supplier was written to Exact.' });
        continue;
      }
      const call = options.signal ? { signal: options.signal } : {};
      const result = plan.write.kind === 'create' ? await this.exact.createSupplier(plan.write.input, call) : await this.exact.updateSupplier(plan.write.supplierId, plan.write.changes, call);
      outcomes.push(result.ok ? { originId: plan.originId, ok: true, targetId: result.supplierId } : { originId: plan.originId, ok: false, retryable: result.retryable, message: result.problem });
    }
    return outcomes;
  }

  async lookup(entity: string, containerId: string, originIds: readonly string[]): Promise<Map<string, FoundTarget>> {
    const out = new Map<string, FoundTarget>();
    for (const [code, plan] of unconfirmedPlans<PlannedExactSupplier>(this.store, entity, containerId, originIds)) {
      const supplier = await this.exact.findSupplierByCode(code);
      if (supplier && exactHolds(supplier, plan)) out.set(code, found(supplier.sourceId, plan));
    }
    return out;
  }
}

export function exactHolds(s: Supplier, plan: PlannedExactSupplier): boolean {
  // A create is done once the code exists (Code is Exact's dedupe key; the next pass aligns fields).
  if (plan.write.kind === 'create') return true;
  const values = exactValues(s);
  const changes = plan.write.changes;
  return (
    (changes.name === undefined || sameValue('name', values.name, changes.name)) &&
    (changes.email === undefined || sameValue('email', values.email, changes.email)) &&
    (changes.vatNumber === undefined || sameValue('vatNumber', values.vatNumber, changes.vatNumber)) &&
    (changes.blocked === undefined || values.blocked === changes.blocked)
  );
}

/**
 * Recovery resolves every unconfirmed intent of the flow, whichever system it was for: lookups go
 * to the writer of the plan's entity, and `system` names the system of the last lookup, which is
 * what the runner writes on the confirmations it records right after it (engine/sync/recover.ts).
 */
export class RecoveryWriter implements TargetWriter<PlannedWrite> {
  #system = COUPA;

  constructor(
    private readonly coupa: CoupaWriter,
    private readonly exact: ExactWriter,
  ) {}

  get system(): string {
    return this.#system;
  }

  write(): Promise<WriteOutcome[]> {
    throw new Error('The recovery writer only looks records up.');
  }

  lookup(entity: string, containerId: string, originIds: readonly string[]): Promise<Map<string, FoundTarget>> {
    this.#system = entity === 'exact-supplier' ? EXACT : COUPA;
    return entity === 'exact-supplier' ? this.exact.lookup(entity, containerId, originIds) : this.coupa.lookup(entity, containerId, originIds);
  }
}
