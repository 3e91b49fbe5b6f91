import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/connectors/_kit';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { exactCoupaFlow } from '../../src-main/engine/flows/exact-coupa';
import type { AnyFlowPlugin } from '../../src-main/engine/flows/types';
import { createAppContext } from '../../src-main/host/app-context';
import { SEEDED } from '../../src-main/sandbox/coupa/seed';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { startSandboxEngineFor } from '../support/flow-sandbox-engine';
import { ipcOn } from '../support/ipc-call';
import { SANDBOX } from '../support/sandbox-engine';

/**
 * F5's Mappings pickers through the IPC methods the screen calls, on the Exact Online and Coupa
 * simulators: Coupa suppliers by number and name and their remit-to codes, Exact's GL accounts,
 * cost centers and suppliers; a Coupa supplier number Coupa does not have is refused before it
 * is saved, while the sandbox's own tables save as they are.
 */
const FLOW = 'exact-coupa';
const world = generateWorld(SANDBOX.seed, SANDBOX.scale);
let ctx: ReturnType<typeof createAppContext>;
let ipc: ReturnType<typeof ipcOn>;
let engine: Awaited<ReturnType<typeof startSandboxEngineFor>>;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlc-f5-pickers-'));
  ctx = createAppContext({ dataDir: dir, credentials: new InMemoryCredentialStore(), appVersion: '1.0.0', log: silentLogger });
  ipc = ipcOn(ctx);
  engine = await startSandboxEngineFor(ctx, [exactCoupaFlow as AnyFlowPlugin]);
}, 120_000);

afterAll(async () => {
  await engine?.close();
  ctx?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A purchase GL and a cost center the chart both has, paired in no account (the sandbox's lone cost center with another GL). */
function pairWithoutAccount(): { gl: string; cc: string } {
  const gl = world.costMappings.map((m) => m.glAccountCode).find((code) => code !== SEEDED.loneAccount.glAccount)!;
  return { gl, cc: SEEDED.loneAccount.costCenter };
}

describe('F5 pickers', () => {
  it('offers Coupa suppliers by number and name, and Exact suppliers by code', async () => {
    const { fields } = await ipc.value('mappings.reference', { flow: FLOW, set: 'supplier-links' });
    const coupa = fields['coupaSupplierNumber']!;
    expect(coupa.error).toBeNull();
    expect(coupa.system).toBe('coupa');
    const inCoupa = world.suppliers.filter((s) => s.coupaSupplierId !== null);
    expect(coupa.options.map((o) => o.value).sort()).toEqual(inCoupa.map((s) => s.code).sort());
    const first = inCoupa[0]!;
    expect(coupa.options.find((o) => o.value === first.code)).toMatchObject({ label: first.name, code: first.code });
    expect(fields['supplierCode']!.options.map((o) => o.value)).toEqual(expect.arrayContaining(world.suppliers.map((s) => s.code)));
  });

  it('offers the remit-to codes Coupa has, each with its supplier; Exact GL accounts and cost centers for the accounts table', async () => {
    const remit = (await ipc.value('mappings.reference', { flow: FLOW, set: 'remit-tos' })).fields['remitToCode']!;
    const first = world.suppliers.find((s) => s.coupaSupplierId !== null)!;
    expect(remit.options.find((o) => o.value === `RT-${first.code}`)?.detail).toBe(`of ${first.name} (${first.code})`);
    const accounts = (await ipc.value('mappings.reference', { flow: FLOW, set: 'accounts' })).fields;
    expect(accounts['glAccountCode']!.options.map((o) => o.value).sort()).toEqual(world.glAccounts.map((g) => g.code).sort());
    expect(new Set(accounts['costCenterCode']!.options.map((o) => o.value))).toEqual(new Set(world.costCenters.map((c) => c.code)));
  });

  it("offers the Coupa segments of the chart's accounts (Accounts API, every page read, counted): each purchase GL and cost center once", async () => {
    const answer = await ipc.value('mappings.reference', { flow: FLOW, set: 'accounts', refresh: true });
    const gl = answer.fields['coupaGlAccount']!;
    const cc = answer.fields['coupaCostCenter']!;
    expect(gl.error).toBeNull();
    expect(gl.system).toBe('coupa');
    expect(gl.options.map((o) => o.value)).toEqual([...new Set(world.costMappings.map((m) => m.glAccountCode))].sort());
    expect(gl.options.every((o) => !o.inactive)).toBe(true);
    expect(cc.options.filter((o) => !o.inactive).map((o) => o.value)).toEqual([...world.costCenters.map((c) => c.code), SEEDED.loneAccount.costCenter].sort());
    // A cost center only inactive accounts carry is shown, marked, and refused as a target.
    expect(cc.options.find((o) => o.value === 'KST-09')).toMatchObject({ inactive: true, detail: expect.stringContaining('only on inactive accounts') });
    // The live chart has 202 accounts: 5 pages of at most 50, one read shared by both segment lists.
    expect(answer.apiCalls?.['coupa']).toBe(5);
  });

  it('refuses a Coupa account segment the chart does not have, or has only on inactive accounts; the unmapped pair can be mapped by picking', async () => {
    const table = await ipc.value('mappings.get', { flow: FLOW, set: 'accounts' });
    const gap = world.deliberate.unmappedPair;
    const row = (gl: string, cc: string) => ({ sourceKey: { glAccountCode: gap.glAccountCode, costCenterCode: gap.costCenterCode }, target: { coupaGlAccount: gl, coupaCostCenter: cc } });
    const unknown = await ipc.error('mappings.save', { flow: FLOW, set: 'accounts', rows: [...table.rows, row('9999', gap.costCenterCode)], baseVersion: table.current?.version ?? null });
    expect(unknown.message).toBe(`Row ${table.rows.length + 1}: Coupa GL segment 9999 does not exist in Coupa.`);
    const closed = await ipc.error('mappings.save', { flow: FLOW, set: 'accounts', rows: [...table.rows, row(gap.glAccountCode, 'KST-09')], baseVersion: table.current?.version ?? null });
    expect(closed.message).toBe(`Row ${table.rows.length + 1}: Coupa cost-center segment ("none" = none) KST-09 is inactive in Coupa; choose an active one.`);
    const saved = await ipc.value('mappings.save', { flow: FLOW, set: 'accounts', rows: [...table.rows, row(gap.glAccountCode, gap.costCenterCode)], note: 'test: map the gap', baseVersion: table.current?.version ?? null });
    expect(saved.created).not.toBe(false);
  });

  it('refuses a GL + cost-center pair the chart has no active account for (each segment exists), naming the row and the chart; the pair list is read with the segments (still 5 calls)', async () => {
    const answer = await ipc.value('mappings.reference', { flow: FLOW, set: 'accounts', refresh: true });
    expect(answer.apiCalls?.['coupa']).toBe(5);
    expect(answer.row).toMatchObject({ system: 'coupa', error: null, scope: `chart ${world.companyName}` });
    const { gl, cc } = pairWithoutAccount();
    expect(answer.row!.options.some((o) => o.value === `${gl}|${cc}`)).toBe(false);
    const table = await ipc.value('mappings.get', { flow: FLOW, set: 'accounts' });
    const gap = world.deliberate.unmappedPair;
    const refused = await ipc.error('mappings.save', {
      flow: FLOW,
      set: 'accounts',
      rows: [...table.rows.filter((r) => !(r.sourceKey['glAccountCode'] === gap.glAccountCode && r.sourceKey['costCenterCode'] === gap.costCenterCode)), { sourceKey: { glAccountCode: gap.glAccountCode, costCenterCode: gap.costCenterCode }, target: { coupaGlAccount: gl, coupaCostCenter: cc } }],
      baseVersion: table.current?.version ?? null,
    });
    expect(refused.message).toMatch(
      new RegExp(`^Row \\d+ \\(Exact Online GL account ${gap.glAccountCode} / Cost center ${gap.costCenterCode}\\): Coupa chart ${world.companyName} has no active account ${gl}-${cc}; create it in Coupa or pick another pair\\.$`),
    );
    expect((await ipc.value('mappings.get', { flow: FLOW, set: 'accounts' })).current?.version).toBe(table.current?.version);
  });

  it('an accounts file pairing segments the chart has no account for is refused by line in the preview', async () => {
    const { gl, cc } = pairWithoutAccount();
    const header = 'GL account,Cost center (empty = none),Coupa GL segment,"Coupa cost-center segment (""none"" = none)"';
    const csv = [header, `${gl},${cc},${gl},${cc}`].join('\r\n');
    const preview = await ipc.value('mappings.previewImport', { flow: FLOW, set: 'accounts', csv });
    expect(preview.problems).toEqual([{ line: 2, message: `Line 2 (Exact Online GL account ${gl} / Cost center ${cc}): Coupa chart ${world.companyName} has no active account ${gl}-${cc}; create it in Coupa or pick another pair` }]);
  });

  it('a row carried over unchanged that names a pair the chart lacks is saved with a warning (decision 0027); changing another row still saves', async () => {
    const { gl, cc } = pairWithoutAccount();
    const set = ctx.store.mappings.getSet(FLOW, 'accounts')!;
    const stored = ctx.store.mappings.rows(ctx.store.mappings.currentVersion(set.id)!.id);
    // Saved before this check existed (or the account was removed in Coupa since).
    ctx.store.mappings.createVersion(set.id, [...stored, { sourceKey: { glAccountCode: gl, costCenterCode: cc }, target: { coupaGlAccount: gl, coupaCostCenter: cc } }], 'test: planted pair');
    const table = await ipc.value('mappings.get', { flow: FLOW, set: 'accounts' });
    const edited = table.rows.filter((r) => r.sourceKey['glAccountCode'] !== world.deliberate.unmappedPair.glAccountCode || r.sourceKey['costCenterCode'] !== world.deliberate.unmappedPair.costCenterCode);
    const saved = await ipc.value('mappings.save', { flow: FLOW, set: 'accounts', rows: edited, note: 'test: remove one row', baseVersion: table.current?.version ?? null });
    expect(saved.created).toBe(true);
    expect(saved.warnings).toEqual([expect.stringMatching(new RegExp(`\\(Exact Online GL account ${gl} / Cost center ${cc}\\): Coupa chart ${world.companyName} has no active account ${gl}-${cc}; records using it stay in Pending until it is created there or the row is changed$`))]);
  });

  it('the sandbox tables save as they are (nothing refused), and the settings name their settings', async () => {
    for (const set of ['settings', 'accounts']) {
      const table = await ipc.value('mappings.get', { flow: FLOW, set });
      const saved = await ipc.value('mappings.save', { flow: FLOW, set, rows: table.rows, note: 'unchanged', baseVersion: table.current?.version ?? null });
      expect(saved.created).toBe(false);
    }
    const settings = (await ipc.value('mappings.reference', { flow: FLOW, set: 'settings' })).fields['setting']!;
    expect(settings.options.map((o) => o.value)).toContain('shipToUser');
  });

  it('refuses a Coupa supplier number Coupa does not have, in words; a real one is saved', async () => {
    const table = await ipc.value('mappings.get', { flow: FLOW, set: 'supplier-links' });
    const supplier = world.suppliers.find((s) => s.coupaSupplierId !== null)!;
    const refused = await ipc.error('mappings.save', {
      flow: FLOW,
      set: 'supplier-links',
      rows: [...table.rows, { sourceKey: { supplierCode: supplier.code }, target: { coupaSupplierNumber: 'NOPE-999' } }],
      baseVersion: table.current?.version ?? null,
    });
    expect(refused.message).toBe(`Row ${table.rows.length + 1}: Coupa supplier number NOPE-999 does not exist in Coupa.`);
    const saved = await ipc.value('mappings.save', {
      flow: FLOW,
      set: 'supplier-links',
      rows: [...table.rows, { sourceKey: { supplierCode: supplier.code }, target: { coupaSupplierNumber: supplier.code } }],
      note: 'test: confirm a link',
      baseVersion: table.current?.version ?? null,
    });
    expect(saved.created).not.toBe(false);
  });

  it('an accounts file naming a closed Coupa cost center is refused by line before anything is saved', async () => {
    const header = 'GL account,Cost center (empty = none),Coupa GL segment,"Coupa cost-center segment (""none"" = none)"';
    const csv = [header, '4000,KST-10,4000,KST-10', '4010,KST-11,4010,KST-09'].join('\r\n');
    const preview = await ipc.value('mappings.previewImport', { flow: FLOW, set: 'accounts', csv });
    expect(preview.unchecked).toBeNull();
    expect(preview.problems).toEqual([{ line: 3, message: expect.stringMatching(/^Line 3: Coupa cost-center segment .* KST-09 is inactive in Coupa; choose an active one$/) }]);
  });
});
