import type { JsonValue } from '../../src-shared/domain/audit';
import { mappingKeyOf, type MappingRowView, type MappingSetDefinition } from '../../src-shared/ipc';
import type { AnyFlowPlugin } from '../engine/flows/types';
import type { Store } from '../store/db';

/**
 * What a new version of a mapping table changes, before it is saved: rows added, changed and
 * removed (by source key), the open parked records it would release and the written records
 * whose coding it alters. Generic: parked records carry their issues' mapping keys, and each
 * flow says which keys a stored record is coded by (FlowPlugin.codingKeys).
 */
export interface MappingDiff {
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  /** Mapping keys whose target differs between the two versions (added, changed or removed rows). */
  changedKeys: ReadonlySet<string>;
  /** Same rows as the current version (and there is one). */
  identical: boolean;
}

const targetText = (definition: MappingSetDefinition, row: MappingRowView) =>
  JSON.stringify(definition.targetFields.map((f) => row.target[f.name] ?? ''));

export function targetsByKey(definition: MappingSetDefinition, rows: readonly MappingRowView[]): Map<string, string> {
  return new Map(rows.map((row) => [mappingKeyOf(definition, row.sourceKey), targetText(definition, row)]));
}

/**
 * Which rows of `next` are carried over unchanged from `current` (same source key, same targets):
 * a target value they name that the target lacks is a warning, not a refusal (decision 0027).
 */
export function carriedOverRows(
  definition: MappingSetDefinition,
  current: readonly MappingRowView[] | null,
  next: readonly MappingRowView[],
): (index: number | null) => boolean {
  const before = targetsByKey(definition, current ?? []);
  return (index) => {
    const row = index === null ? undefined : next[index];
    return row !== undefined && before.get(mappingKeyOf(definition, row.sourceKey)) === targetText(definition, row);
  };
}

export function diffRows(
  definition: MappingSetDefinition,
  current: readonly MappingRowView[] | null,
  next: readonly MappingRowView[],
): MappingDiff {
  const before = targetsByKey(definition, current ?? []);
  const after = targetsByKey(definition, next);
  const changedKeys = new Set<string>();
  let added = 0;
  let changed = 0;
  let unchanged = 0;
  for (const [key, target] of after) {
    const old = before.get(key);
    if (old === undefined) added += 1;
    else if (old !== target) changed += 1;
    else {
      unchanged += 1;
      continue;
    }
    changedKeys.add(key);
  }
  let removed = 0;
  for (const key of before.keys()) {
    if (after.has(key)) continue;
    removed += 1;
    changedKeys.add(key);
  }
  return { added, changed, removed, unchanged, changedKeys, identical: current !== null && changedKeys.size === 0 };
}

/**
 * Open parked records of the flow that this change addresses for every reason they wait: each
 * issue names a mapping key of this table that the change adds or alters (removing a row
 * releases nothing). A record waiting for something else too (another table, the source
 * system) stays, so the figure never promises more than a retry will write.
 */
export function releasedParked(
  store: Store,
  definition: MappingSetDefinition,
  next: readonly MappingRowView[],
  diff: MappingDiff,
): number {
  if (diff.changedKeys.size === 0) return 0;
  const present = targetsByKey(definition, next);
  const fixes = (key: string) => diff.changedKeys.has(key) && present.has(key);
  let released = 0;
  for (const record of store.parked.listOpen(definition.flow)) {
    const issues = issuesOf(record.details);
    if (issues.length > 0 && issues.every((keys) => keys.some(fixes))) released += 1;
  }
  return released;
}

/**
 * Records written to the target whose coding the change alters: for each thing coded (a line's
 * cost, the supplier…), the row that decides it now and the one after the change differ.
 */
export function recodedRecords(
  store: Store,
  plugin: AnyFlowPlugin | undefined,
  definition: MappingSetDefinition,
  current: readonly MappingRowView[],
  next: readonly MappingRowView[],
  diff: MappingDiff,
): number {
  const codingKeys = plugin?.codingKeys;
  if (!codingKeys || diff.changedKeys.size === 0) return 0;
  const before = targetsByKey(definition, current);
  const after = targetsByKey(definition, next);
  const prefix = `${definition.keyPrefix}:`;
  const decide = (rows: Map<string, string>, group: readonly string[]) => {
    const key = group.find((k) => rows.has(k));
    return key === undefined ? '' : `${key}=${rows.get(key)}`;
  };
  let recoded = 0;
  for (const record of store.snapshots.latestOfWritten(definition.flow)) {
    const groups = codingKeys(record.stream, record.payload).map((g) => g.filter((k) => k.startsWith(prefix)));
    if (groups.some((g) => g.some((k) => diff.changedKeys.has(k)) && decide(before, g) !== decide(after, g))) recoded += 1;
  }
  return recoded;
}

/** The mapping keys of each issue a parked record waits for (src-shared/domain/validation.ts). */
function issuesOf(details: JsonValue): string[][] {
  if (details === null || typeof details !== 'object' || Array.isArray(details)) return [];
  const issues = details['issues'];
  if (!Array.isArray(issues)) return [];
  return issues.map((issue) => {
    const keys = issue !== null && typeof issue === 'object' && !Array.isArray(issue) ? issue['mappingKeys'] : null;
    return Array.isArray(keys) ? keys.filter((k): k is string => typeof k === 'string') : [];
  });
}
