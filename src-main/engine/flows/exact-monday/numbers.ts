import type { RecordLabel } from '../../../../src-shared/domain/labels';
import { DOCUMENT_LABELS, DOCUMENT_TYPES, type DocumentType, type PlannedItem } from './model';

/**
 * Which Exact document carries which number on which board: what the planner asks before it
 * writes an item named by a number that a DIFFERENT document (another origin id) already has
 * there (Exact allows it, e.g. for imported documents). Built once per run from the engine's
 * own confirmed items (no monday.com call) and kept up to date as the run plans, so a batch's
 * second document is seen as well as one an earlier run wrote. No I/O here.
 *
 * "Earlier" is the order in which the items were first written: a document already on the board
 * keeps its place when it is updated, so re-syncing the first of two never flags it.
 */

/** A document on a board as a message names it: its kind, number, customer or supplier, amount. */
export interface NumberHolder {
  originId: string;
  label: Pick<RecordLabel, 'documentType' | 'number' | 'counterparty' | 'amount' | 'currency'>;
}

/** What the planner reads (it never changes the index). */
export interface BoardNumbersView {
  /** The first document other than `originId` that holds `number` on the board before it does, or null. */
  earlierHolder(type: DocumentType, boardId: string, number: string, originId: string): NumberHolder | null;
}

interface Entry {
  key: string;
  /** Order of first write: stored items by the store's order, then as this run plans them. */
  rank: number;
  holder: NumberHolder;
}

const keyOf = (type: DocumentType, boardId: string, number: string): string => `${boardId}\u0000${type}\u0000${number.trim()}`;

export class BoardNumbers implements BoardNumbersView {
  private readonly byOrigin = new Map<string, Entry>();
  private readonly byKey = new Map<string, Set<string>>();
  private nextRank = 0;

  earlierHolder(type: DocumentType, boardId: string, number: string, originId: string): NumberHolder | null {
    if (number.trim() === '') return null;
    const own = this.byOrigin.get(originId)?.rank ?? Number.POSITIVE_INFINITY;
    let first: Entry | null = null;
    for (const id of this.byKey.get(keyOf(type, boardId, number)) ?? []) {
      if (id === originId) continue;
      const entry = this.byOrigin.get(id)!;
      if (entry.rank < own && (first === null || entry.rank < first.rank)) first = entry;
    }
    return first?.holder ?? null;
  }

  /** The item of `holder` is (or is about to be) on `boardId` named by `number`; it keeps the place it had. */
  hold(type: DocumentType, boardId: string, number: string, holder: NumberHolder): void {
    const existing = this.byOrigin.get(holder.originId);
    if (existing) this.byKey.get(existing.key)?.delete(holder.originId);
    const key = keyOf(type, boardId, number);
    this.byOrigin.set(holder.originId, { key, rank: existing?.rank ?? this.nextRank++, holder });
    let ids = this.byKey.get(key);
    if (!ids) this.byKey.set(key, (ids = new Set()));
    ids.add(holder.originId);
  }

  /** The item was archived: off the board, it holds no number there. */
  release(originId: string): void {
    const existing = this.byOrigin.get(originId);
    if (!existing) return;
    this.byKey.get(existing.key)?.delete(originId);
    this.byOrigin.delete(originId);
  }

  /** Holds or releases what a confirmed or planned item says. */
  apply(item: Pick<PlannedItem, 'originId' | 'documentType' | 'containerId' | 'action'>, number: string, label: NumberHolder['label']): void {
    if (item.action === 'archive') this.release(item.originId);
    else this.hold(item.documentType, item.containerId, number, { originId: item.originId, label });
  }
}

/** The payload fields `fromConfirmed` reads of each stored item (TargetRecordsRepo.listInConfirmOrder). */
export const CONFIRMED_ITEM_FIELDS = ['$.documentType', '$.action', '$.name', '$.total', '$.currency'] as const;

const CREDIT_NOTE_SUFFIX = ' (credit note)';
const isDocumentType = (value: unknown): value is DocumentType => (DOCUMENT_TYPES as readonly unknown[]).includes(value);

/**
 * The index from the items the engine confirmed, in the order each was first written. An item
 * stored before labels were kept (migration 0007) is named by its item name and total alone.
 */
export function fromConfirmed(rows: readonly { originId: string; containerId: string | null; label: RecordLabel | null; fields: readonly unknown[] }[]): BoardNumbers {
  const numbers = new BoardNumbers();
  for (const row of rows) {
    const [documentType, action, name, total, currency] = row.fields;
    if (!isDocumentType(documentType) || typeof name !== 'string' || row.containerId === null) continue;
    const creditNote = name.endsWith(CREDIT_NOTE_SUFFIX);
    const number = row.label?.number ?? (creditNote ? name.slice(0, -CREDIT_NOTE_SUFFIX.length) : name);
    const label = row.label ?? {
      documentType: creditNote ? 'Credit note' : DOCUMENT_LABELS[documentType],
      number,
      counterparty: null,
      amount: typeof total === 'string' ? total : null,
      currency: typeof currency === 'string' ? currency : null,
    };
    numbers.apply({ originId: row.originId, documentType, containerId: row.containerId, action: action === 'archive' ? 'archive' : 'upsert' }, number, label);
  }
  return numbers;
}
