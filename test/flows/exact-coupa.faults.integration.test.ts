import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ExactCoupaDeps, RunSummary } from '../../src-main/engine/flows/exact-coupa/flow';
import { F5_FLOW } from '../../src-main/engine/flows/exact-coupa/model';
import { coupaBooks, openF5Harness, type F5Harness } from '../support/f5-harness';

/**
 * Issue 14's fault proof: whatever Coupa does to a run — 429s beyond its 25/s, 5xx answers,
 * writes committed with their answer lost, every token expiring mid-run — the runs that follow
 * end with Coupa's books exactly as a clean run leaves them: the same POs, invoices and
 * suppliers, the same amounts to the cent, nothing twice, no extra PO version, and an intact
 * audit chain. Runs may stop while faults are on; the pattern is "run until one succeeds (at
 * most MAX_FAULTY_RUNS), clear the faults, run once more", and the assertion is on the books.
 */
const MAX_FAULTY_RUNS = 6;

type Books = ReturnType<typeof coupaBooks>;
let clean: Books;
let cleanParked: string[];

beforeAll(async () => {
  const h = await openF5Harness({ seed: 1, scale: 1 });
  try {
    const run = await h.run();
    expect(run.status).toBe('succeeded');
    clean = coupaBooks(await h.coupaState());
    cleanParked = h.store.parked.listOpen(F5_FLOW).map((p) => `${p.sourceId} ${p.reasonCode}`).sort();
  } finally {
    await h.close();
  }
  expect(Object.keys(clean.purchaseOrders).length).toBeGreaterThan(50);
  expect(Object.keys(clean.invoices).length).toBeGreaterThan(100);
  expect(clean.duplicates).toBe(0);
}, 120_000);

let h: F5Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

async function runUntilSucceeded(harness: F5Harness, deps?: ExactCoupaDeps): Promise<RunSummary[]> {
  const runs: RunSummary[] = [];
  for (let i = 0; i < MAX_FAULTY_RUNS; i += 1) {
    const run = await harness.run(deps);
    runs.push(run);
    if (run.status === 'succeeded') break;
  }
  return runs;
}

async function expectCleanBooks(harness: F5Harness): Promise<void> {
  await harness.setFaults('coupa', null);
  const last = await harness.run();
  expect(last.status, last.error ?? '').toBe('succeeded');
  const books = coupaBooks(await harness.coupaState());
  expect(books.duplicates).toBe(0);
  expect(books).toEqual(clean);
  expect(harness.store.parked.listOpen(F5_FLOW).map((p) => `${p.sourceId} ${p.reasonCode}`).sort()).toEqual(cleanParked);
  expect(harness.store.audit.verifyAuditChain().ok).toBe(true);
}

describe('F5 under Coupa faults: the books end exactly as a clean run leaves them', { timeout: 300_000 }, () => {
  it("at Coupa's own 25/s with its queue of 20, and 429s on a tenth of the calls: waited out and sent again, nothing written twice", async () => {
    h = await openF5Harness({ seed: 1, scale: 1, coupaPerSecond: 25, faults: 'coupa:429=0.1' });
    const runs = await runUntilSucceeded(h);
    expect(runs.at(-1)?.status).toBe('succeeded');
    await expectCleanBooks(h);
  });

  it('5xx answers: the run stops or goes on, the next one looks up before it writes again', async () => {
    h = await openF5Harness({ seed: 1, scale: 1, faults: 'coupa:5xx=0.05' });
    await runUntilSucceeded(h);
    await expectCleanBooks(h);
  });

  it('answers dropped after Coupa committed the write: resolved by lookup, never created, submitted or cancelled twice', async () => {
    h = await openF5Harness({ seed: 1, scale: 1, faults: 'coupa:drop=0.1' });
    await runUntilSucceeded(h);
    await expectCleanBooks(h);
  });

  it('every Coupa token expires mid-run: renewed once through custody, the call repeated, the run goes on', async () => {
    h = await openF5Harness({ seed: 1, scale: 1 });
    const harness = h;
    let fired = 0;
    const deps: ExactCoupaDeps = {
      ...harness.rt.deps,
      coupa: {
        ...harness.rt.deps.coupa,
        // Before the first PO batch: suppliers are written, POs and invoices still to come.
        upsertPurchaseOrders: async (orders, call) => {
          if (fired++ === 0) await harness.setFaults('coupa', 'expire=1');
          return harness.rt.deps.coupa.upsertPurchaseOrders(orders, call);
        },
      },
    };
    const run = await harness.run(deps);
    expect(fired).toBeGreaterThan(0);
    expect(run.status, run.error ?? '').toBe('succeeded');
    await expectCleanBooks(harness);
  });

  it('a run stopped mid-write, then runs under all the faults at once: what was left unconfirmed is looked up, nothing twice', async () => {
    h = await openF5Harness({ seed: 1, scale: 1 });
    const harness = h;
    const stop = new AbortController();
    let batches = 0;
    const deps: ExactCoupaDeps = {
      ...harness.rt.deps,
      signal: stop.signal,
      coupa: {
        ...harness.rt.deps.coupa,
        upsertInvoices: async (invoices, call) => {
          // Stop the run while its invoices are being written (Ctrl-C): some are in Coupa, unconfirmed.
          if (batches++ === 0) setTimeout(() => stop.abort('by the test'), 150);
          return harness.rt.deps.coupa.upsertInvoices(invoices, call);
        },
      },
    };
    const stopped = await harness.run(deps);
    expect(stopped.status).toBe('cancelled');
    expect(h.store.outbox.listUnconfirmed(F5_FLOW).length).toBeGreaterThan(0);
    await harness.setFaults('coupa', '429=0.05,5xx=0.02,drop=0.05');
    await runUntilSucceeded(harness);
    await expectCleanBooks(harness);
    expect(h.store.outbox.listUnconfirmed(F5_FLOW)).toEqual([]);
  });
});
