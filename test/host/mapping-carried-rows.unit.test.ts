import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MappingRowView } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { importMappingCsv, previewMappingImport, saveMappingTable, type ReferenceProvider } from '../../src-main/host/mapping-tables';

/**
 * Decision 0027: a target value the target system lacks refuses a row the user adds or changes
 * (naming it, as before) but not a row carried over unchanged from the current version, which is
 * saved with a warning. The mechanism is every flow's; F2's "Project tasks and cost codes" table
 * (two target fields, an optional source field) stands for all of them, with lists given here.
 */
const FLOW = 'procore-acumatica';
const SET = 'cost-codes';
const HEADER = 'costCode,procoreProjectId,task,acumaticaCostCode';

const option = (value: string, inactive = false) => ({ value, label: `Name of ${value}`, code: value, detail: null, ...(inactive ? { inactive: true } : {}) });
const reads: boolean[] = [];
const reference: ReferenceProvider = async (_definition, fresh = false) => {
  reads.push(fresh);
  return {
    fields: {
      task: { system: 'acumatica', options: ['01', '02', '03'].map((v) => option(v)), error: null },
      acumaticaCostCode: { system: 'acumatica', options: [option('01-100'), option('02-200'), option('03-300', true)], error: null },
      costCode: { system: 'procore', options: ['01-100', '01-500', '02-200', '03-300'].map((v) => option(v)), error: null },
    },
  };
};

const row = (costCode: string, task: string, acumaticaCostCode: string): MappingRowView => ({
  sourceKey: { costCode, procoreProjectId: null },
  target: { task, acumaticaCostCode },
});
const csvOf = (rows: readonly MappingRowView[]) =>
  [HEADER, ...rows.map((r) => [r.sourceKey['costCode'], '', r.target['task'], r.target['acumaticaCostCode']].join(','))].join('\r\n');

/** The sandbox's shape: one good row, one naming cost code 01-500 that Acumatica lacks, one naming an inactive code. */
const V1 = [row('01-100', '01', '01-100'), row('01-500', '01', '01-500'), row('03-300', '03', '03-300')];
const MISSING = 'Row 2: Acumatica cost code 01-500 does not exist in Acumatica; records using it stay in Pending until it is created there or the row is changed';
const INACTIVE = 'Row 3: Acumatica cost code 03-300 — Name of 03-300 is inactive in Acumatica; records using it stay in Pending until it is active there again or the row is changed';

let ctx: ReturnType<typeof createAppContext>;
beforeEach(() => {
  ctx = createAppContext({ dataDir: mkdtempSync(join(tmpdir(), 'mlc-carried-')), credentials: new InMemoryCredentialStore(), appVersion: '1.0.0', log: silentLogger });
  const set = ctx.store.mappings.ensureSet(FLOW, SET, 'test');
  ctx.store.mappings.createVersion(set.id, V1, 'sandbox defaults');
  reads.length = 0;
});
afterEach(() => {
  ctx.close();
  rmSync(ctx.dataDir, { recursive: true, force: true });
});

const save = (rows: readonly MappingRowView[]) => saveMappingTable(ctx, { flow: FLOW, set: SET, rows, note: '', baseVersion: 1 }, reference);
const versions = () => ctx.store.mappings.listVersions(ctx.store.mappings.getSet(FLOW, SET)!.id).map((v) => v.version);

describe('saving a table whose unchanged rows name values the target lacks', () => {
  it('saves unchanged rows as they are, warning by row, and makes no version when nothing changed', async () => {
    const saved = await save(V1);
    expect(saved.created).toBe(false);
    expect(saved.warnings).toEqual([MISSING, INACTIVE]);
    expect(versions()).toEqual([1]);
    // The warning needs no second read of the systems (only a refusal is checked again).
    expect(reads).toEqual([false]);
  });

  it('saves a change to another row, with the warnings of the rows carried over', async () => {
    const saved = await save([row('01-100', '02', '02-200'), V1[1]!, V1[2]!]);
    expect(saved).toMatchObject({ created: true, versionName: 'Project tasks and cost codes v2', warnings: [MISSING, INACTIVE] });
    expect(versions()).toEqual([2, 1]);
  });

  it('a save with every value present carries no warnings', async () => {
    const saved = await save([V1[0]!, row('01-500', '01', '01-100')]);
    expect(saved.created).toBe(true);
    expect(saved.warnings).toBeUndefined();
  });

  it('refuses a changed row naming a missing value, and a new row naming the value an unchanged row carries', async () => {
    await expect(save([V1[0]!, row('01-500', '02', '01-500'), V1[2]!])).rejects.toMatchObject({
      code: 'invalid-request',
      message: 'Row 2: Acumatica cost code 01-500 does not exist in Acumatica.',
    });
    await expect(save([...V1, row('02-200', '02', '01-500')])).rejects.toMatchObject({
      message: 'Row 4: Acumatica cost code 01-500 does not exist in Acumatica.',
    });
    // A refused value is checked once more on a fresh read (it may have been created a minute ago).
    expect(reads).toEqual([false, true, false, true]);
    // Moving an inactive value to a new row is refused too, with what to do.
    await expect(save([V1[0]!, V1[1]!, row('03-300', '02', '03-300')])).rejects.toMatchObject({
      message: 'Row 3: Acumatica cost code 03-300 — Name of 03-300 is inactive in Acumatica; choose an active one.',
    });
    expect(versions()).toEqual([1]);
  });
});

describe('importing a file whose unchanged rows name values the target lacks', () => {
  const preview = (rows: readonly MappingRowView[]) => previewMappingImport(ctx, { flow: FLOW, set: SET, csv: csvOf(rows) }, reference);
  const importRows = (rows: readonly MappingRowView[]) => importMappingCsv(ctx, { flow: FLOW, set: SET, csv: csvOf(rows), note: '' }, reference);
  const line = (message: string, n: number) => message.replace(/^Row \d+/, `Line ${n}`);

  it('previews and imports a changed row, warning about the unchanged ones by line', async () => {
    const rows = [row('01-100', '02', '02-200'), V1[1]!, V1[2]!];
    const p = await preview(rows);
    expect(p.problems).toEqual([]);
    expect(p.warnings).toEqual([
      { line: 3, message: line(MISSING, 3) },
      { line: 4, message: line(INACTIVE, 4) },
    ]);
    expect(p).toMatchObject({ identical: false, changes: { added: 0, changed: 1, removed: 0, unchanged: 2 }, nextVersionName: 'Project tasks and cost codes v2' });
    const imported = await importRows(rows);
    expect(imported).toMatchObject({ created: true, rows: 3, warnings: [line(MISSING, 3), line(INACTIVE, 4)] });
    expect(versions()).toEqual([2, 1]);
  });

  it('an identical file still makes no version', async () => {
    const p = await preview([...V1].reverse());
    expect(p).toMatchObject({ identical: true, problems: [], nextVersionName: null });
    const imported = await importRows([...V1].reverse());
    expect(imported.created).toBe(false);
    expect(versions()).toEqual([1]);
  });

  it('a new or changed line naming a missing value is refused with its line; nothing is imported', async () => {
    const rows = [V1[0]!, V1[1]!, V1[2]!, row('02-200', '02', '09-999')];
    const p = await preview(rows);
    expect(p.problems).toEqual([{ line: 5, message: 'Line 5: Acumatica cost code 09-999 does not exist in Acumatica' }]);
    expect(p.warnings.map((w) => w.line)).toEqual([3, 4]);
    await expect(importRows(rows)).rejects.toMatchObject({
      message: 'Nothing was imported. Line 5: Acumatica cost code 09-999 does not exist in Acumatica.',
    });
    expect(versions()).toEqual([1]);
  });
});
