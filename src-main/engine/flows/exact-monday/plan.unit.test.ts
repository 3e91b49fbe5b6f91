import { describe, expect, it } from 'vitest';
import type { PurchaseOrder, SalesInvoice, SalesOrder } from '../../../../src-shared/domain/records';
import { checkColumnMapping, type MondayBoard, type MondayColumnType } from '../../../connectors/monday';
import { checkBoard, statusLabelsNeeded } from './board-check';
import { documentOf, mainValue } from './documents';
import { DEFAULT_STATUS_LABELS } from './mappings';
import type { BoardContext, BoardTarget, DocumentType, ExactMondayMappings, Field, PlannedItem } from './model';
import { documentRecordLabel } from './labels';
import { BoardNumbers, CONFIRMED_ITEM_FIELDS, fromConfirmed } from './numbers';
import { documentLabel, planDeletion, planItem, referenceFlags } from './plan';

/** F4's pure parts: documents, the board check, planning with flags, deletions. */

const party = { sourceId: 'acc-1', code: '40008', name: 'Brightline Electrical Services Ltd' };

function po(overrides: Partial<PurchaseOrder> = {}): PurchaseOrder {
  return {
    kind: 'purchase-order',
    sourceId: 'po-guid-1',
    number: '20001',
    supplier: party,
    orderDate: '2026-05-18',
    description: 'P26-005/816',
    currency: 'EUR',
    status: 'open',
    sourceVersion: '10',
    receiptDate: '2026-07-08',
    amount: '1500.10',
    vatAmount: '315.02',
    webUrl: 'https://start.exactonline.nl/docs/PurPurchaseOrder.aspx?PurchaseOrderID=%7bpo-guid-1%7d',
    lines: [
      { sourceLineId: 'l1', lineNumber: 1, itemCode: 'A', glAccountCode: '4120', glAccountDescription: 'Onderaanneming elektrotechniek', costCenterCode: 'KST-18', costCenterDescription: 'Staal', costUnitCode: null, projectCode: 'P26-005', description: 'x', quantity: '1', unitPrice: '1000.10', unit: null, amount: '1000.10' },
      { sourceLineId: 'l2', lineNumber: 2, itemCode: 'B', glAccountCode: '4130', glAccountDescription: 'Onderaanneming HVAC', costCenterCode: 'KST-12', costCenterDescription: 'Elektro', costUnitCode: null, projectCode: 'P26-005', description: 'y', quantity: '1', unitPrice: '500.00', unit: null, amount: '500.00' },
    ],
    ...overrides,
  };
}

function salesInvoice(overrides: Partial<SalesInvoice> = {}): SalesInvoice {
  return {
    kind: 'sales-invoice',
    sourceId: 'si-guid-1',
    invoiceNumber: '26100001',
    documentType: 'invoice',
    customer: { sourceId: 'c1', code: '20006', name: 'Logistiek Vastgoed Brabant B.V.' },
    invoiceDate: '2026-06-28',
    dueDate: '2026-07-28',
    currency: 'EUR',
    status: 'processed',
    yourRef: null,
    amount: '135677.16',
    vatAmount: '28492.20',
    webUrl: 'https://start.exactonline.nl/docs/SlsInvoice.aspx',
    sourceVersion: '1',
    lines: [
      { sourceLineId: 'sl1', lineNumber: 1, itemCode: null, glAccountCode: '8000', glAccountDescription: 'Omzet aanneemsommen', costCenterCode: 'KST-10', costCenterDescription: 'Ruwbouw', costUnitCode: null, description: 'Termijn 1', quantity: '1', unitPrice: '135677.16', amount: '135677.16', vatAmount: '28492.20', vatCode: '2' },
    ],
    ...overrides,
  };
}

const salesOrder = (overrides: Partial<SalesOrder> = {}): SalesOrder => ({
  kind: 'sales-order',
  sourceId: 'so-guid-1',
  orderNumber: '30010',
  customer: { sourceId: 'c2', code: '20005', name: 'Riverside NHS Estates Ltd' },
  orderDate: '2025-12-14',
  deliveryDate: null,
  description: 'Verkooporder',
  currency: 'EUR',
  status: 'open',
  yourRef: null,
  amount: '421148.04',
  vatAmount: '0.00',
  webUrl: 'https://start.exactonline.nl/docs/SlsSalesOrder.aspx',
  sourceVersion: 's',
  lines: [
    { sourceLineId: 'o1', lineNumber: 1, itemCode: 'OMZET-8010', glAccountCode: '8010', glAccountDescription: 'Omzet meerwerk', costCenterCode: null, costCenterDescription: null, costUnitCode: null, description: 'Meerwerk', quantity: '4', unitPrice: '15190.88', amount: '60763.52', vatAmount: '0.00', vatCode: null },
    { sourceLineId: 'o2', lineNumber: 2, itemCode: 'OMZET-8000', glAccountCode: '8000', glAccountDescription: 'Omzet aanneemsommen', costCenterCode: null, costCenterDescription: null, costUnitCode: null, description: 'Termijn', quantity: '4', unitPrice: '90096.13', amount: '360384.52', vatAmount: '0.00', vatCode: null },
  ],
  ...overrides,
});

const ALL_FIELDS: Record<Exclude<Field, 'key'>, { columnId: string; columnType: MondayColumnType }> = {
  number: { columnId: 'doc_no', columnType: 'text' },
  date: { columnId: 'doc_date', columnType: 'date' },
  dueDate: { columnId: 'due_date', columnType: 'date' },
  amount: { columnId: 'amount', columnType: 'numbers' },
  vat: { columnId: 'vat', columnType: 'numbers' },
  currency: { columnId: 'currency', columnType: 'text' },
  party: { columnId: 'party', columnType: 'text' },
  glAccount: { columnId: 'gl_account', columnType: 'text' },
  glAccountName: { columnId: 'gl_name', columnType: 'text' },
  costCenter: { columnId: 'cost_center', columnType: 'text' },
  project: { columnId: 'project', columnType: 'text' },
  status: { columnId: 'status', columnType: 'status' },
  link: { columnId: 'exact_url', columnType: 'link' },
  review: { columnId: 'review', columnType: 'long_text' },
};

function context(type: DocumentType = 'purchase-order', overrides: Partial<BoardContext> = {}, columns: Partial<typeof ALL_FIELDS> = ALL_FIELDS): BoardContext {
  return {
    documentType: type,
    boardId: '1800000001',
    boardName: 'Purchase orders',
    groupId: 'topics',
    keyColumnId: 'exact_key',
    columns: new Map(Object.entries(columns) as [Field, { columnId: string; columnType: MondayColumnType }][]),
    policy: { whenCancelled: 'label', whenDeleted: 'archive' },
    ...overrides,
  };
}

function mappings(overrides: Partial<ExactMondayMappings> = {}): ExactMondayMappings {
  return {
    version: 1,
    boards: new Map(),
    columns: new Map(),
    glAccounts: new Map([
      ['4120', '4120 Elektro'],
      ['4130', '4130 HVAC'],
      ['8000', '8000 Omzet'],
      ['8010', '8010 Meerwerk'],
    ]),
    costCenters: new Map([
      ['KST-10', 'KST-10'],
      ['KST-12', 'KST-12'],
      ['KST-18', 'KST-18'],
    ]),
    statuses: new Map(),
    ...overrides,
  };
}

const cellsOf = (item: PlannedItem) => Object.fromEntries(item.cells.map((c) => [c.columnId, c.value]));

function planned(outcome: ReturnType<typeof planItem>): { item: PlannedItem | undefined; flags: string[] } {
  if (!outcome.ok) throw new Error(`parked: ${outcome.issues.map((i) => i.message).join('; ')}`);
  return { item: outcome.writes[0], flags: (outcome.flags ?? []).map((f) => f.code) };
}

describe('documents', () => {
  it('sees the three Exact documents alike: number, dates, amounts to the cent, party, lines', () => {
    expect(documentOf(po())).toMatchObject({ type: 'purchase-order', number: '20001', label: 'Purchase order 20001', date: '2026-05-18', dueDate: '2026-07-08', amount: '1500.10', vatAmount: '315.02' });
    const { amount: _amount, vatAmount: _vat, ...withoutTotals } = po();
    expect(documentOf(withoutTotals)).toMatchObject({ amount: '1500.10', vatAmount: '0.00' });
    expect(documentOf(salesInvoice({ documentType: 'credit-note', amount: '-100.5' }))).toMatchObject({ label: 'Credit note 26100001', creditNote: true, amount: '-100.50' });
    expect(documentOf(salesOrder())).toMatchObject({ type: 'sales-order', label: 'Sales order 30010', dueDate: null, party: { name: 'Riverside NHS Estates Ltd' } });
  });

  it('the main value of several lines is the one carrying the largest amount, either sign', () => {
    const doc = documentOf(po());
    expect(mainValue(doc.lines, (l) => l.glAccountCode)).toBe('4120');
    const credit = documentOf(po({ lines: po().lines.map((l, i) => ({ ...l, amount: i === 1 ? '-5000.00' : l.amount })) }));
    expect(mainValue(credit.lines, (l) => l.glAccountCode)).toBe('4130');
  });
});

describe('planItem', () => {
  it('fills every mapped column from the document: amounts as exact decimals, dates, labels, link; the key is not a cell', () => {
    const { item, flags } = planned(planItem(documentOf(po()), context(), mappings()));
    expect(flags).toEqual([]);
    expect(item).toMatchObject({ entity: 'monday-item', originId: 'po-guid-1', sourceId: 'po-guid-1', containerId: '1800000001', groupId: 'topics', keyColumnId: 'exact_key', name: '20001', action: 'upsert', total: '1500.10', currency: 'EUR' });
    expect(cellsOf(item!)).toEqual({
      doc_no: { kind: 'text', text: '20001' },
      doc_date: { kind: 'date', date: '2026-05-18' },
      due_date: { kind: 'date', date: '2026-07-08' },
      amount: { kind: 'number', amount: '1500.10' },
      vat: { kind: 'number', amount: '315.02' },
      currency: { kind: 'text', text: 'EUR' },
      party: { kind: 'text', text: 'Brightline Electrical Services Ltd' },
      gl_account: { kind: 'text', text: '4120 Elektro, 4130 HVAC' },
      gl_name: { kind: 'text', text: 'Onderaanneming elektrotechniek; Onderaanneming HVAC' },
      cost_center: { kind: 'text', text: 'KST-18, KST-12' },
      project: { kind: 'text', text: 'P26-005' },
      status: { kind: 'text', text: 'Open' },
      exact_url: { kind: 'link', url: po().webUrl, text: 'Purchase order 20001 in Exact Online' },
      review: { kind: 'empty' },
    });
    expect(item!.cells.some((c) => c.columnId === 'exact_key')).toBe(false);
  });

  it('an unmapped GL account or cost center is created anyway, flagged, with the Exact code and the reason in the review column', () => {
    const doc = documentOf(po({ lines: [...po().lines, { ...po().lines[0]!, sourceLineId: 'l3', lineNumber: 3, glAccountCode: '4990', glAccountDescription: 'Diverse projectkosten', costCenterCode: 'KST-19', costCenterDescription: 'Onvoorzien' }] }));
    const outcome = planItem(doc, context(), mappings());
    const { item, flags } = planned(outcome);
    expect(flags).toEqual(['unmapped-gl-account', 'unmapped-cost-center']);
    expect(outcome.ok && outcome.flags!.map((f) => f.mappingKeys)).toEqual([['gl:4990'], ['costcenter:KST-19']]);
    expect(outcome.ok && outcome.flags![0]!.message).toBe(
      'GL account 4990 (Diverse projectkosten) of Purchase order 20001 is not among the GL account reference values; the item shows the Exact code until it is added',
    );
    const cells = cellsOf(item!);
    expect(cells['gl_account']).toEqual({ kind: 'text', text: '4120 Elektro, 4130 HVAC, 4990' });
    expect(cells['cost_center']).toEqual({ kind: 'text', text: 'KST-18, KST-12, KST-19' });
    expect(cells['review']).toMatchObject({ kind: 'text', text: expect.stringContaining('GL account 4990 (Diverse projectkosten)') });
  });

  it('in a one-label column (status, dropdown) a document shows its main value; an unmapped main value leaves it empty rather than be refused', () => {
    const ctx = context('purchase-order', {}, { ...ALL_FIELDS, glAccount: { columnId: 'gl_account', columnType: 'dropdown' } });
    expect(cellsOf(planned(planItem(documentOf(po()), ctx, mappings())).item!)['gl_account']).toEqual({ kind: 'text', text: '4120 Elektro' });
    const unmapped = mappings({ glAccounts: new Map([['4130', '4130 HVAC']]) });
    const { item, flags } = planned(planItem(documentOf(po()), ctx, unmapped));
    expect(cellsOf(item!)['gl_account']).toEqual({ kind: 'empty' });
    expect(flags).toEqual(['unmapped-gl-account']);
  });

  // Found by the planted records (issue 18): a PO in "XXX" was shown on the board unremarked.
  it('a document in a code that is no currency is shown as Exact has it, flagged', () => {
    const { item, flags } = planned(planItem(documentOf(po({ currency: 'XXX' })), context(), mappings()));
    expect(item).toBeDefined();
    expect(flags).toEqual(['currency-mismatch']);
    expect(referenceFlags(documentOf(po({ currency: 'XXX' })), mappings())[0]!.message).toMatch(/^Purchase order \d+ is in "XXX", which is not a currency/);
  });

  it('a line without a GL account is flagged; sales orders without cost centers are not', () => {
    const order = salesOrder();
    expect(planned(planItem(documentOf(order), context('sales-order'), mappings())).flags).toEqual([]);
    const noGl = salesOrder({ lines: [{ ...order.lines[0]!, glAccountCode: null, glAccountDescription: null }] });
    expect(referenceFlags(documentOf(noGl), mappings()).map((f) => [f.code, f.message])).toEqual([['missing-gl-account', 'Sales order 30010 has a line (line 1) without a GL account in Exact']]);
  });

  it('status labels: the mapped label, else the board default; a cancelled order keeps its item with "Canceled" or is archived, per policy', () => {
    const si = planned(planItem(documentOf(salesInvoice()), context('sales-invoice'), mappings({ statuses: new Map([['sales-invoice', new Map([['processed', 'Booked']])]]) }))).item!;
    expect(cellsOf(si)['status']).toEqual({ kind: 'text', text: 'Booked' });
    const cancelled = documentOf(po({ status: 'cancelled' }));
    expect(cellsOf(planned(planItem(cancelled, context(), mappings())).item!)['status']).toEqual({ kind: 'text', text: 'Canceled' });
    const archive = context('purchase-order', { policy: { whenCancelled: 'archive', whenDeleted: 'archive' } });
    expect(planItem(cancelled, archive, mappings())).toEqual({ ok: true, writes: [] });
    const before = planned(planItem(documentOf(po()), context(), mappings())).item!;
    const outcome = planItem(cancelled, archive, mappings(), new Map([[before.originId, before]]));
    expect(outcome.ok && outcome.writes.map((w) => w.action)).toEqual(['archive']);
  });

  it('a credit note is named so and keeps its negative amounts; labels name document, party and amount', () => {
    const doc = documentOf(salesInvoice({ documentType: 'credit-note', amount: '-250.00', vatAmount: '-52.50' }));
    const item = planned(planItem(doc, context('sales-invoice'), mappings())).item!;
    expect(item.name).toBe('26100001 (credit note)');
    expect(cellsOf(item)['amount']).toEqual({ kind: 'number', amount: '-250.00' });
    expect(documentLabel(doc)).toBe('Credit note 26100001 (Logistiek Vastgoed Brabant B.V., EUR -250.00)');
  });

  it('carries one recovery marker: the item with its amount', () => {
    expect(planned(planItem(documentOf(po()), context(), mappings())).item!.lines).toEqual([{ originId: 'po-guid-1#item', amount: '1500.10' }]);
  });
});

describe('planDeletion', () => {
  const written = planned(planItem(documentOf(po()), context(), mappings())).item!;
  it('archives the item by default, never deletes it', () => {
    expect(planDeletion([written], () => context(), mappings()).map((p) => p.action)).toEqual(['archive']);
  });
  it('or keeps it with the status label mapped for "deleted"', () => {
    const m = mappings({ statuses: new Map([['purchase-order', new Map([['deleted', 'Deleted in Exact']])]]) });
    const [plan] = planDeletion([written], () => context('purchase-order', { policy: { whenCancelled: 'label', whenDeleted: 'label' } }), m);
    expect(plan!.action).toBe('upsert');
    expect(cellsOf(plan!)['status']).toEqual({ kind: 'text', text: 'Deleted in Exact' });
    expect(cellsOf(plan!)['amount']).toEqual(cellsOf(written)['amount']);
  });
});

describe('checkBoard', () => {
  const board: MondayBoard = {
    id: '1800000001',
    name: 'Purchase orders',
    workspaceId: null,
    kind: 'public',
    url: '',
    groups: [{ id: 'topics', title: 'Purchase orders' }],
    columns: [
      { id: 'exact_key', title: 'Exact number', type: 'text', settings: {} },
      { id: 'amount', title: 'Amount', type: 'numbers', settings: {} },
      { id: 'doc_date', title: 'Order date', type: 'date', settings: {} },
      { id: 'status', title: 'Status', type: 'status', settings: { labels: { '0': 'Open', '1': 'Partial', '2': 'Complete', '3': 'Canceled' } } },
      { id: 'gl_account', title: 'GL account', type: 'long_text', settings: {} },
      { id: 'amount_vat', title: 'Amount incl. VAT', type: 'formula', settings: {} },
    ],
  };
  const target: BoardTarget = { boardId: '1800000001', groupId: 'topics', whenCancelled: 'label', whenDeleted: 'archive' };
  const columns = (extra: [Field, string, MondayColumnType][] = []) =>
    new Map<DocumentType, ReadonlyMap<Field, { columnId: string; columnType: MondayColumnType }>>([
      [
        'purchase-order',
        new Map<Field, { columnId: string; columnType: MondayColumnType }>(
          ([['key', 'exact_key', 'text'], ['amount', 'amount', 'numbers'], ['date', 'doc_date', 'date'], ['status', 'status', 'status'], ['glAccount', 'gl_account', 'text'], ...extra] as [Field, string, MondayColumnType][]).map(([f, id, t]) => [f, { columnId: id, columnType: t }]),
        ),
      ],
    ]);
  const check = (m: ExactMondayMappings, t = target) => checkBoard('purchase-order', t, board, m, (b, f) => checkColumnMapping(b, f));

  it('passes a mapping that fits, and plans with the type each column has on the board now', () => {
    const result = check(mappings({ columns: columns() }));
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.context.keyColumnId).toBe('exact_key');
      expect(result.context.columns.has('key')).toBe(false);
      // Mapped as text, now long text: still fits, written as long text.
      expect(result.context.columns.get('glAccount')).toEqual({ columnId: 'gl_account', columnType: 'long_text' });
    }
  });

  it('refuses before any write: a missing column, a computed column, a retyped column, a missing status label, a missing group, no key', () => {
    const bad = columns([
      ['vat', 'amount_vat', 'numbers'],
      ['dueDate', 'gone', 'date'],
      ['party', 'amount', 'text'],
    ]);
    const m = mappings({ columns: bad, statuses: new Map([['purchase-order', new Map([['partial', 'Half']])]]) });
    const result = check(m, { ...target, groupId: 'old_group' });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('Board "Purchase orders" has no group with id "old_group"'),
        expect.stringContaining('has no column with id "gone"'),
        expect.stringContaining('Column "Amount incl. VAT" on board "Purchase orders" is a formula column'),
        expect.stringContaining('has no status label "Half"'),
      ]),
    );
    const noKey = new Map([...columns()].map(([t, c]) => [t, new Map([...c].filter(([f]) => f !== 'key'))] as const));
    const keyless = check(mappings({ columns: noKey }));
    expect(keyless.ok ? [] : keyless.problems).toEqual([expect.stringContaining('No column holds the key of purchase orders')]);
  });

  it('a column retyped to one that cannot hold the field says what it was and what it is', () => {
    const retyped: MondayBoard = { ...board, columns: board.columns.map((c) => (c.id === 'amount' ? { ...c, type: 'text' } : c)) };
    const result = checkBoard('purchase-order', target, retyped, mappings({ columns: columns() }), (b, f) => checkColumnMapping(b, f));
    expect(result.ok ? [] : result.problems).toEqual([expect.stringMatching(/Column "Amount" on board "Purchase orders" was a numbers column when .* was mapped to it and is now a text column/)]);
  });

  it('the status column must offer every label the sync writes, the deletion label too when deletions keep the item', () => {
    const m = mappings({ statuses: new Map([['purchase-order', new Map([['deleted', 'Deleted in Exact']])]]) });
    expect(statusLabelsNeeded(m, 'purchase-order', target)).toEqual(Object.values(DEFAULT_STATUS_LABELS['purchase-order']));
    expect(statusLabelsNeeded(m, 'purchase-order', { ...target, whenDeleted: 'label' })).toContain('Deleted in Exact');
    const result = check(mappings({ columns: columns(), statuses: m.statuses }), { ...target, whenDeleted: 'label' });
    expect(result.ok ? [] : result.problems).toEqual([expect.stringContaining('has no status label "Deleted in Exact"')]);
  });
});

describe('hostile source texts in review notes (found by the fuzz suite, issue 18)', () => {
  it('cuts a huge cost center code or name instead of repeating it whole in the review column', () => {
    const line = po().lines[0]!;
    const doc = documentOf(po({ lines: [{ ...line, costCenterCode: 'K'.repeat(40_000), costCenterDescription: 'N'.repeat(40_000) }] }));
    const flags = referenceFlags(doc, mappings());
    expect(flags.length).toBeGreaterThan(0);
    for (const flag of flags) expect(flag.message.length).toBeLessThan(400);
  });
});

describe('a number another document already carries on the board (Exact allows it for imported documents)', () => {
  const jansen = { sourceId: 'c-j', code: '20011', name: 'Bouwbedrijf Jansen' };
  const deVries = { sourceId: 'c-v', code: '20012', name: 'Aannemer De Vries' };
  const first = salesInvoice({ sourceId: 'si-first', invoiceNumber: '20011', customer: deVries, amount: '980', lines: [{ ...salesInvoice().lines[0]!, amount: '980.00' }] });
  const second = salesInvoice({ sourceId: 'si-second', invoiceNumber: '20011', customer: jansen, amount: '1234.56', lines: [{ ...salesInvoice().lines[0]!, amount: '1234.56' }] });
  const board = context('sales-invoice');

  /** Plans as the flow does: the index learns each planned item. */
  function plan(numbers: BoardNumbers, record: SalesInvoice | SalesOrder | PurchaseOrder, ctx: BoardContext = board) {
    const doc = documentOf(record);
    const outcome = planItem(doc, ctx, mappings(), new Map(), numbers);
    if (outcome.ok) for (const item of outcome.writes) numbers.apply(item, doc.number, documentRecordLabel(doc));
    return outcome;
  }
  const reasons = (outcome: ReturnType<typeof planItem>) => (outcome.ok ? (outcome.flags ?? []).map((f) => f.message) : outcome.issues.map((i) => i.message));

  it('the second document with the number is written and flagged, naming both in finance words; the review column says it', () => {
    const numbers = new BoardNumbers();
    expect(reasons(plan(numbers, first))).toEqual([]);
    const outcome = plan(numbers, second);
    const { item, flags } = planned(outcome);
    expect(item).toMatchObject({ name: '20011', action: 'upsert', total: '1234.56' });
    expect(flags).toEqual(['duplicate-number']);
    expect(reasons(outcome)).toEqual([
      'Sales invoice 20011 (Bouwbedrijf Jansen, €1,234.56) has the same number as another sales invoice already on the board (Aannemer De Vries, €980.00); both are on the board — check the number in Exact Online',
    ]);
    expect(outcome.ok && outcome.flags![0]!.mappingKeys).toEqual([]);
    expect(cellsOf(item!)['review']).toEqual({ kind: 'text', text: reasons(outcome)[0] });
  });

  it('the same document synced again is no duplicate, the first of two is never flagged, the second stays flagged', () => {
    const numbers = new BoardNumbers();
    plan(numbers, first);
    expect(reasons(plan(numbers, first))).toEqual([]);
    expect(planned(plan(numbers, second)).flags).toEqual(['duplicate-number']);
    expect(planned(plan(numbers, { ...first, amount: '990.00' })).flags).toEqual([]);
    expect(planned(plan(numbers, second)).flags).toEqual(['duplicate-number']);
    // Renumbered in Exact: the flag goes.
    expect(planned(plan(numbers, { ...second, invoiceNumber: '20013' })).flags).toEqual([]);
  });

  it('against what earlier runs wrote: stored items in the order they were first written; an archived one holds no number', () => {
    const item = (record: SalesInvoice, action: 'upsert' | 'archive' = 'upsert') => {
      const written = planned(planItem(documentOf(record), board, mappings())).item!;
      return { originId: written.originId, containerId: written.containerId, label: documentRecordLabel(documentOf(record)), fields: [written.documentType, action, written.name, written.total, written.currency] };
    };
    expect(CONFIRMED_ITEM_FIELDS).toEqual(['$.documentType', '$.action', '$.name', '$.total', '$.currency']);
    // The second was stored after the first: re-syncing either keeps who is first.
    const stored = fromConfirmed([item(first), item(second)]);
    expect(reasons(planItem(documentOf(first), board, mappings(), new Map(), stored))).toEqual([]);
    expect(reasons(planItem(documentOf(second), board, mappings(), new Map(), stored))).toEqual([expect.stringContaining('(Aannemer De Vries, €980.00)')]);
    // A third, new this run, names the first.
    const third = salesInvoice({ sourceId: 'si-third', invoiceNumber: '20011', customer: { ...jansen, name: 'Derde B.V.' } });
    expect(reasons(planItem(documentOf(third), board, mappings(), new Map(), stored))).toEqual([expect.stringMatching(/^Sales invoice 20011 \(Derde B\.V\., €135,677\.16\) .* \(Aannemer De Vries, €980\.00\)/)]);
    // The first archived (cancelled or deleted in Exact): the second is alone with its number.
    const archived = fromConfirmed([item(first, 'archive'), item(second)]);
    expect(reasons(planItem(documentOf(second), board, mappings(), new Map(), archived))).toEqual([]);
    // An item stored before labels were kept: named by its total.
    const old = fromConfirmed([{ ...item(first), label: null }]);
    expect(reasons(planItem(documentOf(second), board, mappings(), new Map(), old))).toEqual([expect.stringContaining('another sales invoice already on the board (€980.00)')]);
  });

  it('documents of different kinds, or on different boards, may share a number; a credit note with an invoice\'s number is flagged', () => {
    const numbers = new BoardNumbers();
    const shared = context('sales-invoice', { boardId: 'shared' });
    plan(numbers, first, shared);
    expect(planned(plan(numbers, salesOrder({ orderNumber: '20011' }), context('sales-order', { boardId: 'shared' }))).flags).toEqual([]);
    expect(planned(plan(numbers, po({ number: '20011' }), context('purchase-order', { boardId: 'shared' }))).flags).toEqual([]);
    expect(planned(plan(numbers, second, context('sales-invoice', { boardId: 'other' }))).flags).toEqual([]);
    const credit = plan(numbers, salesInvoice({ sourceId: 'cn-1', invoiceNumber: '20011', documentType: 'credit-note', customer: jansen, amount: '-250' }), shared);
    expect(reasons(credit)).toEqual(['Credit note 20011 (Bouwbedrijf Jansen, -€250.00) has the same number as a sales invoice already on the board (Aannemer De Vries, €980.00); both are on the board — check the number in Exact Online']);
  });

  it('a sales order with another order\'s number is flagged the same way; a cancelled one never written is not', () => {
    const numbers = new BoardNumbers();
    const orders = context('sales-order');
    plan(numbers, salesOrder(), orders);
    const again = plan(numbers, salesOrder({ sourceId: 'so-guid-2', amount: '12.5', currency: 'XXX' }), orders);
    expect(planned(again).flags).toEqual(['currency-mismatch', 'duplicate-number']);
    expect(reasons(again)[1]).toBe('Sales order 30010 (Riverside NHS Estates Ltd, XXX 12.50) has the same number as another sales order already on the board (Riverside NHS Estates Ltd, €421,148.04); both are on the board — check the number in Exact Online');
    const archive = context('sales-order', { policy: { whenCancelled: 'archive', whenDeleted: 'archive' } });
    expect(plan(numbers, salesOrder({ sourceId: 'so-guid-3', status: 'cancelled' }), archive)).toEqual({ ok: true, writes: [] });
  });
});
