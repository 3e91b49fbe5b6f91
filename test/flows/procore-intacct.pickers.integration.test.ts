import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/connectors/_kit';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { procoreIntacctFlow } from '../../src-main/engine/flows/procore-intacct';
import type { AnyFlowPlugin } from '../../src-main/engine/flows/types';
import { createAppContext } from '../../src-main/host/app-context';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { startSandboxEngineFor } from '../support/flow-sandbox-engine';
import { ipcOn } from '../support/ipc-call';
import { SANDBOX } from '../support/sandbox-engine';

/**
 * F3's Mappings pickers through the IPC methods the screen calls, on the Procore and Sage Intacct
 * simulators: Intacct's GL accounts, departments, locations, projects, classes and vendors, and
 * Procore's projects, vendors, cost codes and cost types. The sandbox's own tables save as they
 * are, including the cost code coded on purpose to the inactive GL 59990 (the sync parks it);
 * a GL account Intacct does not have is refused.
 */
const FLOW = 'procore-intacct';
const world = generateWorld(SANDBOX.seed, SANDBOX.scale);
let ctx: ReturnType<typeof createAppContext>;
let ipc: ReturnType<typeof ipcOn>;
let engine: Awaited<ReturnType<typeof startSandboxEngineFor>>;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlc-f3-pickers-'));
  ctx = createAppContext({ dataDir: dir, credentials: new InMemoryCredentialStore(), appVersion: '1.0.0', log: silentLogger });
  ipc = ipcOn(ctx);
  engine = await startSandboxEngineFor(ctx, [procoreIntacctFlow as AnyFlowPlugin]);
}, 120_000);

afterAll(async () => {
  await engine?.close();
  ctx?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('F3 pickers', () => {
  it('offers Intacct GL accounts (the inactive one marked, not hidden) and departments with "none"; Procore cost codes and cost types', async () => {
    const { fields } = await ipc.value('mappings.reference', { flow: FLOW, set: 'costs' });
    const accounts = fields['accountNo']!;
    expect(accounts.error).toBeNull();
    expect(accounts.system).toBe('sage-intacct');
    const inactive = accounts.options.find((o) => o.value === '59990');
    expect(inactive?.detail).toContain('inactive in Sage Intacct');
    expect(inactive?.inactive).toBeUndefined();
    expect(accounts.options.map((o) => o.value)).toEqual(expect.arrayContaining(world.apAccounts.map((a) => a.code)));
    expect(fields['departmentId']!.options[0]).toMatchObject({ value: '-', label: 'None (no department)' });
    expect(fields['departmentId']!.options.map((o) => o.value)).toEqual(expect.arrayContaining(['CON', 'PM', 'EQP']));
    expect(fields['costType']!.options.map((o) => o.value)).toEqual(expect.arrayContaining(['M', 'L']));
    expect(fields['costCode']!.error).toBeNull();
    expect(fields['costCode']!.options.length).toBeGreaterThan(0);
  });

  it('offers Procore projects by name and Intacct projects, locations and classes; Intacct vendors for the vendor links', async () => {
    const projects = (await ipc.value('mappings.reference', { flow: FLOW, set: 'projects' })).fields;
    const first = world.projects[0]!;
    expect(projects['procoreProjectId']!.options.find((o) => o.value === String(first.procoreId))?.label).toBe(first.name);
    expect(projects['intacctProjectId']!.options.map((o) => o.value)).toEqual(expect.arrayContaining(world.projects.map((p) => p.intacctProjectId)));
    expect(projects['locationId']!.options.map((o) => o.value)).toEqual(expect.arrayContaining(['-', '100']));
    expect(projects['classId']!.options.map((o) => o.value)).toEqual(expect.arrayContaining(['COM', 'RES', 'INF']));
    const vendors = (await ipc.value('mappings.reference', { flow: FLOW, set: 'vendors' })).fields['intacctVendorId']!;
    const linked = world.suppliers.filter((s) => s.intacctVendorId !== null).map((s) => s.intacctVendorId!);
    expect(vendors.options.map((o) => o.value)).toEqual(expect.arrayContaining(linked));
  });

  it('the sandbox tables save as they are, the inactive GL 59990 included: only values Intacct does not have are refused', async () => {
    for (const set of ['projects', 'costs', 'vendors']) {
      const table = await ipc.value('mappings.get', { flow: FLOW, set });
      const saved = await ipc.value('mappings.save', { flow: FLOW, set, rows: table.rows, note: 'unchanged', baseVersion: table.current?.version ?? null });
      expect(saved.created).toBe(false);
    }
    const costs = await ipc.value('mappings.get', { flow: FLOW, set: 'costs' });
    expect(costs.rows.some((r) => r.target['accountNo'] === '59990')).toBe(true);
    const index = 0;
    const wrong = costs.rows.map((r, i) => (i === index ? { ...r, target: { ...r.target, accountNo: '99999' } } : r));
    const refused = await ipc.error('mappings.save', { flow: FLOW, set: 'costs', rows: wrong, baseVersion: costs.current?.version ?? null });
    expect(refused.message).toBe(`Row ${index + 1}: GL account (ACCOUNTNO) 99999 does not exist in Sage Intacct.`);
  });
});
