import { Decimal, isKnownCurrency } from '../../../../src-shared/domain/money';
import type { PurchaseInvoice, PurchaseOrder } from '../../../../src-shared/domain/records';
import type { CoupaInvoice, CoupaPurchaseOrder, CoupaSupplier, InvoiceLineInput, PurchaseOrderLineInput } from '../../../connectors/coupa';
import { canonicalJson } from '../../../store/canonical-json';
import { accountKey, creditNoteKey } from './mappings';
import {
  f5Key,
  type CoupaView,
  type CreditNoteOriginal,
  type F5Issue,
  type F5Mappings,
  type F5PlanResult,
  type PlannedInvoice,
  type PlannedPurchaseOrder,
} from './model';
import { coupaAccountCode } from './policy';
import { cutText } from '../../../../src-shared/domain/text';

/**
 * Pure planning of F5's documents: an Exact purchase order → a Coupa external PO, an Exact
 * purchase entry → a Coupa invoice or credit note. Each line is coded through the account table;
 * what Coupa already holds (read before planning) decides whether the document may be written or
 * must wait for a person — never a change to what Coupa has approved, paid or closed. No I/O.
 */

/** Coupa statuses in which the API may still change an invoice (a draft). */
const INVOICE_EDITABLE = new Set(['new', 'draft', 'invalid']);
/** Coupa's PO number limit (fact sheet §3.4). */
const MAX_PO_NUMBER = 20;
const MAX_INVOICE_NUMBER = 40;

export const money = (d: Decimal): string => d.toMoneyString();
const dec = (text: string): Decimal => Decimal.parse(text);

/** "12,345.60": amounts in parking reasons as a controller reads them. */
export function formatAmount(amount: string | Decimal): string {
  const text = typeof amount === 'string' ? dec(amount).toMoneyString() : amount.toMoneyString();
  const [int = '0', frac = '00'] = text.replace('-', '').split('.');
  return `${text.startsWith('-') ? '-' : ''}${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
}

/** The Coupa supplier number an Exact supplier code is linked to (a confirmed link, else the same). */
export function coupaNumberOf(m: F5Mappings, supplierCode: string): string {
  return m.supplierLinks.get(supplierCode) ?? supplierCode;
}

export function poNumberOf(m: F5Mappings, orderNumber: string): string {
  return `${m.policy.poNumberPrefix}${orderNumber.trim()}`;
}

export const invoiceOriginId = (supplierNumber: string, invoiceNumber: string): string => `${supplierNumber}/${invoiceNumber}`;

/** The same JSON, key order aside: a plan Coupa already holds from an earlier run. */
export function samePlan(a: unknown, b: unknown): boolean {
  return a !== undefined && b !== undefined && canonicalJson(a as never) === canonicalJson(b as never);
}

interface SupplierCheck {
  number: string;
  supplier: CoupaSupplier;
}

/** The Coupa supplier a document goes to, or why it cannot (not in Coupa, inactive). */
function checkSupplier(party: { code: string; name: string }, label: string, m: F5Mappings, coupa: CoupaView): SupplierCheck | F5Issue {
  const number = coupaNumberOf(m, party.code);
  const supplier = coupa.supplierByNumber(number);
  const mappingKeys = [f5Key.supplier(party.code)];
  if (!supplier) {
    const sameName = coupa.supplierByName(party.name);
    return {
      code: 'unknown-supplier',
      message:
        `${label}: supplier ${cutText(party.code)} (${cutText(party.name)}) is not in Coupa` +
        (number !== party.code ? ` under number ${number}` : '') +
        (sameName ? `; Coupa has a supplier named "${sameName.name}"${sameName.number ? ` with number ${sameName.number}` : ' without a number'}: confirm the link under Mappings › Supplier links` : '; the supplier sync creates it, or link it under Mappings › Supplier links'),
      mappingKeys,
    };
  }
  if (supplier.status === 'inactive')
    return { code: 'supplier-inactive', message: `${label}: supplier ${cutText(party.code)} (${cutText(party.name)}) is inactive in Coupa; activate it there (or block it in Exact)`, mappingKeys };
  return { number, supplier };
}

interface CodedLine {
  glAccount: string;
  costCenter: string | null;
  accountCode: string;
}

/** A line's GL account and cost center through the account table, or why it cannot be coded. */
function codeLine(
  line: { sourceLineId: string; lineNumber: number; glAccountCode: string | null; costCenterCode: string | null },
  label: string,
  m: F5Mappings,
): CodedLine | F5Issue {
  const at = { sourceLineId: line.sourceLineId };
  if (!line.glAccountCode)
    return { code: 'missing-gl-account', message: `Line ${line.lineNumber} of ${label} has no G/L account (check the item's purchase account in Exact)`, ...at, mappingKeys: [] };
  const cc = line.costCenterCode || null;
  const mapped = m.accounts.get(accountKey(line.glAccountCode, cc));
  if (!mapped)
    return {
      code: 'unmapped-account',
      message: `GL ${cutText(line.glAccountCode)}${cc ? ` / cost center ${cutText(cc)}` : ' without a cost center'} (line ${line.lineNumber} of ${label}) has no Coupa account mapping`,
      ...at,
      mappingKeys: [f5Key.account(line.glAccountCode, cc)],
    };
  return { ...mapped, accountCode: coupaAccountCode(m.policy.chartOfAccounts, mapped.glAccount, mapped.costCenter) };
}

/** Quantity × price when it gives the amount to the cent (a quantity line); else an amount line of the amount. */
function priceOf(quantity: string | null | undefined, unitPrice: string | null | undefined, amount: string): { quantity: string | null; price: string } {
  if (quantity && unitPrice) {
    const q = dec(quantity);
    if (!q.isZero() && q.times(dec(unitPrice), 2).equals(dec(amount).roundToCents())) return { quantity: q.toString(), price: dec(unitPrice).toString() };
  }
  return { quantity: null, price: dec(amount).toMoneyString() };
}


/**
 * Lines whose amount is not whole cents: Coupa books cents, and money is never rounded silently,
 * so the document waits until the amount is corrected in Exact.
 */
function centIssues(lines: readonly { sourceLineId: string; lineNumber: number; amount: string }[], label: string): F5Issue[] {
  return lines.flatMap((line): F5Issue[] => {
    const amount = dec(line.amount);
    if (amount.equals(amount.roundToCents())) return [];
    return [
      {
        code: 'amount-not-cents',
        message: `Line ${line.lineNumber} of ${label} has the amount ${amount.toString()}, with fractions of a cent; Coupa books whole cents and the amount is not rounded. Correct it in Exact Online`,
        sourceLineId: line.sourceLineId,
        mappingKeys: [],
      },
    ];
  });
}

function lineTotal(line: { quantity: string | null; price: string }): Decimal {
  return line.quantity === null ? dec(line.price).roundToCents() : dec(line.quantity).times(dec(line.price), 2);
}

function duplicateLines(lines: readonly { lineNumber: number; sourceLineId: string }[], label: string): F5Issue[] {
  const seen = new Set<number>();
  const issues: F5Issue[] = [];
  for (const l of lines) {
    if (seen.has(l.lineNumber))
      issues.push({ code: 'duplicate-line-number', message: `${label} has line number ${l.lineNumber} twice; Coupa matches lines by their number`, sourceLineId: l.sourceLineId, mappingKeys: [] });
    seen.add(l.lineNumber);
  }
  return issues;
}

// ---- purchase orders ----------------------------------------------------------------------

/** How finance names the document in reasons: "Purchase order 20012" (the supplier is named where it matters). */
export function purchaseOrderLabel(po: Pick<PurchaseOrder, 'number'>): string {
  return `Purchase order ${cutText(po.number)}`;
}

/** A currency code Coupa could not book (ISO 4217 has no such currency in use): parked, never sent. */
function currencyIssues(currency: string, label: string): F5Issue[] {
  if (isKnownCurrency(currency)) return [];
  return [{ code: 'currency-mismatch', message: `${label} is in "${cutText(currency, 20)}", which is not a currency Coupa can book (such as EUR). Correct it in Exact Online`, mappingKeys: [] }];
}

/**
 * An Exact PO as a Coupa external PO. A cancelled one that reached Coupa is cancelled there
 * (policy); one cancelled before it ever reached Coupa is not sent at all.
 */
export function planPurchaseOrder(
  po: PurchaseOrder,
  m: F5Mappings,
  coupa: CoupaView,
  previous: ReadonlyMap<string, unknown>,
): F5PlanResult<PlannedPurchaseOrder> {
  const label = purchaseOrderLabel(po);
  const poNumber = poNumberOf(m, po.number);
  const before = previous.get(poNumber) as PlannedPurchaseOrder | undefined;
  if (po.status === 'cancelled') {
    if (!before || m.policy.cancelledPurchaseOrders === 'leave') return { ok: true, writes: [] };
    return { ok: true, writes: [cancellationOf(before, po.sourceId)] };
  }
  const issues: F5Issue[] = [];
  if (poNumber.length > MAX_PO_NUMBER)
    issues.push({ code: 'po-number-too-long', message: `${label}: Coupa PO number ${poNumber} is ${poNumber.length} characters; Coupa allows ${MAX_PO_NUMBER}. Shorten the PO number prefix`, mappingKeys: [f5Key.setting('poNumberPrefix')] });
  const supplier = checkSupplier(po.supplier, label, m, coupa);
  if ('code' in supplier) issues.push(supplier);
  if (po.lines.length === 0) issues.push({ code: 'no-lines', message: `${label} has no lines`, mappingKeys: [] });
  issues.push(...currencyIssues(po.currency, label), ...duplicateLines(po.lines, label), ...centIssues(po.lines, label));
  const lines: PurchaseOrderLineInput[] = [];
  for (const line of po.lines) {
    const coded = codeLine(line, label, m);
    if ('code' in coded) {
      issues.push(coded);
      continue;
    }
    const priced = priceOf(line.quantity, line.unitPrice, line.amount);
    lines.push({
      lineNum: line.lineNumber,
      description: line.description.trim() || line.itemCode || `Line ${line.lineNumber}`,
      quantity: priced.quantity,
      price: priced.price,
      glAccount: coded.glAccount,
      costCenter: coded.costCenter,
      ...(po.receiptDate ? { needByDate: po.receiptDate } : {}),
    });
  }
  if (issues.length > 0 || 'code' in supplier) return { ok: false, issues };

  const shipTo = shipToAddressOf(po, m, coupa);
  const totals = lines.map((l) => ({ originId: String(l.lineNum), amount: money(lineTotal(l)) }));
  const plan: PlannedPurchaseOrder = {
    entity: 'purchase-order',
    originId: poNumber,
    sourceId: po.sourceId,
    containerId: 'open',
    currency: po.currency,
    orderNumber: po.number,
    input: {
      poNumber,
      supplier: { number: supplier.number },
      currency: po.currency,
      shipToUserLogin: m.policy.shipToUserLogin,
      ...(shipTo ? { shipToAddressCode: shipTo } : {}),
      lines,
    },
    lines: totals,
    total: money(Decimal.sum(totals.map((t) => dec(t.amount)))),
  };
  const inCoupa = coupa.purchaseOrder(poNumber);
  if (inCoupa && (inCoupa.status === 'cancelled' || inCoupa.status === 'closed') && !samePlan(plan, before)) {
    return {
      ok: false,
      issues: [
        {
          code: 'closed-po',
          message:
            inCoupa.status === 'cancelled'
              ? `${label} was changed in Exact, but PO ${poNumber} is cancelled in Coupa; a cancelled purchase order is final there`
              : `${label} was changed in Exact, but PO ${poNumber} is closed in Coupa; reopen it in Coupa, then retry`,
          mappingKeys: [],
        },
      ],
    };
  }
  return { ok: true, writes: [plan] };
}

/** The PO as written before, to be cancelled in Coupa (it keeps its lines and total there). */
export function cancellationOf(written: PlannedPurchaseOrder, sourceId: string): PlannedPurchaseOrder {
  return { ...written, sourceId, containerId: 'cancelled' };
}

function shipToAddressOf(po: PurchaseOrder, m: F5Mappings, coupa: CoupaView): string | null {
  const setting = m.policy.shipToAddress;
  if (setting === 'none') return null;
  if (setting !== 'project') return setting;
  // The order's site: its one Exact project, when Coupa has an address with that location code.
  const projects = new Set(po.lines.map((l) => l.projectCode).filter((p): p is string => !!p));
  const [project] = projects;
  return projects.size === 1 && project && coupa.addressCodes()?.has(project) ? project : null;
}

// ---- invoices -------------------------------------------------------------------------------

/** "Purchase invoice F2026-00012 (entry 26700012)" / "Credit note CN-7 (entry 26700140)". */
export function invoiceLabel(inv: Pick<PurchaseInvoice, 'invoiceNumber' | 'entryNumber' | 'documentType'>): string {
  return `${inv.documentType === 'credit-note' ? 'Credit note' : 'Purchase invoice'} ${cutText(inv.invoiceNumber)} (entry ${cutText(inv.entryNumber)})`;
}

/** Why a Coupa invoice cannot take what was planned, or null when it can. */
function lockedIssue(current: CoupaInvoice, label: string, changed: boolean): F5Issue | null {
  if (INVOICE_EDITABLE.has(current.status) && !current.paid) return null;
  const mappingKeys: string[] = [];
  if (changed)
    return {
      code: 'approved-invoice-changed',
      message: `${label} was changed in Exact after it was sent, but Coupa's invoice is ${current.paid ? 'paid' : current.status.replace(/_/g, ' ')} and cannot be changed; correct it with a credit note in Exact, or in Coupa`,
      mappingKeys,
    };
  if (current.paid)
    return { code: 'invoice-paid', message: `${label} is already in Coupa and paid there (not sent by this sync); it is left as Coupa has it — compare the two and settle any difference in Exact`, mappingKeys };
  if (current.status === 'approved')
    return { code: 'invoice-approved', message: `${label} is already in Coupa and approved there (not sent by this sync); it is left as Coupa has it — compare the two and settle any difference in Exact`, mappingKeys };
  if (current.status === 'pending_approval' || current.status.endsWith('hold') || current.status.startsWith('pending'))
    return { code: 'invoice-in-approval', message: `${label} is already in Coupa, in approval (${current.status.replace(/_/g, ' ')}); Coupa freezes it until it is approved or rejected`, mappingKeys };
  return { code: 'invoice-final', message: `${label} is ${current.status.replace(/_/g, ' ')} in Coupa; the API cannot change it`, mappingKeys };
}

export function planInvoice(
  inv: PurchaseInvoice,
  m: F5Mappings,
  coupa: CoupaView,
  originals: ReadonlyMap<string, CreditNoteOriginal>,
  previous: ReadonlyMap<string, unknown>,
): F5PlanResult<PlannedInvoice> {
  const label = invoiceLabel(inv);
  const creditNote = inv.documentType === 'credit-note';
  if (inv.status === 'rejected') {
    // Rejected in Exact: not a liability. Not sent; one already in Coupa needs a person there.
    const sent = [...previous.values()].some((p) => (p as PlannedInvoice | undefined)?.entity === 'purchase-invoice');
    if (!sent) return { ok: true, writes: [] };
    return { ok: false, issues: [{ code: 'invoice-rejected-in-exact', message: `${label} was rejected in Exact after it was sent to Coupa; void or abandon it in Coupa`, mappingKeys: [] }] };
  }
  const issues: F5Issue[] = [];
  if (inv.invoiceNumber.length > MAX_INVOICE_NUMBER)
    issues.push({ code: 'invoice-number-too-long', message: `${label}: the invoice number is ${inv.invoiceNumber.length} characters; Coupa allows ${MAX_INVOICE_NUMBER}`, mappingKeys: [] });
  const supplier = checkSupplier(inv.supplier, label, m, coupa);
  let remitToCode: string | null = null;
  if ('code' in supplier) issues.push(supplier);
  else {
    const remit = remitToOf(inv.supplier, supplier.supplier, label, m);
    if (typeof remit === 'string') remitToCode = remit;
    else issues.push(remit);
  }
  if (inv.lines.length === 0) issues.push({ code: 'no-lines', message: `${label} has no lines`, mappingKeys: [] });
  issues.push(...currencyIssues(inv.currency, label), ...duplicateLines(inv.lines, label), ...centIssues(inv.lines, label));

  let original: CreditNoteOriginal | undefined;
  if (creditNote) {
    original = originals.get(inv.sourceId);
    if (!original || !original.ok)
      issues.push({
        code: 'credit-note-original-unknown',
        message: `${label}: Exact does not record which invoice it corrects${original && !original.ok ? ` (${original.problem})` : ''}; enter the corrected invoice's number under Mappings › Credit notes`,
        mappingKeys: [f5Key.creditNote(inv.supplier.code, inv.invoiceNumber)],
      });
  }
  // Coupa's credit notes carry negative amounts; an Exact credit note booked with positive ones is turned.
  const net = Decimal.sum(inv.lines.map((l) => dec(l.amount)));
  const sign = creditNote && !net.isNegative() && !net.isZero() ? -1 : 1;
  const signed = (text: string): string => (sign < 0 ? dec(text).negate().toString() : text);

  const coded: { line: PurchaseInvoice['lines'][number]; coding: CodedLine }[] = [];
  for (const line of inv.lines) {
    const c = codeLine(line, label, m);
    if ('code' in c) issues.push(c);
    else coded.push({ line, coding: c });
  }

  // The PO the entry references: its lines in Coupa take the invoice lines (order-line-id).
  let po: CoupaPurchaseOrder | null = null;
  const poNumber = inv.purchaseOrderNumber ? poNumberOf(m, inv.purchaseOrderNumber) : null;
  if (poNumber && !('code' in supplier)) {
    const found = coupa.purchaseOrder(poNumber);
    if (!found)
      issues.push({ code: 'po-not-in-coupa', message: `${label} is for purchase order ${inv.purchaseOrderNumber}, which is not in Coupa (yet): see why under Pending validation, or sync it first`, mappingKeys: [] });
    else if (found.status === 'cancelled' || found.status === 'closed')
      issues.push({ code: 'closed-po', message: `${label} is for purchase order ${inv.purchaseOrderNumber}, which is ${found.status} in Coupa; reopen it there or book the invoice without the order`, mappingKeys: [] });
    else if (found.supplier?.number && found.supplier.number !== supplier.number)
      issues.push({ code: 'po-line-unmatched', message: `${label} is from supplier ${supplier.number}, but purchase order ${inv.purchaseOrderNumber} is for supplier ${found.supplier.number} in Coupa`, mappingKeys: [] });
    else po = found;
  }

  const lines: InvoiceLineInput[] = [];
  const billed = new Map<number, Decimal>();
  for (const { line, coding } of coded) {
    const priced = priceOf(line.quantity, line.unitPrice, line.amount);
    const input: InvoiceLineInput = {
      lineNum: line.lineNumber,
      description: line.description.trim() || `Line ${line.lineNumber}`,
      quantity: priced.quantity,
      price: priced.quantity === null ? signed(priced.price) : priced.price,
      taxAmount: dec(signed(line.vatAmount)).toMoneyString(),
      glAccount: coding.glAccount,
      costCenter: coding.costCenter,
    };
    if (sign < 0 && priced.quantity !== null) input.quantity = dec(priced.quantity).negate().toString();
    if (po) {
      const match = matchOrderLine(po, coding.accountCode, input.description, lineTotal(input));
      if (!match) {
        issues.push({
          code: 'po-line-unmatched',
          message: `Line ${line.lineNumber} of ${label} (GL ${line.glAccountCode}${line.costCenterCode ? ` / ${line.costCenterCode}` : ''}) matches no line of purchase order ${inv.purchaseOrderNumber} in Coupa`,
          sourceLineId: line.sourceLineId,
          mappingKeys: [],
        });
        continue;
      }
      input.orderLine = { poNumber: po.poNumber, lineNum: match.lineNum };
      billed.set(match.lineNum, (billed.get(match.lineNum) ?? Decimal.ZERO).plus(lineTotal(input)));
    }
    lines.push(input);
  }
  if (po && !creditNote)
    for (const [lineNum, amount] of billed) {
      const ordered = po.lines.find((l) => l.lineNum === lineNum);
      if (ordered && amount.compare(dec(ordered.total)) > 0)
        issues.push({
          code: 'amount-mismatch',
          message: `${label} bills ${formatAmount(amount)} ${inv.currency} on line ${lineNum} of purchase order ${inv.purchaseOrderNumber}, which is for ${formatAmount(ordered.total)} ${inv.currency}`,
          mappingKeys: [],
        });
    }
  if (issues.length > 0 || 'code' in supplier || remitToCode === null) return { ok: false, issues };

  const lineTotals = lines.map((l) => ({ originId: String(l.lineNum), amount: money(lineTotal(l)) }));
  const netTotal = Decimal.sum(lineTotals.map((t) => dec(t.amount)));
  const tax = Decimal.sum(lines.map((l) => dec(l.taxAmount)));
  const plan: PlannedInvoice = {
    entity: 'purchase-invoice',
    originId: invoiceOriginId(supplier.number, inv.invoiceNumber),
    sourceId: inv.sourceId,
    containerId: 'coupa',
    currency: inv.currency,
    input: {
      invoiceNumber: inv.invoiceNumber,
      invoiceDate: inv.invoiceDate,
      supplier: { number: supplier.number },
      currency: inv.currency,
      remitToCode,
      billToLocationCode: m.policy.billToLocationCode,
      lineLevelTaxation: true,
      creditNote: original?.ok ? { originalInvoiceNumber: original.invoiceNumber, originalInvoiceDate: original.invoiceDate } : null,
      ...(inv.dueDate ? { netDueDate: inv.dueDate } : {}),
      lines,
    },
    lines: lineTotals,
    net: money(netTotal),
    tax: money(tax),
    total: money(netTotal.plus(tax)),
  };
  const inCoupa = coupa.invoice(supplier.number, inv.invoiceNumber);
  const before = previous.get(plan.originId);
  if (inCoupa) {
    // What this sync sent and Coupa still holds is "unchanged" (by the runner's hash), never a write.
    if (samePlan(plan, before)) return { ok: true, writes: [plan] };
    const locked = lockedIssue(inCoupa, label, before !== undefined);
    if (locked) return { ok: false, issues: [locked] };
  }
  return { ok: true, writes: [plan] };
}

/** The remit-to code an invoice of this supplier uses: the mapped one, else Coupa's only active one. */
function remitToOf(party: { code: string; name: string }, supplier: CoupaSupplier, label: string, m: F5Mappings): string | F5Issue {
  const active = supplier.remitTos.filter((r) => r.active && r.code);
  const mappingKeys = [f5Key.remitTo(party.code)];
  const mapped = m.remitTos.get(party.code);
  if (mapped) {
    if (active.some((r) => r.code === mapped)) return mapped;
    return { code: 'supplier-remit-to', message: `${label}: remit-to ${mapped} (mapped for supplier ${cutText(party.code)}, ${cutText(party.name)}) is not an active remit-to address of the supplier in Coupa`, mappingKeys };
  }
  if (active.length === 1) return active[0]!.code;
  return {
    code: 'supplier-remit-to',
    message:
      active.length === 0
        ? `${label}: supplier ${cutText(party.code)} (${cutText(party.name)}) has no active remit-to address in Coupa; add one to the supplier in Coupa`
        : `${label}: supplier ${cutText(party.code)} (${cutText(party.name)}) has ${active.length} remit-to addresses in Coupa; choose the one for its invoices under Mappings › Remit-to addresses`,
    mappingKeys,
  };
}

/**
 * The PO line an invoice line bills. Exact entry lines do not name one, so: a line with the same
 * Coupa account, preferring the same amount, then a line that covers the amount, each with the
 * same description first; else the lowest-numbered line with that account (an over-billing then
 * shows against it).
 */
export function matchOrderLine(po: CoupaPurchaseOrder, accountCode: string, description: string, amount: Decimal): CoupaPurchaseOrder['lines'][number] | null {
  type Line = CoupaPurchaseOrder['lines'][number];
  const candidates = po.lines.filter((l) => l.accountCode === accountCode).sort((a, b) => a.lineNum - b.lineNum);
  const sameText = (l: Line): boolean => (l.description ?? '').trim().toLowerCase() === description.trim().toLowerCase();
  const sameAmount = (l: Line): boolean => dec(l.total).equals(amount);
  const covers = (l: Line): boolean => dec(l.total).compare(amount) >= 0;
  const tiers: ((l: Line) => boolean)[] = [(l) => sameAmount(l) && sameText(l), sameAmount, (l) => covers(l) && sameText(l), covers, sameText, () => true];
  for (const tier of tiers) {
    const found = candidates.find(tier);
    if (found) return found;
  }
  return null;
}

/** The credit-note mapping row for a credit note, when there is one. */
export function mappedOriginal(m: F5Mappings, inv: Pick<PurchaseInvoice, 'supplier' | 'invoiceNumber'>): string | undefined {
  return m.creditNotes.get(creditNoteKey(inv.supplier.code, inv.invoiceNumber));
}

/** The corrected invoice's number as the description names it (policy.creditNoteReference), or null. */
export function referencedInvoiceNumber(pattern: string, description: string): string | null {
  const match = new RegExp(pattern, 'i').exec(description);
  return match?.[1]?.trim() || null;
}
