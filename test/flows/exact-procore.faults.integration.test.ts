import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runExactProcore, type ExactProcoreDeps, type RunSummary } from '../../src-main/engine/flows/exact-procore/flow';
import type { ProcoreTarget } from '../../src-main/engine/flows/exact-procore/ports';
import { F1_FLOW } from '../../src-main/engine/flows/exact-procore/mappings';
import { booksView, openF1Harness, type F1Harness } from '../support/f1-harness';

/**
 * Issue 4's fault proof: whatever the simulators do to a run (rate-limit storms, 5xx bursts,
 * writes committed with their answer lost, tokens expiring or their refresh answer lost), the
 * runs that follow end with Procore's books exactly as a clean run leaves them — same records,
 * same amounts to the cent, no origin id twice — and an intact audit chain.
 * Runs may stop ('failed') while faults are on; the pattern is "run until one succeeds (at most
 * MAX_FAULTY_RUNS), clear the faults, run once more", and the assertion is on the final books.
 */
const SEED = 1;
const SCALE = 1;
const MAX_FAULTY_RUNS = 8;

type Books = ReturnType<typeof booksView>;
let cleanBooks: Books;
/** Records a clean run creates in Procore (commitments + direct costs). */
let cleanCreated = 0;

beforeAll(async () => {
  const clean = await openF1Harness({ seed: SEED, scale: SCALE });
  try {
    const run = await clean.run();
    expect(run.status).toBe('succeeded');
    cleanCreated = run.counts.created;
    cleanBooks = booksView(await clean.procoreState());
  } finally {
    await clean.close();
  }
  // The comparison below is only meaningful if the clean run wrote real books.
  expect(Object.keys(cleanBooks.commitments).length).toBeGreaterThan(50);
  expect(Object.keys(cleanBooks.directCosts).length).toBeGreaterThan(10);
  expect(cleanBooks.duplicateCommitmentOrigins + cleanBooks.duplicateDirectCostOrigins).toBe(0);
});

let h: F1Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});
afterAll(async () => h?.close());

/**
 * The runtime's deps with hooks that fire once each, before the Nth commitment write of the
 * run they are passed to (so faults start and stop mid-run: after Procore's reference and
 * Exact's purchase orders were read and some commitments written, before purchase invoices are
 * read from Exact).
 */
function withHooksBeforeWrites(deps: ExactProcoreDeps, hooks: Record<number, () => Promise<void>>): ExactProcoreDeps & { fired: () => number } {
  let writes = 0;
  let fired = 0;
  const procore: ProcoreTarget = {
    ...deps.procore,
    upsertCommitments: async (projectId, commitments) => {
      writes += 1;
      const hook = hooks[writes];
      if (hook) {
        fired += 1;
        await hook();
      }
      return deps.procore.upsertCommitments(projectId, commitments);
    },
  };
  return { ...deps, procore, fired: () => fired };
}

/** Runs (the first with `firstDeps`) until one succeeds, at most MAX_FAULTY_RUNS; returns every summary. */
async function runUntilSucceeded(firstDeps: ExactProcoreDeps, afterEachRun: (runsSoFar: number) => Promise<void> = async () => {}): Promise<RunSummary[]> {
  const runs = [await runExactProcore(firstDeps, 'manual')];
  await afterEachRun(runs.length);
  while (runs.at(-1)!.status !== 'succeeded' && runs.length < MAX_FAULTY_RUNS) {
    runs.push(await h!.run());
    await afterEachRun(runs.length);
  }
  return runs;
}

const setBoth = async (spec: string | null): Promise<void> => {
  await h!.setFaults('procore', spec);
  await h!.setFaults('exact', spec);
};

/** Clears the faults, runs once more, and checks the books and the audit chain. */
async function expectCleanBooksAfterFinalRun(): Promise<RunSummary> {
  await setBoth(null);
  const final = await h!.run();
  expect(final.status, final.error ?? '').toBe('succeeded');
  const books = booksView(await h!.procoreState());
  expect(books.duplicateCommitmentOrigins).toBe(0);
  expect(books.duplicateDirectCostOrigins).toBe(0);
  expect(books).toEqual(cleanBooks);
  expect(h!.store.audit.verifyAuditChain().ok).toBe(true);
  return final;
}

// These runs wait out real Retry-After windows and start CLI processes: on a loaded 2-core CI
// machine (steal time included) they took over 2x their quiet-machine time.
describe('F1 under faults ends with the books of a clean run', { timeout: 120_000 }, () => {
  it('waits out a 429 storm on Procore and on Exact that starts mid-run', async () => {
    h = await openF1Harness({ seed: SEED, scale: SCALE });
    const deps = withHooksBeforeWrites(h.rt.deps, { 3: () => setBoth('storm=1500') });
    const runs = await runUntilSucceeded(deps);
    expect(deps.fired()).toBe(1);
    // Rate limits are waited out inside the run (Retry-After), not turned into a failure.
    expect(runs.map((r) => r.status)).toEqual(['succeeded']);
    expect(runs[0]!.counts.created).toBe(cleanCreated);
    await expectCleanBooksAfterFinalRun();
  });

  it('survives a burst of 5xx answers (30% of calls, both systems) over several runs', async () => {
    h = await openF1Harness({ seed: SEED, scale: SCALE });
    const deps = withHooksBeforeWrites(h.rt.deps, { 2: () => setBoth('5xx=0.3') });
    // The burst lasts for the first three runs, then the systems recover.
    const runs = await runUntilSucceeded(deps, async (n) => {
      if (n === 3) await setBoth(null);
    });
    expect(deps.fired()).toBe(1);
    expect(runs[0]!.status).toBe('failed');
    expect(runs.at(-1)!.status).toBe('succeeded');
    // Every record was created once, or found by origin id after an unknown outcome, never both.
    expect(runs.reduce((n, r) => n + r.counts.created + r.counts.recovered, 0)).toBe(cleanCreated);
    await expectCleanBooksAfterFinalRun();
  });

  it('writes committed in Procore whose answers were lost are retried by origin id or found, never doubled', async () => {
    h = await openF1Harness({ seed: SEED, scale: SCALE });
    const deps = withHooksBeforeWrites(h.rt.deps, {
      // 30% of writes lose their answer: the connector repeats them (Procore matches origin_id).
      2: () => h!.setFaults('procore', 'drop=0.3'),
      // Then every answer is lost: the connector gives up, the run stops with the outcome unknown.
      4: () => h!.setFaults('procore', 'drop=1'),
    });
    const runs = await runUntilSucceeded(deps, async (n) => {
      if (n === 1) await h!.setFaults('procore', null);
    });
    expect(deps.fired()).toBe(2);
    expect(runs[0]!.status).toBe('failed');
    // The next run looked every unknown outcome up by origin id before writing anything: a
    // commitment whose header landed without its lines (a cancelled PO's header even shows the
    // planned 0.00) is not taken as done but written again, completing it in place.
    expect(h.store.outbox.listUnconfirmed(F1_FLOW)).toEqual([]);
    expect(runs.reduce((n, r) => n + r.counts.created + r.counts.recovered, 0)).toBe(cleanCreated);
    await expectCleanBooksAfterFinalRun();
  });

  it('survives every access token expiring on both systems while a run is in progress', async () => {
    h = await openF1Harness({ seed: SEED, scale: SCALE });
    const deps = withHooksBeforeWrites(h.rt.deps, { 3: () => setBoth('expire=1') });
    const runs = await runUntilSucceeded(deps);
    expect(deps.fired()).toBe(1);
    // A 401 renews the token once and repeats the call: the run itself completes.
    expect(runs.map((r) => r.error ?? r.status)).toEqual(['succeeded']);
    expect(h.store.connections.require(h.rt.exactConnection.id).status).toBe('connected');
    expect(h.store.connections.require(h.rt.procoreConnection.id).status).toBe('connected');
    await expectCleanBooksAfterFinalRun();
  });

  it('a lost refresh answer puts Exact in needs-reauth (no loop); a new sign-in completes the sync', async () => {
    h = await openF1Harness({ seed: SEED, scale: SCALE });
    // The access token dies and the refresh that follows is committed by Exact (rotating the
    // refresh token) but its answer is lost: the refresh token we still hold is spent.
    const deps = withHooksBeforeWrites(h.rt.deps, { 3: () => h!.setFaults('exact', 'drop=1,expire=1') });
    const exactId = h.rt.exactConnection.id;
    const lost = await runExactProcore(deps, 'manual');
    expect(deps.fired()).toBe(1);
    expect(lost.status).toBe('failed');
    expect(lost.error).toMatch(/Network error/);
    await h.setFaults('exact', null);
    const tokenCallsBefore = tokenCallsToday(h);

    // The next refresh uses the spent token; Exact refuses it and the connection needs a sign-in.
    const refused = await h.run();
    expect(refused.status).toBe('failed');
    expect(h.store.connections.require(exactId).status).toBe('needs-reauth');
    expect(tokenCallsToday(h) - tokenCallsBefore).toBe(1);
    // No retry loop: further runs stop at once without another token call.
    const again = await h.run();
    expect(again.status).toBe('failed');
    expect(again.error).toMatch(/sign in again/);
    expect(tokenCallsToday(h) - tokenCallsBefore).toBe(1);

    // A restart signs in again (headless in sandbox mode), leaves needs-reauth and finishes the job.
    await h.restart();
    const resumed = await h.run();
    expect(resumed.status, resumed.error ?? '').toBe('succeeded');
    expect(h.store.connections.require(exactId).status).toBe('connected');
    expect([lost, refused, again, resumed].reduce((n, r) => n + r.counts.created + r.counts.recovered, 0)).toBe(cleanCreated);
    await expectCleanBooksAfterFinalRun();
  });
});

function tokenCallsToday(harness: F1Harness): number {
  const calls = harness.store.connections.require(harness.rt.exactConnection.id).settings['tokenCalls'] as { day?: string; count?: number } | undefined;
  return calls?.day === new Date().toISOString().slice(0, 10) ? (calls.count ?? 0) : 0;
}
