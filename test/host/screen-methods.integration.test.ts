import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntryInput } from '../../src-shared/domain/audit';
import { mappingKey } from '../../src-shared/domain/validation';
import type { IpcMethodName, IpcRequestInput, IpcResponse } from '../../src-shared/ipc';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import type { EngineApi } from '../../src-main/host/context';
import { dispatch } from '../../src-main/host/handlers';

/** The methods behind the renderer's screens, against a real SQLite file in a temp folder. */
let dataDir: string;
let ctx: ReturnType<typeof createAppContext>;
let clock: number;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'mlc-screens-'));
  clock = Date.parse('2026-03-01T09:00:00.000Z');
  ctx = createAppContext({
    dataDir,
    credentials: new InMemoryCredentialStore(),
    appVersion: '1.0.0',
    log: silentLogger,
    now: () => new Date((clock += 1000)),
  });
});

afterEach(() => {
  ctx.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call<M extends IpcMethodName>(
  method: M,
  request?: IpcRequestInput<M>,
): Promise<IpcResponse<M>> {
  const result = await dispatch(method, request, ctx);
  if (!result.ok) throw new Error(`${method} failed: ${result.error.code}: ${result.error.message}`);
  return result.value as IpcResponse<M>;
}

async function failure(method: IpcMethodName, request: unknown) {
  const result = await dispatch(method, request, ctx);
  if (result.ok) throw new Error(`${method} unexpectedly succeeded`);
  return result.error;
}

function parkCost(sourceId: string, gl: string, costCenter: string, costUnit: string | null) {
  const keys = costUnit
    ? [mappingKey.cost(gl, costCenter, costUnit), mappingKey.cost(gl, costCenter, null)]
    : [mappingKey.cost(gl, costCenter, null)];
  return ctx.store.parked.park({
    flow: 'exact-procore',
    stream: 'purchase-orders',
    sourceId,
    reasonCode: 'unmapped-cost',
    reasonText: `GL ${gl} / cost center ${costCenter} has no cost code mapping`,
    details: { issues: [{ code: 'unmapped-cost', message: 'x', mappingKeys: keys }] },
    snapshotId: ctx.store.snapshots.record('exact-procore', 'purchase-orders', sourceId, {
      OrderNumber: sourceId,
    }).snapshot.id,
  });
}

const costRow = (gl: string, cc: string, cu: string | null, costCode: string) => ({
  sourceKey: { glAccountCode: gl, costCenterCode: cc, costUnitCode: cu },
  target: { costCode, lineItemTypeCode: 'M' },
});

describe('mappings', () => {
  it('saves immutable versions, lists history newest first and shows any older version', async () => {
    const empty = await call('mappings.get', { flow: 'exact-procore', set: 'costs' });
    expect(empty).toMatchObject({ current: null, shown: null, rows: [], versions: [] });

    const first = await call('mappings.save', {
      flow: 'exact-procore',
      set: 'costs',
      rows: [costRow(' 4400 ', 'KST-12', '', '01-100')],
      note: 'first',
      baseVersion: null,
    });
    expect(first.version).toMatchObject({ version: 1, rowCount: 1, note: 'first' });
    // Without an engine the save still happens and says when parked records will move.
    expect(first.requeued).toBeNull();
    await call('mappings.save', {
      flow: 'exact-procore',
      set: 'costs',
      rows: [costRow('4400', 'KST-12', null, '01-200')],
      baseVersion: 1,
    });
    const table = await call('mappings.get', { flow: 'exact-procore', set: 'costs' });
    expect(table.versions.map((v) => v.version)).toEqual([2, 1]);
    expect(table.rows).toEqual([costRow('4400', 'KST-12', null, '01-200')]);
    const old = await call('mappings.get', { flow: 'exact-procore', set: 'costs', version: 1 });
    // Trimmed and the empty optional cost unit stored as null.
    expect(old.rows).toEqual([costRow('4400', 'KST-12', null, '01-100')]);
    expect(old.shown?.version).toBe(1);
  });

  it('refuses a stale edit, empty values and duplicate sources, naming each row; nothing is saved', async () => {
    await call('mappings.save', { flow: 'exact-procore', set: 'vendors', rows: [], baseVersion: null });
    expect(
      await failure('mappings.save', { flow: 'exact-procore', set: 'vendors', rows: [], baseVersion: null }),
    ).toMatchObject({ code: 'conflict' });
    const bad = await failure('mappings.save', {
      flow: 'exact-procore',
      set: 'costs',
      rows: [
        costRow('4400', '', null, '01'),
        costRow('5000', 'A', null, '02'),
        costRow('5000', 'A', null, '03'),
      ],
    });
    expect(bad.code).toBe('invalid-request');
    expect(bad.message).toContain('Row 1: Cost center is empty');
    expect(bad.message).toContain(
      'Row 3: GL account 5000 / Cost center A / Cost unit (empty = any) (any) is already mapped in row 2',
    );
    expect((await call('mappings.get', { flow: 'exact-procore', set: 'costs' })).versions).toEqual([]);
    expect(await failure('mappings.get', { flow: 'exact-procore', set: 'nope' })).toMatchObject({
      code: 'not-found',
      message: 'Flow "exact-procore" has no mapping table "nope" (it has: projects, costs, vendors).',
    });
  });

  it('lists the values open parked records wait for; a record is fixed by any of its alternatives', async () => {
    parkCost('PO-1', '4400', 'KST-12', 'CU-1');
    parkCost('PO-2', '4400', 'KST-12', null);
    parkCost('PO-3', '6100', 'KST-9', null);
    const before = await call('mappings.get', { flow: 'exact-procore', set: 'costs' });
    expect(before.unmapped.map((u) => [u.mappingKey, u.openParked])).toEqual([
      ['cost:4400|KST-12|', 2],
      ['cost:4400|KST-12|CU-1', 1],
      ['cost:6100|KST-9|', 1],
    ]);
    expect(before.unmapped[0]!.sourceKey).toEqual({
      glAccountCode: '4400',
      costCenterCode: 'KST-12',
      costUnitCode: null,
    });
    // Mapping the "any cost unit" row fixes PO-1 and PO-2.
    await call('mappings.save', {
      flow: 'exact-procore',
      set: 'costs',
      rows: [costRow('4400', 'KST-12', null, '01-100')],
    });
    const after = await call('mappings.get', { flow: 'exact-procore', set: 'costs' });
    expect(after.unmapped.map((u) => u.mappingKey)).toEqual(['cost:6100|KST-9|']);
    // No mapped row shares GL 6100: no basis for a suggestion.
    expect(after.unmapped[0]!.suggestion).toBeNull();
    // Another cost center of GL 4400: suggested from the rows of that GL account.
    parkCost('PO-4', '4400', 'KST-30', null);
    const withPeer = await call('mappings.get', { flow: 'exact-procore', set: 'costs' });
    expect(withPeer.unmapped.find((u) => u.mappingKey === 'cost:4400|KST-30|')?.suggestion).toEqual({
      target: { costCode: '01-100', lineItemTypeCode: 'M' },
      reason: '1 of 1 mapped row with GL account 4400 uses it',
    });
    // Other sets ignore cost keys.
    expect((await call('mappings.get', { flow: 'exact-procore', set: 'vendors' })).unmapped).toEqual([]);
  });

  it('exports Excel-safe CSV and imports it back as a new version; a bad file changes nothing', async () => {
    await call('mappings.save', {
      flow: 'exact-procore',
      set: 'costs',
      rows: [costRow('4400', 'KST-12', null, '=HYPERLINK("x")'), costRow('5000', 'A', 'CU', '02-000')],
    });
    const exported = await call('mappings.exportCsv', { flow: 'exact-procore', set: 'costs' });
    expect(exported).toMatchObject({ delivery: 'file', rows: 2, fileName: expect.stringMatching(/^mappings-exact-procore-costs-v1-.*\.csv$/) });
    expect(exported.path).toBe(join(dataDir, 'exports', exported.fileName));
    const text = readFileSync(exported.path!, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text).toContain('glAccountCode,costCenterCode,costUnitCode,costCode,lineItemTypeCode\r\n');
    expect(text).toContain(`4400,KST-12,,"'=HYPERLINK(""x"")",M`);

    // The export read back is the same table: no new version.
    const same = await call('mappings.importCsv', { flow: 'exact-procore', set: 'costs', csv: text });
    expect(same).toMatchObject({ rows: 2, created: false, version: { version: 1 } });
    const imported = await call('mappings.importCsv', {
      flow: 'exact-procore',
      set: 'costs',
      csv: `${text}6000,B,,03-000,S\r\n`,
    });
    expect(imported).toMatchObject({ rows: 3, created: true, version: { version: 2, note: 'Imported from CSV' } });
    const table = await call('mappings.get', { flow: 'exact-procore', set: 'costs' });
    expect(table.rows.map((r) => r.target['costCode']).sort()).toEqual(['02-000', '03-000', '=HYPERLINK("x")']);

    const bad = await failure('mappings.importCsv', {
      flow: 'exact-procore',
      set: 'costs',
      csv: 'GL account,Cost center,costCode,lineItemTypeCode\n4400,,01,M\n4500,B,,M\n',
    });
    expect(bad.code).toBe('invalid-request');
    expect(bad.message).toBe(
      'Nothing was imported. Line 2: Cost center is empty; Line 3: Procore cost code is empty.',
    );
    const header = await failure('mappings.importCsv', {
      flow: 'exact-procore',
      set: 'costs',
      csv: 'gl,cc\n1,2\n',
    });
    expect(header.message).toContain('column "gl" is not a column of Cost codes');
    expect((await call('mappings.get', { flow: 'exact-procore', set: 'costs' })).current?.version).toBe(2);
  });

  it('asks the engine to re-queue parked records after a save', async () => {
    const changed: string[] = [];
    ctx.engine = {
      mappingsChanged: async (flow: string) => {
        changed.push(flow);
        return { requeued: 3 };
      },
    } as unknown as EngineApi;
    const saved = await call('mappings.save', { flow: 'exact-procore', set: 'projects', rows: [] });
    expect(changed).toEqual(['exact-procore']);
    expect(saved).toMatchObject({
      requeued: 3,
      requeueMessage: '3 parked records were sent to sync again.',
    });
  });
});

describe('parked groups, audit detail and export', () => {
  it('groups open parked records by reason with their mapping keys and source snapshot', async () => {
    parkCost('PO-1', '4400', 'KST-12', null);
    parkCost('PO-2', '6100', 'KST-9', null);
    ctx.store.parked.park({
      flow: 'exact-procore',
      stream: 'purchase-orders',
      sourceId: 'PO-3',
      reasonCode: 'unmapped-vendor',
      reasonText: 'Supplier SUP-1 has no Procore vendor',
      details: { issues: [{ mappingKeys: ['vendor:SUP-1'] }] },
    });
    const { groups } = await call('parked.groups');
    expect(groups.map((g) => [g.reasonCode, g.count, g.mappingKeys])).toEqual([
      ['unmapped-cost', 2, ['cost:4400|KST-12|', 'cost:6100|KST-9|']],
      ['unmapped-vendor', 1, ['vendor:SUP-1']],
    ]);
    expect(groups[0]!.records[0]).toMatchObject({ sourceId: 'PO-1', source: { OrderNumber: 'PO-1' } });
    expect(groups[1]!.records[0]!.source).toBeNull();
  });

  it('audit.get returns one entry with snapshot and payload; audit.exportCsv streams the filtered rows', async () => {
    const entry = (i: number, status: 'ok' | 'failed'): AuditEntryInput => ({
      flow: 'exact-procore',
      runId: 'r1',
      entity: 'commitment',
      sourceId: `PO-${i}`,
      step: status === 'ok' ? 'written' : 'failed',
      status,
      mappingVersion: 1,
      targetSystem: 'procore',
      targetId: null,
      amount: '1234.50',
      currency: 'EUR',
      sourceSnapshot: { OrderNumber: i },
      targetPayload: { title: `PO ${i}` },
      result: null,
      message: '=cmd',
    });
    ctx.store.audit.appendMany([entry(1, 'ok'), entry(2, 'failed'), entry(3, 'ok')]);
    const { entry: second } = await call('audit.get', { seq: 2 });
    expect(second).toMatchObject({
      seq: 2,
      sourceSnapshot: { OrderNumber: 2 },
      targetPayload: { title: 'PO 2' },
    });
    expect(await failure('audit.get', { seq: 99 })).toMatchObject({ code: 'not-found' });

    const exported = await call('audit.exportCsv', { filter: { status: 'ok' } });
    expect(exported).toMatchObject({ delivery: 'file', rows: 2 });
    const text = readFileSync(exported.path!, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text.trim().split('\r\n')).toHaveLength(3);
    expect(text).toContain("'=cmd");
  });

  it('engine-backed methods say plainly that the engine is not running', async () => {
    for (const [method, request] of [
      ['flows.overview', {}],
      ['sync.start', { flow: 'exact-procore' }],
      ['replay.audit', { seq: 1 }],
      ['parked.retry', { flow: 'exact-procore', reasonCode: 'unmapped-cost' }],
    ] as const) {
      expect(await failure(method, request)).toEqual({
        code: 'unavailable',
        message: 'The sync engine is not running in this process.',
      });
    }
  });
});
