import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { F2_FLOW } from '../../src-main/engine/flows/procore-acumatica/mappings';
import { billBooks, openF2Harness, val, type F2Harness } from './procore-acumatica.harness';

/**
 * F2 under the faults of issue 15: Acumatica's 202-then-poll release (and 204), "API Login
 * Limit", 429 from the licence queue, 5xx, answers dropped after Acumatica committed, an endpoint
 * version the instance does not publish; Procore's write-backs failing too. Each ends with
 * Acumatica holding exactly the bills of a clean run (no duplicate, nothing missing, amounts to
 * the cent) and every posted Procore record linked to its own bill.
 */
type Json = Record<string, unknown>;
type Books = ReturnType<typeof billBooks>;

const open: F2Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});
async function harness(opts: Parameters<typeof openF2Harness>[0] = {}): Promise<F2Harness> {
  const h = await openF2Harness(opts);
  open.push(h);
  return h;
}

/** Every Procore invoice and direct cost linked to a bill, and that bill's origin names it back. */
async function links(h: F2Harness): Promise<string[]> {
  const procore = await h.state('procore');
  const acu = await h.state('acumatica');
  const byKey = new Map((acu['Bill'] ?? []).map((b) => [`${String(val(b, 'Type'))} ${String(val(b, 'ReferenceNbr'))}`, String(val(b, 'note'))]));
  const out: string[] = [];
  for (const [kind, rows] of [
    ['requisition', procore['requisitions'] ?? []],
    ['direct-cost', procore['direct_costs'] ?? []],
  ] as const)
    for (const r of rows as Json[]) {
      if (!String(r['origin_data'] ?? '').startsWith('ml-connector')) continue;
      expect(byKey.get(String(r['origin_id'])), `${kind} ${r['id']}`).toBe(`ml-connector origin: procore:${kind}:${r['id']}`);
      out.push(`${kind}:${r['id']}`);
    }
  return out.sort();
}

let clean: { books: Books; links: string[] };
beforeAll(async () => {
  const h = await openF2Harness();
  try {
    const run = await h.run();
    expect(run.status).toBe('succeeded');
    clean = { books: billBooks(await h.state('acumatica')), links: await links(h) };
  } finally {
    await h.close();
  }
}, 120_000);

async function expectCleanBooks(h: F2Harness): Promise<void> {
  const books = billBooks(await h.state('acumatica'));
  expect(books.length).toBe(new Set(books.map((b) => b.key)).size);
  expect(books).toEqual(clean.books);
  expect(await links(h)).toEqual(clean.links);
  expect(h.store.outbox.listUnconfirmed(F2_FLOW)).toEqual([]);
}

describe('F2 under Acumatica and Procore faults', () => {
  it.each([
    ['202 + Location, polled until 204', 'polled'],
    ['204 at once', 'immediate'],
  ])('releases answered %s: every bill is released (Open), each exactly once', async (_name, actionCompletion) => {
    const h = await harness({ acumaticaConfig: { actionCompletion } });
    expect((await h.run()).status).toBe('succeeded');
    const log = h.requestsSince('acumatica', 0);
    const releases = log.filter((r) => r.method === 'POST' && r.path.includes('/Bill/ReleaseBill'));
    const polls = log.filter((r) => /\/Bill\/ReleaseBill\/status\//.test(r.path));
    expect(releases.length).toBe(clean.books.length);
    if (actionCompletion === 'polled') expect(polls.length).toBeGreaterThanOrEqual(clean.books.length);
    else expect(polls).toEqual([]);
    expect(clean.books.every((b) => b.status === 'Open')).toBe(true);
    await expectCleanBooks(h);
  }, 120_000);

  it.each([
    ['5xx', 'acumatica:5xx=0.1'],
    ['429 from the licence queue', 'acumatica:429=0.2'],
    ['answers dropped after Acumatica committed', 'acumatica:drop=0.2'],
    ['Procore failing the write-backs (5xx, dropped answers)', 'procore:5xx=0.05,procore:drop=0.15'],
  ])('%s: the run completes (or the next one does) with exactly the clean books', async (_name, faults) => {
    const h = await harness({ faults });
    const runs = await h.runToEnd(10);
    expect(runs.at(-1)!.status, runs.map((r) => r.error).join(' | ')).toBe('succeeded');
    await h.setFaults('acumatica', null);
    await h.setFaults('procore', null);
    await expectCleanBooks(h);
    if (faults.includes('429')) expect(h.requestsSince('acumatica', 0).some((r) => r.status === 429)).toBe(true);
    // Nothing more to write once the faults are gone.
    const again = await h.run();
    expect(again.counts.created + again.counts.updated + again.counts.failed).toBe(0);
  }, 240_000);

  it('"API Login Limit": the run stops with what to do, writes nothing, and the next run (a seat free) posts everything', async () => {
    const h = await harness({ acumaticaConfig: { maxApiUsers: 1 } });
    const user = await h.acumaticaUser();
    const refused = await h.run();
    expect(refused.status).toBe('failed');
    expect(refused.error).toMatch(/API Login Limit/);
    expect(refused.error).toMatch(/sign out|log out|free|seat|License Monitoring|users/i);
    expect(billBooks(await h.state('acumatica'))).toEqual([]);
    await user.logout();
    await h.reopen();
    expect((await h.run()).status).toBe('succeeded');
    await expectCleanBooks(h);
  }, 120_000);

  it('an endpoint version the instance does not publish: the run stops saying which versions it has', async () => {
    const h = await harness({ acumaticaSettings: { endpointVersion: '25.100.001' } });
    const run = await h.run();
    expect(run.status).toBe('failed');
    expect(run.error).toContain('endpoint version 25.100.001 is not available on this instance; available: 23.200.001, 24.200.001');
    expect(billBooks(await h.state('acumatica'))).toEqual([]);
  }, 120_000);

  it('a run stopped while writing is completed by the next without posting anything twice', async () => {
    const h = await harness({ latencyMs: 5 });
    const stop = new AbortController();
    const deps = { ...h.deps, signal: stop.signal, onProgress: (c: { created: number }) => c.created > 40 && stop.abort('by the test') };
    const { runProcoreAcumatica } = await import('../../src-main/engine/flows/procore-acumatica/flow');
    const stopped = await runProcoreAcumatica(deps, 'manual');
    expect(stopped.status).toBe('cancelled');
    expect((await h.run()).status).toBe('succeeded');
    await expectCleanBooks(h);
  }, 120_000);
});
