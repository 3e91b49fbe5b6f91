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

export const CRASH_SPECS = {
  'exact-procore': { flow: 'exact-procore', target: 'procore', books: procoreBooks },
  'procore-acumatica': { flow: 'procore-acumatica', target: 'acumatica', books: acumaticaBooks },
} satisfies Record<string, FlowCrashSpec>;
