import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/connectors/_kit';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { ipcOn } from '../support/ipc-call';
import { addProcoreVendor } from '../support/procore-admin';
import { SANDBOX, startSandboxEngine } from '../support/sandbox-engine';

/**
 * `mappings.suggestVendors` as the Mappings screen calls it, with the engine attached the way
 * `serve --sandbox` attaches it (Exact Online and Procore simulators with the demo world). The
 * demo links every supplier that has a Procore vendor; its one deliberate gap is a supplier
 * with no vendor at all.
 */
const world = generateWorld(SANDBOX.seed, SANDBOX.scale);
const supplier = (code: string) => world.suppliers.find((s) => s.code === code)!;
const missingInProcore = world.suppliers.find((s) => s.key === world.deliberate.supplierMissingInProcoreKey)!;

let ctx: ReturnType<typeof createAppContext>;
let ipc: ReturnType<typeof ipcOn>;

beforeEach(() => {
  ctx = createAppContext({
    dataDir: mkdtempSync(join(tmpdir(), 'mlc-vendor-suggestions-')),
    credentials: new InMemoryCredentialStore(),
    appVersion: '1.0.0',
    log: silentLogger,
  });
  ipc = ipcOn(ctx);
});

afterEach(() => {
  ctx.close();
  rmSync(ctx.dataDir, { recursive: true, force: true });
});

const suggest = () => ipc.value('mappings.suggestVendors', { flow: 'exact-procore' });
const vendorRows = async () =>
  (await ipc.value('mappings.get', { flow: 'exact-procore', set: 'vendors' })).rows;

describe('mappings.suggestVendors on the sandbox', () => {
  let engine: Awaited<ReturnType<typeof startSandboxEngine>>;
  beforeEach(async () => {
    engine = await startSandboxEngine(ctx);
    expect(engine.host.flows.flows.get('exact-procore')).toBeDefined();
  });
  afterEach(() => engine.close());

  it('suggests nothing while every supplier with a Procore vendor is linked, with one read per system', async () => {
    expect((await vendorRows()).length).toBe(world.suppliers.length - 1);
    const first = await suggest();
    expect(first.suggestions).toEqual([]);
    // The first call also signs in; after that a suggestion costs one list call per system.
    const again = await suggest();
    expect(again).toEqual({ suggestions: [], apiCalls: { 'exact-online': 1, procore: 1 } });
  });

  it('finds a vendor added in Procore and unlinked suppliers by External ID, Exact account id and name; linked ones are left out', async () => {
    // Two links removed from the table (version 2): 40001's vendor carries its External ID,
    // 40005's vendor has none (the demo leaves every fifth one empty) but the same name.
    const rows = await vendorRows();
    await ipc.value('mappings.save', {
      flow: 'exact-procore',
      set: 'vendors',
      rows: rows.filter((r) => !['40001', '40005'].includes(r.sourceKey['supplierCode']!)),
      baseVersion: 1,
    });
    // The supplier with no Procore vendor gets one, made in Procore with Exact's account id as origin id.
    const added = await addProcoreVendor(engine.procoreAccess(), {
      name: 'Koster Groothandel',
      origin_id: missingInProcore.exactId,
    });

    const { suggestions } = await suggest();
    expect([...suggestions].sort((a, b) => a.supplierCode.localeCompare(b.supplierCode))).toEqual([
      {
        supplierCode: '40001',
        supplierName: 'Van den Berg Betonmortel B.V.',
        vendorId: String(supplier('40001').procoreVendorId),
        vendorName: 'Van den Berg Betonmortel B.V.',
        matchedBy: 'origin_code',
      },
      {
        supplierCode: '40005',
        supplierName: 'Staalbouw Hendriks B.V.',
        vendorId: String(supplier('40005').procoreVendorId),
        vendorName: 'Staalbouw Hendriks B.V.',
        matchedBy: 'name',
      },
      {
        supplierCode: missingInProcore.code,
        supplierName: missingInProcore.name,
        vendorId: added.id,
        vendorName: 'Koster Groothandel',
        matchedBy: 'origin_id',
      },
    ]);

    // Accepting one and saving the table links it: it is not suggested again.
    await ipc.value('mappings.save', {
      flow: 'exact-procore',
      set: 'vendors',
      rows: [
        ...(await vendorRows()),
        { sourceKey: { supplierCode: missingInProcore.code }, target: { procoreVendorId: added.id } },
      ],
      baseVersion: 2,
    });
    expect((await suggest()).suggestions.map((s) => s.supplierCode).sort()).toEqual(['40001', '40005']);
  });

  it('while a sync runs it still answers, without claiming the process’s API calls as its own', async () => {
    const reading = new Promise<void>((resolve) =>
      ctx.events.subscribe((m) => {
        if (m.event === 'run.progress' && m.payload.phase === 'reading') resolve();
      }),
    );
    const finished = new Promise<void>((resolve) =>
      ctx.events.subscribe((m) => {
        if (m.event === 'run.progress' && (m.payload.phase === 'done' || m.payload.phase === 'failed'))
          resolve();
      }),
    );
    await ipc.value('sync.start', { flow: 'exact-procore' });
    await reading;
    expect(await suggest()).toEqual({ suggestions: [], apiCalls: null });
    await finished;
    expect(await suggest()).toEqual({ suggestions: [], apiCalls: { 'exact-online': 1, procore: 1 } });
  });

  it('a failing Procore comes back as a plain message, not a crash', async () => {
    await suggest(); // signed in: the failure is on the vendor list itself, after the kit's retries
    await fetch(`${engine.procoreAccess().baseUrl}/_sandbox/faults`, {
      method: 'PUT',
      body: JSON.stringify({ spec: '5xx=1' }),
    });
    const error = await ipc.error('mappings.suggestVendors', { flow: 'exact-procore' });
    expect(error.code).toBe('unavailable');
    expect(error.message).toMatch(
      /^Could not read the vendors from Procore: Procore answered HTTP 50[023]\. Try again in a few minutes\.$/,
    );
  }, 60_000);
});

describe('mappings.suggestVendors without the engine', () => {
  it('answers like the other engine methods: unavailable', async () => {
    expect(await ipc.error('mappings.suggestVendors', { flow: 'exact-procore' })).toEqual({
      code: 'unavailable',
      message: 'The sync engine is not running in this process.',
    });
    expect((await ipc.error('mappings.suggestVendors', {})).code).toBe('invalid-request');
  });
});
