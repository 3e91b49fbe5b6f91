import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src-main/connectors/_kit';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { procoreAcumaticaFlow } from '../../src-main/engine/flows/procore-acumatica';
import { f2Key } from '../../src-main/engine/flows/procore-acumatica/mappings';
import type { AnyFlowPlugin } from '../../src-main/engine/flows/types';
import { createAppContext } from '../../src-main/host/app-context';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { startSandboxEngineFor } from '../support/flow-sandbox-engine';
import { ipcOn } from '../support/ipc-call';
import { SANDBOX } from '../support/sandbox-engine';

/**
 * "Create this vendor in Acumatica" from Pending validation, through the IPC methods the screens
 * call, on the Procore and Acumatica simulators. The Acumatica connection parks vendors new in
 * Procore (newVendors: park), so the world's vendors Acumatica lacks wait with their bills; the
 * user creates one from a parked record, and its records go through.
 */
const FLOW = 'procore-acumatica';
const world = generateWorld(SANDBOX.seed, SANDBOX.scale);
const onlyInProcore = world.suppliers.filter((s) => s.acumaticaVendorId === null && s.procoreVendorId !== null);
let ctx: ReturnType<typeof createAppContext>;
let ipc: ReturnType<typeof ipcOn>;
let engine: Awaited<ReturnType<typeof startSandboxEngineFor>>;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mlc-f2-create-vendor-'));
  ctx = createAppContext({ dataDir: dir, credentials: new InMemoryCredentialStore(), appVersion: '1.0.0', log: silentLogger });
  ctx.store.connections.create({ id: 'sandbox-acumatica', system: 'acumatica', label: 'Acumatica (sandbox)', mode: 'sandbox', settings: { seed: SANDBOX.seed, scale: SANDBOX.scale, newVendors: 'park' } as never });
  ipc = ipcOn(ctx);
  engine = await startSandboxEngineFor(ctx, [procoreAcumaticaFlow as AnyFlowPlugin]);
  const summary = await engine.host.flows.flows.get(FLOW)!.runtime.run({ trigger: 'manual' });
  expect(summary.status, summary.error ?? '').toBe('succeeded');
}, 120_000);

afterAll(async () => {
  await engine?.close();
  ctx?.close();
  rmSync(dir, { recursive: true, force: true });
});

const waitingFor = (procoreVendorId: string) =>
  ctx.store.parked.listOpen(FLOW).filter((p) => JSON.stringify(p.details).includes(`"${f2Key.vendor(procoreVendorId)}"`));

describe('F2: create this vendor in Acumatica', () => {
  it('the vendors table declares it, so Pending and Mappings offer it', () => {
    expect(procoreAcumaticaFlow.mappingSets.find((d) => d.set === 'vendors')?.createsCounterparty).toEqual({ noun: 'vendor', system: 'acumatica' });
  });

  it('previews the vendor from Procore, creates it on confirmation, links it as a new version and the waiting records go through', async () => {
    expect(onlyInProcore.length).toBeGreaterThan(0);
    // The vendor with the most records waiting (its own pair and its bills).
    const [supplier] = [...onlyInProcore].sort((a, b) => waitingFor(String(b.procoreVendorId)).length - waitingFor(String(a.procoreVendorId)).length);
    const id = String(supplier!.procoreVendorId);
    const waiting = waitingFor(id);
    expect(waiting.length).toBeGreaterThan(1);
    expect(waiting.map((p) => p.reasonCode)).toEqual(waiting.map(() => 'unmapped-vendor'));
    const sourceKey = { procoreVendorId: id };

    const preview = await ipc.value('mappings.previewCounterparty', { flow: FLOW, set: 'vendors', sourceKey });
    expect(preview).toMatchObject({ title: `Create vendor “${supplier!.name}” in Acumatica`, source: `Procore vendor ${id}`, blocked: null, similar: [] });
    const vendorId = preview.fields.find((f) => f.label === 'Vendor ID')!.value;
    expect(preview.fields).toEqual(expect.arrayContaining([{ label: 'Name', value: supplier!.name }, { label: 'Status', value: 'Active' }]));
    // Nothing is created by a preview.
    const acumaticaVendors = async () => (await ipc.value('mappings.reference', { flow: FLOW, set: 'vendors', refresh: true })).fields['acumaticaVendorId']!.options;
    expect((await acumaticaVendors()).map((o) => o.value)).not.toContain(vendorId);
    const before = await ipc.value('mappings.get', { flow: FLOW, set: 'vendors' });

    const created = await ipc.value('mappings.createCounterparty', { flow: FLOW, set: 'vendors', sourceKey });
    const versionName = `Vendors v${before.current!.version + 1}`;
    expect(created).toMatchObject({
      targetId: vendorId,
      name: supplier!.name,
      versionName,
      message: `Created vendor “${supplier!.name}” in Acumatica (vendor ${vendorId}) from Procore vendor ${id} and linked it in ${versionName}.`,
    });
    expect(created.requeued).toBeGreaterThanOrEqual(waiting.length);
    expect(waitingFor(id)).toEqual([]);
    expect((await acumaticaVendors()).find((o) => o.value === vendorId)?.label).toBe(supplier!.name);
    expect((await ipc.value('mappings.get', { flow: FLOW, set: 'vendors' })).rows).toContainEqual({ sourceKey, target: { acumaticaVendorId: vendorId } });
    // The retried vendor pair wrote the link into Procore too (origin_id = VendorID), as for any confirmed link.
    const procoreState = (await (await fetch(`${engine.sandbox.systems.procore!.baseUrl}/_sandbox/state`)).json()) as Record<string, Record<string, unknown>[]>;
    expect(procoreState['vendors']!.find((v) => String(v['id']) === id)?.['origin_id']).toBe(vendorId);
    // Its bills were written to Acumatica for the new vendor.
    const bills = new Set(waiting.filter((p) => p.stream !== 'vendors').map((p) => p.sourceId));
    expect(bills.size).toBeGreaterThan(0);
    const written = ctx.store.audit.query({ flow: FLOW, step: 'written' }, { limit: 500 }).entries;
    expect(written.filter((e) => bills.has(e.sourceId ?? '')).map((e) => e.sourceId).sort()).toEqual([...bills].sort());
    expect(written.map((e) => e.message)).toContain(`${created.message.replace(/ and linked it in .*$/, '')}, at the user's request.`);

    // Asked again: the vendor is there and linked; nothing is created twice, no new version.
    const again = await ipc.value('mappings.previewCounterparty', { flow: FLOW, set: 'vendors', sourceKey });
    expect(again).toMatchObject({ title: `Link vendor “${supplier!.name}” in Acumatica`, blocked: null, similar: [expect.objectContaining({ value: vendorId })] });
    const twice = await ipc.value('mappings.createCounterparty', { flow: FLOW, set: 'vendors', sourceKey });
    expect(twice).toMatchObject({ targetId: vendorId, versionName });
    expect((await acumaticaVendors()).filter((o) => o.label === supplier!.name)).toHaveLength(1);
  }, 90_000);

  it('says what is wrong for a Procore vendor that does not exist, and for another table', async () => {
    const preview = await ipc.value('mappings.previewCounterparty', { flow: FLOW, set: 'vendors', sourceKey: { procoreVendorId: '999' } });
    expect(preview.blocked).toBe("Procore has no vendor 999. Check the vendor in Procore's company directory.");
    expect(await ipc.error('mappings.createCounterparty', { flow: FLOW, set: 'vendors', sourceKey: { procoreVendorId: '999' } })).toEqual({
      code: 'conflict',
      message: "Procore has no vendor 999. Check the vendor in Procore's company directory.",
    });
    expect((await ipc.error('mappings.previewCounterparty', { flow: FLOW, set: 'costs', sourceKey: {} })).message).toBe(
      'Procore → Acumatica cannot create the entries of GL accounts in the target system.',
    );
  });
});
