import { createHash } from 'node:crypto';
import type { JsonValue } from '../../../../src-shared/domain/audit';
import { Decimal } from '../../../../src-shared/domain/money';
import type { ProcoreConnector, WriteBackResult } from '../../../connectors/procore';
import type {
  BillInput,
  BillUpdate,
  FoundDocument,
  IntacctConnector,
  JournalEntryInput,
  JournalEntryUpdate,
  JournalLineInput,
  LineDimensions,
  PurchasingDocumentInput,
  PurchasingDocumentUpdate,
  WriteResult,
} from '../../../connectors/sage-intacct';
import { canonicalJson } from '../../../store/canonical-json';
import type { Store } from '../../../store/db';
import type { FoundTarget, TargetWriter, WriteOptions, WriteOutcome } from '../../sync/types';
import { F3_FLOW } from './mappings';
import {
  systemOf,
  type PlannedCostCode,
  type PlannedDocument,
  type PlannedIntacctVendor,
  type PlannedPayment,
  type PlannedProcoreVendor,
  type PlannedWrite,
  type PostingLine,
} from './model';
import { sameValue } from './vendors';

/**
 * F3's writer: Intacct documents and vendor changes through the Intacct connector (deterministic
 * controlids under uniqueid=true; an unclear outcome is settled by looking the document up by its
 * key, never by an error number), and Procore vendors, cost codes and payments through the
 * Procore connector (matched by origin id). A document this flow has confirmed before is updated
 * (its lines by LINE_NO), never created twice. Lookups serve crash recovery.
 */
export interface F3WriterDeps {
  store: Store;
  intacct: IntacctConnector;
  procore: ProcoreConnector;
  /** All-or-nothing Intacct requests (transaction="true"). */
  atomic: boolean;
}

const sha = (value: unknown): string => createHash('sha256').update(canonicalJson(value as JsonValue)).digest('hex');

/** A line's dimensions, without the flow's own fields. */
function dims(line: PostingLine): LineDimensions {
  const out: LineDimensions = {};
  for (const field of ['locationId', 'departmentId', 'projectId', 'taskId', 'costTypeId', 'classId', 'itemId'] as const) {
    const value = line[field];
    if (value) out[field] = value;
  }
  return out;
}

function failure(result: Extract<WriteResult, { ok: false }>): WriteOutcome {
  // Refused: fix the data first. Anything else may have happened: the run stops, recovery looks it up.
  const retryable = result.reason !== 'refused';
  return { originId: result.key, ok: false, retryable, message: result.message, details: result.details as unknown as JsonValue };
}

function procoreOutcome(originId: string, result: WriteBackResult | undefined): WriteOutcome {
  if (!result) return { originId, ok: false, retryable: true, message: 'Procore returned no result for it' };
  return result.ok ? { originId, ok: true, targetId: result.procoreId } : { originId, ok: false, retryable: result.retryable, message: result.message };
}

export class F3Writer implements TargetWriter<PlannedWrite> {
  readonly #deps: F3WriterDeps;
  #current: 'sage-intacct' | 'procore' = 'sage-intacct';

  constructor(deps: F3WriterDeps) {
    this.#deps = deps;
  }

  /** The system of the records being written or looked up now (F3 writes to both). */
  get system(): string {
    return this.#current;
  }

  async write(plans: readonly PlannedWrite[], options: WriteOptions = {}): Promise<WriteOutcome[]> {
    const first = plans[0];
    if (!first) return [];
    this.#current = systemOf(first.entity);
    const outcomes: WriteOutcome[] = [];
    for (const entity of new Set(plans.map((p) => p.entity))) {
      const group = plans.filter((p) => p.entity === entity);
      switch (entity) {
        case 'intacct-bill':
        case 'intacct-purchasing':
        case 'intacct-journal':
          outcomes.push(...(await this.#documents(group as PlannedDocument[], options)));
          break;
        case 'intacct-vendor':
          outcomes.push(...(await this.#intacctVendors(group as PlannedIntacctVendor[], options)));
          break;
        case 'procore-vendor': {
          const results = await this.#deps.procore.upsertVendors((group as PlannedProcoreVendor[]).map((p) => p.vendor), options);
          outcomes.push(...group.map((p, i) => procoreOutcome(p.originId, results[i])));
          break;
        }
        case 'procore-cost-code': {
          const byProject = new Map<string, PlannedCostCode[]>();
          for (const p of group as PlannedCostCode[]) byProject.set(p.projectId, [...(byProject.get(p.projectId) ?? []), p]);
          for (const [projectId, codes] of byProject) {
            const results = await this.#deps.procore.upsertCostCodes(projectId, codes.map((c) => c.costCode), options);
            outcomes.push(...codes.map((p, i) => procoreOutcome(p.originId, results[i])));
          }
          break;
        }
        case 'procore-payment': {
          const results = await this.#deps.procore.recordPayments((group as PlannedPayment[]).map((p) => p.payment), options);
          outcomes.push(...group.map((p, i) => procoreOutcome(p.originId, results[i])));
          break;
        }
      }
    }
    return outcomes;
  }

  async lookup(entity: string, containerId: string, originIds: readonly string[]): Promise<Map<string, FoundTarget>> {
    this.#current = systemOf(entity);
    const { intacct } = this.#deps;
    const documentLines = (found: Map<string, FoundDocument>, byDocumentId = false) =>
      new Map(
        [...found].map(([key, d]) => [
          key,
          { targetId: byDocumentId && d.documentId ? d.documentId : d.recordNo, total: d.total, lines: (d.lines ?? []).map((l) => ({ originId: `L${l.lineNo}`, amount: l.amount })) },
        ]),
      );
    switch (entity) {
      case 'intacct-bill':
        return documentLines(await intacct.findBills(originIds, { withLines: true }));
      case 'intacct-purchasing':
        return documentLines(await intacct.findPurchasingDocuments(originIds, { withLines: true }), true);
      case 'intacct-journal': {
        const found = await intacct.findJournalEntries(originIds);
        return new Map(
          [...found].map(([key, d]) => [
            key,
            {
              targetId: d.recordNo,
              total: d.total,
              // Entries in their order, credits negative (as planned); the connector reads each one's side.
              lines: (d.lines ?? []).map((l, i) => ({
                originId: `E${i + 1}`,
                amount: ((l as { side?: string }).side === 'credit' ? Decimal.parse(l.amount).negate() : Decimal.parse(l.amount)).toMoneyString(),
              })),
            },
          ]),
        );
      }
      case 'intacct-vendor':
      case 'procore-vendor':
      case 'procore-cost-code':
      case 'procore-payment':
        return this.#lookupByPlan(entity, containerId, originIds);
      default:
        throw new Error(`F3 does not write ${entity}`);
    }
  }

  /**
   * Vendors and cost codes have no amounts: recovery is handed only those that already hold what
   * the unconfirmed intent planned (with total 0.00, as planned); the others count as not done and
   * are planned again. Payments compare their amount.
   */
  async #lookupByPlan(entity: string, containerId: string, originIds: readonly string[]): Promise<Map<string, FoundTarget>> {
    const { store, intacct, procore } = this.#deps;
    const plans = new Map(
      store.outbox
        .listUnconfirmed(F3_FLOW)
        .map((i) => i.payload as unknown as PlannedWrite)
        .filter((p) => p.entity === entity)
        .map((p) => [p.originId, p]),
    );
    const planned = (originId: string): PlannedWrite | undefined => plans.get(originId);
    const out = new Map<string, FoundTarget>();
    if (entity === 'procore-payment') {
      // A payment is two calls: the contract payment, then the invoice's payment date and ERP
      // status. Found with the first alone, the write is not done: the intent is retired and the
      // payment planned again from Intacct (recordPayments finds the contract payment by its
      // origin id, creates none, and sets the invoice). A void is simply written again.
      const [projectId, commitmentId] = containerId.split('/') as [string, string];
      const paying = originIds.flatMap((originId) => {
        const plan = planned(originId) as PlannedPayment | undefined;
        return plan && plan.payment.target === 'requisition' && !plan.payment.voided ? [{ originId, payment: plan.payment }] : [];
      });
      if (paying.length === 0) return out;
      const found = await procore.findContractPaymentsByOrigin(projectId, commitmentId, paying.map((p) => p.originId));
      const invoices = await procore.findRequisitionsById(projectId, [...new Set(paying.map((p) => p.payment.requisitionId))]);
      for (const { originId, payment } of paying) {
        const contractPayment = found.get(originId);
        const invoice = invoices.get(payment.requisitionId);
        // What the second call sets: a payment date at least this payment's (ISO dates compare as text), and the status planned.
        const dated = typeof invoice?.paymentDate === 'string' && invoice.paymentDate >= payment.date;
        const status = (payment.erpStatus ?? null) === null || invoice?.erpStatus === payment.erpStatus;
        if (contractPayment && dated && status) out.set(originId, { targetId: contractPayment.id, total: contractPayment.amount });
      }
      return out;
    }
    if (entity === 'procore-cost-code') {
      for (const [originId, found] of await procore.findCostCodesByOrigin(containerId, originIds)) {
        const plan = planned(originId) as PlannedCostCode | undefined;
        if (plan && found.name === plan.costCode.name && found.code === plan.costCode.code) out.set(originId, { targetId: found.id, total: '0.00' });
      }
      return out;
    }
    if (entity === 'procore-vendor') {
      for (const [originId, found] of await procore.findVendorsByOrigin(originIds)) {
        const v = (planned(originId) as PlannedProcoreVendor | undefined)?.vendor;
        if (!v) continue;
        const holds =
          found.name === v.name &&
          (v.emailAddress === undefined || sameValue('email', found.emailAddress, v.emailAddress)) &&
          (v.businessPhone === undefined || sameValue('phone', found.businessPhone, v.businessPhone)) &&
          (v.active === undefined || found.active === v.active);
        if (holds) out.set(originId, { targetId: found.sourceId, total: '0.00' });
      }
      return out;
    }
    for (const [originId, found] of await intacct.findVendors(originIds)) {
      const v = (planned(originId) as PlannedIntacctVendor | undefined)?.vendor;
      if (!v) continue;
      const holds =
        (v.name === undefined || found.name === v.name) &&
        (v.email === undefined || sameValue('email', found.email, v.email || null)) &&
        (v.phone === undefined || sameValue('phone', found.phone, v.phone || null)) &&
        (v.active === undefined || found.active === v.active);
      if (holds) out.set(originId, { targetId: found.vendorId, total: '0.00' });
    }
    return out;
  }

  // ---- Intacct documents ------------------------------------------------------------------------

  /** What this flow last confirmed for a document (its target id and plan), if anything. */
  #confirmed(plan: PlannedDocument): { targetId: string; plan: PlannedDocument; changeFrom: string } | null {
    const record = this.#deps.store.targetRecords.get(F3_FLOW, plan.entity, plan.originId);
    if (!record) return null;
    // One controlid per change: what was confirmed (and when) plus what is wanted now. The same
    // change sent again after a lost answer repeats its controlid; a later change never does.
    return { targetId: record.targetId, plan: record.payload as unknown as PlannedDocument, changeFrom: `${record.payloadHash}|${record.updatedAt}` };
  }

  async #documents(plans: readonly PlannedDocument[], options: WriteOptions): Promise<WriteOutcome[]> {
    const creates: PlannedDocument[] = [];
    const updates: { plan: PlannedDocument; targetId: string; previous: PlannedDocument; changeId: string }[] = [];
    for (const plan of plans) {
      const confirmed = this.#confirmed(plan);
      if (confirmed) updates.push({ plan, targetId: confirmed.targetId, previous: confirmed.plan, changeId: `c${sha([confirmed.changeFrom, plan]).slice(0, 20)}` });
      else creates.push(plan);
    }
    const byKey = new Map<string, WriteOutcome>();
    if (creates.length > 0) for (const o of await this.#create(creates, options)) byKey.set(o.originId, o);
    if (updates.length > 0) for (const o of await this.#update(updates, options)) byKey.set(o.originId, o);
    return plans.map((p) => byKey.get(p.originId) ?? { originId: p.originId, ok: false, retryable: true, message: 'Sage Intacct returned no result for it' });
  }

  /**
   * Sends writes. In an all-or-nothing block one refused item rolls back the others: those go
   * again, without the refused ones, as a block of their own, until none is rolled back (each
   * round leaves out at least one refused item, so this ends).
   */
  async #send<I extends { key: string }>(items: I[], send: (items: I[], atomic: boolean) => Promise<WriteResult[]>, options: WriteOptions): Promise<(WriteResult | undefined)[]> {
    const final = new Map<string, WriteResult>();
    let pending = items;
    while (pending.length > 0) {
      const results = await send(pending, this.#deps.atomic);
      const rolledBack: I[] = [];
      pending.forEach((item, i) => {
        const result = results[i];
        if (result && !result.ok && result.reason === 'rolled-back' && !options.signal?.aborted) rolledBack.push(item);
        else if (result) final.set(item.key, result);
      });
      if (rolledBack.length === pending.length) {
        // Nothing was refused, yet all rolled back: not ours to untangle; the run stops and recovery looks them up.
        for (const item of rolledBack) final.set(item.key, results[pending.indexOf(item)]!);
        break;
      }
      pending = rolledBack;
    }
    return items.map((item) => final.get(item.key));
  }

  async #create(plans: PlannedDocument[], options: WriteOptions): Promise<WriteOutcome[]> {
    const { intacct } = this.#deps;
    const entity = plans[0]!.entity;
    const call = { ...(options.signal ? { signal: options.signal } : {}) };
    let results: (WriteResult | undefined)[];
    if (entity === 'intacct-bill') results = await this.#send(plans.map(billInput), (items, atomic) => intacct.createBills(items, { ...call, atomic }), options);
    else if (entity === 'intacct-purchasing') results = await this.#send(plans.map(purchasingInput), (items, atomic) => intacct.createPurchasingDocuments(items, { ...call, atomic }), options);
    else results = await this.#send(plans.map(journalInput), (items, atomic) => intacct.createJournalEntries(items, { ...call, atomic }), options);
    const outcomes: WriteOutcome[] = [];
    const repairs: { plan: PlannedDocument; targetId: string }[] = [];
    plans.forEach((plan, i) => {
      const result = results[i];
      if (!result) outcomes.push({ originId: plan.originId, ok: false, retryable: true, message: 'Sage Intacct returned no result for it' });
      else if (!result.ok) outcomes.push(failure(result));
      // Found under its key (another workstation, or an answer lost earlier) with other figures:
      // bring it to this plan with an update rather than trust what it holds.
      else if (result.how === 'found' && result.total !== null && !Decimal.parse(result.total).equals(Decimal.parse(plan.total))) repairs.push({ plan, targetId: result.targetId });
      else outcomes.push({ originId: plan.originId, ok: true, targetId: result.targetId });
    });
    if (repairs.length > 0)
      outcomes.push(...(await this.#update(repairs.map((r) => ({ ...r, previous: r.plan, changeId: `r${sha(r.plan).slice(0, 20)}` })), options)));
    return outcomes;
  }

  async #update(updates: { plan: PlannedDocument; targetId: string; previous: PlannedDocument; changeId: string }[], options: WriteOptions): Promise<WriteOutcome[]> {
    const { intacct } = this.#deps;
    const entity = updates[0]!.plan.entity;
    const call = { ...(options.signal ? { signal: options.signal } : {}) };
    let results: (WriteResult | undefined)[];
    if (entity === 'intacct-bill') results = await this.#send(updates.map(billUpdate), (items, atomic) => intacct.updateBills(items, { ...call, atomic }), options);
    else if (entity === 'intacct-purchasing') results = await this.#send(updates.map(purchasingUpdate), (items, atomic) => intacct.updatePurchasingDocuments(items, { ...call, atomic }), options);
    else results = await this.#send(updates.map(journalUpdate), (items, atomic) => intacct.updateJournalEntries(items, { ...call, atomic }), options);
    return updates.map((u, i) => {
      const result = results[i];
      if (!result) return { originId: u.plan.originId, ok: false, retryable: true, message: 'Sage Intacct returned no result for it' };
      return result.ok ? { originId: u.plan.originId, ok: true, targetId: u.targetId } : failure(result);
    });
  }

  async #intacctVendors(plans: readonly PlannedIntacctVendor[], options: WriteOptions): Promise<WriteOutcome[]> {
    const results = await this.#send(
      plans.map((p) => ({ ...p.vendor, changeId: `v${sha(p).slice(0, 20)}` })),
      (items, atomic) => this.#deps.intacct.updateVendors(items, { ...(options.signal ? { signal: options.signal } : {}), atomic }),
      options,
    );
    return plans.map((p, i) => {
      const result = results[i];
      if (!result) return { originId: p.originId, ok: false, retryable: true, message: 'Sage Intacct returned no result for it' };
      return result.ok ? { originId: p.originId, ok: true, targetId: result.targetId } : failure(result);
    });
  }
}

// ---- plans → connector inputs -------------------------------------------------------------------

function billInput(plan: PlannedDocument): BillInput {
  const h = plan.header;
  return {
    key: plan.originId,
    vendorId: h.vendorId,
    billNumber: h.number,
    reference: h.reference,
    description: h.description,
    date: h.date,
    ...(h.dueDate ? { dueDate: h.dueDate } : {}),
    ...(plan.draft ? { draft: true } : {}),
    lines: plan.postingLines.map((l) => ({ accountNo: l.accountNo ?? '', amount: l.amount, ...(l.retainage ? { retainage: l.retainage } : {}), description: l.description, ...dims(l) })),
  };
}

function billUpdate(u: { plan: PlannedDocument; targetId: string; changeId: string }): BillUpdate {
  const h = u.plan.header;
  return {
    key: u.plan.originId,
    recordNo: u.targetId,
    changeId: u.changeId,
    ...(u.plan.retainageLineNo !== undefined ? { retainageLineNo: u.plan.retainageLineNo } : {}),
    description: h.description,
    reference: h.reference,
    ...(h.dueDate ? { dueDate: h.dueDate } : {}),
    lines: u.plan.postingLines.map((l) => ({ lineNo: l.lineNo, accountNo: l.accountNo ?? '', amount: l.amount, ...(l.retainage ? { retainage: l.retainage } : {}), description: l.description, ...dims(l) })),
  };
}

function purchasingLine(l: PostingLine) {
  return { quantity: '1', unitPrice: l.amount, memo: l.description, ...dims(l) };
}

function purchasingInput(plan: PlannedDocument): PurchasingDocumentInput {
  const h = plan.header;
  return {
    key: plan.originId,
    transactionType: plan.transactionType ?? 'Purchase Order',
    vendorId: h.vendorId,
    date: h.date,
    referenceNo: h.number,
    message: h.description,
    ...(h.projectId ? { projectId: h.projectId } : {}),
    // Contact names the vendor's documents go to and come from: its display contact, named like the vendor.
    returnTo: h.vendorName,
    payTo: h.vendorName,
    lines: plan.postingLines.map(purchasingLine),
  };
}

function purchasingUpdate(u: { plan: PlannedDocument; targetId: string; previous: PlannedDocument; changeId: string }): PurchasingDocumentUpdate {
  // Lines Intacct has (those posted before) change by line_num; the others are appended, in order.
  const posted = Math.max(0, ...u.previous.postingLines.map((l) => l.lineNo));
  return {
    key: u.plan.originId,
    transactionType: u.plan.transactionType ?? 'Purchase Order',
    documentId: u.targetId,
    changeId: u.changeId,
    message: u.plan.header.description,
    lines: u.plan.postingLines.map((l) => (l.lineNo <= posted ? { ...purchasingLine(l), lineNo: l.lineNo } : purchasingLine(l))),
  };
}

function journalLines(plan: PlannedDocument): JournalLineInput[] {
  const lines: JournalLineInput[] = [];
  let net = Decimal.ZERO;
  for (const l of plan.postingLines) {
    const amount = Decimal.parse(l.amount);
    net = net.plus(amount);
    if (amount.isZero()) continue;
    lines.push({ accountNo: l.accountNo ?? '', side: amount.isNegative() ? 'credit' : 'debit', amount: amount.abs().toMoneyString(), description: l.description, ...dims(l) });
  }
  const first = plan.postingLines[0];
  if (!net.isZero())
    lines.push({
      accountNo: plan.journal?.offsetAccountNo ?? '',
      side: net.isNegative() ? 'debit' : 'credit',
      amount: net.abs().toMoneyString(),
      description: `${plan.header.number} ${plan.header.vendorName}`,
      ...(first?.locationId ? { locationId: first.locationId } : {}),
    });
  return lines;
}

function journalInput(plan: PlannedDocument): JournalEntryInput {
  return { key: plan.originId, journal: plan.journal?.symbol ?? 'GJ', date: plan.header.date, title: `${plan.header.number} ${plan.header.description}`, lines: journalLines(plan) };
}

function journalUpdate(u: { plan: PlannedDocument; targetId: string; changeId: string }): JournalEntryUpdate {
  return { key: u.plan.originId, recordNo: u.targetId, changeId: u.changeId, title: `${u.plan.header.number} ${u.plan.header.description}`, date: u.plan.header.date, lines: journalLines(u.plan) };
}
