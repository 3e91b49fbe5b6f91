import { Decimal } from '../../../src-shared/domain/money';
import type { PurchaseOrder, SalesInvoice, SalesOrder } from '../../../src-shared/domain/records';
import { encodeColumnValues, CellEncodingError, type MondayColumnType } from '../../../src-main/connectors/monday';
import { documentOf } from '../../../src-main/engine/flows/exact-monday/documents';
import { DEFAULT_STATUS_LABELS } from '../../../src-main/engine/flows/exact-monday/mappings';
import type { BoardContext, DocumentType, ExactMondayMappings, Field } from '../../../src-main/engine/flows/exact-monday/model';
import { documentLabel, planItem } from '../../../src-main/engine/flows/exact-monday/plan';
import { exactPurchaseOrderPage } from '../arbitraries/exact';
import { exactSalesInvoicePage, exactSalesOrderPage } from '../arbitraries/exact-sales';
import { readExactPurchaseOrders, readExactSalesInvoices, readExactSalesOrders } from '../connectors/exact-reads';
import { Verdict, type FlowFuzzSpec, type FuzzStream } from '../fuzz-kit';

/**
 * F4 (Exact Online → monday.com) in the fuzz suite: Exact purchase orders, sales invoices and
 * sales orders as generated, malformed pages, read by the Exact connector's mappers and planned
 * by F4's planner onto a fake board (every field mapped to a column of a fitting type), then
 * encoded by the monday connector's column-value encoder. A GL account or cost center outside
 * the reference values flags an item (still written); an unreadable document parks.
 */

const stream = <I>(s: FuzzStream<I>): FuzzStream<never> => s as unknown as FuzzStream<never>;

const COLUMN_TYPES: Record<Exclude<Field, 'key'>, MondayColumnType> = {
  number: 'text',
  date: 'date',
  dueDate: 'date',
  amount: 'numbers',
  vat: 'numbers',
  currency: 'text',
  party: 'text',
  glAccount: 'dropdown',
  glAccountName: 'long_text',
  costCenter: 'status',
  project: 'text',
  status: 'status',
  link: 'link',
  review: 'long_text',
};

const BOARDS: Record<DocumentType, string> = { 'purchase-order': '1001', 'sales-invoice': '1002', 'sales-order': '1003' };

const F4_MAPPINGS: ExactMondayMappings = {
  version: 1,
  boards: new Map(Object.entries(BOARDS).map(([type, boardId]) => [type as DocumentType, { boardId, groupId: 'topics', whenCancelled: 'archive', whenDeleted: 'label' }])),
  columns: new Map(Object.keys(BOARDS).map((type) => [type as DocumentType, new Map(Object.entries(COLUMN_TYPES).map(([field, columnType]) => [field as Field, { columnId: `c_${field}`, columnType }]))])),
  glAccounts: new Map([
    ['8000', 'Omzet'],
    ['4000', 'Materialen'],
  ]),
  costCenters: new Map([['CC1', 'Utrecht']]),
  statuses: new Map(Object.entries(DEFAULT_STATUS_LABELS).map(([type, labels]) => [type as DocumentType, new Map(Object.entries(labels))])),
};

const contextOf = (type: DocumentType): BoardContext => ({
  documentType: type,
  boardId: BOARDS[type],
  boardName: `Fuzz ${type}`,
  groupId: 'topics',
  keyColumnId: 'c_key',
  columns: F4_MAPPINGS.columns.get(type)!,
  policy: { whenCancelled: 'archive', whenDeleted: 'label' },
});

function planF4(record: PurchaseOrder | SalesInvoice | SalesOrder, verdict: Verdict): void {
  const doc = documentOf(record);
  const label = documentLabel(doc);
  const result = planItem(doc, contextOf(doc.type), F4_MAPPINGS);
  if (!result.ok) return verdict.planParked(record.sourceId, label, result.issues, record);
  for (const flag of result.flags ?? []) verdict.planFlagged(label, flag, record);
  const lineSum = Decimal.sum(record.lines.map((l) => Decimal.parse(l.amount)));
  for (const item of result.writes) {
    verdict.sameMoney(`${doc.label} item total`, lineSum, item.total);
    try {
      const values = encodeColumnValues(item.cells) as Record<string, unknown>;
      verdict.sameMoney(`${doc.label} amount column`, lineSum, String(values['c_amount']));
    } catch (error) {
      // The writer parks a cell monday cannot take (connectors/monday/writes.ts): it must say why in words.
      if (!(error instanceof CellEncodingError)) throw error;
      return verdict.planParked(record.sourceId, label, [{ code: 'cell-encoding', message: error.message, mappingKeys: [] } as never], record);
    }
  }
  verdict.synced1(record.sourceId);
}

export const F4_FUZZ: FlowFuzzSpec = {
  flow: 'exact-monday',
  streams: [
    stream({
      name: 'purchase orders (Exact sync feed → board items)',
      page: exactPurchaseOrderPage,
      async run(page) {
        const verdict = new Verdict('Exact Online');
        for (const po of await readExactPurchaseOrders(page, verdict)) planF4(po, verdict);
        return verdict.finish();
      },
    }),
    stream({
      name: 'sales invoices (Exact sync feed → board items)',
      page: exactSalesInvoicePage,
      async run(page) {
        const verdict = new Verdict('Exact Online');
        for (const inv of await readExactSalesInvoices(page, verdict)) planF4(inv, verdict);
        return verdict.finish();
      },
    }),
    stream({
      name: 'sales orders (Exact salesorder/SalesOrders → board items)',
      page: exactSalesOrderPage,
      run(orders) {
        const verdict = new Verdict('Exact Online');
        for (const so of readExactSalesOrders(orders, verdict)) planF4(so, verdict);
        return verdict.finish();
      },
    }),
  ],
};
