import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/connectors/_kit';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { procoreAcumaticaFlow } from '../../src-main/engine/flows/procore-acumatica';
import type { AnyFlowPlugin } from '../../src-main/engine/flows/types';
import { createAppContext } from '../../src-main/host/app-context';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { startSandboxEngineFor } from '../support/flow-sandbox-engine';
import { ipcOn } from '../support/ipc-call';
import { SANDBOX } from '../support/sandbox-engine';

/**
 * F2's Mappings pickers through the IPC methods the screen calls, on the Procore and Acumatica
 * simulators: Acumatica's branches, accounts, subaccounts, projects, tasks, cost codes and
 * vendors, Procore's projects, cost codes and cost types. The planted inactive account stays
 * mappable (the sync parks what is coded to it); an account Acumatica does not have is refused.
 */
const FLOW = 'procore-acumatica';
const world = generateWorld(SANDBOX.seed, SANDBOX.scale);
const plants = world.deliberate.acumatica;
let ctx: ReturnType<typeof createAppContext>;
let ipc: ReturnType<typeof ipcOn>;
let engine: Awaited<ReturnType<typeof startSandboxEngineFor>>;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlc-f2-pickers-'));
  ctx = createAppContext({ dataDir: dir, credentials: new InMemoryCredentialStore(), appVersion: '1.0.0', log: silentLogger });
  ipc = ipcOn(ctx);
  engine = await startSandboxEngineFor(ctx, [procoreAcumaticaFlow as AnyFlowPlugin]);
}, 120_000);

afterAll(async () => {
  await engine?.close();
  ctx?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('F2 pickers', () => {
  it('offers Acumatica accounts (the inactive one marked, not refused) and subaccounts from one read; Procore cost codes and cost types', async () => {
    const { fields, apiCalls } = await ipc.value('mappings.reference', { flow: FLOW, set: 'costs' });
    const accounts = fields['account']!;
    expect(accounts.error).toBeNull();
    expect(accounts.system).toBe('acumatica');
    expect(accounts.options.map((o) => o.value)).toEqual(expect.arrayContaining(world.apAccounts.map((a) => a.code)));
    const inactive = accounts.options.find((o) => o.value === plants.inactiveAccountCode)!;
    expect(inactive.detail).toContain('inactive in Acumatica');
    expect(inactive.inactive).toBeUndefined();
    expect(fields['subaccount']!.options.map((o) => o.value)).toEqual(expect.arrayContaining(['CON', 'EQP']));
    expect(fields['costType']!.options.map((o) => o.value)).toEqual(expect.arrayContaining(['M', 'L']));
    expect(fields['costCode']!.options.map((o) => o.value)).toEqual(expect.arrayContaining(world.costCodes.map((c) => c.code)));
    // Accounts and subaccounts came from one read of Acumatica's reference data (six lists at most).
    if (apiCalls) expect(apiCalls['acumatica'] ?? 0).toBeLessThanOrEqual(6);
  });

  it('offers Procore projects by name, Acumatica projects with "X = none", branches, tasks, cost codes and vendors', async () => {
    const projects = (await ipc.value('mappings.reference', { flow: FLOW, set: 'projects' })).fields;
    const first = world.projects[0]!;
    expect(projects['procoreProjectId']!.options.find((o) => o.value === String(first.procoreId))?.label).toBe(first.name);
    expect(projects['acumaticaProject']!.options[0]).toMatchObject({ value: 'X', label: 'None (non-project)' });
    expect(projects['acumaticaProject']!.options.map((o) => o.value)).toEqual(expect.arrayContaining(world.projects.map((p) => p.acumaticaProjectId)));
    expect(projects['branch']!.error).toBeNull();
    expect(projects['branch']!.options.map((o) => o.value)).toContain('HEADOFFICE');
    const codes = (await ipc.value('mappings.reference', { flow: FLOW, set: 'cost-codes' })).fields;
    expect(codes['acumaticaCostCode']!.options.map((o) => o.value)).toContain(plants.onlyCostCode.code);
    expect(codes['acumaticaCostCode']!.options.map((o) => o.value)).not.toContain(plants.missingCostCode);
    expect(codes['task']!.options.length).toBeGreaterThan(0);
    const vendors = (await ipc.value('mappings.reference', { flow: FLOW, set: 'vendors' })).fields['acumaticaVendorId']!;
    const linked = world.suppliers.filter((s) => s.procoreVendorId !== null && s.acumaticaVendorId !== null).map((s) => s.acumaticaVendorId!);
    expect(vendors.options.map((o) => o.value)).toEqual(expect.arrayContaining(linked));
  });

  it('the sandbox tables save as they are, the inactive account included; an account Acumatica does not have is refused', async () => {
    for (const set of ['projects', 'costs', 'vendors']) {
      const table = await ipc.value('mappings.get', { flow: FLOW, set });
      const saved = await ipc.value('mappings.save', { flow: FLOW, set, rows: table.rows, note: 'unchanged', baseVersion: table.current?.version ?? null });
      expect(saved.created).toBe(false);
    }
    const costs = await ipc.value('mappings.get', { flow: FLOW, set: 'costs' });
    expect(costs.rows.some((r) => r.target['account'] === plants.inactiveAccountCode)).toBe(true);
    const wrong = costs.rows.map((r, i) => (i === 0 ? { ...r, target: { ...r.target, account: '99999' } } : r));
    const refused = await ipc.error('mappings.save', { flow: FLOW, set: 'costs', rows: wrong, baseVersion: costs.current?.version ?? null });
    expect(refused.message).toBe('Row 1: GL account 99999 does not exist in Acumatica.');
  });

  it('the cost code Acumatica lacks on purpose does not stop a save of that table: its unchanged row is saved with a warning (decision 0027)', async () => {
    const table = await ipc.value('mappings.get', { flow: FLOW, set: 'cost-codes' });
    const row = table.rows.findIndex((r) => r.target['acumaticaCostCode'] === plants.missingCostCode);
    expect(row).toBeGreaterThanOrEqual(0);
    const warning = `Row ${row + 1}: Acumatica cost code ${plants.missingCostCode} does not exist in Acumatica; records using it stay in Pending until it is created there or the row is changed`;
    const unchanged = await ipc.value('mappings.save', { flow: FLOW, set: 'cost-codes', rows: table.rows, baseVersion: table.current?.version ?? null });
    expect(unchanged).toMatchObject({ created: false, warnings: [warning] });
    // Another row edited: saved as the next version, the planted row carried over with its warning.
    const other = row === 0 ? 1 : 0;
    const edited = table.rows.map((r, i) => (i === other ? { ...r, target: { ...r.target, acumaticaCostCode: plants.onlyCostCode.code } } : r));
    const saved = await ipc.value('mappings.save', { flow: FLOW, set: 'cost-codes', rows: edited, baseVersion: table.current?.version ?? null });
    expect(saved).toMatchObject({ created: true, versionName: `Project tasks and cost codes v${table.current!.version + 1}`, warnings: [warning] });
    // The planted row itself changed (another task, the same missing code): refused, naming it.
    const wrong = edited.map((r, i) => (i === row ? { ...r, target: { ...r.target, task: r.target['task'] === '01' ? '02' : '01' } } : r));
    const refused = await ipc.error('mappings.save', { flow: FLOW, set: 'cost-codes', rows: wrong, baseVersion: saved.version.version });
    expect(refused.message).toContain(`Row ${row + 1}: Acumatica cost code ${plants.missingCostCode} does not exist in Acumatica`);
    expect(refused.message).not.toContain('stay in Pending');
  });
});
