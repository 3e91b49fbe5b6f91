import { Decimal } from '../../../../src-shared/domain/money';
import type { PartyRef, PurchaseOrder, SalesInvoice, SalesOrder } from '../../../../src-shared/domain/records';
import { DOCUMENT_LABELS, type DocumentType } from './model';

/**
 * The three Exact documents F4 puts on boards, seen alike: what a board column can show of each.
 * Pure; the planner (plan.ts) decides the cells.
 */
export interface FinanceDocument {
  type: DocumentType;
  sourceId: string;
  number: string;
  /** "Purchase order 20001", "Credit note 26100007": how finance names it. */
  label: string;
  creditNote: boolean;
  date: string;
  /** Sales invoices: due date; purchase orders: receipt date; sales orders: delivery date. */
  dueDate: string | null;
  /** Excl. VAT, two decimals (negative on a credit note). */
  amount: string;
  vatAmount: string;
  currency: string;
  party: PartyRef;
  status: string;
  webUrl: string | null;
  lines: DocumentLine[];
}

export interface DocumentLine {
  lineNumber: number;
  amount: string;
  glAccountCode: string | null;
  glAccountDescription: string | null;
  costCenterCode: string | null;
  costCenterDescription: string | null;
  projectCode: string | null;
}

export type ExactDocument = PurchaseOrder | SalesInvoice | SalesOrder;

const money = (amount: string): string => Decimal.parse(amount).toMoneyString();

export function documentOf(record: ExactDocument): FinanceDocument {
  switch (record.kind) {
    case 'purchase-order':
      return {
        type: 'purchase-order',
        sourceId: record.sourceId,
        number: record.number,
        label: `${DOCUMENT_LABELS['purchase-order']} ${record.number}`,
        creditNote: false,
        date: record.orderDate,
        dueDate: record.receiptDate ?? null,
        // Older records carry no header totals: the lines add up to them (to the cent).
        amount: money(record.amount ?? Decimal.sum(record.lines.map((l) => Decimal.parse(l.amount))).toMoneyString()),
        vatAmount: money(record.vatAmount ?? Decimal.sum(record.lines.map((l) => Decimal.parse(l.vatAmount ?? '0'))).toMoneyString()),
        currency: record.currency,
        party: record.supplier,
        status: record.status,
        webUrl: record.webUrl ?? null,
        lines: record.lines.map((l) => ({
          lineNumber: l.lineNumber,
          amount: l.amount,
          glAccountCode: l.glAccountCode,
          glAccountDescription: l.glAccountDescription ?? null,
          costCenterCode: l.costCenterCode,
          costCenterDescription: l.costCenterDescription ?? null,
          projectCode: l.projectCode,
        })),
      };
    case 'sales-invoice':
      return {
        type: 'sales-invoice',
        sourceId: record.sourceId,
        number: record.invoiceNumber,
        label: `${record.documentType === 'credit-note' ? 'Credit note' : DOCUMENT_LABELS['sales-invoice']} ${record.invoiceNumber}`,
        creditNote: record.documentType === 'credit-note',
        date: record.invoiceDate,
        dueDate: record.dueDate,
        amount: money(record.amount),
        vatAmount: money(record.vatAmount),
        currency: record.currency,
        party: record.customer,
        status: record.status,
        webUrl: record.webUrl,
        lines: record.lines.map(salesLine),
      };
    case 'sales-order':
      return {
        type: 'sales-order',
        sourceId: record.sourceId,
        number: record.orderNumber,
        label: `${DOCUMENT_LABELS['sales-order']} ${record.orderNumber}`,
        creditNote: false,
        date: record.orderDate,
        dueDate: record.deliveryDate,
        amount: money(record.amount),
        vatAmount: money(record.vatAmount),
        currency: record.currency,
        party: record.customer,
        status: record.status,
        webUrl: record.webUrl,
        lines: record.lines.map(salesLine),
      };
  }
}

function salesLine(l: SalesInvoice['lines'][number]): DocumentLine {
  return {
    lineNumber: l.lineNumber,
    amount: l.amount,
    glAccountCode: l.glAccountCode,
    glAccountDescription: l.glAccountDescription,
    costCenterCode: l.costCenterCode,
    costCenterDescription: l.costCenterDescription,
    projectCode: null,
  };
}

/** Distinct non-empty values in line order. */
export function distinct(values: readonly (string | null)[]): string[] {
  return [...new Set(values.filter((v): v is string => v !== null && v.trim() !== ''))];
}

/**
 * The value of the line that carries most of the document (largest amount either way; the
 * first such line on a tie): what a one-label column (status, dropdown) shows of a document
 * coded to several GL accounts or cost centers.
 */
export function mainValue(lines: readonly DocumentLine[], pick: (line: DocumentLine) => string | null): string | null {
  let best: { value: string; size: Decimal } | null = null;
  for (const line of lines) {
    const value = pick(line);
    if (value === null || value.trim() === '') continue;
    const size = Decimal.parse(line.amount).abs();
    if (best === null || size.compare(best.size) > 0) best = { value, size };
  }
  return best?.value ?? null;
}
