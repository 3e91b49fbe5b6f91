import type { CellWrite, MappedField, MondayColumnType } from '../../../connectors/monday';
import type { PlannedTargetWrite } from '../../sync/types';

/**
 * F4 (Exact Online → monday.com): the document types, the fields a board column can show, the
 * mapping tables a finance team maintains, and the planned item writes. Ids are strings (monday
 * item ids exceed 2^32); amounts are decimal strings, never floats.
 */

export const F4_FLOW = 'exact-monday';

export type DocumentType = 'purchase-order' | 'sales-invoice' | 'sales-order';
export const DOCUMENT_TYPES: readonly DocumentType[] = ['purchase-order', 'sales-invoice', 'sales-order'];

/** As finance names them (audit messages, Pending validation, board check errors). */
export const DOCUMENT_LABELS: Record<DocumentType, string> = {
  'purchase-order': 'Purchase order',
  'sales-invoice': 'Sales invoice',
  'sales-order': 'Sales order',
};

/** What a board column can show of an Exact document, and which column types can hold it. */
export const FIELDS = {
  key: { label: 'Exact document id (the key the app finds items by)', valueKind: 'key' },
  number: { label: 'Document number', valueKind: 'text' },
  date: { label: 'Document date', valueKind: 'date' },
  dueDate: { label: 'Due date (receipt date of orders, delivery date of sales orders)', valueKind: 'date' },
  amount: { label: 'Amount excl. VAT', valueKind: 'amount' },
  vat: { label: 'VAT amount', valueKind: 'amount' },
  currency: { label: 'Currency', valueKind: 'code' },
  party: { label: 'Supplier or customer', valueKind: 'text' },
  glAccount: { label: 'GL account (reference value)', valueKind: 'code' },
  glAccountName: { label: 'GL account name', valueKind: 'text' },
  costCenter: { label: 'Cost center (reference value)', valueKind: 'code' },
  project: { label: 'Project (purchase orders)', valueKind: 'code' },
  status: { label: 'Status', valueKind: 'code' },
  link: { label: 'Link to the document in Exact Online', valueKind: 'url' },
  review: { label: 'What needs review (empty when nothing does)', valueKind: 'text' },
} as const satisfies Record<string, { label: string; valueKind: MappedField['valueKind'] }>;

export type Field = keyof typeof FIELDS;
export const FIELD_NAMES = Object.keys(FIELDS) as Field[];

/** Exact statuses of each document type, as the records carry them. */
export const STATUSES: Record<DocumentType, readonly string[]> = {
  'purchase-order': ['open', 'partial', 'complete', 'cancelled'],
  'sales-invoice': ['draft', 'open', 'processed'],
  'sales-order': ['open', 'partial', 'complete', 'cancelled'],
};

/** The status row used when a deleted document's item keeps a status label (whenDeleted = label). */
export const DELETED_STATUS = 'deleted';

/** Where a document type's items go and what happens when Exact cancels or deletes one. */
export interface BoardTarget {
  boardId: string;
  groupId: string;
  /** archive the item, or set the status label mapped for "cancelled". */
  whenCancelled: RemovalPolicy;
  /** archive the item, or set the status label mapped for "deleted". Never a delete. */
  whenDeleted: RemovalPolicy;
}

export type RemovalPolicy = 'archive' | 'label';
export const REMOVAL_POLICIES: readonly RemovalPolicy[] = ['archive', 'label'];

/** A field's column as the mapping recorded it (the type is compared with the board's). */
export interface ColumnTarget {
  columnId: string;
  columnType: MondayColumnType;
}

export interface ExactMondayMappings {
  version: number;
  boards: ReadonlyMap<DocumentType, BoardTarget>;
  columns: ReadonlyMap<DocumentType, ReadonlyMap<Field, ColumnTarget>>;
  /** Exact GL account code → the reference value the board shows. */
  glAccounts: ReadonlyMap<string, string>;
  /** Exact cost center code → the reference value the board shows. */
  costCenters: ReadonlyMap<string, string>;
  /** Per document type, Exact status (or "deleted") → monday status label. */
  statuses: ReadonlyMap<DocumentType, ReadonlyMap<string, string>>;
}

/**
 * A document type's board as checked before any write: the mapped columns with the type the
 * board has NOW (a column retyped to another type that still fits is written as what it is).
 */
export interface BoardContext {
  documentType: DocumentType;
  boardId: string;
  boardName: string;
  groupId: string;
  keyColumnId: string;
  columns: ReadonlyMap<Field, { columnId: string; columnType: MondayColumnType }>;
  policy: Pick<BoardTarget, 'whenCancelled' | 'whenDeleted'>;
}

/** One item on a board, planned from one Exact document. */
export interface PlannedItem extends PlannedTargetWrite {
  entity: typeof ITEM_ENTITY;
  documentType: DocumentType;
  /** = the Exact document id: the key column's text, and the idempotency key. */
  originId: string;
  /** = the board id (writes and recovery lookups are per board). */
  containerId: string;
  groupId: string;
  keyColumnId: string;
  /** The item name: the document number (a credit note says so). */
  name: string;
  /** Every mapped column but the key (the connector writes the key itself). */
  cells: CellWrite[];
  /** upsert: create or update the item; archive: archive it (never delete). */
  action: 'upsert' | 'archive';
  /**
   * One marker for crash recovery: the item as planned. The lookup reports it held only when the
   * item found by its key holds every planned cell (and is archived for an archive), so a lost
   * status change is never confirmed because the amount happens to match (decision 0018).
   */
  lines: [{ originId: string; amount: string }];
}

export const ITEM_ENTITY = 'monday-item';
