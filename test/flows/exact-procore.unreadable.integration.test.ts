import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { F1_FLOW } from '../../src-main/engine/flows/exact-procore/mappings';
import { retryParked, replayAuditEntry } from '../../src-main/engine/flows/exact-procore/flow';
import { booksView, openF1Harness, type F1Harness } from '../support/f1-harness';

/**
 * A source row that cannot be read (here: an Exact purchase entry without the supplier's
 * invoice number, YourRef) is parked with its raw row and the reason; the run goes on. Only a
 * correction in Exact fixes it: retrying from Pending validation does not post stale figures.
 */
type Row = Record<string, unknown>;
let h: F1Harness;
let entryId: string;

const entries = () => h.sandbox.systems.exact!.store.collection<Row>('PurchaseEntries');
/**
 * Edits an entry as an Exact user would: Modified becomes now (what the sync reads by). The
 * simulator takes no PUT on purchase entries, so the edit goes into its store and the sandbox
 * restarts (its listing caches are rebuilt from the store, as after any restart).
 */
async function editEntry(id: string, change: Row): Promise<void> {
  const current = entries().get(id)!;
  entries().put(id, { ...current, ...change, Modified: `/Date(${h.sandbox.systems.exact!.clock.now()})/` });
  await h.restart();
}

beforeAll(async () => {
  h = await openF1Harness({ seed: 1, scale: 1 });
  const candidate = entries().find((e) => typeof e['YourRef'] === 'string')!;
  entryId = String(candidate['EntryID']);
  await editEntry(entryId, { YourRef: null });
});
afterAll(async () => h?.close());

describe('F1 with an unreadable Exact purchase entry', () => {
  it('parks the entry with a reason and the raw row, and writes everything else', async () => {
    const run = await h.run();
    expect(run.status).toBe('succeeded');
    const parked = h.store.parked.getOpen(F1_FLOW, 'purchase-invoices', entryId)!;
    expect(parked.reasonCode).toBe('source-unreadable');
    expect(parked.reasonText).toContain('YourRef (supplier invoice number) is missing');
    expect(parked.reasonText).toContain('Correct it in Exact Online');
    const books = booksView(await h.procoreState());
    expect(books.directCosts[entryId]).toBeUndefined();
    expect(Object.keys(books.directCosts).length).toBeGreaterThan(10);
    const audit = h.store.audit.query({ flow: F1_FLOW, text: entryId, step: 'parked' }, { limit: 5 }).entries;
    expect(audit).toHaveLength(1);
    expect((audit[0]!.sourceSnapshot as Row)['EntryID']).toBe(entryId);
    expect(h.store.audit.verifyAuditChain().ok).toBe(true);
  });

  it('is not retried or replayed from Pending validation: only Exact can fix it', async () => {
    const retry = await retryParked(h.rt.deps);
    expect(retry.counts.created + retry.counts.updated).toBe(0);
    expect(h.store.parked.getOpen(F1_FLOW, 'purchase-invoices', entryId)?.reasonCode).toBe('source-unreadable');
    const skipped = h.store.audit.query({ flow: F1_FLOW, text: entryId, step: 'replayed' }, { limit: 5 }).entries;
    expect(skipped.map((e) => e.status)).toEqual(['skipped']);
    const parkedEntry = h.store.audit.query({ flow: F1_FLOW, text: entryId, step: 'parked' }, { limit: 1 }).entries[0]!;
    await expect(replayAuditEntry(h.rt.deps, parkedEntry.seq)).rejects.toThrow(/Not replayed: .*YourRef/);
  });

  it('syncs once corrected in Exact, and leaves Pending validation', async () => {
    await editEntry(entryId, { YourRef: 'INV-CORRECTED-1' });
    const run = await h.run();
    expect(run.counts.created).toBe(1);
    expect(booksView(await h.procoreState()).directCosts[entryId]?.invoice_number).toBe('INV-CORRECTED-1');
    expect(h.store.parked.getOpen(F1_FLOW, 'purchase-invoices', entryId)).toBeUndefined();
  });
});
