import type { MappedField, MappingCheck, MondayBoard, MondayColumnType } from '../../../connectors/monday';
import { statusLabel } from './mappings';
import { DELETED_STATUS, DOCUMENT_LABELS, FIELDS, STATUSES, type BoardContext, type BoardTarget, type DocumentType, type ExactMondayMappings, type Field } from './model';

/**
 * Before anything is written to a board, its mapping is checked against the board as monday
 * has it now (`boards { columns { id title type settings } }`): every mapped column exists, has
 * a type that can hold its field (amounts in numbers, dates in date, codes in text, status or
 * dropdown), was not retyped since it was mapped, and status or dropdown columns carry every
 * label the sync will write. Pure: the board is read by the caller, the check is the
 * connector's (`checkColumnMapping`, with the connection's create-labels setting).
 */
export type BoardCheck = { ok: true; context: BoardContext } | { ok: false; problems: string[] };

const ONE_LABEL_TYPES: ReadonlySet<MondayColumnType> = new Set<MondayColumnType>(['status', 'dropdown']);

/** The labels a status column must offer for a document type: every status it can have, and the deletion label when used. */
export function statusLabelsNeeded(m: ExactMondayMappings, type: DocumentType, target: BoardTarget): string[] {
  const statuses = [...STATUSES[type], ...(target.whenDeleted === 'label' ? [DELETED_STATUS] : [])];
  return [...new Set(statuses.flatMap((s) => statusLabel(m, type, s) ?? []))];
}

export function checkBoard(
  type: DocumentType,
  target: BoardTarget,
  board: MondayBoard,
  m: ExactMondayMappings,
  check: (board: MondayBoard, fields: readonly MappedField[]) => MappingCheck[],
): BoardCheck {
  const docs = `${DOCUMENT_LABELS[type].toLowerCase()}s`;
  const problems: string[] = [];
  const columns = m.columns.get(type) ?? new Map<Field, { columnId: string; columnType: MondayColumnType }>();
  const key = columns.get('key');
  if (!key) problems.push(`No column holds the key of ${docs} (field "key" under Board columns): the app finds items by it before every create, so nothing is written to board "${board.name}" until one does.`);
  if (!board.groups.some((g) => g.id === target.groupId))
    problems.push(`Board "${board.name}" has no group with id "${target.groupId}" any more; pick the group for ${docs} again under Boards.`);
  const status = columns.get('status');
  if (!status && (target.whenDeleted === 'label' || (target.whenCancelled === 'label' && STATUSES[type].includes('cancelled'))))
    problems.push(`${DOCUMENT_LABELS[type]}s that are cancelled or deleted in Exact get a status label (Boards), but no column shows their status: map the "status" field, or choose archive.`);
  if (target.whenDeleted === 'label' && statusLabel(m, type, DELETED_STATUS) === null)
    problems.push(`Deleted ${docs} get a status label, but none is set: add the status "${DELETED_STATUS}" for ${type} under Status labels.`);

  const boardType = (columnId: string): MondayColumnType | undefined => board.columns.find((c) => c.id === columnId)?.type;
  const fields: MappedField[] = [...columns].map(([field, column]) => {
    const type_ = boardType(column.columnId);
    const labels =
      type_ && ONE_LABEL_TYPES.has(type_)
        ? field === 'status'
          ? statusLabelsNeeded(m, type, target)
          : field === 'glAccount'
            ? [...new Set(m.glAccounts.values())]
            : field === 'costCenter'
              ? [...new Set(m.costCenters.values())]
              : undefined
        : undefined;
    return {
      field,
      label: `${FIELDS[field].label} of ${docs}`,
      valueKind: FIELDS[field].valueKind,
      columnId: column.columnId,
      mappedType: column.columnType,
      ...(labels ? { labels } : {}),
    };
  });
  for (const result of check(board, fields)) if (!result.ok && result.problem) problems.push(result.problem);
  if (problems.length > 0 || !key) return { ok: false, problems };
  return {
    ok: true,
    context: {
      documentType: type,
      boardId: board.id,
      boardName: board.name,
      groupId: target.groupId,
      keyColumnId: key.columnId,
      // The type the board has now: a column retyped to another type that still fits is written as what it is.
      columns: new Map([...columns].filter(([field]) => field !== 'key').map(([field, c]) => [field, { columnId: c.columnId, columnType: boardType(c.columnId)! }])),
      policy: { whenCancelled: target.whenCancelled, whenDeleted: target.whenDeleted },
    },
  };
}

/** The run stops before it writes anything to a board whose mapping does not fit it (boards checked earlier in the run may have been written). */
export class BoardMappingError extends Error {
  override readonly name = 'BoardMappingError';
  constructor(readonly problems: readonly string[]) {
    super(`The monday.com board mapping does not fit the board, so nothing was written to it: ${problems.join(' ')} Fix it under Mappings, then sync again.`);
  }
}
