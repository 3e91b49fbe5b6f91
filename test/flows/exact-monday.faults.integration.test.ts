import { afterEach, describe, expect, it } from 'vitest';
import { Decimal } from '../../src-shared/domain/money';
import { F4_FLOW } from '../../src-main/engine/flows/exact-monday/model';
import { generateWorld } from '../../src-main/sandbox/seed/world';
import { itemsByKey, openF4Harness, type F4Harness } from './exact-monday.harness';

/**
 * F4 under monday.com's failures (fact sheet §4.6–4.7): an exhausted complexity budget mid-run,
 * a 429 storm, 5xx, answers dropped after monday committed, a revoked token. Each ends with the
 * boards exactly right: one item per Exact document, amounts to the cent, nothing twice, and the
 * audit log saying once per document that it reached monday. monday's waits (complexity window,
 * Retry-After) move the simulator's clock, not the test's.
 */
type Row = Record<string, unknown>;
const open: F4Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

async function harness(seed: number, opts: Parameters<typeof openF4Harness>[0] = {}): Promise<F4Harness> {
  const h = await openF4Harness({ seed, scale: 1, virtualMonday: {}, ...opts });
  open.push(h);
  return h;
}

/** Runs until a run succeeds (each interrupted run is resumed by the next), at most `max` runs. */
async function runUntilDone(h: F4Harness, max = 25): Promise<string[]> {
  const outcomes: string[] = [];
  for (let i = 0; i < max; i++) {
    const run = await h.run();
    outcomes.push(run.status);
    if (run.status === 'succeeded') return outcomes;
  }
  throw new Error(`no run succeeded in ${max} tries: ${outcomes.join(', ')}`);
}

/** The boards hold every document of the world once, with Exact's amounts, and the audit log says so once each. */
async function expectBooksRight(h: F4Harness, seed: number): Promise<void> {
  const world = generateWorld(seed, 1);
  const exact = await h.exactState();
  const items = itemsByKey(await h.mondayState());
  const expected = world.purchaseOrders.length + world.salesInvoices.length + world.salesOrders.length;
  expect(items.size).toBe(expected);
  expect([...items].filter(([, list]) => list.length !== 1).map(([key]) => key)).toEqual([]);
  const amounts = new Map<string, Decimal>();
  for (const po of exact['PurchaseOrders']!) amounts.set(String(po['PurchaseOrderID']), Decimal.sum(exact['PurchaseOrderLines']!.filter((l: Row) => l['PurchaseOrderID'] === po['PurchaseOrderID']).map((l) => Decimal.fromJsonNumber(l['AmountDC'] as number))));
  for (const si of exact['SalesInvoices']!) amounts.set(String(si['InvoiceID']), Decimal.fromJsonNumber(si['AmountFCExclVat'] as number));
  for (const so of exact['SalesOrders']!) amounts.set(String(so['OrderID']), Decimal.fromJsonNumber(so['AmountFCExclVat'] as number));
  for (const [key, [item]] of items) expect(item!.values['amount'], key).toBe(amounts.get(key)!.toMoneyString());
  const writes = new Map<string, number>();
  for (const step of ['written', 'confirmed'] as const)
    for (const entry of h.store.audit.query({ flow: F4_FLOW, step, status: 'ok' }, { limit: 1000 }).entries)
      if (entry.sourceId) writes.set(entry.sourceId, (writes.get(entry.sourceId) ?? 0) + 1);
  expect([...writes].filter(([, n]) => n !== 1)).toEqual([]);
  expect(writes.size).toBe(expected);
  expect(h.store.outbox.listUnconfirmed(F4_FLOW)).toEqual([]);
  expect(h.store.audit.verifyAuditChain().ok).toBe(true);
}

describe('F4 under monday.com faults', () => {
  it('complexity budget exhausted mid-run: the run waits for the next minute (COMPLEXITY_BUDGET_EXHAUSTED, retry_in_seconds) and completes', async () => {
    // 2M points a minute hold about 66 creates (30,001 each): the first board already overflows
    // the minute, so the connector paces itself by the `complexity` answers; and some requests
    // are refused as if a colleague had spent the budget (HTTP 429, COMPLEXITY_BUDGET_EXHAUSTED).
    const h = await harness(3, { monday: { complexityBudgetPerMinute: 2_000_000, rateLimitFault: 'complexity' }, faults: 'monday:429=0.2' });
    const run = await h.run();
    expect(run.status, run.error ?? '').toBe('succeeded');
    expect(h.mondayStatuses()).toContain(429);
    // Waits for the next window (up to a minute) and for retry_in_seconds.
    expect(h.sleeps.some((ms) => ms > 10_000)).toBe(true);
    expect(h.sleeps.every((ms) => ms <= 61_000)).toBe(true);
    await expectBooksRight(h, 3);
  });

  it('a 429 storm: every refusal is waited out (Retry-After) and the run completes with nothing twice', async () => {
    const h = await harness(4, { faults: 'monday:429=0.4' });
    const outcomes = await runUntilDone(h);
    expect(h.mondayStatuses()).toContain(429);
    console.info(`F4 429 storm: runs ${outcomes.join(', ')}; monday answers ${h.mondayStatuses().length}`);
    await expectBooksRight(h, 4);
  });

  it('5xx: reads are retried; creates whose answer was a 5xx are looked up by key before anything is sent again', async () => {
    // Batches of 20 creates, so the faults meet creates and not only reads.
    const h = await harness(5, { faults: 'monday:5xx=0.15', virtualMonday: { settings: { maxMutationsPerRequest: 20 } } });
    const outcomes = await runUntilDone(h);
    expect(h.mondayStatuses().some((s) => s >= 500)).toBe(true);
    expect(outcomes.length).toBeGreaterThan(1);
    console.info(`F4 5xx: runs ${outcomes.join(', ')}`);
    await expectBooksRight(h, 5);
  });

  it('answers dropped after monday committed: the next run finds the items by key and confirms them without creating them again', async () => {
    const h = await harness(6, { faults: 'monday:drop=0.3', virtualMonday: { settings: { maxMutationsPerRequest: 20 } } });
    const outcomes = await runUntilDone(h);
    expect(outcomes.length).toBeGreaterThan(1);
    const confirmed = h.store.audit.query({ flow: F4_FLOW, step: 'confirmed' }, { limit: 1000 }).entries;
    expect(confirmed.length).toBeGreaterThan(0);
    expect(confirmed[0]!.message).toMatch(/^Found monday item .* in monday\.com after an interrupted run; confirmed without writing it again$/);
    console.info(`F4 drop after commit: runs ${outcomes.join(', ')}; ${confirmed.length} item(s) confirmed by lookup`);
    await expectBooksRight(h, 6);
  });

  it('a revoked token: the run stops with "connect monday.com again", the connection needs re-authorisation, and no call loops', async () => {
    // The app's own sandbox connection (its opener's token custody), not the test's connector.
    const h = await openF4Harness({ seed: 7, scale: 1 });
    open.push(h);
    const first = await h.run();
    expect(first.status, first.error ?? '').toBe('succeeded');
    const exact = await h.exactState();
    const invoice = exact['SalesInvoices']!.find((i) => i['Status'] === 20)!;
    expect((await h.exactApi('PUT', `salesinvoice/SalesInvoices(guid'${String(invoice['InvoiceID'])}')`, { DueDate: '2026-12-30' })).status).toBe(204);
    const before = JSON.stringify([...itemsByKey(await h.mondayState())]);
    // The monday user regenerates the token the app holds: the old one is refused from now on.
    await h.setFaults('monday', 'expire=1');
    const seen = h.mondayStatuses().length;
    const refused = await h.run();
    console.info(`F4 revoked token: ${refused.error}`);
    expect(refused.status).toBe('failed');
    expect(refused.error).toContain('Connect monday.com again under Connections');
    expect(h.mondayStatuses().slice(seen)).toEqual([401]);
    expect(h.store.connections.require('sandbox-monday').status).toBe('needs-reauth');
    // Asked again (the schedule, "Sync now"), it stops at once: no call to monday at all.
    const again = await h.run();
    expect(again.status).toBe('failed');
    expect(again.error).toContain('Connect monday.com again under Connections');
    expect(h.mondayStatuses().slice(seen)).toEqual([401]);
    // Nothing was written, and the edited invoice is still ahead of the cursor for when it is connected again.
    expect(JSON.stringify([...itemsByKey(await h.mondayState())])).toBe(before);
    expect(h.store.outbox.listUnconfirmed(F4_FLOW).filter((i) => i.attempts > 0)).toEqual([]);
  });
});
