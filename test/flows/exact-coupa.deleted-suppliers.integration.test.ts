import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayAuditEntry } from '../../src-main/engine/flows/exact-coupa/flow';
import { F5_FLOW } from '../../src-main/engine/flows/exact-coupa/model';
import { coupaBooks, openF5Harness, type F5Harness } from '../support/f5-harness';

/**
 * Issue 14: a supplier deleted in Exact Online (sync/Deleted, EntityType 2) is set inactive in
 * Coupa — Coupa suppliers are deactivated, never deleted — once, in finance words, and kill-safe
 * through the outbox: a write whose answer was lost is looked up, not sent twice. Record by
 * record on the Exact Online and Coupa simulators.
 */
type Json = Record<string, unknown>;
let h: F5Harness;

beforeAll(async () => {
  // coupaPerSecond: the simulators as tests set them up for edits between syncs (Exact's minute limit raised).
  h = await openF5Harness({ seed: 1, scale: 1, coupaPerSecond: 1000 });
  const first = await h.run();
  expect(first.status).toBe('succeeded');
}, 180_000);

afterAll(async () => {
  await h?.close();
});

/** A new supplier keyed into Exact, synced to Coupa by the next run; its Exact account id. */
async function newSyncedSupplier(code: string, name: string): Promise<string> {
  const created = await h.exactApi('POST', 'crm/Accounts', { Code: code, Name: name, IsSupplier: true, City: 'Rotterdam', Country: 'NL', Email: `ap@${code}.example` });
  expect(created.status).toBe(201);
  const id = String(((await created.json()) as { d: Json }).d['ID']);
  const run = await h.run();
  expect(run.status).toBe('succeeded');
  expect(coupaBooks(await h.coupaState()).suppliers[code]).toMatchObject({ name, status: 'active' });
  return id;
}

const supplierEntries = (text: string) => h.store.audit.query({ flow: F5_FLOW, entity: 'supplier', step: 'deleted', text }, { limit: 50 }).entries;

describe('F5: suppliers deleted in Exact', { timeout: 180_000 }, () => {
  it('a deleted supplier is set inactive in Coupa (never deleted), under the name Coupa has, audited in finance words; the next run writes nothing', async () => {
    const id = await newSyncedSupplier('70030', 'Koster Sloopwerken B.V.');
    // A Coupa user shortened the name meanwhile: deactivating must not undo that.
    const coupaId = ((await (await h.coupaApi('GET', 'suppliers?number=70030')).json()) as Json[])[0]!['id'];
    expect((await h.coupaApi('PUT', `suppliers/${String(coupaId)}`, { name: 'Koster Sloop' })).status).toBe(200);
    const before = Object.keys(coupaBooks(await h.coupaState()).suppliers).length;

    expect((await h.exactApi('DELETE', `crm/Accounts(guid'${id}')`)).status).toBe(204);
    const run = await h.run();
    expect(run.status).toBe('succeeded');
    expect(run.counts).toMatchObject({ deleted: 1, failed: 0, created: 0 });
    const books = coupaBooks(await h.coupaState());
    expect(books.suppliers['70030']).toMatchObject({ name: 'Koster Sloop', status: 'inactive' });
    expect(Object.keys(books.suppliers)).toHaveLength(before);
    const [entry] = supplierEntries('70030');
    expect(entry?.message).toBe('Supplier 70030 Koster Sloopwerken B.V. was deleted in Exact; set inactive in Coupa');
    expect(entry?.targetId).toBe(String(coupaId));

    const again = await h.run();
    expect(again.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
    expect(supplierEntries('70030')).toHaveLength(1);
    // Replaying the deletion would bring the supplier back: refused in words.
    await expect(replayAuditEntry(h.rt.deps, entry!.seq)).rejects.toThrow(`Audit entry ${entry!.seq} records a supplier deleted in Exact Online; there is nothing to replay.`);
  });

  it('a supplier parked for a conflict (edited on both sides) and then deleted in Exact: set inactive in Coupa, its older Pending entry resolved in words', async () => {
    const id = await newSyncedSupplier('70034', 'De Vries Kozijnen');
    const coupaId = String(((await (await h.coupaApi('GET', 'suppliers?number=70034')).json()) as Json[])[0]!['id']);
    expect((await h.coupaApi('PUT', `suppliers/${coupaId}`, { 'primary-contact': { email: 'coupa@devries.example' } })).status).toBe(200);
    expect((await h.exactApi('PUT', `crm/Accounts(guid'${id}')`, { Email: 'exact@devries.example' })).status).toBe(204);
    expect((await h.run()).counts).toMatchObject({ parked: 1, updated: 0, failed: 0 });
    expect(h.store.parked.getOpen(F5_FLOW, 'suppliers', id)?.reasonCode).toBe('supplier-conflict');

    expect((await h.exactApi('DELETE', `crm/Accounts(guid'${id}')`)).status).toBe(204);
    const run = await h.run();
    expect(run.counts).toMatchObject({ deleted: 1, failed: 0 });
    expect(coupaBooks(await h.coupaState()).suppliers['70034']?.status).toBe('inactive');
    expect(h.store.parked.getOpen(F5_FLOW, 'suppliers', id)).toBeUndefined();
    const resolved = h.store.db.prepare("SELECT resolution FROM parked WHERE flow = ? AND stream = 'suppliers' AND source_id = ? AND resolved_at IS NOT NULL").all(F5_FLOW, id) as { resolution: string }[];
    expect(resolved.map((r) => r.resolution)).toEqual(['Supplier 70034 De Vries Kozijnen was deleted in Exact; set inactive in Coupa']);
  });

  it('setting a deleted supplier inactive costs Coupa 2 calls (one look-up by number, one update), not 3', async () => {
    const id = await newSyncedSupplier('70035', 'Jansen Dakwerken');
    const idle = h.rt.apiCalls().coupa;
    await h.run();
    const idleRun = h.rt.apiCalls().coupa - idle;
    expect((await h.exactApi('DELETE', `crm/Accounts(guid'${id}')`)).status).toBe(204);
    const before = h.rt.apiCalls().coupa;
    const run = await h.run();
    expect(run.counts).toMatchObject({ deleted: 1, failed: 0 });
    expect(coupaBooks(await h.coupaState()).suppliers['70035']?.status).toBe('inactive');
    expect(h.rt.apiCalls().coupa - before - idleRun).toBe(2);
  });

  it('an account F5 never wrote to Coupa (a customer) is deleted in Exact: nothing written, nothing audited', async () => {
    const created = await h.exactApi('POST', 'crm/Accounts', { Code: '90031', Name: 'Particulier De Wit', IsSupplier: false, IsSales: true });
    expect(created.status).toBe(201);
    const id = String(((await created.json()) as { d: Json }).d['ID']);
    expect((await h.exactApi('DELETE', `crm/Accounts(guid'${id}')`)).status).toBe(204);
    const run = await h.run();
    expect(run.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
    expect(h.store.audit.query({ flow: F5_FLOW, text: id }, { limit: 10 }).entries).toEqual([]);
  });

  it("Coupa's answer lost after it set the supplier inactive: the next runs look it up and write nothing twice", async () => {
    const id = await newSyncedSupplier('70031', 'Van Dijk Grondwerken');
    expect((await h.exactApi('DELETE', `crm/Accounts(guid'${id}')`)).status).toBe(204);
    await h.setFaults('coupa', 'drop=1');
    await h.run();
    await h.setFaults('coupa', null);
    // Whether the connector's own look-up or the next run's recovery settled it, the outcome is the same.
    for (let i = 0; i < 3 && h.store.outbox.listUnconfirmed(F5_FLOW).length > 0; i += 1) await h.run();
    expect(h.store.outbox.listUnconfirmed(F5_FLOW)).toEqual([]);
    expect(coupaBooks(await h.coupaState()).suppliers['70031']).toMatchObject({ name: 'Van Dijk Grondwerken', status: 'inactive' });
    expect(coupaBooks(await h.coupaState()).duplicates).toBe(0);
    const last = await h.run();
    expect(last.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
    expect(h.store.audit.verifyAuditChain().ok).toBe(true);
  });

  it('killed after Coupa set the supplier inactive, before the app confirmed it: recovery looks it up and confirms it; nothing is written again', async () => {
    const id = await newSyncedSupplier('70032', 'Bakker Stelling B.V.');
    expect((await h.exactApi('DELETE', `crm/Accounts(guid'${id}')`)).status).toBe(204);
    const coupa = h.rt.deps.coupa;
    let puts = 0;
    const killed = await h.run({
      ...h.rt.deps,
      coupa: {
        ...coupa,
        deactivateSuppliers: async (numbers, call) => {
          puts += numbers.length;
          await coupa.deactivateSuppliers(numbers, call);
          throw new Error('the process died before the answer was recorded');
        },
      },
    });
    expect(killed.status).not.toBe('succeeded');
    expect(puts).toBe(1);
    expect(h.store.outbox.listUnconfirmed(F5_FLOW)).toHaveLength(1);
    expect(coupaBooks(await h.coupaState()).suppliers['70032']?.status).toBe('inactive');

    const recovery = await h.run({ ...h.rt.deps, coupa: { ...coupa, upsertSuppliers: async () => Promise.reject(new Error('recovery must not write again')), deactivateSuppliers: async () => Promise.reject(new Error('recovery must not write again')) } });
    expect(recovery.status, recovery.error ?? '').toBe('succeeded');
    expect(recovery.counts.recovered).toBe(1);
    expect(h.store.outbox.listUnconfirmed(F5_FLOW)).toEqual([]);
    expect(h.store.targetRecords.get(F5_FLOW, 'supplier', '70032')?.targetId).toBe(String(((await (await h.coupaApi('GET', 'suppliers?number=70032')).json()) as Json[])[0]!['id']));
    expect((await h.run()).counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
  });

  it('killed after Coupa set a supplier with an open conflict inactive: the recovery run confirms it and the re-read deletion resolves the older Pending entry', async () => {
    const id = await newSyncedSupplier('70036', 'Peters Steigerbouw');
    const coupaId = String(((await (await h.coupaApi('GET', 'suppliers?number=70036')).json()) as Json[])[0]!['id']);
    expect((await h.coupaApi('PUT', `suppliers/${coupaId}`, { 'primary-contact': { email: 'coupa@peters.example' } })).status).toBe(200);
    expect((await h.exactApi('PUT', `crm/Accounts(guid'${id}')`, { Email: 'exact@peters.example' })).status).toBe(204);
    await h.run();
    expect(h.store.parked.getOpen(F5_FLOW, 'suppliers', id)?.reasonCode).toBe('supplier-conflict');
    expect((await h.exactApi('DELETE', `crm/Accounts(guid'${id}')`)).status).toBe(204);
    const coupa = h.rt.deps.coupa;
    const killed = await h.run({
      ...h.rt.deps,
      coupa: {
        ...coupa,
        deactivateSuppliers: async (numbers, call) => {
          await coupa.deactivateSuppliers(numbers, call);
          throw new Error('the process died before the answer was recorded');
        },
      },
    });
    expect(killed.status).not.toBe('succeeded');
    expect(h.store.parked.getOpen(F5_FLOW, 'suppliers', id)).toBeDefined();

    const recovery = await h.run();
    expect(recovery.status, recovery.error ?? '').toBe('succeeded');
    expect(recovery.counts).toMatchObject({ recovered: 1, deleted: 0, failed: 0 });
    expect(h.store.parked.getOpen(F5_FLOW, 'suppliers', id)).toBeUndefined();
    const resolved = h.store.db.prepare("SELECT resolution FROM parked WHERE flow = ? AND stream = 'suppliers' AND source_id = ? AND resolved_at IS NOT NULL").all(F5_FLOW, id) as { resolution: string }[];
    expect(resolved.map((r) => r.resolution)).toEqual(['Supplier 70036 Peters Steigerbouw was deleted in Exact; set inactive in Coupa']);
    expect(coupaBooks(await h.coupaState()).suppliers['70036']?.status).toBe('inactive');
  });

  it('a supplier waiting in Pending validation (never in Coupa) that is deleted in Exact leaves Pending; nothing is written', async () => {
    h.setSettings({ createSuppliersInCoupa: 'no' });
    try {
      const created = await h.exactApi('POST', 'crm/Accounts', { Code: '70033', Name: 'Smit Isolatie', IsSupplier: true, City: 'Delft', Country: 'NL' });
      expect(created.status).toBe(201);
      const id = String(((await created.json()) as { d: Json }).d['ID']);
      expect((await h.run()).counts.parked).toBe(1);
      expect(h.store.parked.getOpen(F5_FLOW, 'suppliers', id)?.reasonCode).toBe('unknown-supplier');

      expect((await h.exactApi('DELETE', `crm/Accounts(guid'${id}')`)).status).toBe(204);
      const run = await h.run();
      expect(run.counts).toMatchObject({ created: 0, updated: 0, deleted: 0, failed: 0 });
      expect(h.store.parked.getOpen(F5_FLOW, 'suppliers', id)).toBeUndefined();
      expect(coupaBooks(await h.coupaState()).suppliers['70033']).toBeUndefined();
      expect(h.store.audit.query({ flow: F5_FLOW, step: 'deleted', text: id }, { limit: 10 }).entries.map((e) => e.message)).toEqual(['Deleted at the source before it was ever synced']);
    } finally {
      h.setSettings({ createSuppliersInCoupa: 'yes' });
    }
  });
});
