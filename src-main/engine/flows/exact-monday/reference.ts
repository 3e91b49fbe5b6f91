import type { JsonValue } from '../../../../src-shared/domain/audit';
import type { ReferenceOption } from '../../../../src-shared/ipc/mapping-sets';
import type { ExactOnlineConnector } from '../../../connectors/exact-online';
import { columnTypeName, MONDAY_COLUMN_TYPES, type MondayBoard, type MondayConnector } from '../../../connectors/monday';
import type { Store } from '../../../store/db';
import { readOrExplain } from '../../sync/explain-read-failure';
import { documentOf, distinct, type ExactDocument } from './documents';
import { F4_REFERENCE_LISTS, f4MappingKey, loadF4Mappings } from './mappings';
import { DELETED_STATUS, DOCUMENT_LABELS, DOCUMENT_TYPES, FIELDS, FIELD_NAMES, REMOVAL_POLICIES, STATUSES } from './model';

/**
 * The lists behind F4's pickers (FlowRuntime.referenceData): the monday.com boards the token sees
 * (the board picker), their groups and columns, the column types; Exact's GL accounts and cost
 * centers; and F4's own vocabularies (document types, fields, statuses, policies). Every read goes
 * through the connectors (counted, budgeted); the host caches the answers.
 */

const EXACT = 'Exact Online';
const MONDAY = 'monday.com';

export function f4ReferenceData(store: Store, exact: ExactOnlineConnector, monday: MondayConnector) {
  const exactCodes = async (what: string, read: () => Promise<{ code: string; description: string }[]>) =>
    (await readOrExplain(EXACT, what, read)).map((r): ReferenceOption => ({ value: r.code, label: r.description || r.code, code: r.code, detail: null }));

  /** The boards the board mapping names (every board the token sees when none is mapped yet), with their columns. */
  async function boards(): Promise<MondayBoard[]> {
    const mapped = [...new Set([...loadF4Mappings(store).mappings.boards.values()].map((b) => b.boardId))];
    const ids = mapped.length > 0 ? mapped : (await readOrExplain(MONDAY, 'the boards', () => monday.listBoards())).map((b) => b.id);
    const read: MondayBoard[] = [];
    for (const id of ids) read.push(await readOrExplain(MONDAY, `board ${id}`, () => monday.getBoard(id)));
    return read;
  }

  return {
    async referenceData(list: string): Promise<ReferenceOption[]> {
      switch (list) {
        case F4_REFERENCE_LISTS.mondayBoards:
          return (await readOrExplain(MONDAY, 'the boards', () => monday.listBoards())).map((b) => ({
            value: b.id,
            label: b.name,
            code: null,
            detail: `board ${b.id}; groups ${b.groups.map((g) => `${g.title} (${g.id})`).join(', ') || 'none'}`,
          }));
        case F4_REFERENCE_LISTS.mondayGroups:
          return (await readOrExplain(MONDAY, 'the boards', () => monday.listBoards())).flatMap((b) =>
            b.groups.map((g) => ({ value: g.id, label: g.title, code: g.id, detail: `on board "${b.name}" (${b.id})`, within: b.id })),
          );
        case F4_REFERENCE_LISTS.mondayColumns:
          return (await boards()).flatMap((b) =>
            b.columns.map((c) => ({ value: c.id, label: c.title, code: c.id, detail: `${columnTypeName(c.type)} column on board "${b.name}"` })),
          );
        case F4_REFERENCE_LISTS.mondayColumnTypes:
          return MONDAY_COLUMN_TYPES.map((t) => ({ value: t, label: columnTypeName(t), code: t, detail: null }));
        case F4_REFERENCE_LISTS.exactGlAccounts:
          return exactCodes('the G/L accounts', () => exact.readGlAccounts());
        case F4_REFERENCE_LISTS.exactCostCenters:
          return exactCodes('the cost centers', () => exact.readCostCenters());
        case F4_REFERENCE_LISTS.documentTypes:
          return DOCUMENT_TYPES.map((t) => ({ value: t, label: DOCUMENT_LABELS[t], code: t, detail: null }));
        case F4_REFERENCE_LISTS.fields:
          return FIELD_NAMES.map((f) => ({ value: f, label: FIELDS[f].label, code: f, detail: null }));
        case F4_REFERENCE_LISTS.statuses:
          return [...new Set([...Object.values(STATUSES).flat(), DELETED_STATUS])].map((s) => ({
            value: s,
            label: s,
            code: s,
            detail: s === DELETED_STATUS ? 'a document deleted in Exact, when its board keeps the item with a label' : `of ${DOCUMENT_TYPES.filter((t) => STATUSES[t].includes(s)).map((t) => DOCUMENT_LABELS[t].toLowerCase()).join(', ')}`,
          }));
        case F4_REFERENCE_LISTS.policies:
          return REMOVAL_POLICIES.map((p) => ({
            value: p,
            label: p === 'archive' ? 'Archive the item' : 'Keep the item, set its status label',
            code: p,
            detail: null,
          }));
        default:
          throw new Error(`Exact Online → monday.com has no reference list "${list}".`);
      }
    },
  };
}

/**
 * The mapping keys a stored document's item depends on: each GL account and each cost center of
 * its lines (a mapping import then says how many written items it would change).
 */
export function f4CodingKeys(_stream: string, payload: JsonValue): string[][] {
  const record = payload as unknown as ExactDocument;
  if (!record || typeof record !== 'object' || !Array.isArray((record as { lines?: unknown }).lines)) return [];
  const doc = documentOf(record);
  return [
    ...distinct(doc.lines.map((l) => l.glAccountCode)).map((code) => [f4MappingKey.glAccount(code)]),
    ...distinct(doc.lines.map((l) => l.costCenterCode)).map((code) => [f4MappingKey.costCenter(code)]),
  ];
}
