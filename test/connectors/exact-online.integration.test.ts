import { createHash, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { NeedsReauthError, RefreshTooEarlyError, type TokenSet } from '../../src-shared/domain/auth';
import { Decimal } from '../../src-shared/domain/money';
import type { PurchaseInvoice, PurchaseOrder, SourceDeletion } from '../../src-shared/domain/records';
import type { SourcePage } from '../../src-main/connectors/connector';
import {
  BudgetExhaustedError,
  ErrorBudgetExceededError,
  nextUtcMidnight,
  requestCounters,
  silentLogger,
} from '../../src-main/connectors/_kit';
import {
  createExactOnlineConnector,
  type ExactOnlineConnector,
} from '../../src-main/connectors/exact-online';
import type { RunningSimulator } from '../../src-main/sandbox/_common/simulator';
import { startExactSimulator } from '../../src-main/sandbox/exact-online/index';

/**
 * The Exact Online connector against the real Exact simulator (an independent reading of the
 * same fact sheet). Simulator time moves instead of sleeping: the connector's clock sleeps by
 * advancing it, so rate-limit waits and token windows take no wall time.
 */

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Harness {
  sim: RunningSimulator;
  connector: ExactOnlineConnector;
  tokens: TestTokens;
  clientSecret: string;
}

/** In-test token custody: holds the simulator's token set and refreshes it on a 401. */
class TestTokens {
  set: TokenSet | null = null;
  unauthorizedCalls = 0;
  constructor(private readonly refresh: (set: TokenSet) => Promise<TokenSet>) {}
  async getAccessToken(): Promise<string> {
    if (!this.set) throw new Error('not signed in');
    return this.set.accessToken;
  }
  async handleUnauthorized(rejected: string): Promise<string> {
    this.unauthorizedCalls += 1;
    if (!this.set || this.set.accessToken !== rejected) throw new Error('unexpected token');
    this.set = await this.refresh(this.set);
    return this.set.accessToken;
  }
}

const started: RunningSimulator[] = [];
let clientNumber = 0;

afterAll(async () => {
  for (const sim of started.splice(0)) await sim.close();
});

/** Limits far away unless a test sets them; a unique clientId gives each harness its own budget. */
async function harness(
  config: Record<string, unknown> = {},
  rateLimits?: { minutely?: number; daily?: number; errorsPerHour?: number },
): Promise<Harness> {
  clientNumber += 1;
  const clientId = `it-client-${clientNumber}-${randomBytes(4).toString('hex')}`;
  const sim = await startExactSimulator({
    dataDir: null,
    seed: 1,
    scale: 1,
    config: {
      allowAnyLoopbackPort: true,
      clientId,
      minutelyLimit: 100_000,
      dailyLimit: 1_000_000,
      errorsPerHour: 1_000,
      ...config,
    },
  });
  started.push(sim);
  const clientSecret = String(sim.credentials.clientSecret);
  // The refresh callback runs only after `connector` below exists.
  const tokens = new TestTokens((set) => {
    if (!set.refreshToken) throw new Error('no refresh token');
    return connector.refreshTokens({ refreshToken: set.refreshToken, clientSecret });
  });
  const host = new URL(sim.baseUrl).hostname;
  const connector = createExactOnlineConnector(
    { baseUrl: sim.baseUrl, allowedHosts: [host], logger: silentLogger, now: () => sim.clock.now(), tokens },
    {
      region: 'nl',
      baseUrl: sim.baseUrl,
      division: Number(sim.credentials.division),
      clientId,
      ...(rateLimits ? { rateLimits } : {}),
    },
    {
      clock: { now: () => sim.clock.now(), sleep: async (ms) => sim.clock.advance(Math.max(0, ms)) },
      retry: { random: () => 0.5 },
    },
  );
  return { sim, connector, tokens, clientSecret };
}

/** Runs the authorize redirect headlessly (302 with the code) and exchanges the code. */
async function signIn(h: Harness): Promise<TokenSet> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirectUri = String(h.sim.credentials.redirectUri);
  const authorize = new URL(h.connector.authorizeEndpoint());
  authorize.search = new URLSearchParams({
    client_id: String(h.sim.credentials.clientId),
    redirect_uri: redirectUri,
    response_type: 'code',
    state: 'state-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString();
  const res = await fetch(authorize, { redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location') ?? '');
  expect(location.searchParams.get('state')).toBe('state-1');
  const code = location.searchParams.get('code') ?? '';
  const set = await h.connector.exchangeCode({
    code,
    codeVerifier: verifier,
    redirectUri,
    clientSecret: h.clientSecret,
  });
  h.tokens.set = set;
  return set;
}

async function signedIn(
  config: Record<string, unknown> = {},
  rateLimits?: { minutely?: number; daily?: number; errorsPerHour?: number },
): Promise<Harness> {
  const h = await harness(config, rateLimits);
  await signIn(h);
  return h;
}

async function state(sim: RunningSimulator): Promise<Json> {
  return (await (await fetch(`${sim.baseUrl}/_sandbox/state`)).json()) as Json;
}

async function sandbox(sim: RunningSimulator, path: string, method: string, body?: unknown): Promise<void> {
  const res = await fetch(`${sim.baseUrl}/_sandbox/${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
  });
  expect(res.status).toBeLessThan(300);
}

/** A write through the simulator's own API (the connector is read-only). */
async function apiWrite(h: Harness, method: 'PUT' | 'DELETE', path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${h.sim.baseUrl}/api/v1/${String(h.sim.credentials.division)}/${path}`, {
    method,
    headers: {
      authorization: `Bearer ${h.tokens.set?.accessToken ?? ''}`,
      'content-type': 'application/json',
      accept: 'application/json',
    },
    body: body === undefined ? null : JSON.stringify(body),
  });
  expect(res.status, await res.text()).toBeLessThan(300);
}

async function collect<R, D>(pages: AsyncIterable<SourcePage<R, D>>): Promise<SourcePage<R, D>[]> {
  const out: SourcePage<R, D>[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

const sumLines = (po: PurchaseOrder): string =>
  Decimal.sum(po.lines.map((l) => Decimal.parse(l.amount))).toMoneyString();

describe('Exact Online connector — OAuth against the simulator', () => {
  it('exchanges a code, refuses a too-early refresh, rotates in the window, and a reused refresh token needs a new sign-in', async () => {
    const h = await harness();
    const first = await signIn(h);
    expect(first.accessTokenExpiresAt).toBe(first.refreshTokenIssuedAt! + 600_000); // expires_in "600" (a string) parsed
    expect(first.refreshToken).toBeTruthy();

    const tooEarly = await h.connector
      .refreshTokens({
        refreshToken: first.refreshToken!,
        clientSecret: h.clientSecret,
        accessTokenExpiresAt: first.accessTokenExpiresAt,
      })
      .catch((error: unknown) => error);
    expect(tooEarly).toBeInstanceOf(RefreshTooEarlyError);
    expect((tooEarly as RefreshTooEarlyError).retryAt).toBe(first.accessTokenExpiresAt - 30_000);

    const withoutExpiry = await h.connector
      .refreshTokens({ refreshToken: first.refreshToken!, clientSecret: h.clientSecret })
      .catch((error: unknown) => error);
    expect(withoutExpiry).toBeInstanceOf(RefreshTooEarlyError); // worst case assumed: token just issued
    expect((withoutExpiry as RefreshTooEarlyError).retryAt).toBeGreaterThanOrEqual(
      first.accessTokenExpiresAt - 30_000,
    );

    await sandbox(h.sim, 'clock', 'POST', { advanceMs: 575_000 });
    const refreshedFrom = h.sim.clock.now();
    const second = await h.connector.refreshTokens({
      refreshToken: first.refreshToken!,
      clientSecret: h.clientSecret,
    });
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.refreshTokenIssuedAt).toBeGreaterThanOrEqual(refreshedFrom);
    expect(second.refreshTokenIssuedAt).toBeLessThanOrEqual(h.sim.clock.now());

    const reused = await h.connector
      .refreshTokens({ refreshToken: first.refreshToken!, clientSecret: h.clientSecret })
      .catch((error: unknown) => error);
    expect(reused).toBeInstanceOf(NeedsReauthError);
    expect((reused as Error).message).toMatch(/sign in to Exact Online again/);
    expect((reused as Error).message).not.toContain(first.refreshToken!);
    await h.connector.close();
  });
});

describe('Exact Online connector — reads against the simulator', () => {
  it('me() names the user and divisions; testConnection succeeds for the configured division', async () => {
    const h = await signedIn();
    const me = await h.connector.me();
    expect(me.fullName).toBe('Sandra Boekhouder');
    expect(me.currentDivision).toBe(Number(h.sim.credentials.division));
    expect(me.divisions.map((d) => d.code)).toContain(Number(h.sim.credentials.division));
    const test = await h.connector.testConnection();
    expect(test.ok).toBe(true);
    await h.connector.close();
  });

  it('reads every purchase order across pages (boundaries inside orders) with lines summing to the order total', async () => {
    const h = await signedIn({ syncPageSize: 7 });
    const pages = await collect(h.connector.readPurchaseOrders(null));
    const orders = pages.flatMap((p) => p.records);
    const sim = await state(h.sim);
    const simOrders = sim.PurchaseOrders as Json[];
    const simLines = sim.PurchaseOrderLines as Json[];
    expect(pages.length).toBeGreaterThan(3);
    // The setup really puts page boundaries inside orders: some order's feed rows span two pages.
    const feed = (sim.sync_PurchaseOrders as Json[])
      .map((r) => ({ po: r.PurchaseOrderID as string, ts: r.Timestamp as number }))
      .sort((a, b) => a.ts - b.ts);
    const pagesOfOrder = new Map<string, Set<number>>();
    feed.forEach((r, index) =>
      pagesOfOrder.set(r.po, (pagesOfOrder.get(r.po) ?? new Set()).add(Math.floor(index / 7))),
    );
    expect([...pagesOfOrder.values()].filter((p) => p.size > 1).length).toBeGreaterThan(5);
    expect(orders).toHaveLength(simOrders.length);
    expect(new Set(orders.map((o) => o.sourceId)).size).toBe(simOrders.length); // none emitted twice
    for (const order of orders) {
      const simOrder = simOrders.find((o) => o.PurchaseOrderID === order.sourceId);
      expect(order.lines).toHaveLength(simLines.filter((l) => l.PurchaseOrderID === order.sourceId).length);
      expect(sumLines(order)).toBe(Decimal.fromJsonNumber(simOrder?.AmountFC as number).toMoneyString());
      expect(order.supplier.code).toBe(order.supplier.code.trim());
      for (const line of order.lines) if (line.itemCode) expect(line.glAccountCode).not.toBeNull();
    }
    // Cursors never go backwards and the last one is the feed's newest Timestamp.
    const cursors = pages.map((p) => BigInt(p.cursorAfter));
    expect([...cursors].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(cursors);
    expect(pages.at(-1)?.cursorAfter).toBe(
      orders
        .map((o) => BigInt(o.sourceVersion))
        .reduce((a, b) => (b > a ? b : a))
        .toString(),
    );
    await h.connector.close();
  });

  it('an incremental read after a line edit returns only that order with the new quantity and amount', async () => {
    const h = await signedIn();
    const full = await collect(h.connector.readPurchaseOrders(null));
    const cursor = full.at(-1)!.cursorAfter;
    const target = full.flatMap((p) => p.records).find((o) => o.lines.length >= 2)!;
    const line = target.lines[0]!;
    await apiWrite(h, 'PUT', `purchaseorder/PurchaseOrderLines(guid'${line.sourceLineId}')`, {
      QuantityInPurchaseUnits: 7,
    });

    const delta = (await collect(h.connector.readPurchaseOrders(cursor))).flatMap((p) => p.records);
    expect(delta.map((o) => o.sourceId)).toEqual([target.sourceId]);
    const edited = delta[0]!;
    expect(edited.lines).toHaveLength(target.lines.length);
    const editedLine = edited.lines.find((l) => l.sourceLineId === line.sourceLineId)!;
    expect(editedLine.quantity).toBe('7');
    expect(editedLine.amount).toBe(
      Decimal.parse('7').times(Decimal.parse(line.unitPrice), 2).toMoneyString(),
    );
    // A full re-read folds the history: the latest line versions win, no line lost or doubled.
    const reread = (await collect(h.connector.readPurchaseOrders(null)))
      .flatMap((p) => p.records)
      .find((o) => o.sourceId === target.sourceId)!;
    expect(reread.lines.map((l) => l.sourceLineId)).toEqual(target.lines.map((l) => l.sourceLineId));
    expect(reread.lines.find((l) => l.sourceLineId === line.sourceLineId)?.quantity).toBe('7');
    await h.connector.close();
  });

  it('readDeletedPurchaseOrders reports a deleted order after the cursor', async () => {
    const h = await signedIn();
    const before = await collect(h.connector.readDeletedPurchaseOrders(null));
    const cursor = before.at(-1)?.cursorAfter ?? null;
    const victim = (await collect(h.connector.readPurchaseOrders(null))).flatMap((p) => p.records)[0]!;
    await apiWrite(h, 'DELETE', `purchaseorder/PurchaseOrders(guid'${victim.sourceId}')`);
    const deletions: SourceDeletion[] = (
      await collect(h.connector.readDeletedPurchaseOrders(cursor))
    ).flatMap((p) => p.deletions);
    expect(deletions.map((d) => d.sourceId)).toEqual([victim.sourceId]);
    expect(deletions[0]?.entity).toBe('purchase-order');
    expect(Date.parse(deletions[0]!.deletedAt)).not.toBeNaN();
    await h.connector.close();
  });

  it('readPurchaseInvoices reads every entry; from its checkpoint it drops what it read and keeps what it did not', async () => {
    const h = await signedIn();
    const pages = await collect(h.connector.readPurchaseInvoices(null));
    const invoices: PurchaseInvoice[] = pages.flatMap((p) => p.records);
    const sim = await state(h.sim);
    expect(invoices).toHaveLength((sim.PurchaseEntries as Json[]).length);
    for (const invoice of invoices) {
      const simEntry = (sim.PurchaseEntries as Json[]).find((e) => e.EntryID === invoice.sourceId)!;
      const net = Decimal.sum(invoice.lines.map((l) => Decimal.parse(l.amount)));
      const vat = Decimal.sum(invoice.lines.map((l) => Decimal.parse(l.vatAmount)));
      expect(net.plus(vat).toMoneyString()).toBe(
        Decimal.fromJsonNumber(simEntry.AmountFC as number).toMoneyString(),
      );
    }
    const cursor = pages.at(-1)!.cursorAfter;
    const [instant, versionList = ''] = cursor.split('|');
    const atCheckpoint = invoices
      .filter((i) => i.sourceVersion === instant)
      .map((i) => i.sourceId)
      .sort();
    expect(atCheckpoint.length).toBeGreaterThan(0);
    const versions = versionList.split(',');
    expect(versions.map((v) => v.split(':')[0]).sort()).toEqual(atCheckpoint);
    const reread = async (from: string) =>
      (await collect(h.connector.readPurchaseInvoices(from))).flatMap((p) => p.records.map((r) => r.sourceId)).sort();
    // Nothing new: an idle read delivers nothing (the entries at the instant were read, in this version).
    expect(await reread(cursor)).toEqual([]);
    // `ge` still reads the instant: an older cursor (instant only) gets those entries again …
    expect(await reread(instant!)).toEqual(atCheckpoint);
    // … an entry at the instant not read before (committed later with the same Modified) comes through …
    const [first, ...others] = versions;
    expect(await reread(`${instant}|${others.join(',')}`)).toEqual([first!.split(':')[0]]);
    // … and so does one read before in another version (modified again within the same instant).
    const stale = `${first!.split(':')[0]}:0000000000000000`;
    expect(await reread(`${instant}|${[stale, ...others].join(',')}`)).toEqual([first!.split(':')[0]]);
    await expect(collect(h.connector.readPurchaseInvoices('yesterday|x'))).rejects.toThrow(/ISO date-time/);
    await h.connector.close();
  });

  it('reference reads return every row across pages, with trimmed supplier codes', async () => {
    const h = await signedIn({ pageSize: 10 }); // the default 60 would fit every list in one page
    const sim = await state(h.sim);
    const suppliers = await h.connector.readSuppliers();
    expect(suppliers).toHaveLength((sim.Accounts as Json[]).filter((a) => a.IsSupplier === true).length);
    for (const s of suppliers) expect(s.code).toBe(s.code.trim());
    expect(await h.connector.readGlAccounts()).toHaveLength((sim.GLAccounts as Json[]).length);
    expect(await h.connector.readCostCenters()).toHaveLength((sim.Costcenters as Json[]).length);
    expect(await h.connector.readCostUnits()).toHaveLength((sim.Costunits as Json[]).length);
    expect(await h.connector.readProjects()).toHaveLength((sim.Projects as Json[]).length);
    await h.connector.close();
  });
});

describe('Exact Online connector — limits and faults against the simulator', () => {
  it('the budget takes the server rate-limit headers as the truth, and every call is counted under "exact"', async () => {
    const h = await signedIn({ minutelyLimit: 60, dailyLimit: 5000 });
    await sandbox(h.sim, 'requests', 'DELETE');
    const before = requestCounters.get('exact').total;
    await h.connector.readGlAccounts();
    await h.connector.me();
    const snapshot = h.connector.budget.snapshot();
    const minutely = snapshot.windows.find((w) => w.name === 'minutely')!;
    const daily = snapshot.windows.find((w) => w.name === 'daily')!;
    expect(minutely.source).toBe('server');
    expect(daily.source).toBe('server');
    expect(daily.limit).toBe(5000);
    expect(minutely.limit).toBe(60);
    // One more call outside the connector: the server's remaining is one below what the budget shows.
    const raw = await fetch(`${h.sim.baseUrl}/api/v1/current/Me?$select=UserID`, {
      headers: { authorization: `Bearer ${h.tokens.set!.accessToken}`, accept: 'application/json' },
    });
    expect(Number(raw.headers.get('x-ratelimit-remaining'))).toBe(daily.remaining - 1);
    const served = ((await (await fetch(`${h.sim.baseUrl}/_sandbox/requests`)).json()) as Json)
      .total as number;
    expect(requestCounters.get('exact').total - before).toBe(served - 1); // minus the raw call
    expect(served).toBeGreaterThanOrEqual(4);
    await h.connector.close();
  });

  it('waits out a 429 storm (server reset honoured) and then succeeds', async () => {
    const h = await signedIn();
    const before = requestCounters.get('exact');
    const startedAt = h.sim.clock.now();
    await sandbox(h.sim, 'faults', 'PUT', { spec: 'storm=20000' });
    const accounts = await h.connector.readGlAccounts();
    expect(accounts.length).toBeGreaterThan(0);
    const after = requestCounters.get('exact');
    expect(after.byStatusClass['4xx'] - before.byStatusClass['4xx']).toBeGreaterThanOrEqual(1);
    expect(h.sim.clock.now() - startedAt).toBeGreaterThanOrEqual(20_000); // it waited (simulated time)
    await h.connector.close();
  });

  it('a 401 after the access token dies calls handleUnauthorized once and the call succeeds', async () => {
    const h = await signedIn();
    const oldToken = h.tokens.set!.accessToken;
    await sandbox(h.sim, 'faults', 'PUT', { spec: 'expire=1' });
    const me = await h.connector.me();
    expect(me.userId).toBeTruthy();
    expect(h.tokens.unauthorizedCalls).toBe(1);
    expect(h.tokens.set!.accessToken).not.toBe(oldToken);
    await h.connector.close();
  });

  it('a spent daily budget (server headers say 0 left) stops with BudgetExhaustedError naming when calls resume', async () => {
    const h = await signedIn({ dailyLimit: 2 });
    await h.connector.readGlAccounts();
    await h.connector.readCostUnits();
    const before = requestCounters.get('exact').total;
    const error = await h.connector.readProjects().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExhaustedError);
    expect((error as BudgetExhaustedError).window).toBe('daily');
    expect((error as BudgetExhaustedError).resumeAt).toBe(nextUtcMidnight(h.sim.clock.now()));
    expect(requestCounters.get('exact').total).toBe(before); // refused before calling
    await h.connector.close();
  });

  it('server errors stop before the endpoint reaches its hourly error budget', async () => {
    const h = await signedIn({}, { errorsPerHour: 3 });
    await sandbox(h.sim, 'faults', 'PUT', { spec: '5xx=1' });
    const before = requestCounters.get('exact').byStatusClass['5xx'];
    const outcomes: unknown[] = [];
    for (let call = 0; call < 3; call += 1)
      outcomes.push(await h.connector.readGlAccounts().catch((e: unknown) => e));
    expect(outcomes.at(-1)).toBeInstanceOf(ErrorBudgetExceededError);
    // Two errors reached the server; the call that could make it three was never sent.
    expect(requestCounters.get('exact').byStatusClass['5xx'] - before).toBe(2);
    expect((outcomes.at(-1) as ErrorBudgetExceededError).resumeAt).toBeGreaterThan(h.sim.clock.now());
    await h.connector.close();
  });
});
