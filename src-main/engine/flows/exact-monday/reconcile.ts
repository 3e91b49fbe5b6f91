import { Decimal, isKnownCurrency } from '../../../../src-shared/domain/money';
import { isFlaggedReason } from '../../../../src-shared/domain/validation';
import type { SourcePage } from '../../../connectors/connector';
import type { ExactOnlineConnector } from '../../../connectors/exact-online';
import { amountOfCell, type FoundItem, type MondayConnector } from '../../../connectors/monday';
import type { Store } from '../../../store/db';
import { reconcile, type ReconciliationReport, type ReconInput } from '../../reconcile/reconcile';
import { readOrExplain } from '../../sync/explain-read-failure';
import { distinct, documentOf, type ExactDocument, type FinanceDocument } from './documents';
import { STREAMS } from './flow';
import { loadF4Mappings } from './mappings';
import { DOCUMENT_LABELS, DOCUMENT_TYPES, F4_FLOW, ITEM_ENTITY, type BoardTarget, type DocumentType, type PlannedItem } from './model';

/**
 * F4's answer to "do Exact and the boards agree?" (decision 0023): per Exact document, its
 * amount excl. VAT against the amount column of its item on the board, and the item of every
 * document the app wrote. Each difference is explained by the generic module (engine/reconcile):
 * waits in Pending validation, not yet synced (no item yet, or changed in Exact since), changed
 * on the board by hand (the amount edited, the item archived or deleted), deleted in Exact.
 *
 * Items without an Exact document: a second live item under a document's key (a copy made on
 * the board) and a live item of a document Exact does not expect there (cancelled before it was
 * written, under the archive policy) are compared as 0.00 expected and 0.00 last written, so the
 * module reports them as changed on the board by hand, with their whole amount. Every other live
 * item of a mapped board — typed in by hand, or its key cleared there — is listed "in monday.com
 * only — not from Exact Online" (the module's `targetOnly`), by name, board, key (or "no key")
 * and amount. An archived item is off the board: it counts as none.
 *
 * Reads only. Calls: Exact — the full reads of each mapped document type and its deletions (as
 * an initial sync reads them); monday.com — per mapped board one read of the board and the board
 * read whole with only the key, amount and currency columns: 1 + max(1, ⌈live items / 500⌉)
 * (decision 0023, addendum). Copies come with the listing, so no read by id is needed.
 */

export interface BoardSeen {
  boardName: string;
  policy: Pick<BoardTarget, 'whenCancelled' | 'whenDeleted'>;
  /** False when no column holds the amount: an item is then compared by being there. */
  hasAmount: boolean;
  /** Live items by key (Exact document id) with their amount column. */
  items: ReadonlyMap<string, BoardItem>;
  /**
   * Every live item of the board, when it was read whole: those no comparison accounts for are
   * listed as in monday.com only. Absent: the board was not read whole (nothing is listed).
   */
  listed?: readonly ListedItem[];
}

export interface BoardItem {
  itemId: string;
  amount: string | null;
  duplicates: { itemId: string; amount: string | null }[];
}

/** One live item of a board as the reconciliation read it. */
export interface ListedItem {
  itemId: string;
  name: string;
  /** The key column's text; null when it is empty (never written, or cleared by hand). */
  key: string | null;
  /** The amount column's value (null when empty or no amount column is mapped). */
  amount: string | null;
  /** The mapped currency column's text when it is a currency code (EUR, USD…), else null. */
  currency: string | null;
}

/** The comparisons' system names: a record in the target only reads "in monday.com only — not from Exact Online". */
export const F4_SYSTEMS = { source: 'Exact Online', target: 'monday.com' } as const;

/** What the reconciliation calls an item no Exact document accounts for (as the flow's documents name it). */
export const MONDAY_ONLY_TYPE = 'monday.com item';

/** monday ids are numbers of any length: shorter first, then by text. */
const compareIds = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

/**
 * A board read whole, by the keys the flow knows (Exact ids of its documents and of the items it
 * wrote): the oldest live item under a key is its item, the others its copies. Pure.
 */
export function boardItemsByKey(listed: readonly ListedItem[], keys: ReadonlySet<string>): Map<string, BoardItem> {
  const byKey = new Map<string, BoardItem>();
  for (const item of [...listed].sort((a, b) => compareIds(a.itemId, b.itemId))) {
    if (item.key === null || !keys.has(item.key)) continue;
    const first = byKey.get(item.key);
    if (first) first.duplicates.push({ itemId: item.itemId, amount: item.amount });
    else byKey.set(item.key, { itemId: item.itemId, amount: item.amount, duplicates: [] });
  }
  return byKey;
}

/**
 * The currency of an item in monday.com only. monday has no board currency (a numbers column's
 * unit is a display symbol such as "$", shared by several currencies), so: the item's own
 * currency column when one is mapped and holds a currency code; else the currency most of the
 * board's matched items are in (their Exact documents'; on a tie the first code alphabetically);
 * else EUR. Pure.
 */
export function mondayOnlyCurrency(item: Pick<ListedItem, 'currency'>, matched: ReadonlyMap<string, number>): string {
  if (item.currency !== null) return item.currency;
  let best: [string, number] | null = null;
  for (const [code, n] of [...matched].sort(([a], [b]) => a.localeCompare(b))) if (best === null || n > best[1]) best = [code, n];
  return best?.[0] ?? 'EUR';
}

export interface F4ReconInput {
  /** Per mapped document type: Exact's documents, those deleted there, and the board as read. */
  types: ReadonlyMap<DocumentType, { documents: readonly FinanceDocument[]; deleted: ReadonlySet<string>; board: BoardSeen }>;
  unreadable: readonly { type: DocumentType; sourceId: string; label: string; problem: string }[];
  /** Why a document waits in Pending validation, by stream and Exact id (flagged items are written: not here). */
  parked: ReadonlyMap<string, string>;
  /** The item the app last wrote per Exact document id. */
  written: ReadonlyMap<string, Pick<PlannedItem, 'documentType' | 'action' | 'total' | 'currency' | 'name'> & { itemId: string }>;
}

export const parkedKey = (stream: string, sourceId: string): string => `${stream}\u0000${sourceId}`;

/** What the app last left on the board: an archived item is none (0.00). */
const confirmedOf = (w: { action: PlannedItem['action']; total: string } | undefined): string | null => (w ? (w.action === 'archive' ? '0.00' : w.total) : null);

/** The comparisons for the generic reconciliation: one per item the boards hold or should. Pure. */
export function f4Comparisons(input: F4ReconInput): ReconInput[] {
  const out: ReconInput[] = [];
  const seen = new Set<string>();
  // Items some comparison accounts for, and per board the currencies of the documents matched to an item.
  const used = new Set<string>();
  const matched = new Map<DocumentType, Map<string, number>>();
  const use = (type: DocumentType, item: BoardItem | undefined, currency: string): void => {
    if (!item) return;
    used.add(item.itemId);
    for (const copy of item.duplicates) used.add(copy.itemId);
    const counts = matched.get(type) ?? new Map<string, number>();
    counts.set(currency, (counts.get(currency) ?? 0) + 1);
    matched.set(type, counts);
  };
  const amountOf = (board: BoardSeen, item: { amount: string | null } | undefined, expected: string | null): string | null => {
    if (!item) return null;
    // No amount column: an item that is there holds what it should, as far as the board says.
    if (!board.hasAmount) return expected ?? '0.00';
    return item.amount === null ? '0.00' : Decimal.parse(item.amount).toMoneyString();
  };

  for (const [type, { documents, board }] of input.types) {
    for (const doc of documents) {
      if (input.types.get(type)!.deleted.has(doc.sourceId)) continue;
      seen.add(doc.sourceId);
      const written = input.written.get(doc.sourceId);
      const item = board.items.get(doc.sourceId);
      const base = {
        sourceId: doc.sourceId,
        documentType: doc.creditNote ? 'Credit note' : DOCUMENT_LABELS[type],
        documentNumber: doc.number,
        counterparty: doc.party.name || null,
        project: distinct(doc.lines.map((l) => l.projectCode)).join(', ') || null,
        currency: doc.currency,
        lineCount: 1,
      };
      const archived = doc.status === 'cancelled' && board.policy.whenCancelled === 'archive';
      // Cancelled under the archive policy: nothing is expected on the board.
      const expected = archived ? null : doc.amount;
      if (archived && !written && !item) continue;
      const parkedReason = input.parked.get(parkedKey(STREAMS[type].records, doc.sourceId)) ?? null;
      use(type, item, doc.currency);
      if (archived && !written && item) {
        out.push({ ...base, documentNumber: `${doc.number} (on the board only)`, targetKey: doc.sourceId, expected: '0.00', actual: amountOf(board, item, '0.00'), confirmed: '0.00', parkedReason: null, deletedAtSource: false, targetId: item.itemId });
      } else out.push({ ...base, targetKey: doc.sourceId, expected, actual: amountOf(board, item, expected), confirmed: confirmedOf(written), parkedReason, deletedAtSource: false, targetId: item?.itemId ?? null });
      for (const copy of item?.duplicates ?? [])
        out.push({ ...base, documentNumber: `${doc.number} (duplicate item ${copy.itemId})`, targetKey: `${doc.sourceId}#${copy.itemId}`, expected: '0.00', actual: amountOf(board, copy, doc.amount), confirmed: '0.00', parkedReason: null, deletedAtSource: false, targetId: copy.itemId });
    }
  }

  // Rows Exact sent that could not be read: they wait in Pending until corrected in Exact.
  for (const row of input.unreadable) {
    if (input.written.has(row.sourceId)) continue; // compared below, as written items
    seen.add(row.sourceId);
    out.push({ sourceId: row.sourceId, documentType: row.label, documentNumber: '', counterparty: null, project: null, currency: 'EUR', targetKey: row.sourceId, expected: null, actual: null, confirmed: null, parkedReason: row.problem, deletedAtSource: false, lineCount: 0 });
  }

  // Items of documents gone from Exact (deleted there): archived per the board's policy, or kept with the "deleted" label.
  for (const [sourceId, w] of input.written) {
    if (seen.has(sourceId)) continue;
    const type = input.types.get(w.documentType);
    if (!type) continue; // its board is no longer mapped: not compared
    const item = type.board.items.get(sourceId);
    use(w.documentType, item, w.currency);
    const expected = type.board.policy.whenDeleted === 'archive' ? null : confirmedOf(w);
    out.push({
      sourceId,
      documentType: DOCUMENT_LABELS[w.documentType],
      documentNumber: w.name,
      counterparty: null,
      project: null,
      currency: w.currency,
      targetKey: sourceId,
      expected,
      actual: amountOf(type.board, item, expected),
      confirmed: confirmedOf(w),
      parkedReason: null,
      deletedAtSource: true,
      lineCount: 1,
      targetId: item?.itemId ?? null,
    });
  }

  // Live items no comparison accounts for: typed onto the board by hand, or their key cleared there.
  const numbers = new Map<string, string>();
  for (const [, { documents }] of input.types) for (const doc of documents) numbers.set(doc.sourceId, doc.creditNote ? `Credit note ${doc.number}` : doc.label);
  for (const [sourceId, w] of input.written) if (!numbers.has(sourceId)) numbers.set(sourceId, `${DOCUMENT_LABELS[w.documentType]} ${w.name}`);
  for (const [type, { board }] of input.types) {
    for (const item of [...(board.listed ?? [])].sort((a, b) => compareIds(a.itemId, b.itemId))) {
      if (used.has(item.itemId)) continue;
      const known = item.key === null ? undefined : numbers.get(item.key);
      const key = item.key === null ? 'no key' : known ? `key of ${known}` : `key ${item.key}`;
      out.push({
        sourceId: `monday-item:${item.itemId}`,
        documentType: MONDAY_ONLY_TYPE,
        documentNumber: `${item.name} on board ${board.boardName} (${key})`,
        counterparty: null,
        project: null,
        currency: mondayOnlyCurrency(item, matched.get(type) ?? new Map()),
        targetKey: item.key ?? '',
        expected: null,
        // No amount column: the item is there, with nothing to total.
        actual: board.hasAmount && item.amount !== null ? Decimal.parse(item.amount).toMoneyString() : '0.00',
        confirmed: null,
        parkedReason: null,
        deletedAtSource: false,
        lineCount: 1,
        targetId: item.itemId,
        targetOnly: true,
      });
    }
  }
  return out;
}

export interface ReconcileDeps {
  store: Store;
  exact: Pick<ExactOnlineConnector, 'readPurchaseOrders' | 'readDeletedPurchaseOrders' | 'readSalesInvoices' | 'readDeletedSalesInvoices' | 'readSalesOrders' | 'readDeletedSalesOrders'>;
  monday: Pick<MondayConnector, 'getBoard' | 'listItems'>;
  apiCalls(): Record<string, number>;
}

type Pages = AsyncIterable<SourcePage<ExactDocument, { sourceId: string }>>;

function readersOf(exact: ReconcileDeps['exact'], type: DocumentType): { records: () => Pages; deletions: () => Pages } {
  switch (type) {
    case 'purchase-order':
      return { records: () => exact.readPurchaseOrders(null) as Pages, deletions: () => exact.readDeletedPurchaseOrders(null) as Pages };
    case 'sales-invoice':
      return { records: () => exact.readSalesInvoices(null) as Pages, deletions: () => exact.readDeletedSalesInvoices(null) as Pages };
    case 'sales-order':
      return { records: () => exact.readSalesOrders(null) as Pages, deletions: () => exact.readDeletedSalesOrders(null) as Pages };
  }
}

function amountCell(item: FoundItem, columnId: string | null): string | null {
  if (columnId === null) return null;
  const cell = item.columnValues.get(columnId);
  return cell ? (amountOfCell(cell)?.toMoneyString() ?? null) : null;
}

function listedOf(item: FoundItem, keyColumnId: string, amountColumnId: string | null, currencyColumnId: string | null): ListedItem {
  const key = item.columnValues.get(keyColumnId)?.text ?? '';
  const currency = currencyColumnId === null ? '' : (item.columnValues.get(currencyColumnId)?.text ?? '').trim().toUpperCase();
  return { itemId: item.itemId, name: item.name, key: key === '' ? null : key, amount: amountCell(item, amountColumnId), currency: isKnownCurrency(currency) ? currency : null };
}

/** Reads Exact in full and each mapped board whole, and reconciles (decision 0023). Writes nothing. */
export async function reconcileExactMonday(deps: ReconcileDeps): Promise<ReconciliationReport> {
  const { store } = deps;
  const start = deps.apiCalls();
  const { mappings } = loadF4Mappings(store);
  const written = new Map<string, Pick<PlannedItem, 'documentType' | 'action' | 'total' | 'currency' | 'name'> & { itemId: string }>();
  for (const t of store.targetRecords.listForFlow(F4_FLOW)) {
    if (t.entity !== ITEM_ENTITY) continue;
    const plan = t.payload as unknown as PlannedItem;
    written.set(t.sourceId, { documentType: plan.documentType, action: plan.action, total: plan.total, currency: plan.currency, name: plan.name, itemId: t.targetId });
  }

  const types = new Map<DocumentType, { documents: FinanceDocument[]; deleted: Set<string>; board: BoardSeen }>();
  const unreadable: F4ReconInput['unreadable'][number][] = [];
  for (const type of DOCUMENT_TYPES) {
    const target = mappings.boards.get(type);
    if (!target) continue;
    const docs = `the ${DOCUMENT_LABELS[type].toLowerCase()}s`;
    const read = readersOf(deps.exact, type);
    const documents: FinanceDocument[] = [];
    const deleted = new Set<string>();
    await readOrExplain('Exact Online', docs, async () => {
      for await (const page of read.records()) {
        documents.push(...page.records.map(documentOf));
        unreadable.push(...(page.unreadable ?? []).map((u) => ({ type, ...u })));
      }
      for await (const page of read.deletions()) for (const d of page.deletions) deleted.add(d.sourceId);
    });
    const columns = mappings.columns.get(type);
    const keyColumnId = columns?.get('key')?.columnId;
    const amountColumnId = columns?.get('amount')?.columnId ?? null;
    const currencyColumnId = columns?.get('currency')?.columnId ?? null;
    const board = await readOrExplain('monday.com', `the board of ${docs}`, () => deps.monday.getBoard(target.boardId));
    let listed: ListedItem[] = [];
    let items = new Map<string, BoardItem>();
    if (keyColumnId) {
      const keys = new Set(documents.map((d) => d.sourceId));
      for (const [sourceId, w] of written) if (w.documentType === type) keys.add(sourceId);
      const columnIds = [keyColumnId, amountColumnId, currencyColumnId].filter((c): c is string => c !== null);
      // The board whole (1 call per 500 live items): copies and items typed in by hand come with it.
      const all = await readOrExplain('monday.com', `the items of board "${board.name}"`, () => deps.monday.listItems(target.boardId, { columnIds }));
      listed = all.map((item) => listedOf(item, keyColumnId, amountColumnId, currencyColumnId));
      items = boardItemsByKey(listed, keys);
    }
    types.set(type, { documents, deleted, board: { boardName: board.name, policy: { whenCancelled: target.whenCancelled, whenDeleted: target.whenDeleted }, hasAmount: amountColumnId !== null, items, listed } });
  }

  const parked = new Map<string, string>();
  for (const p of store.parked.listOpen(F4_FLOW)) if (!isFlaggedReason(p.reasonCode)) parked.set(parkedKey(p.stream, p.sourceId), p.reasonText);
  const inputs = f4Comparisons({ types, unreadable, parked, written });
  const end = deps.apiCalls();
  const used = Object.fromEntries(Object.keys(end).map((api) => [api, (end[api] ?? 0) - (start[api] ?? 0)]).filter(([, n]) => (n as number) > 0));
  return reconcile({ flow: F4_FLOW, title: 'Exact Online → monday.com', generatedAt: new Date().toISOString(), apiCalls: used, systems: F4_SYSTEMS }, inputs);
}
