import { z } from 'zod';
import { mappingKeyOf, type MappingSetDefinition } from '../../../../src-shared/ipc/mapping-sets';
import { MONDAY_COLUMN_TYPES, type MondayColumnType } from '../../../connectors/monday';
import type { World } from '../../../sandbox/seed/world-types';
import type { Store } from '../../../store/db';
import {
  DELETED_STATUS,
  DOCUMENT_TYPES,
  F4_FLOW,
  FIELD_NAMES,
  REMOVAL_POLICIES,
  STATUSES,
  type BoardTarget,
  type ColumnTarget,
  type DocumentType,
  type ExactMondayMappings,
  type Field,
} from './model';
import { currentMappingTables, parseMappingRows } from '../shared/mapping-tables';
export { InvalidMappingError } from '../shared/mapping-tables';

/**
 * F4's five mapping tables, as the Mappings screen and CSV files show them: where each document
 * type's items go (board, group, cancellation and deletion policy), which board column shows
 * each field, the GL account and cost center reference values, and the status labels.
 */
export const F4_MAPPING_SETS = {
  boards: 'boards',
  columns: 'columns',
  glAccounts: 'gl-accounts',
  costCenters: 'cost-centers',
  statuses: 'statuses',
} as const;

/** The lists behind F4's pickers (FlowRuntime.referenceData; reference.ts reads them). */
export const F4_REFERENCE_LISTS = {
  mondayBoards: 'monday-boards',
  mondayGroups: 'monday-groups',
  mondayColumns: 'monday-columns',
  mondayColumnTypes: 'monday-column-types',
  exactGlAccounts: 'exact-gl-accounts',
  exactCostCenters: 'exact-cost-centers',
  documentTypes: 'f4-document-types',
  fields: 'f4-fields',
  statuses: 'f4-statuses',
  policies: 'f4-removal-policies',
} as const;

const DOCUMENT_TYPE_HINT = DOCUMENT_TYPES.join(', ');
const pick = (list: string, system: 'exact-online' | 'monday') => ({ reference: { list, system } });

export const F4_MAPPING_SET_DEFINITIONS: readonly MappingSetDefinition[] = [
  {
    flow: F4_FLOW,
    set: F4_MAPPING_SETS.boards,
    title: 'Boards',
    description: `Exact document type (${DOCUMENT_TYPE_HINT}) → monday.com board and group; what a cancellation or deletion in Exact does to the item (archive, or label: set the status label mapped for it)`,
    keyPrefix: 'board',
    sourceFields: [{ name: 'documentType', label: 'Document type', ...pick(F4_REFERENCE_LISTS.documentTypes, 'exact-online') }],
    targetFields: [
      { name: 'boardId', label: 'Board', ...pick(F4_REFERENCE_LISTS.mondayBoards, 'monday') },
      { name: 'groupId', label: 'Group', ...pick(F4_REFERENCE_LISTS.mondayGroups, 'monday') },
      { name: 'whenCancelled', label: 'When cancelled (archive | label)', ...pick(F4_REFERENCE_LISTS.policies, 'monday') },
      { name: 'whenDeleted', label: 'When deleted (archive | label)', ...pick(F4_REFERENCE_LISTS.policies, 'monday') },
    ],
    connectionPicker: {
      system: 'monday',
      action: 'Choose boards',
      intro: 'The board and group each kind of Exact document goes to. Map the columns of a newly chosen board under Mappings → Board columns before the next sync.',
      fields: ['boardId', 'groupId'],
      // Archiving needs no status column on the board, so a new board works before its columns are mapped.
      defaults: { whenCancelled: 'archive', whenDeleted: 'archive' },
    },
  },
  {
    flow: F4_FLOW,
    set: F4_MAPPING_SETS.columns,
    title: 'Board columns',
    description: `Document type + field (${FIELD_NAMES.join(', ')}) → the board column that shows it, with the column type it had when mapped (checked against the board before every sync)`,
    keyPrefix: 'column',
    sourceFields: [
      { name: 'documentType', label: 'Document type', ...pick(F4_REFERENCE_LISTS.documentTypes, 'exact-online') },
      { name: 'field', label: 'Field', ...pick(F4_REFERENCE_LISTS.fields, 'exact-online') },
    ],
    targetFields: [
      { name: 'columnId', label: 'Column', ...pick(F4_REFERENCE_LISTS.mondayColumns, 'monday') },
      { name: 'columnType', label: 'Column type', ...pick(F4_REFERENCE_LISTS.mondayColumnTypes, 'monday') },
    ],
  },
  {
    flow: F4_FLOW,
    set: F4_MAPPING_SETS.glAccounts,
    title: 'GL accounts',
    description: 'Exact GL account → the reference value the boards show; an item with a GL account not listed here is created and flagged for review',
    keyPrefix: 'gl',
    sourceFields: [{ name: 'glAccountCode', label: 'GL account', ...pick(F4_REFERENCE_LISTS.exactGlAccounts, 'exact-online') }],
    targetFields: [{ name: 'label', label: 'Value on the board' }],
  },
  {
    flow: F4_FLOW,
    set: F4_MAPPING_SETS.costCenters,
    title: 'Cost centers',
    description: 'Exact cost center → the reference value the boards show; an item with a cost center not listed here is created and flagged for review',
    keyPrefix: 'costcenter',
    sourceFields: [{ name: 'costCenterCode', label: 'Cost center', ...pick(F4_REFERENCE_LISTS.exactCostCenters, 'exact-online') }],
    targetFields: [{ name: 'label', label: 'Value on the board' }],
  },
  {
    flow: F4_FLOW,
    set: F4_MAPPING_SETS.statuses,
    title: 'Status labels',
    description: `Document type + Exact status (${[...new Set(Object.values(STATUSES).flat())].join(', ')}, or ${DELETED_STATUS}) → the monday status label`,
    keyPrefix: 'status',
    sourceFields: [
      { name: 'documentType', label: 'Document type', ...pick(F4_REFERENCE_LISTS.documentTypes, 'exact-online') },
      { name: 'status', label: 'Exact status', ...pick(F4_REFERENCE_LISTS.statuses, 'exact-online') },
    ],
    targetFields: [{ name: 'label', label: 'Status label' }],
  },
];

const definition = (set: string): MappingSetDefinition => F4_MAPPING_SET_DEFINITIONS.find((d) => d.set === set)!;

/** The mapping key that names a row of a table (Pending validation links it to the table). */
export const f4MappingKey = {
  glAccount: (code: string): string => mappingKeyOf(definition(F4_MAPPING_SETS.glAccounts), { glAccountCode: code }),
  costCenter: (code: string): string => mappingKeyOf(definition(F4_MAPPING_SETS.costCenters), { costCenterCode: code }),
  board: (type: DocumentType): string => mappingKeyOf(definition(F4_MAPPING_SETS.boards), { documentType: type }),
  column: (type: DocumentType, field: Field): string => mappingKeyOf(definition(F4_MAPPING_SETS.columns), { documentType: type, field }),
  status: (type: DocumentType, status: string): string => mappingKeyOf(definition(F4_MAPPING_SETS.statuses), { documentType: type, status }),
};

/** The labels the demo boards (and a new board's defaults) use, per document type and Exact status. */
export const DEFAULT_STATUS_LABELS: Record<DocumentType, Record<string, string>> = {
  'purchase-order': { open: 'Open', partial: 'Partial', complete: 'Complete', cancelled: 'Canceled' },
  'sales-invoice': { draft: 'Draft', open: 'Open', processed: 'Processed' },
  'sales-order': { open: 'Open', partial: 'Partial', complete: 'Complete', cancelled: 'Canceled' },
};

// ---- rows, validated ------------------------------------------------------------------------

const code = z.string().trim().min(1);
const documentType = z.enum(DOCUMENT_TYPES as [DocumentType, ...DocumentType[]], {
  error: () => `must be one of ${DOCUMENT_TYPE_HINT}`,
});
const policy = z.enum(REMOVAL_POLICIES as ['archive', 'label'], { error: () => 'must be archive or label' });
const boardRow = z.object({
  sourceKey: z.object({ documentType }),
  target: z.object({
    boardId: z.string().trim().regex(/^\d+$/, 'must be a monday board id (digits)'),
    groupId: code,
    whenCancelled: policy,
    whenDeleted: policy,
  }),
});
const columnRow = z.object({
  sourceKey: z.object({
    documentType,
    field: z.enum(FIELD_NAMES as [Field, ...Field[]], { error: () => `must be one of ${FIELD_NAMES.join(', ')}` }),
  }),
  target: z.object({
    columnId: code,
    columnType: z.enum(MONDAY_COLUMN_TYPES, { error: () => 'must be a monday column type (text, numbers, date, status, dropdown, long_text, link, …)' }),
  }),
});
const referenceRow = <K extends string>(key: K) => z.object({ sourceKey: z.object({ [key]: code } as Record<K, typeof code>), target: z.object({ label: code }) });
const statusRow = z.object({
  sourceKey: z.object({ documentType, status: code }),
  target: z.object({ label: code }),
});

/** The current version of F4's tables, validated, plus the version ids used (recorded on audit entries). */
export function loadF4Mappings(store: Store): { mappings: ExactMondayMappings; versions: Record<string, number | null> } {
  const tables = currentMappingTables(store, F4_FLOW);
  const boards = parseMappingRows(F4_MAPPING_SETS.boards, tables.rows(F4_MAPPING_SETS.boards), boardRow);
  const columns = parseMappingRows(F4_MAPPING_SETS.columns, tables.rows(F4_MAPPING_SETS.columns), columnRow);
  const gl = parseMappingRows(F4_MAPPING_SETS.glAccounts, tables.rows(F4_MAPPING_SETS.glAccounts), referenceRow('glAccountCode'));
  const cc = parseMappingRows(F4_MAPPING_SETS.costCenters, tables.rows(F4_MAPPING_SETS.costCenters), referenceRow('costCenterCode'));
  const statuses = parseMappingRows(F4_MAPPING_SETS.statuses, tables.rows(F4_MAPPING_SETS.statuses), statusRow);
  const columnMap = new Map<DocumentType, Map<Field, ColumnTarget>>();
  for (const row of columns) {
    const of = columnMap.get(row.sourceKey.documentType) ?? new Map<Field, ColumnTarget>();
    of.set(row.sourceKey.field, { columnId: row.target.columnId, columnType: row.target.columnType });
    columnMap.set(row.sourceKey.documentType, of);
  }
  const statusMap = new Map<DocumentType, Map<string, string>>();
  for (const row of statuses) {
    const of = statusMap.get(row.sourceKey.documentType) ?? new Map<string, string>();
    of.set(row.sourceKey.status, row.target.label);
    statusMap.set(row.sourceKey.documentType, of);
  }
  return {
    mappings: {
      version: tables.version(),
      boards: new Map(boards.map((r): [DocumentType, BoardTarget] => [r.sourceKey.documentType, r.target])),
      columns: columnMap,
      glAccounts: new Map(gl.map((r) => [r.sourceKey.glAccountCode, r.target.label])),
      costCenters: new Map(cc.map((r) => [r.sourceKey.costCenterCode, r.target.label])),
      statuses: statusMap,
    },
    versions: tables.versions,
  };
}

/** The label a status gets: the mapped one, else the default for the document type, else none. */
export function statusLabel(m: ExactMondayMappings, type: DocumentType, status: string): string | null {
  return m.statuses.get(type)?.get(status) ?? DEFAULT_STATUS_LABELS[type][status] ?? null;
}

// ---- sandbox seed ---------------------------------------------------------------------------

/**
 * First start on the sandbox: the tables a finance team would have set up for the demo world's
 * monday.com boards (sandbox/seed/world.ts `mondayBoards`): each document type on its board,
 * every field on the column that shows it (project only on purchase orders: sales documents do
 * not carry one), every GL account and cost center as its own code, and the boards' status
 * labels. Minus the world's deliberate gap: the GL account of the unmapped pair (one purchase
 * order line) is left out, so that order is created and flagged for review.
 */
export function seedF4SandboxMappings(store: Store, worldOf: () => World): void {
  if (store.mappings.getSet(F4_FLOW, F4_MAPPING_SETS.boards)) return;
  const world = worldOf();
  const gap = world.deliberate.unmappedPair.glAccountCode;
  const rows = {
    boards: world.mondayBoards.map((b) => ({
      sourceKey: { documentType: b.documentType },
      target: { boardId: b.mondayBoardId, groupId: b.groupId, whenCancelled: 'label', whenDeleted: 'archive' },
    })),
    columns: world.mondayBoards.flatMap((b) =>
      b.columns
        .filter((c) => c.field !== 'project' || b.documentType === 'purchase-order')
        .map((c) => ({ sourceKey: { documentType: b.documentType, field: c.field }, target: { columnId: c.id, columnType: c.type as MondayColumnType } })),
    ),
    glAccounts: world.glAccounts.filter((g) => g.code !== gap).map((g) => ({ sourceKey: { glAccountCode: g.code }, target: { label: g.code } })),
    costCenters: [...new Map(world.costCenters.map((c) => [c.code, c])).values()].map((c) => ({ sourceKey: { costCenterCode: c.code }, target: { label: c.code } })),
    statuses: world.mondayBoards.flatMap((b) =>
      STATUSES[b.documentType].flatMap((status) => {
        const label = DEFAULT_STATUS_LABELS[b.documentType][status];
        return label && Object.values(b.statusLabels).includes(label) ? [{ sourceKey: { documentType: b.documentType, status }, target: { label } }] : [];
      }),
    ),
  };
  store.transaction(() => {
    for (const [key, set] of Object.entries(F4_MAPPING_SETS) as [keyof typeof F4_MAPPING_SETS, string][]) {
      const stored = store.mappings.ensureSet(F4_FLOW, set, definition(set).description);
      store.mappings.createVersion(stored.id, rows[key], 'sandbox defaults');
    }
  });
}
