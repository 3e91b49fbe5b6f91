import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PurchaseInvoice } from '../../src-shared/domain/records';
import type { SourcePage } from '../../src-main/connectors/connector';
import { runExactProcore, STREAMS, type ExactProcoreDeps } from '../../src-main/engine/flows/exact-procore/flow';
import { F1_FLOW } from '../../src-main/engine/flows/exact-procore/mappings';
import { compareBooks } from '../support/crash-harness';
import { CRASH_SPECS } from '../support/flow-crash-specs';
import { openF1Harness, type F1Harness } from '../support/f1-harness';

/**
 * Issue 18, "cursors never move past an unhandled record", read straight from the store. After
 * a clean run, a purchase entry is touched in Exact (Modified moves on); the next run meets it
 * and can neither write nor park it (reading its page throws). The purchase-invoice cursor the
 * store holds afterwards must not have moved, and must lie before the entry's new Modified;
 * the run after that, clean, reads the entry and moves the cursor past it (so the check can
 * fail), and the books are still a clean run's.
 */
type Json = Record<string, unknown>;
const books = (state: Json) => CRASH_SPECS['exact-procore'].books(state);

/** The stored purchase-entry cursor (`<ISO instant>[|versions]`) and its instant, or null. */
function storedCursor(h: F1Harness): { value: string; instantMs: number } | null {
  const cursor = h.store.cursors.get(F1_FLOW, STREAMS.purchaseInvoices, h.rt.deps.exactConnectionId);
  if (!cursor || cursor.value === '') return null;
  const instantMs = Date.parse(cursor.value.split('|')[0] ?? '');
  if (Number.isNaN(instantMs)) throw new Error(`unexpected purchase-entry cursor ${cursor.value}`);
  return { value: cursor.value, instantMs };
}

/** The run's deps with a read of purchase entries that throws on the page holding `id`. */
function throwingOn(deps: ExactProcoreDeps, id: string): ExactProcoreDeps {
  return {
    ...deps,
    exact: {
      ...deps.exact,
      readPurchaseInvoices: (cursor) =>
        (async function* (): AsyncGenerator<SourcePage<PurchaseInvoice>> {
          for await (const page of deps.exact.readPurchaseInvoices(cursor)) {
            if (page.records.some((r) => r.sourceId === id)) throw new Error(`Exact Online did not answer the read of purchase entry ${id}`);
            yield page;
          }
        })(),
    },
  };
}

let h: F1Harness;
let clean: ReturnType<typeof books>;
beforeAll(async () => {
  h = await openF1Harness({ seed: 1, scale: 1 });
  expect((await h.run()).status).toBe('succeeded');
  clean = books(await h.procoreState());
}, 120_000);
afterAll(async () => h?.close());

describe('F1: a purchase entry the run can neither write nor park', () => {
  it('leaves the stored cursor before that entry; the next run reads it, and the books are a clean run’s', async () => {
    const before = storedCursor(h);
    expect(before).not.toBeNull();
    // An entry touched in Exact a second after the cursor (Modified is what the sync reads by).
    const exact = h.sandbox.systems.exact!;
    const entries = exact.store.collection<Json>('PurchaseEntries');
    const entry = entries.find((e) => typeof e['YourRef'] === 'string')!;
    const id = String(entry['EntryID']);
    const modifiedMs = Math.max(exact.clock.now(), before!.instantMs + 1_000);
    entries.put(id, { ...entry, Modified: `/Date(${modifiedMs})/` });
    await h.restart();

    const failed = await runExactProcore(throwingOn(h.rt.deps, id), 'manual');
    expect(failed.status).toBe('failed');
    expect(failed.error).toContain(id);
    const after = storedCursor(h);
    expect(after).toEqual(before);
    expect(after!.instantMs).toBeLessThan(modifiedMs);

    const next = await h.run();
    expect(next.status, next.error ?? '').toBe('succeeded');
    expect(next.counts.read).toBeGreaterThanOrEqual(1);
    expect(storedCursor(h)!.instantMs).toBeGreaterThanOrEqual(modifiedMs);
    const diff = compareBooks(clean, books(await h.procoreState()));
    expect(diff, diff.examples.join('\n')).toEqual({ duplicates: 0, missing: 0, amount_diffs: 0, examples: [] });
  });
});
