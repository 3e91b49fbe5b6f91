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
 * F4's Mappings pickers through the IPC methods the screen calls, with the engine `serve --sandbox`
 * runs: the board picker (the boards the monday token sees), groups, columns with their types, and
 * Exact's GL accounts and cost centers as the reference values; a board or column that does not
 * exist is refused before it is saved.
 */
const FLOW = 'exact-monday';
const world = generateWorld(SANDBOX.seed, SANDBOX.scale);
let ctx: ReturnType<typeof createAppContext>;
let ipc: ReturnType<typeof ipcOn>;
let engine: Awaited<ReturnType<typeof startSandboxEngine>>;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlc-f4-pickers-'));
  ctx = createAppContext({ dataDir: dir, credentials: new InMemoryCredentialStore(), appVersion: '1.0.0', log: silentLogger });
  ipc = ipcOn(ctx);
  engine = await startSandboxEngine(ctx);
}, 120_000);

afterAll(async () => {
  await engine?.close();
  ctx?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('F4 pickers', () => {
  it('the board picker offers the boards the token sees, their groups, and the removal policies', async () => {
    const { fields, apiCalls } = await ipc.value('mappings.reference', { flow: FLOW, set: 'boards' });
    expect(fields['boardId']!.error).toBeNull();
    expect(fields['boardId']!.options.map((o) => [o.value, o.label])).toEqual(world.mondayBoards.map((b) => [b.mondayBoardId, b.name]));
    expect(fields['groupId']!.options.map((o) => o.value)).toEqual(['topics', 'topics', 'topics']);
    expect(fields['groupId']!.options[0]!.detail).toBe(`on board "Purchase orders" (${world.mondayBoards[0]!.mondayBoardId})`);
    expect(fields['whenDeleted']!.options.map((o) => o.value)).toEqual(['archive', 'label']);
    expect(fields['documentType']!.options.map((o) => o.label)).toEqual(['Purchase order', 'Sales invoice', 'Sales order']);
    expect(apiCalls === null || (apiCalls['monday'] ?? 0) >= 1).toBe(true);
  });

  it('the column picker offers every column of the mapped boards with its type; Exact offers the GL accounts and cost centers', async () => {
    const columns = (await ipc.value('mappings.reference', { flow: FLOW, set: 'columns' })).fields;
    const amount = columns['columnId']!.options.filter((o) => o.value === 'amount');
    expect(amount.map((o) => o.detail)).toEqual(['numbers column on board "Purchase orders"', 'numbers column on board "Sales invoices"', 'numbers column on board "Sales orders"']);
    expect(columns['columnId']!.options.some((o) => o.value === 'amount_vat' && o.detail === 'formula column on board "Purchase orders"')).toBe(true);
    expect(columns['columnType']!.options).toHaveLength(43);
    const gl = (await ipc.value('mappings.reference', { flow: FLOW, set: 'gl-accounts' })).fields['glAccountCode']!;
    expect(gl.options.map((o) => o.value).sort()).toEqual(world.glAccounts.map((g) => g.code).sort());
    const cc = (await ipc.value('mappings.reference', { flow: FLOW, set: 'cost-centers' })).fields['costCenterCode']!;
    expect(new Set(cc.options.map((o) => o.value))).toEqual(new Set(world.costCenters.map((c) => c.code)));
  });

  it('a board that does not exist is refused before it is saved; the GL account the demo lacks can be added', async () => {
    const boards = await ipc.value('mappings.get', { flow: FLOW, set: 'boards' });
    const wrong = boards.rows.map((r) => (r.sourceKey['documentType'] === 'sales-order' ? { ...r, target: { ...r.target, boardId: '1800009999' } } : r));
    const refused = await ipc.error('mappings.save', { flow: FLOW, set: 'boards', rows: wrong, note: 'test', baseVersion: boards.current?.version ?? null });
    expect(refused.message).toContain('Board 1800009999 does not exist in monday.com');

    const gl = await ipc.value('mappings.get', { flow: FLOW, set: 'gl-accounts' });
    const gap = world.deliberate.unmappedPair.glAccountCode;
    const saved = await ipc.value('mappings.save', {
      flow: FLOW,
      set: 'gl-accounts',
      rows: [...gl.rows, { sourceKey: { glAccountCode: gap }, target: { label: `${gap} Diverse projectkosten` } }],
      note: 'test: add the missing GL account',
      baseVersion: gl.current?.version ?? null,
    });
    expect(saved.version.version).toBe((gl.current?.version ?? 0) + 1);
  });
});
