import type { BookRow, FlowCrashSpec } from './crash-harness';

/**
 * Each flow's books as the crash harness compares them (test/support/crash-harness.ts). A flow
 * adds its entry here: which sandbox system it writes to, and every record it owns there, one
 * row per target record, without the ids the target assigned (they differ between runs).
 */
type Json = Record<string, unknown>;

const lineRow = (l: Json) => ({
  origin_id: l['origin_id'],
  amount: l['amount'],
  cost_code_id: String(l['cost_code_id']),
  line_item_type_id: String(l['line_item_type_id']),
  description: l['description'],
});
const byOrigin = (a: { origin_id: unknown }, b: { origin_id: unknown }) => String(a.origin_id).localeCompare(String(b.origin_id));

/** F1: Procore commitments and direct costs carrying an Exact origin, each with its lines. */
function procoreBooks(dump: Json): BookRow[] {
  const lines = (dump['line_items'] ?? []) as Json[];
  const dcLines = (dump['direct_cost_line_items'] ?? []) as Json[];
  const linesOf = (all: Json[], parent: unknown, ...keys: string[]) =>
    all.filter((l) => keys.some((k) => l[k] !== undefined && String(l[k]) === String(parent))).map(lineRow).sort(byOrigin);
  const commitments = ((dump['purchase_order_contracts'] ?? []) as Json[]).filter((c) => c['origin_id'] && !c['deleted_at']);
  // Direct costs entered in Procore that F2 posted to Acumatica carry its link, not an Exact origin.
  const directCosts = ((dump['direct_costs'] ?? []) as Json[]).filter(
    (d) => d['origin_id'] && !d['deleted_at'] && !String(d['origin_data'] ?? '').startsWith('ml-connector → Acumatica'),
  );
  return [
    ...commitments.map((c) => ({
      key: `commitment ${String(c['origin_id'])}`,
      value: {
        status: c['status'],
        vendor: String((c['vendor'] as Json | undefined)?.['id'] ?? c['vendor_id']),
        grand_total: c['grand_total'],
        title: c['title'],
        lines: linesOf(lines, c['id'], 'contract_id', 'commitment_id', 'purchase_order_contract_id'),
      },
    })),
    ...directCosts.map((d) => ({
      key: `direct cost ${String(d['origin_id'])}`,
      value: {
        vendor: String(d['vendor_id'] ?? (d['vendor'] as Json | undefined)?.['id']),
        invoice_number: d['invoice_number'],
        grand_total: d['grand_total'] ?? d['amount'],
        lines: linesOf(dcLines, d['id'], 'direct_cost_id'),
      },
    })),
  ];
}

const v = (record: Json, field: string): unknown => (record[field] as { value?: unknown } | undefined)?.value ?? null;

/**
 * F2: Acumatica AP bills carrying a Procore origin (in the note), each with its lines; keyed by
 * vendor + vendor ref (Acumatica's idempotency key), without the numbers and ids Acumatica gave.
 */
function acumaticaBooks(dump: Json): BookRow[] {
  return ((dump['Bill'] ?? []) as Json[])
    .filter((b) => String(v(b, 'note') ?? '').startsWith('ml-connector origin:'))
    .map((b) => ({
      key: `bill ${String(v(b, 'Vendor'))}/${String(v(b, 'VendorRef'))}`,
      value: {
        origin: v(b, 'note'),
        type: v(b, 'Type'),
        status: v(b, 'Status'),
        amount: v(b, 'Amount'),
        lines: ((b['Details'] ?? []) as Json[]).map((l) => ({
          account: v(l, 'Account'),
          subaccount: v(l, 'Subaccount'),
          project: v(l, 'Project'),
          task: v(l, 'ProjectTask'),
          costCode: v(l, 'CostCode'),
          amount: v(l, 'ExtendedCost'),
          text: v(l, 'TransactionDescription'),
        })),
      },
    }));
}

/**
 * F3: every Intacct document carrying a Procore key (AP bills and purchasing transactions by
 * PROCORE_ID, journal entries by REFERENCENO), with its lines; RECORDNO, DOCID and timestamps
 * (Intacct's own) left out.
 */
function intacctBooks(dump: Json): BookRow[] {
  const dims = (l: Json) => ['LOCATIONID', 'DEPARTMENTID', 'PROJECTID', 'TASKID', 'COSTTYPEID', 'CLASSID', 'ITEMID'].map((f) => l[f] ?? '').join('/');
  const lines = (list: unknown, amount: string, account: string) =>
    ((list ?? []) as Json[]).map((l) => ({ line: l['LINE_NO'], amount: l[amount], account: l[account] ?? null, dims: dims(l), text: l['ENTRYDESCRIPTION'] ?? l['MEMO'] ?? l['DESCRIPTION'] ?? '', side: l['TR_TYPE'] ?? null }));
  return [
    ...((dump['APBILL'] ?? []) as Json[])
      .filter((b) => b['PROCORE_ID'])
      .map((b) => ({ key: `bill ${String(b['PROCORE_ID'])}`, value: { vendor: b['VENDORID'], number: b['RECORDID'], total: b['TOTALENTERED'], state: b['STATE'], lines: lines(b['APBILLITEMS'], 'TRX_AMOUNT', 'ACCOUNTNO') } })),
    ...((dump['PODOCUMENT'] ?? []) as Json[])
      .filter((p) => p['PROCORE_ID'])
      .map((p) => ({ key: `${String(p['DOCPARID'])} ${String(p['PROCORE_ID'])}`, value: { vendor: p['CUSTVENDID'], number: p['PONUMBER'], total: p['TOTAL'], lines: lines(p['PODOCUMENTENTRIES'], 'TOTAL', 'ACCOUNTNO') } })),
    ...((dump['GLBATCH'] ?? []) as Json[])
      .filter((g) => String(g['REFERENCENO'] ?? '').startsWith('procore-'))
      .map((g) => ({ key: `journal ${String(g['REFERENCENO'])}`, value: { journal: g['JOURNAL'], lines: lines(g['ENTRIES'], 'TRX_AMOUNT', 'ACCOUNTNO') } })),
  ];
}

/**
 * F5: Coupa's external POs, invoices and suppliers (the two invoices the demo seeds as approved
 * and paid in Coupa included: they must stay as they are), each keyed by its natural key and
 * without Coupa's ids and timestamps. A PO's version counts: a PO written twice shows as one.
 */
function coupaBooks(dump: Json): BookRow[] {
  const ref = (v: unknown, k: string) => (v && typeof v === 'object' ? ((v as Json)[k] ?? null) : null);
  const account = (l: Json) => ref(l['account'], 'code');
  return [
    ...((dump['purchase_orders'] ?? []) as Json[]).map((p) => ({
      key: `purchase order ${String(p['po-number'])}`,
      value: {
        status: p['status'],
        version: p['version'],
        supplier: ref(p['supplier'], 'number'),
        lines: ((p['order-lines'] ?? []) as Json[]).map((l) => ({ line: l['line-num'], description: l['description'], quantity: l['quantity'], price: l['price'], total: l['total'], account: account(l) })),
      },
    })),
    ...((dump['invoices'] ?? []) as Json[]).map((i) => ({
      key: `invoice ${String(ref(i['supplier'], 'number'))}/${String(i['invoice-number'])}`,
      value: {
        status: i['status'],
        creditNote: i['is-credit-note'],
        gross: i['gross-total'],
        lines: ((i['invoice-lines'] ?? []) as Json[]).map((l) => ({ line: l['line-num'], quantity: l['quantity'], price: l['price'], tax: l['tax-amount'], account: account(l) })),
      },
    })),
    ...((dump['suppliers'] ?? []) as Json[]).map((s) => ({
      key: `supplier ${String(s['number'] ?? s['name'])}`,
      value: {
        name: s['name'],
        status: s['status'],
        taxId: s['tax-id'],
        email: ref(s['primary-contact'], 'email'),
        remitTos: ((s['remit-to-addresses'] ?? []) as Json[]).map((r) => r['remit-to-code']).sort(),
      },
    })),
  ];
}

/**
 * F4: every monday.com item carrying an Exact key, one row each (an item created twice shows as
 * two rows), with its board, group, name, state and every column's text. The link to Exact names
 * the sandbox's port, which differs per process: it is compared without it.
 */
function mondayBooks(dump: Json): BookRow[] {
  const items = (dump['items'] ?? []) as Json[];
  return items.flatMap((item) => {
    const columns = (item['column_values'] ?? []) as { id: string; text: string }[];
    const key = columns.find((c) => c.id === 'exact_key')?.text;
    if (!key) return [];
    return [
      {
        key: `item ${key}`,
        value: {
          board: String((item['board'] as Json)['id']),
          group: String((item['group'] as Json)['id']),
          name: item['name'],
          state: item['state'],
          cells: Object.fromEntries(columns.map((c) => [c.id, c.text.replace(/https?:\/\/127\.0\.0\.1:\d+/g, '')])),
        },
      },
    ];
  });
}

export const CRASH_SPECS = {
  'exact-procore': { flow: 'exact-procore', target: 'procore', books: procoreBooks },
  'procore-intacct': { flow: 'procore-intacct', target: 'intacct', books: intacctBooks },
  'exact-coupa': { flow: 'exact-coupa', target: 'coupa', books: coupaBooks },
  // A sandbox sync of F4 makes about 25 calls (monday takes up to 166 items per call): 200 ms each
  // keeps a run going for several seconds, longer than a second process takes to start.
  'exact-monday': { flow: 'exact-monday', target: 'monday', books: mondayBooks, latencyMs: 200 },
  'procore-acumatica': { flow: 'procore-acumatica', target: 'acumatica', books: acumaticaBooks },
} satisfies Record<string, FlowCrashSpec>;
