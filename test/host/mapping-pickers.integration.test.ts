import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/connectors/_kit';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { ipcOn } from '../support/ipc-call';
import { SANDBOX, startSandboxEngine } from '../support/sandbox-engine';

/**
 * Issue 17 (pickers, validated imports, one version numbering) through the IPC methods the
 * Mappings and Pending screens call, with the engine `serve --sandbox` runs: the Exact Online
 * and Procore simulators on loopback with the demo world, after one full sync.
 */
const FLOW = 'exact-procore';
const world = generateWorld(SANDBOX.seed, SANDBOX.scale);
const planted = world.suppliers.find((s) => s.key === world.deliberate.supplierMissingInProcoreKey)!;
const pair = world.deliberate.unmappedPair;

let ctx: ReturnType<typeof createAppContext>;
let ipc: ReturnType<typeof ipcOn>;
let engine: Awaited<ReturnType<typeof startSandboxEngine>>;

beforeAll(async () => {
  ctx = createAppContext({
    dataDir: mkdtempSync(join(tmpdir(), 'mlc-pickers-')),
    credentials: new InMemoryCredentialStore(),
    appVersion: '1.0.0',
    log: silentLogger,
  });
  ipc = ipcOn(ctx);
  engine = await startSandboxEngine(ctx);
  const summary = await engine.host.flows.flows.get(FLOW)!.runtime.run({ trigger: 'manual' });
  expect(summary.counts.parked).toBeGreaterThan(0);
}, 120_000);

afterAll(async () => {
  await engine?.close();
  ctx?.close();
  rmSync(ctx.dataDir, { recursive: true, force: true });
});

const costsCsv = async () => {
  const table = await ipc.value('mappings.get', { flow: FLOW, set: 'costs' });
  return {
    table,
    lines: table.rows.map((r) =>
      [r.sourceKey['glAccountCode'], r.sourceKey['costCenterCode'], r.sourceKey['costUnitCode'] ?? '', r.target['costCode'], r.target['lineItemTypeCode']].join(','),
    ),
  };
};
const HEADER = 'glAccountCode,costCenterCode,costUnitCode,costCode,lineItemTypeCode';

describe('pickers: reference data read through the engine', () => {
  it('offers Procore cost codes and cost types by code and name, Exact values by code, with counted calls and a short cache', async () => {
    const first = await ipc.value('mappings.reference', { flow: FLOW, set: 'costs' });
    const types = first.fields['lineItemTypeCode']!;
    expect(types.system).toBe('procore');
    expect(types.options).toContainEqual({ value: 'M', label: 'Materials', code: 'M', detail: null });
    const costCodes = first.fields['costCode']!.options;
    expect(costCodes.map((o) => o.value)).toEqual(expect.arrayContaining(world.costCodes.map((c) => c.code)));
    expect(costCodes.find((o) => o.value === '01-100')).toEqual({
      value: '01-100',
      label: 'General Labour',
      code: '01-100',
      detail: `in all ${world.projects.length} projects`,
    });
    expect(first.fields['glAccountCode']!.options.map((o) => o.value)).toEqual(
      expect.arrayContaining(world.glAccounts.map((g) => g.code)),
    );
    expect(first.fields['costUnitCode']!.system).toBe('exact-online');
    // The first answer read both systems; the same table again a moment later reads nothing.
    expect(first.apiCalls!['procore']).toBeGreaterThan(world.projects.length);
    expect(first.apiCalls!['exact-online']).toBeGreaterThanOrEqual(3);
    const again = await ipc.value('mappings.reference', { flow: FLOW, set: 'costs' });
    expect(again.apiCalls).toEqual({ 'exact-online': 0, procore: 0 });
    expect(again.fields).toEqual(first.fields);
  });

  it('offers Procore vendors by name with their id as the stored value, and Exact suppliers', async () => {
    const { fields } = await ipc.value('mappings.reference', { flow: FLOW, set: 'vendors' });
    const linked = world.suppliers.find((s) => s.procoreVendorId !== null)!;
    expect(fields['procoreVendorId']!.options).toContainEqual(
      expect.objectContaining({ value: String(linked.procoreVendorId), label: linked.name }),
    );
    expect(fields['supplierCode']!.options).toContainEqual(
      expect.objectContaining({ value: planted.code, label: planted.name }),
    );
  });
});

describe('mapping import: checked before it is saved', () => {
  it('refuses a cost code Procore does not have, naming its line; nothing is saved', async () => {
    const { table, lines } = await costsCsv();
    const csv = [HEADER, ...lines.slice(0, 3), `${pair.glAccountCode},${pair.costCenterCode},,99-999,M`, ...lines.slice(3)].join('\r\n');
    const preview = await ipc.value('mappings.previewImport', { flow: FLOW, set: 'costs', csv });
    expect(preview.problems).toEqual([
      { line: 5, message: 'Line 5: Procore cost code 99-999 does not exist in Procore' },
    ]);
    expect(preview.unchecked).toBeNull();
    const refused = await ipc.error('mappings.importCsv', { flow: FLOW, set: 'costs', csv });
    expect(refused).toEqual({
      code: 'invalid-request',
      message: 'Nothing was imported. Line 5: Procore cost code 99-999 does not exist in Procore.',
    });
    expect((await ipc.value('mappings.get', { flow: FLOW, set: 'costs' })).current).toEqual(table.current);
  });

  it('says which cost type was meant, and flags a GL account Exact does not know without refusing it', async () => {
    const { lines } = await costsCsv();
    const csv = [HEADER, ...lines, `9999,KST-12,,01-100,m`].join('\n');
    const preview = await ipc.value('mappings.previewImport', { flow: FLOW, set: 'costs', csv });
    expect(preview.problems.map((p) => p.message)).toEqual([
      `Line ${lines.length + 2}: Cost type m does not exist in Procore (did you mean M — Materials?)`,
    ]);
    expect(preview.flags.map((p) => p.message)).toEqual([
      `Line ${lines.length + 2}: GL account 9999 is not known in Exact Online (imported anyway; check the code)`,
    ]);
  });

  it('shows the impact first, then imports a semicolon-separated file with a BOM (Excel, Dutch settings)', async () => {
    const { table, lines } = await costsCsv();
    const parked = ctx.store.parked.listOpen(FLOW).filter((p) => p.reasonCode === 'unmapped-cost').length;
    expect(parked).toBeGreaterThan(0);
    // The world's true mapping of the planted pair (see the e2e test): cost code 01-900, cost type O.
    const csv = `\uFEFF${[HEADER, ...lines, `${pair.glAccountCode},${pair.costCenterCode},,01-900,O`].map((l) => l.replaceAll(',', ';')).join('\r\n')}\r\n`;
    const preview = await ipc.value('mappings.previewImport', { flow: FLOW, set: 'costs', csv });
    expect(preview).toMatchObject({
      rows: lines.length + 1,
      separator: ';',
      problems: [],
      flags: [],
      changes: { added: 1, changed: 0, removed: 0, unchanged: lines.length },
      identical: false,
      impact: { releases: parked, recoded: 0 },
      unchecked: null,
      nextVersionName: `Cost codes v${table.current!.version + 1}`,
    });
    const imported = await ipc.value('mappings.importCsv', { flow: FLOW, set: 'costs', csv });
    expect(imported).toMatchObject({ rows: lines.length + 1, created: true, versionName: `Cost codes v${table.current!.version + 1}` });
    expect(imported.requeueMessage).toMatch(/^\d+ parked records? (was|were) sent to sync again: (all went through|\d+ went through, \d+ still waits? for something else \(see Pending validation\))\.$/);
    expect(ctx.store.parked.listOpen(FLOW).filter((p) => p.reasonCode === 'unmapped-cost')).toEqual([]);
  }, 60_000);

  it('an identical file makes no version, and says so', async () => {
    const { table, lines } = await costsCsv();
    const csv = [HEADER, ...lines.reverse()].join('\n');
    const preview = await ipc.value('mappings.previewImport', { flow: FLOW, set: 'costs', csv });
    expect(preview).toMatchObject({ identical: true, nextVersionName: null, changes: { added: 0, changed: 0, removed: 0 } });
    const imported = await ipc.value('mappings.importCsv', { flow: FLOW, set: 'costs', csv });
    expect(imported.created).toBe(false);
    expect(imported.version).toEqual(table.current);
    expect(imported.requeueMessage).toBe(
      `The file holds exactly the rows of Cost codes v${table.current!.version}, so no new version was made.`,
    );
    expect((await ipc.value('mappings.get', { flow: FLOW, set: 'costs' })).versions.length).toBe(table.versions.length);
  });

  it('counts the written records whose coding a changed row alters', async () => {
    const { table, lines } = await costsCsv();
    const used = table.rows.find((r) => r.sourceKey['glAccountCode'] === '4000') ?? table.rows[0]!;
    const changedLine = [used.sourceKey['glAccountCode'], used.sourceKey['costCenterCode'], used.sourceKey['costUnitCode'] ?? '', '01-100', 'L'].join(',');
    const csv = [HEADER, ...lines.map((l, i) => (table.rows[i] === used ? changedLine : l))].join('\n');
    const preview = await ipc.value('mappings.previewImport', { flow: FLOW, set: 'costs', csv });
    expect(preview.changes).toMatchObject({ changed: 1, added: 0, removed: 0 });
    expect(preview.impact.recoded).toBeGreaterThan(0);
    expect(preview.impact.releases).toBe(0);
  });

  it('the table save checks target values too', async () => {
    const table = await ipc.value('mappings.get', { flow: FLOW, set: 'projects' });
    const error = await ipc.error('mappings.save', {
      flow: FLOW,
      set: 'projects',
      rows: [...table.rows, { sourceKey: { projectCode: 'P99-999' }, target: { procoreProjectId: '123' } }],
      baseVersion: table.current!.version,
    });
    expect(error.message).toBe(`Row ${table.rows.length + 1}: Procore project 123 does not exist in Procore.`);
  });
});

describe('create this vendor in Procore', () => {
  it('previews the vendor from the Exact supplier, creates it, links it as a new version and releases its parked records', async () => {
    const waiting = () => ctx.store.parked.listOpen(FLOW).filter((p) => p.reasonCode === 'unmapped-vendor');
    expect(waiting().length).toBeGreaterThan(0);
    const preview = await ipc.value('mappings.previewCounterparty', { flow: FLOW, set: 'vendors', sourceKey: { supplierCode: planted.code } });
    expect(preview).toMatchObject({
      title: `Create vendor “${planted.name}” in Procore`,
      source: `Exact Online supplier ${planted.code}`,
      similar: [],
      blocked: null,
    });
    expect(preview.fields).toEqual(
      expect.arrayContaining([
        { label: 'Name', value: planted.name },
        { label: 'External ID', value: planted.code },
        { label: 'Country', value: planted.country },
        { label: 'Email', value: planted.email },
      ]),
    );
    const before = await ipc.value('mappings.get', { flow: FLOW, set: 'vendors' });

    const created = await ipc.value('mappings.createCounterparty', { flow: FLOW, set: 'vendors', sourceKey: { supplierCode: planted.code } });
    const versionName = `Vendors v${before.current!.version + 1}`;
    expect(created).toMatchObject({
      name: planted.name,
      versionName,
      message: `Created vendor “${planted.name}” in Procore (vendor ${created.targetId}) from Exact Online supplier ${planted.code} and linked it in ${versionName}.`,
    });
    expect(created.requeued).toBeGreaterThan(0);
    expect(waiting()).toEqual([]);
    const after = await ipc.value('mappings.get', { flow: FLOW, set: 'vendors' });
    expect(after.rows).toContainEqual({ sourceKey: { supplierCode: planted.code }, target: { procoreVendorId: created.targetId } });
    // The picker shows the new vendor at once (the cached list was dropped).
    const { fields } = await ipc.value('mappings.reference', { flow: FLOW, set: 'vendors' });
    expect(fields['procoreVendorId']!.options).toContainEqual(expect.objectContaining({ value: created.targetId, label: planted.name, code: planted.code }));

    // Asking again finds the vendor made from this supplier and does not create a second one.
    const again = await ipc.value('mappings.previewCounterparty', { flow: FLOW, set: 'vendors', sourceKey: { supplierCode: planted.code } });
    expect(again.similar).toEqual([expect.objectContaining({ value: created.targetId })]);
    const twice = await ipc.value('mappings.createCounterparty', { flow: FLOW, set: 'vendors', sourceKey: { supplierCode: planted.code } });
    expect(twice.targetId).toBe(created.targetId);
    expect(twice.versionName).toBe(versionName);

    // Audit: the creation and the new version, named as the Mappings screen names it.
    const entries = ctx.store.audit.query({ flow: FLOW, text: planted.code }, { limit: 10 }).entries;
    expect(entries.map((e) => e.message)).toContain(
      `Created vendor “${planted.name}” in Procore (vendor ${created.targetId}) from Exact Online supplier ${planted.code}, at the user's request.`,
    );
    const versionEntry = ctx.store.audit.query({ flow: FLOW, entity: 'mapping' }, { limit: 1 }).entries[0]!;
    expect(versionEntry.message).toBe(`${versionName} saved: 1 row added, 0 changed, 0 removed (${created.message.replace(/ and linked it in .*$/, '')}).`);
    const { entry } = await ipc.value('audit.get', { seq: versionEntry.seq });
    expect(entry.mappingVersionNames).toMatch(new RegExp(`^Projects v\\d+ · Cost codes v\\d+ · ${versionName}$`));
  }, 60_000);

  it('says what is wrong for a code Exact does not have', async () => {
    const preview = await ipc.value('mappings.previewCounterparty', { flow: FLOW, set: 'vendors', sourceKey: { supplierCode: 'NOPE-1' } });
    expect(preview.blocked).toBe('Exact Online has no supplier with code NOPE-1. Check the code in Exact Online.');
    expect(await ipc.error('mappings.createCounterparty', { flow: FLOW, set: 'vendors', sourceKey: { supplierCode: 'NOPE-1' } })).toEqual({
      code: 'conflict',
      message: 'Exact Online has no supplier with code NOPE-1. Check the code in Exact Online.',
    });
    expect((await ipc.error('mappings.previewCounterparty', { flow: FLOW, set: 'costs', sourceKey: {} })).message).toBe(
      'Exact Online → Procore cannot create the entries of Cost codes in the target system.',
    );
  });
});
