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
  const directCosts = ((dump['direct_costs'] ?? []) as Json[]).filter((d) => d['origin_id'] && !d['deleted_at']);
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
  // A sandbox sync of F4 makes about 25 calls (monday takes up to 166 items per call): 200 ms each
  // keeps a run going for several seconds, longer than a second process takes to start.
  'exact-monday': { flow: 'exact-monday', target: 'monday', books: mondayBooks, latencyMs: 200 },
} satisfies Record<string, FlowCrashSpec>;
