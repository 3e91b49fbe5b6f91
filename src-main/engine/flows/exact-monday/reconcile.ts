import { Decimal } from '../../../../src-shared/domain/money';
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
 * module reports them as changed on the board by hand, with their whole amount. An archived item
 * is off the board: it counts as none.
 *
 * Reads only. Calls: Exact — the full reads of each mapped document type and its deletions (as
 * an initial sync reads them); monday.com — per mapped board one read of the board, the items by
 * key (⌈keys / keys per lookup⌉, plus one per further page) with only the key and amount
 * columns, and the duplicates by id (⌈duplicates / 100⌉). monday's API is not asked to list every
 * item of a board, so an item whose key is no document's (typed in by hand) is not seen.
 */

export interface BoardSeen {
  boardName: string;
  policy: Pick<BoardTarget, 'whenCancelled' | 'whenDeleted'>;
  /** False when no column holds the amount: an item is then compared by being there. */
  hasAmount: boolean;
  /** Live items by key (Exact document id) with their amount column. */
  items: ReadonlyMap<string, { itemId: string; amount: string | null; duplicates: { itemId: string; amount: string | null }[] }>;
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
  return out;
}

export interface ReconcileDeps {
  store: Store;
  exact: Pick<ExactOnlineConnector, 'readPurchaseOrders' | 'readDeletedPurchaseOrders' | 'readSalesInvoices' | 'readDeletedSalesInvoices' | 'readSalesOrders' | 'readDeletedSalesOrders'>;
  monday: Pick<MondayConnector, 'getBoard' | 'findItemsByKey' | 'readItems'>;
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

/** Reads Exact in full and each mapped board by the keys the flow writes, and reconciles (decision 0023). Writes nothing. */
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
    const board = await readOrExplain('monday.com', `the board of ${docs}`, () => deps.monday.getBoard(target.boardId));
    const items = new Map<string, { itemId: string; amount: string | null; duplicates: { itemId: string; amount: string | null }[] }>();
    if (keyColumnId) {
      const keys = new Set(documents.map((d) => d.sourceId));
      for (const [sourceId, w] of written) if (w.documentType === type) keys.add(sourceId);
      const options = amountColumnId ? { columnIds: [amountColumnId] } : {};
      const found = await readOrExplain('monday.com', `the items of board "${board.name}"`, () => deps.monday.findItemsByKey(target.boardId, keyColumnId, [...keys], options));
      const duplicateIds = [...found.values()].flatMap((i) => i.duplicateItemIds);
      const duplicates = duplicateIds.length ? await readOrExplain('monday.com', `the duplicate items of board "${board.name}"`, () => deps.monday.readItems(duplicateIds, options)) : new Map<string, FoundItem>();
      for (const [key, item] of found)
        items.set(key, {
          itemId: item.itemId,
          amount: amountCell(item, amountColumnId),
          duplicates: item.duplicateItemIds.map((id) => ({ itemId: id, amount: duplicates.has(id) ? amountCell(duplicates.get(id)!, amountColumnId) : null })),
        });
    }
    types.set(type, { documents, deleted, board: { boardName: board.name, policy: { whenCancelled: target.whenCancelled, whenDeleted: target.whenDeleted }, hasAmount: amountColumnId !== null, items } });
  }

  const parked = new Map<string, string>();
  for (const p of store.parked.listOpen(F4_FLOW)) if (!isFlaggedReason(p.reasonCode)) parked.set(parkedKey(p.stream, p.sourceId), p.reasonText);
  const inputs = f4Comparisons({ types, unreadable, parked, written });
  const end = deps.apiCalls();
  const used = Object.fromEntries(Object.keys(end).map((api) => [api, (end[api] ?? 0) - (start[api] ?? 0)]).filter(([, n]) => (n as number) > 0));
  return reconcile({ flow: F4_FLOW, title: 'Exact Online → monday.com', generatedAt: new Date().toISOString(), apiCalls: used }, inputs);
}
