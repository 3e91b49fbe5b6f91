import { parse as parseCsv } from 'csv-parse/sync';
import { stringify as stringifyCsv } from 'csv-stringify/sync';
import { finished } from 'node:stream/promises';
import type { JsonValue } from '../../src-shared/domain/audit';
import {
  mappingKeyOf,
  mappingVersionName,
  referenceOptionText,
  sourceKeyFromMappingKey,
  type IpcResponse,
  type MappingImportPreview,
  type MappingRowView,
  type MappingSetDefinition,
  type MappingSourceKey,
  type MappingTarget,
  type MappingVersionView,
  type ReferenceFieldView,
  type UnmappedValue,
} from '../../src-shared/ipc';
import { SYSTEM_TITLES } from '../../src-shared/domain/systems';
import { carriedOverRows, diffRows, recodedRecords, releasedParked, type MappingDiff } from './mapping-impact';
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

/**
 * Checks every row (shape, and every target value against the target system's lists when the
 * engine can read them), refuses a stale edit, and stores the rows as the set's next version;
 * rows equal to the current version's make no new version.
 */
export async function saveMappingTable(
  ctx: AppContext,
  request: {
    flow: string;
    set: string;
    rows: readonly MappingRowView[];
    note: string;
    baseVersion?: number | null | undefined;
  },
  reference: ReferenceProvider = engineReference(ctx),
): Promise<IpcResponse<'mappings.save'>> {
  const definition = requireMappingSet(request.flow, request.set);
  const rows = checkRows(definition, request.rows, (index) => `Row ${index + 1}`);
  const stored = ctx.store.mappings.ensureSet(request.flow, request.set, definition.description);
  const current = ctx.store.mappings.currentVersion(stored.id);
  if (request.baseVersion !== undefined && (current?.version ?? null) !== request.baseVersion) {
    throw new IpcFailure(
      'conflict',
      `${definition.title} was changed (now ${current ? mappingVersionName(definition, current.version) : 'without a version'}) after you opened ${request.baseVersion === null ? 'it' : mappingVersionName(definition, request.baseVersion)}. Reload the table and make your change again.`,
    );
  }
  const currentRows = current ? ctx.store.mappings.rows(current.id).map((r) => normaliseStoredRow(definition, r)) : null;
  const carried = carriedOverRows(definition, currentRows, rows);
  const checked = await checkAgainstFreshSystems(definition, rows, reference, (index) => `Row ${index + 1}`, carried);
  if (checked.problems.length > 0) throw new IpcFailure('invalid-request', joinProblems(checked.problems.map((p) => p.message)));
  const saved = await saveVersion(ctx, definition, rows, request.note);
  return checked.warnings.length > 0 ? { ...saved, warnings: checked.warnings.map((w) => w.message) } : saved;
}

/** Stores `rows` as the next version unless they equal the current one; audits and re-queues. */
async function saveVersion(
  ctx: AppContext,
  definition: MappingSetDefinition,
  rows: readonly MappingRowView[],
  note: string,
): Promise<IpcResponse<'mappings.save'>> {
  const stored = ctx.store.mappings.ensureSet(definition.flow, definition.set, definition.description);
  const current = ctx.store.mappings.currentVersion(stored.id);
  const currentRows = current ? ctx.store.mappings.rows(current.id).map((r) => normaliseStoredRow(definition, r)) : null;
  const diff = diffRows(definition, currentRows, rows);
  if (diff.identical && current) {
    return {
      version: toVersionView(current),
      created: false,
      versionName: mappingVersionName(definition, current.version),
      requeued: 0,
      requeueMessage: `Nothing changed: the rows are those of ${mappingVersionName(definition, current.version)}, so no new version was made.`,
    };
  }
  const version = ctx.store.mappings.createVersion(stored.id, rows, note);
  auditMappingVersion(ctx, definition, version, diff, note);
  return {
    version: toVersionView(version),
    created: true,
    versionName: mappingVersionName(definition, version.version),
    ...(await requeueAfterChange(ctx, definition.flow)),
  };
}

/** One audit entry per new version, named as the Mappings screen names it ("Cost codes v3"). */
function auditMappingVersion(
  ctx: AppContext,
  definition: MappingSetDefinition,
  version: MappingVersion,
  diff: MappingDiff,
  note: string,
): void {
  const counts = [
    `${diff.added} row${diff.added === 1 ? '' : 's'} added`,
    `${diff.changed} changed`,
    `${diff.removed} removed`,
  ].join(', ');
  ctx.store.audit.append({
    flow: definition.flow,
    runId: null,
    entity: 'mapping',
    sourceId: null,
    step: 'updated',
    status: 'ok',
    mappingVersion: version.id,
    targetSystem: null,
    targetId: null,
    amount: null,
    currency: null,
    sourceSnapshot: null,
    targetPayload: null,
    result: { table: definition.set, version: version.version, added: diff.added, changed: diff.changed, removed: diff.removed, rows: version.rowCount },
    message: `${mappingVersionName(definition, version.version)} saved: ${counts}${note ? ` (${note})` : ''}.`,
  });
}

/** The versions of every table of a flow that a mapping version id stands for: "Projects v1 · Cost codes v2 · Vendors v1". */
export function mappingVersionNames(ctx: AppContext, flow: string, versionId: number | null): string | null {
  if (versionId === null) return null;
  const names: string[] = [];
  for (const definition of findFlow(flow)?.mappingSets ?? []) {
    const stored = ctx.store.mappings.getSet(flow, definition.set);
    const version = stored && ctx.store.mappings.versionCurrentAt(stored.id, versionId);
    if (version) names.push(mappingVersionName(definition, version.version));
  }
  return names.length > 0 ? names.join(' · ') : null;
}

/**
 * Links a target record the engine just created (a Procore vendor) to its source key as the
 * table's next version, replacing any older link of that key, then re-queues parked records.
 */
export async function linkCreatedCounterparty(
  ctx: AppContext,
  flow: string,
  set: string,
  sourceKey: MappingSourceKey,
  target: MappingTarget,
  note: string,
): Promise<IpcResponse<'mappings.save'>> {
  const definition = requireMappingSet(flow, set);
  const stored = ctx.store.mappings.getSet(flow, set);
  const current = stored ? ctx.store.mappings.currentVersion(stored.id) : undefined;
  const rows = current ? ctx.store.mappings.rows(current.id).map((r) => normaliseStoredRow(definition, r)) : [];
  const key = mappingKeyOf(definition, sourceKey);
  const linked = checkRows(definition, [...rows.filter((r) => mappingKeyOf(definition, r.sourceKey) !== key), { sourceKey, target }], (i) => `Row ${i + 1}`);
  return saveVersion(ctx, definition, linked, note);
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

/** Reads a mapping CSV: a header of field names or labels, "," or ";" between cells (Excel's Dutch setting), an optional UTF-8 BOM. */
export function parseMappingCsv(
  definition: MappingSetDefinition,
  csv: string,
): { rows: MappingRowView[]; lines: number[]; separator: ',' | ';' } {
  let text = csv.replace(/^\uFEFF/, '');
  // Excel's "sep=;" first line names the separator.
  const hint = /^sep=([,;])\r?\n/i.exec(text);
  if (hint) text = text.slice(hint[0].length);
  const separator = hint ? (hint[1] as ',' | ';') : separatorOf(text);
  if (text.trim() === '')
    throw new IpcFailure(
      'invalid-request',
      `The file is empty. Choose a CSV file whose first line names the columns (${[...definition.sourceFields, ...definition.targetFields].map((f) => f.name).join(separator)}); Export CSV makes one to start from.`,
    );
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parseCsv(text, {
      delimiter: separator,
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    throw new IpcFailure('invalid-request', `The file is not valid CSV: ${(error as Error).message}`);
  }
  records = records.filter((r) => r.record.some((cell) => cell !== ''));
  const [header, ...body] = records;
  if (!header) throw new IpcFailure('invalid-request', 'The file has no header row.');
  const fields = [...definition.sourceFields, ...definition.targetFields];
  const columnOf = new Map<string, number>();
  const problems: string[] = [];
  header.record.forEach((cell, index) => {
    if (cell === '') return;
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
  return {
    rows: body.map(({ record }) => ({
      sourceKey: Object.fromEntries(definition.sourceFields.map((f) => [f.name, cell(record, f.name)])),
      target: Object.fromEntries(definition.targetFields.map((f) => [f.name, cell(record, f.name)])),
    })),
    // Line numbers as a spreadsheet shows them: the header is line 1 (a "sep=" line counts too).
    lines: body.map(({ info }) => info.lines + (hint ? 1 : 0)),
    separator,
  };
}

/** "," unless the header line (outside quotes) has more ";" than ",". */
function separatorOf(text: string): ',' | ';' {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === '\n' || char === '\r')) break;
    else if (!quoted && char === ',') commas += 1;
    else if (!quoted && char === ';') semicolons += 1;
  }
  return semicolons > commas ? ';' : ',';
}

/**
 * What importing a file would do, saving nothing: the same checks as the import (shape, every
 * target value in the target system, source values known in the source), the changes against
 * the current version and their impact on parked and written records.
 */
export async function previewMappingImport(
  ctx: AppContext,
  request: { flow: string; set: string; csv: string },
  reference: ReferenceProvider = engineReference(ctx),
): Promise<MappingImportPreview> {
  const definition = requireMappingSet(request.flow, request.set);
  const parsed = parseMappingCsv(definition, request.csv);
  const lineName = (index: number) => `Line ${parsed.lines[index] ?? index + 2}`;
  const lineOf = (index: number | null) => (index === null ? null : (parsed.lines[index] ?? index + 2));
  const shape = rowProblems(definition, parsed.rows, lineName);
  const stored = ctx.store.mappings.getSet(request.flow, request.set);
  const current = stored ? ctx.store.mappings.currentVersion(stored.id) : undefined;
  const currentRows = current ? ctx.store.mappings.rows(current.id).map((r) => normaliseStoredRow(definition, r)) : null;
  const systems = await checkAgainstFreshSystems(definition, shape.checked, reference, lineName, carriedOverRows(definition, currentRows, shape.checked));
  const diff = diffRows(definition, currentRows, shape.checked);
  const valid = shape.problems.length === 0 && systems.problems.length === 0;
  const plugin = findFlow(request.flow);
  return {
    rows: parsed.rows.length,
    separator: parsed.separator,
    problems: [
      ...shape.problems.map((p) => ({ line: lineOf(p.index), message: p.message })),
      ...systems.problems.map((p) => ({ line: lineOf(p.index), message: p.message })),
    ],
    flags: systems.flags.map((p) => ({ line: lineOf(p.index), message: p.message })),
    warnings: systems.warnings.map((p) => ({ line: lineOf(p.index), message: p.message })),
    changes: { added: diff.added, changed: diff.changed, removed: diff.removed, unchanged: diff.unchanged },
    identical: diff.identical,
    impact: valid
      ? {
          releases: releasedParked(ctx.store, definition, shape.checked, diff),
          recoded: recodedRecords(ctx.store, plugin, definition, currentRows ?? [], shape.checked, diff),
        }
      : { releases: 0, recoded: 0 },
    unchecked: systems.unchecked,
    current: current ? toVersionView(current) : null,
    nextVersionName: diff.identical ? null : mappingVersionName(definition, (current?.version ?? 0) + 1),
  };
}

/** Imports a file checked as previewMappingImport checks it: all of it, or nothing; an identical file makes no version. */
export async function importMappingCsv(
  ctx: AppContext,
  request: { flow: string; set: string; csv: string; note: string },
  reference: ReferenceProvider = engineReference(ctx),
): Promise<IpcResponse<'mappings.importCsv'>> {
  const definition = requireMappingSet(request.flow, request.set);
  const parsed = parseMappingCsv(definition, request.csv);
  const lineName = (index: number) => `Line ${parsed.lines[index] ?? index + 2}`;
  const checked = checkRows(definition, parsed.rows, lineName, 'Nothing was imported. ');
  const stored = ctx.store.mappings.getSet(request.flow, request.set);
  const current = stored ? ctx.store.mappings.currentVersion(stored.id) : undefined;
  const currentRows = current ? ctx.store.mappings.rows(current.id).map((r) => normaliseStoredRow(definition, r)) : null;
  const systems = await checkAgainstFreshSystems(definition, checked, reference, lineName, carriedOverRows(definition, currentRows, checked));
  if (systems.problems.length > 0)
    throw new IpcFailure('invalid-request', `Nothing was imported. ${joinProblems(systems.problems.map((p) => p.message))}`);
  const saved = await saveVersion(ctx, definition, checked, request.note === '' ? 'Imported from CSV' : request.note);
  const warnings = systems.warnings.length > 0 ? { warnings: systems.warnings.map((w) => w.message) } : {};
  if (saved.created === false)
    return {
      ...saved,
      ...warnings,
      rows: checked.length,
      requeueMessage: `The file holds exactly the rows of ${saved.versionName ?? 'the current version'}, so no new version was made.`,
    };
  return { ...saved, ...warnings, rows: checked.length };
}

/** The reference lists of a table, or why the values could not be checked against the systems. */
export type TableReference = { fields: Record<string, ReferenceFieldView>; row?: ReferenceFieldView | undefined } | { unchecked: string };
/** `fresh`: read the systems again rather than answer from the short cache. */
export type ReferenceProvider = (definition: MappingSetDefinition, fresh?: boolean) => Promise<TableReference>;

/** Reference lists through this process's engine (cached there); none when no engine runs here. */
export function engineReference(ctx: AppContext): ReferenceProvider {
  return async (definition, fresh = false) => {
    const read = ctx.engine?.tableReference?.bind(ctx.engine);
    const systems = systemsOf(definition);
    if (!read) return { unchecked: `The sync engine is not running here, so the values were not checked against ${systems}.` };
    try {
      const { fields, row } = await read(definition.flow, definition.set, fresh);
      return { fields, row };
    } catch (error) {
      if (error instanceof IpcFailure) return { unchecked: `The values were not checked against ${systems}: ${error.message}` };
      throw error;
    }
  };
}

function systemsOf(definition: MappingSetDefinition): string {
  const systems = [...new Set([...definition.sourceFields, ...definition.targetFields].flatMap((f) => (f.reference ? [SYSTEM_TITLES[f.reference.system]] : [])))];
  return systems.length > 0 ? systems.join(' and ') : 'the connected systems';
}

interface RowNote {
  /** Index of the row in the file or table; null = not about one row. */
  index: number | null;
  message: string;
  /** For a target value the target lacks: what the row means when it is carried over unchanged (decision 0027). */
  carried?: string;
}

/**
 * Every target value must be an option of its field's list (and not an inactive one); a source
 * value the source system does not know is flagged, not refused. A list that could not be read
 * checks nothing and says so (`unchecked`).
 */
export function checkAgainstSystems(
  definition: MappingSetDefinition,
  rows: readonly MappingRowView[],
  reference: TableReference,
  rowName: (index: number) => string,
): { problems: RowNote[]; flags: RowNote[]; unchecked: string | null } {
  if ('unchecked' in reference) return { problems: [], flags: [], unchecked: reference.unchecked };
  const problems: RowNote[] = [];
  const flags: RowNote[] = [];
  const unread: string[] = [];
  const fields = [
    ...definition.sourceFields.map((field) => ({ field, target: false })),
    ...definition.targetFields.map((field) => ({ field, target: true })),
  ];
  for (const { field, target } of fields) {
    const list = reference.fields[field.name];
    if (!field.reference || !list) continue;
    if (list.error !== null) {
      unread.push(`${field.label}: ${list.error}`);
      continue;
    }
    const system = SYSTEM_TITLES[list.system];
    const byValue = new Map(list.options.map((o) => [o.value, o]));
    rows.forEach((row, index) => {
      const value = (target ? row.target[field.name] : row.sourceKey[field.name]) ?? null;
      if (value === null || value === '') return;
      const option = byValue.get(value);
      if (!target) {
        if (!option) flags.push({ index, message: `${rowName(index)}: ${field.label} ${value} is not known in ${system} (imported anyway; check the code)` });
        return;
      }
      if (option?.inactive) {
        const named = `${rowName(index)}: ${field.label} ${referenceOptionText(option)} is inactive in ${system}`;
        problems.push({ index, message: `${named}; choose an active one`, carried: `${named}; records using it stay in Pending until it is active there again or the row is changed` });
      } else if (!option) {
        const lower = value.toLowerCase();
        const near = list.options.find((o) => o.value.toLowerCase() === lower || o.code?.toLowerCase() === lower || o.label.toLowerCase() === lower);
        const named = `${rowName(index)}: ${field.label} ${value} does not exist in ${system}`;
        problems.push({
          index,
          message: `${named}${near ? ` (did you mean ${near.value === near.code || near.value === near.label ? referenceOptionText(near) : `${referenceOptionText(near)}, id ${near.value}`}?)` : ''}`,
          carried: `${named}; records using it stay in Pending until it is created there or the row is changed`,
        });
      }
    });
  }
  checkRowReference(definition, rows, reference.row, rowName, problems, unread);
  return { problems, flags, unchecked: unread.length > 0 ? `Not checked: ${unread.join('; ')}` : null };
}

/**
 * The target fields together against the table's rowReference list (a GL + cost-center pair is
 * one Coupa account). A row whose own field was refused is not named twice.
 */
function checkRowReference(
  definition: MappingSetDefinition,
  rows: readonly MappingRowView[],
  list: ReferenceFieldView | undefined,
  rowName: (index: number) => string,
  problems: RowNote[],
  unread: string[],
): void {
  const declared = definition.rowReference;
  if (!declared || !list) return;
  if (list.error !== null) return void unread.push(`${declared.fields.map((f) => labelOf(definition, f)).join(' + ')} together: ${list.error}`);
  const system = SYSTEM_TITLES[list.system];
  const where = list.scope ? `${system} ${list.scope}` : system;
  const byValue = new Map(list.options.map((o) => [o.value, o]));
  const refused = new Set(problems.map((p) => p.index));
  const other = declared.fields.length === 2 ? 'pair' : 'combination';
  rows.forEach((row, index) => {
    if (refused.has(index)) return;
    const values = declared.fields.map((f) => row.target[f] ?? '');
    if (values.some((v) => v === '')) return;
    const option = byValue.get(values.join('|'));
    if (option && !option.inactive) return;
    const name = option?.code ?? values.filter((v) => v !== declared.emptyValue).join(declared.joiner);
    const named = `${rowName(index)} (${sourceWords(definition, row.sourceKey)}): ${where} has no active ${declared.noun} ${name}${option ? ' (it is inactive)' : ''}`;
    problems.push({
      index,
      message: `${named}; ${option ? 'activate it' : 'create it'} in ${system} or pick another ${other}`,
      carried: `${named}; records using it stay in Pending until it is ${option ? 'active' : 'created'} there or the row is changed`,
    });
  });
}

/** "Exact Online GL account 4000 / Cost center 200": a row's source key as the source names it. */
function sourceWords(definition: MappingSetDefinition, sourceKey: MappingSourceKey): string {
  const system = definition.sourceFields.find((f) => f.reference)?.reference?.system;
  const parts = definition.sourceFields.map((f) => `${f.label.replace(/\s*\(.*\)$/, '')} ${sourceKey[f.name] ?? '(none)'}`);
  return `${system ? `${SYSTEM_TITLES[system]} ` : ''}${parts.join(' / ')}`;
}

function labelOf(definition: MappingSetDefinition, name: string): string {
  return [...definition.sourceFields, ...definition.targetFields].find((f) => f.name === name)?.label ?? name;
}

/**
 * checkAgainstSystems on the cached lists, and when they refuse a value, once more on lists read
 * again: a vendor added in Procore a minute ago is in the system, not yet in the cache. A target
 * value the target lacks refuses a row the user added or changed; on a row carried over unchanged
 * it is a warning (decision 0027): the user can save other rows, and its records keep waiting.
 */
async function checkAgainstFreshSystems(
  definition: MappingSetDefinition,
  rows: readonly MappingRowView[],
  reference: ReferenceProvider,
  rowName: (index: number) => string,
  carried: (index: number | null) => boolean,
): Promise<ReturnType<typeof checkAgainstSystems> & { warnings: RowNote[] }> {
  const split = (checked: ReturnType<typeof checkAgainstSystems>) => {
    const warns = (p: RowNote) => p.carried !== undefined && carried(p.index);
    return {
      ...checked,
      problems: checked.problems.filter((p) => !warns(p)),
      warnings: checked.problems.filter(warns).map((p) => ({ index: p.index, message: p.carried! })),
    };
  };
  const cached = split(checkAgainstSystems(definition, rows, await reference(definition), rowName));
  if (cached.problems.length === 0) return cached;
  return split(checkAgainstSystems(definition, rows, await reference(definition, true), rowName));
}

function joinProblems(problems: readonly string[]): string {
  const listed = problems.slice(0, MAX_LISTED_ROW_ERRORS).join('; ');
  const more = problems.length > MAX_LISTED_ROW_ERRORS ? `; and ${problems.length - MAX_LISTED_ROW_ERRORS} more` : '';
  return `${listed}${more}.`;
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
  const { requeued, stillWaiting } = await ctx.engine.mappingsChanged(flow);
  const sent = `${requeued} parked record${requeued === 1 ? ' was' : 's were'} sent to sync again`;
  return {
    requeued,
    requeueMessage:
      requeued === 0
        ? 'No parked records were waiting for this change.'
        : stillWaiting === undefined
          ? `${sent}.`
          : stillWaiting === 0
            ? `${sent}: all went through.`
            : `${sent}: ${requeued - stillWaiting} went through, ${stillWaiting} still wait${stillWaiting === 1 ? 's' : ''} for something else (see Pending validation).`,
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
  const { checked, problems } = rowProblems(definition, rows, rowName);
  if (problems.length > 0) throw new IpcFailure('invalid-request', `${prefix}${joinProblems(problems.map((p) => p.message))}`);
  return checked;
}

function rowProblems(
  definition: MappingSetDefinition,
  rows: readonly MappingRowView[],
  rowName: (index: number) => string,
): { checked: MappingRowView[]; problems: RowNote[] } {
  const problems: RowNote[] = [];
  const firstRowOfKey = new Map<string, number>();
  const checked = rows.map((row, index) => {
    const where = rowName(index);
    const problem = (message: string) => problems.push({ index, message });
    for (const name of Object.keys(row.sourceKey)) {
      if (!definition.sourceFields.some((f) => f.name === name)) problem(`${where}: "${name}" is not a source column`);
    }
    for (const name of Object.keys(row.target)) {
      if (!definition.targetFields.some((f) => f.name === name)) problem(`${where}: "${name}" is not a target column`);
    }
    const sourceKey: MappingSourceKey = {};
    for (const field of definition.sourceFields) {
      const value = row.sourceKey[field.name]?.trim() ?? '';
      if (value === '' && !field.optional) problem(`${where}: ${field.label} is empty`);
      sourceKey[field.name] = value === '' ? null : value;
    }
    const target: MappingTarget = {};
    for (const field of definition.targetFields) {
      const value = row.target[field.name]?.trim() ?? '';
      if (value === '') problem(`${where}: ${field.label} is empty`);
      target[field.name] = value;
    }
    const key = mappingKeyOf(definition, sourceKey);
    const earlier = firstRowOfKey.get(key);
    if (earlier !== undefined) {
      problem(`${where}: ${describeSource(definition, sourceKey)} is already mapped in ${rowName(earlier).toLowerCase()}`);
    } else firstRowOfKey.set(key, index);
    return { sourceKey, target };
  });
  return { checked, problems };
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
