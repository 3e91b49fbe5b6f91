import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src-shared/domain/money';
import { loadF4Mappings } from '../../src-main/engine/flows/exact-monday/mappings';
import { F4_FLOW } from '../../src-main/engine/flows/exact-monday/model';
import { reconcileExactMonday } from '../../src-main/engine/flows/exact-monday/reconcile';
import type { ReconciliationReport, ReconRecord } from '../../src-main/engine/reconcile/reconcile';
import { describeReconciliation, reconciliationCsv } from '../../src-main/host/reconciliation-views';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { openF4Harness, type F4Harness } from './exact-monday.harness';

/**
 * F4's reconciliation reads each mapped board whole (the board, then its items 500 a page), so
 * an item on a board that no Exact document accounts for is listed "in monday.com only — not
 * from Exact Online": one typed onto the board by hand, one whose key column was cleared there.
 * The boards are changed through monday's own API, as a person working in monday would.
 *
 * Two monday connectors on one sandbox: the app's (pages of 500, through the flow host) and the
 * test's own with pages of 25, so the sandbox's boards (80, 60 and 40 items) take several pages.
 */
const world = generateWorld(1, 1);
const SMALL_PAGE = 25;
type Json = Record<string, unknown>;

let h: F4Harness;
beforeAll(async () => {
  h = await openF4Harness({ seed: 1, scale: 1, virtualMonday: { settings: { pageSize: SMALL_PAGE } } });
  expect((await h.run()).status).toBe('succeeded');
}, 240_000);
afterAll(async () => h?.close());

/** As the app makes it: the flow host's monday connector, pages of 500. */
const reconcile = (): Promise<ReconciliationReport> => h.host.flows.get(F4_FLOW)!.runtime.reconcile!({ apiCalls: () => h.apiCalls() });
/** The same reconciliation through the test's monday connector, pages of 25. */
const reconcileInSmallPages = (): Promise<ReconciliationReport> => reconcileExactMonday({ store: h.store, exact: h.exact, monday: h.monday, apiCalls: () => h.apiCalls() });
const mondayOnly = (r: ReconciliationReport): ReconRecord[] => r.records.filter((x) => x.cause === 'target-only');
const ok = (r: Json) => expect(r['errors'], JSON.stringify(r)).toBeUndefined();

/** Live items per mapped board on the simulator. */
async function liveItems(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const item of (await h.mondayState()).items) {
    if (item['state'] !== 'active') continue;
    const board = String((item['board'] as Json)['id']);
    counts.set(board, (counts.get(board) ?? 0) + 1);
  }
  return counts;
}

function poBoard() {
  const { mappings } = loadF4Mappings(h.store);
  const columns = mappings.columns.get('purchase-order')!;
  return { id: mappings.boards.get('purchase-order')!.boardId, key: columns.get('key')!.columnId, amount: columns.get('amount')!.columnId, currency: columns.get('currency')!.columnId };
}

describe('F4 reconciliation lists the items in monday.com only', { timeout: 120_000 }, () => {
  it('(c) after a clean sync: no item in monday.com only, every live item accounted for; 1 + ⌈items/500⌉ calls per board', async () => {
    const live = await liveItems();
    expect([...live.values()].sort()).toEqual([40, 60, 80]);
    const report = await reconcile();
    expect(mondayOnly(report)).toEqual([]);
    expect(report.records.filter((r) => r.cause !== null)).toEqual([]);
    // Every live item of the boards is some document's item: none left out, none counted twice.
    const itemIds = report.records.map((r) => r.targetId).filter((id): id is string => id !== null && id !== undefined);
    expect(new Set(itemIds).size).toBe(itemIds.length);
    expect(itemIds.length).toBe([...live.values()].reduce((a, b) => a + b, 0));
    // Per board: the board, and its items in one page (≤ 500): 2 calls, as the key lookup cost before.
    expect(report.apiCalls['monday']).toBe(world.mondayBoards.length * 2);
    expect(describeReconciliation(report).join('\n')).not.toMatch(/only/);
  });

  it('(a) an item typed onto a mapped board by hand: listed once, by name, board, "no key" and amount, in its own currency', async () => {
    const board = poBoard();
    const created = await h.mondayGraphql('mutation ($b: ID!, $n: String!, $v: JSON) { create_item(board_id: $b, item_name: $n, column_values: $v) { id } }', {
      b: board.id,
      n: 'Scaffolding quote (typed by hand)',
      v: JSON.stringify({ [board.amount]: '1234.56', [board.currency]: 'USD' }),
    });
    ok(created);
    const itemId = String(((created['data'] as Json)['create_item'] as Json)['id']);

    const report = await reconcile();
    expect(report.unexplained).toBe(0);
    expect(report.records.filter((r) => r.cause !== null && r.cause !== 'target-only')).toEqual([]);
    expect(mondayOnly(report).map((r) => ({ type: r.documentType, name: r.documentNumber, id: r.targetId, amount: r.actual, source: r.expected, currency: r.currency, why: r.explanation }))).toEqual([
      { type: 'monday.com item', name: 'Scaffolding quote (typed by hand) on board Purchase orders (no key)', id: itemId, amount: '1234.56', source: null, currency: 'USD', why: 'in monday.com only — not from Exact Online' },
    ]);
    expect(report.totals.find((t) => t.currency === 'USD')).toMatchObject({ expected: '0.00', actual: '1234.56', differing: 1, causes: { 'target-only': 1 } });
    // In words on the CLI and in the CSV.
    expect(describeReconciliation(report)).toContain(
      `  monday.com item Scaffolding quote (typed by hand) on board Purchase orders (no key): source none, target ${new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD' }).format(1234.56)}: in monday.com only — not from Exact Online`,
    );
    expect(reconciliationCsv(report)).toContain(`monday.com item,Scaffolding quote (typed by hand) on board Purchase orders (no key),,,USD,,1234.56,1234.56,target-only,in monday.com only — not from Exact Online,,${itemId}`);
  });

  it('(d) boards of several pages (pages of 25: 81, 60 and 40 items): every item read, the typed one on the last page; the same report', async () => {
    const whole = await reconcile();
    const before = h.apiCalls().monday;
    const paged = await reconcileInSmallPages();
    const live = await liveItems();
    expect([...live.values()].sort((a, b) => a - b)).toEqual([40, 60, 81]);
    // Per board: the board, then one call per page of 25: 1 + 4, 1 + 3, 1 + 2.
    expect(h.apiCalls().monday - before).toBe(1 + 4 + (1 + 3) + (1 + 2));
    expect(paged.records.map((r) => ({ ...r }))).toEqual(whole.records);
    expect(mondayOnly(paged).map((r) => r.documentNumber)).toEqual(['Scaffolding quote (typed by hand) on board Purchase orders (no key)']);
    expect(paged.records.filter((r) => r.targetId).length).toBe(81 + 60 + 40);
  });

  it('(b) a key cleared on the board by hand: the document misses its item, and the item is listed in monday.com only with its amount', async () => {
    const board = poBoard();
    const po = world.purchaseOrders.find((p) => p.key !== world.deliberate.cancelledPurchaseOrderKey && p.key !== world.deliberate.unmappedPair.purchaseOrderKey && h.store.targetRecords.bySource(F4_FLOW, p.exactId).length > 0)!;
    const itemId = h.store.targetRecords.bySource(F4_FLOW, po.exactId)[0]!.targetId;
    const amount = Decimal.sum(po.lines.map((l) => Decimal.parse(l.amount))).toMoneyString();
    ok(await h.mondayGraphql('mutation ($b: ID!, $i: ID, $c: String!, $v: String) { change_simple_column_value(board_id: $b, item_id: $i, column_id: $c, value: $v) { id } }', { b: board.id, i: itemId, c: board.key, v: '' }));

    const report = await reconcile();
    expect(report.unexplained).toBe(0);
    // The source row: the order the app wrote has no item under its key any more (changed on the board by hand).
    const source = report.records.filter((r) => r.sourceId === po.exactId);
    expect(source.map((r) => [r.documentNumber, r.expected, r.actual, r.cause, r.difference])).toEqual([[String(po.orderNumber), amount, null, 'changed-in-target', Decimal.parse(amount).negate().toMoneyString()]]);
    // The item: in monday.com only, named by its name (the order number), with no key, holding the order's amount.
    const cleared = mondayOnly(report).filter((r) => r.targetId === itemId);
    expect(cleared.map((r) => [r.documentNumber, r.targetKey, r.actual, r.currency])).toEqual([[`${po.orderNumber} on board Purchase orders (no key)`, '', amount, 'EUR']]);
    // Together with the item typed by hand before: two items in monday.com only, each once.
    expect(mondayOnly(report)).toHaveLength(2);
    expect(new Set(mondayOnly(report).map((r) => r.targetId)).size).toBe(2);
  });
});
