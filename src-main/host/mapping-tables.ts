import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { finished } from 'node:stream/promises';
import type { JsonValue } from '../../src-shared/domain/audit';
import {
  mappingKeyOf,
  sourceKeyFromMappingKey,
  type IpcResponse,
  type MappingRowView,
  type MappingSetDefinition,
  type MappingSourceKey,
  type MappingTarget,
  type MappingVersionView,
  type UnmappedValue,
} from '../../src-shared/ipc';
import { neutraliseCell } from '../store/audit-csv';
import type { MappingVersion } from '../store/repos/mappings';
import type { ParkedRecord } from '../store/repos/parked';
import { findFlow } from '../engine/flows/registry';
import type { AppContext } from './context';
import { IpcFailure } from './errors';
import { exportDelivery, exportFileName } from './exports';

/**
 * The Mappings screen's server side: versioned tables per flow (store.mappings keeps every
 * version immutable), rows checked against the set's definition (src-shared/ipc/mapping-sets.ts),
 * the source values open parked records are waiting for, and Excel-safe CSV in and out.
 */

const MAX_LISTED_ROW_ERRORS = 20;

export function requireMappingSet(flow: string, set: string): MappingSetDefinition {
  const sets = findFlow(flow)?.mappingSets ?? [];
  const definition = sets.find((d) => d.set === set);
  if (!definition) {
    const known = sets.map((d) => d.set);
    throw new IpcFailure(
      'not-found',
      known.length === 0
        ? `Flow "${flow}" has no mapping tables.`
        : `Flow "${flow}" has no mapping table "${set}" (it has: ${known.join(', ')}).`,
    );
  }
  return definition;
}

export function getMappingTable(
  ctx: AppContext,
  flow: string,
  set: string,
  version: number | undefined,
): IpcResponse<'mappings.get'> {
  const definition = requireMappingSet(flow, set);
  const stored = ctx.store.mappings.getSet(flow, set);
  const versions = stored ? ctx.store.mappings.listVersions(stored.id) : [];
  const current = versions[0] ?? null;
  let shown = current;
  if (version !== undefined) {
    shown = versions.find((v) => v.version === version) ?? null;
    if (!shown) throw new IpcFailure('not-found', `${definition.title} has no version ${version}.`);
  }
  const rows = shown
    ? ctx.store.mappings.rows(shown.id).map((row) => normaliseStoredRow(definition, row))
    : [];
  const currentRows =
    current === shown
      ? rows
      : current
        ? ctx.store.mappings.rows(current.id).map((r) => normaliseStoredRow(definition, r))
        : [];
  return {
    flow,
    set,
    current: current && toVersionView(current),
    shown: shown && toVersionView(shown),
    rows,
    versions: versions.map(toVersionView),
    unmapped: unmappedValues(definition, currentRows, ctx.store.parked.listOpen(flow)),
  };
}

/** Checks every row, refuses a stale edit, and stores the rows as the set's next version. */
export async function saveMappingTable(
  ctx: AppContext,
  request: {
    flow: string;
    set: string;
    rows: readonly MappingRowView[];
    note: string;
    baseVersion?: number | null | undefined;
  },
): Promise<IpcResponse<'mappings.save'>> {
  const definition = requireMappingSet(request.flow, request.set);
  const rows = checkRows(definition, request.rows, (index) => `Row ${index + 1}`);
  const stored = ctx.store.mappings.ensureSet(request.flow, request.set, definition.description);
  const current = ctx.store.mappings.currentVersion(stored.id);
  if (request.baseVersion !== undefined && (current?.version ?? null) !== request.baseVersion) {
    throw new IpcFailure(
      'conflict',
      `${definition.title} was changed (now version ${current?.version ?? 'none'}) after you opened version ${request.baseVersion ?? 'none'}. Reload the table and make your change again.`,
    );
  }
  const version = ctx.store.mappings.createVersion(stored.id, rows, request.note);
  return { version: toVersionView(version), ...(await requeueAfterChange(ctx, request.flow)) };
}

export function exportMappingCsv(
  ctx: AppContext,
  flow: string,
  set: string,
  version: number | undefined,
): Promise<IpcResponse<'mappings.exportCsv'>> {
  const definition = requireMappingSet(flow, set);
  const table = getMappingTable(ctx, flow, set, version);
  const fields = [...definition.sourceFields, ...definition.targetFields];
  const records = table.rows.map((row) =>
    fields.map((field) => {
      const value = row.sourceKey[field.name] ?? row.target[field.name] ?? '';
      return neutraliseCell(value, field.name);
    }),
  );
  const csv = stringifyCsv(records, {
    bom: true,
    header: true,
    columns: fields.map((field) => field.name),
    record_delimiter: 'windows',
  });
  // Delivered where the host puts exports (save dialog, browser download, or a file).
  return exportDelivery(ctx).deliver({
    fileName: exportFileName(`mappings-${flow}-${set}-v${table.shown?.version ?? 0}`, ctx.now()),
    rows: records.length,
    write: async (out) => {
      await finished(out.end(csv, 'utf8'));
      return { rows: records.length };
    },
  });
}

/** Parses a CSV file (header row of field names or labels), checks every row, then saves it all or nothing. */
export async function importMappingCsv(
  ctx: AppContext,
  request: { flow: string; set: string; csv: string; note: string },
): Promise<IpcResponse<'mappings.importCsv'>> {
  const definition = requireMappingSet(request.flow, request.set);
  let records: string[][];
  try {
    records = parseCsv(request.csv, {
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
    });
  } catch (error) {
    throw new IpcFailure('invalid-request', `The file is not valid CSV: ${(error as Error).message}`);
  }
  const [header, ...body] = records;
  if (!header) throw new IpcFailure('invalid-request', 'The file has no header row.');
  const fields = [...definition.sourceFields, ...definition.targetFields];
  const columnOf = new Map<string, number>();
  const problems: string[] = [];
  header.forEach((cell, index) => {
    const field = fields.find(
      (f) => f.name.toLowerCase() === cell.toLowerCase() || f.label.toLowerCase() === cell.toLowerCase(),
    );
    if (!field) problems.push(`column "${cell}" is not a column of ${definition.title}`);
    else columnOf.set(field.name, index);
  });
  for (const field of fields) {
    if (!columnOf.has(field.name) && !field.optional) problems.push(`column "${field.name}" is missing`);
  }
  if (problems.length > 0) {
    throw new IpcFailure(
      'invalid-request',
      `Nothing was imported. Header: ${problems.join('; ')}. Expected columns: ${fields.map((f) => f.name).join(', ')}.`,
    );
  }
  const cell = (record: string[], name: string) => {
    const index = columnOf.get(name);
    return index === undefined ? '' : unneutraliseCell(record[index] ?? '');
  };
  const rows: MappingRowView[] = body.map((record) => ({
    sourceKey: Object.fromEntries(definition.sourceFields.map((f) => [f.name, cell(record, f.name)])),
    target: Object.fromEntries(definition.targetFields.map((f) => [f.name, cell(record, f.name)])),
  }));
  // Line numbers as a spreadsheet shows them: the header is line 1.
  const checked = checkRows(definition, rows, (index) => `Line ${index + 2}`, 'Nothing was imported. ');
  const saved = await saveMappingTable(ctx, {
    flow: request.flow,
    set: request.set,
    rows: checked,
    note: request.note === '' ? 'Imported from CSV' : request.note,
  });
  return { ...saved, rows: checked.length };
}

async function requeueAfterChange(
  ctx: AppContext,
  flow: string,
): Promise<{ requeued: number | null; requeueMessage: string }> {
  if (!ctx.engine) {
    return {
      requeued: null,
      requeueMessage: 'The sync engine is not running here, so parked records are retried on the next sync.',
    };
  }
  const { requeued } = await ctx.engine.mappingsChanged(flow);
  return {
    requeued,
    requeueMessage:
      requeued === 0
        ? 'No parked records were waiting for this change.'
        : `${requeued} parked record${requeued === 1 ? ' was' : 's were'} sent to sync again.`,
  };
}

/**
 * Trims every value, turns empty optional source fields into null, and reports every problem
 * at once (unknown or missing fields, empty values, the same source twice).
 */
function checkRows(
  definition: MappingSetDefinition,
  rows: readonly MappingRowView[],
  rowName: (index: number) => string,
  prefix = '',
): MappingRowView[] {
  const problems: string[] = [];
  const firstRowOfKey = new Map<string, number>();
  const checked = rows.map((row, index) => {
    const where = rowName(index);
    for (const name of Object.keys(row.sourceKey)) {
      if (!definition.sourceFields.some((f) => f.name === name))
        problems.push(`${where}: "${name}" is not a source column`);
    }
    for (const name of Object.keys(row.target)) {
      if (!definition.targetFields.some((f) => f.name === name))
        problems.push(`${where}: "${name}" is not a target column`);
    }
    const sourceKey: MappingSourceKey = {};
    for (const field of definition.sourceFields) {
      const value = row.sourceKey[field.name]?.trim() ?? '';
      if (value === '' && !field.optional) problems.push(`${where}: ${field.label} is empty`);
      sourceKey[field.name] = value === '' ? null : value;
    }
    const target: MappingTarget = {};
    for (const field of definition.targetFields) {
      const value = row.target[field.name]?.trim() ?? '';
      if (value === '') problems.push(`${where}: ${field.label} is empty`);
      target[field.name] = value;
    }
    const key = mappingKeyOf(definition, sourceKey);
    const earlier = firstRowOfKey.get(key);
    if (earlier !== undefined) {
      problems.push(
        `${where}: ${describeSource(definition, sourceKey)} is already mapped in ${rowName(earlier).toLowerCase()}`,
      );
    } else firstRowOfKey.set(key, index);
    return { sourceKey, target };
  });
  if (problems.length > 0) {
    const listed = problems.slice(0, MAX_LISTED_ROW_ERRORS).join('; ');
    const more =
      problems.length > MAX_LISTED_ROW_ERRORS ? `; and ${problems.length - MAX_LISTED_ROW_ERRORS} more` : '';
    throw new IpcFailure('invalid-request', `${prefix}${listed}${more}.`);
  }
  return checked;
}

function describeSource(definition: MappingSetDefinition, sourceKey: MappingSourceKey): string {
  return definition.sourceFields
    .map((field) => `${field.label} ${sourceKey[field.name] ?? '(any)'}`)
    .join(' / ');
}

/**
 * Source values the set does not map yet, from the open parked records' mapping keys. A record
 * may list alternatives (a cost line with a cost unit is fixed by the exact row or by the
 * "any cost unit" row): once one of them is mapped, the record no longer counts.
 */
export function unmappedValues(
  definition: MappingSetDefinition,
  currentRows: readonly MappingRowView[],
  openParked: readonly ParkedRecord[],
): UnmappedValue[] {
  const mapped = new Set(currentRows.map((row) => mappingKeyOf(definition, row.sourceKey)));
  const byKey = new Map<string, UnmappedValue>();
  for (const record of openParked) {
    const alternatives = mappingKeysIn(record.details).filter(
      (key) => sourceKeyFromMappingKey(definition, key) !== null,
    );
    if (alternatives.length === 0 || alternatives.some((key) => mapped.has(key))) continue;
    for (const key of new Set(alternatives)) {
      const sourceKey = sourceKeyFromMappingKey(definition, key)!;
      const value = byKey.get(key) ?? {
        mappingKey: key,
        sourceKey,
        openParked: 0,
        reasonCodes: [],
        suggestion: suggestTarget(definition, currentRows, sourceKey),
      };
      value.openParked += 1;
      if (!value.reasonCodes.includes(record.reasonCode)) value.reasonCodes.push(record.reasonCode);
      byKey.set(key, value);
    }
  }
  return [...byKey.values()].sort(
    (a, b) => b.openParked - a.openParked || a.mappingKey.localeCompare(b.mappingKey),
  );
}

/**
 * For a table keyed on several fields (GL account + cost center…), the target most rows with
 * the same first field use: the GL account usually decides the cost code. The user accepts or
 * ignores it; nothing is mapped without them. Single-field tables get no guess.
 */
export function suggestTarget(
  definition: MappingSetDefinition,
  currentRows: readonly MappingRowView[],
  sourceKey: MappingSourceKey,
): UnmappedValue['suggestion'] {
  const [first] = definition.sourceFields;
  if (!first || definition.sourceFields.length < 2) return null;
  const value = sourceKey[first.name];
  const votes = new Map<string, { target: MappingTarget; count: number }>();
  let peers = 0;
  for (const row of currentRows) {
    if (row.sourceKey[first.name] !== value) continue;
    peers += 1;
    const id = JSON.stringify(definition.targetFields.map((f) => row.target[f.name]));
    const vote = votes.get(id) ?? { target: row.target, count: 0 };
    vote.count += 1;
    votes.set(id, vote);
  }
  const best = [...votes.values()].sort((a, b) => b.count - a.count)[0];
  if (!best) return null;
  return {
    target: best.target,
    reason: `${best.count} of ${peers} mapped row${peers === 1 ? '' : 's'} with ${first.label} ${value ?? ''} use${best.count === 1 ? 's' : ''} it`,
  };
}

/**
 * Every mapping key in a parked record's details: the engine stores validation issues there,
 * each with a `mappingKeys` array (src-shared/domain/validation.ts), at whatever depth.
 */
export function mappingKeysIn(details: JsonValue): string[] {
  const keys: string[] = [];
  const walk = (value: JsonValue) => {
    if (Array.isArray(value)) {
      value.forEach(walk);
    } else if (value !== null && typeof value === 'object') {
      for (const [name, member] of Object.entries(value)) {
        if (name === 'mappingKeys' && Array.isArray(member)) {
          for (const key of member) if (typeof key === 'string' && !keys.includes(key)) keys.push(key);
        } else walk(member);
      }
    }
  };
  walk(details);
  return keys;
}

function toVersionView(version: MappingVersion): MappingVersionView {
  return {
    version: version.version,
    id: version.id,
    note: version.note,
    createdAt: version.createdAt,
    rowCount: version.rowCount,
  };
}

/** Stored rows may come from any writer (engine seed, older app); keep exactly the set's fields, as strings. */
function normaliseStoredRow(
  definition: MappingSetDefinition,
  row: { sourceKey: JsonValue; target: JsonValue },
): MappingRowView {
  const read = (value: JsonValue, name: string): string | null => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    const member = value[name];
    return member === null || member === undefined ? null : String(member);
  };
  return {
    sourceKey: Object.fromEntries(definition.sourceFields.map((f) => [f.name, read(row.sourceKey, f.name)])),
    target: Object.fromEntries(definition.targetFields.map((f) => [f.name, read(row.target, f.name) ?? ''])),
  };
}

/** Undoes the export's formula neutralising ("'=x" back to "=x"), so a round trip keeps values. */
function unneutraliseCell(value: string): string {
  return /^'[=+\-@\t\r]/.test(value) ? value.slice(1) : value;
}
