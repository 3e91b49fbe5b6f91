import { createHash, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { NeedsReauthError, RefreshTooEarlyError, type TokenSet } from '../../src-shared/domain/auth';
import { Decimal } from '../../src-shared/domain/money';
import type { PurchaseInvoice, PurchaseOrder, SalesOrder, SourceDeletion } from '../../src-shared/domain/records';
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

/** A write through the simulator's own API, as a user in Exact would make it. */
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

// ---------------------------------------------------------------------------------------------
// F4 / F5 reads and writes (sales invoices, sales orders, deletions, suppliers)

const money = (n: unknown): string => Decimal.fromJsonNumber(n as number).toMoneyString();
const sumMoney = (values: readonly string[]): string => Decimal.sum(values.map((v) => Decimal.parse(v))).toMoneyString();
const cursorsAscend = (cursors: readonly bigint[]): boolean => cursors.every((c, i) => i === 0 || c >= cursors[i - 1]!);

describe('Exact Online connector — sales invoices (F4) against the simulator', () => {
  it('reads every invoice once across pages whose boundaries fall inside invoices, lines folded, G/L codes and customers resolved', async () => {
    const h = await signedIn({ syncPageSize: 5 });
    const sim = await state(h.sim);
    const pages = await collect(h.connector.readSalesInvoices(null));
    const invoices = pages.flatMap((p) => p.records);
    const simInvoices = sim.SalesInvoices as Json[];
    const simLines = sim.SalesInvoiceLines as Json[];
    const glById = new Map((sim.GLAccounts as Json[]).map((g) => [g.ID as string, g]));
    const accountById = new Map((sim.Accounts as Json[]).map((a) => [a.ID as string, a]));
    expect(pages.length).toBeGreaterThan(5);
    expect(invoices).toHaveLength(simInvoices.length);
    expect(new Set(invoices.map((i) => i.sourceId)).size).toBe(simInvoices.length);
    for (const invoice of invoices) {
      const simInvoice = simInvoices.find((s) => s.InvoiceID === invoice.sourceId)!;
      const mine = simLines.filter((l) => l.InvoiceID === invoice.sourceId);
      expect(invoice.lines.map((l) => l.sourceLineId).sort()).toEqual(mine.map((l) => l.ID as string).sort());
      expect(invoice.amount).toBe(money(simInvoice.AmountFCExclVat));
      expect(invoice.vatAmount).toBe(money(simInvoice.VATAmountFC));
      expect(sumMoney(invoice.lines.map((l) => l.amount))).toBe(invoice.amount);
      expect(invoice.invoiceNumber).toBe(String(simInvoice.InvoiceNumber));
      expect(invoice.customer.code).toBe(String(accountById.get(simInvoice.InvoiceTo as string)!.Code).trim());
      expect(invoice.documentType).toBe('invoice');
      expect(invoice.status).toBe({ 10: 'draft', 20: 'open', 50: 'processed' }[simInvoice.Status as number]);
      expect(invoice.webUrl).toContain(invoice.sourceId);
      for (const line of invoice.lines) {
        const simLine = mine.find((l) => l.ID === line.sourceLineId)!;
        expect(line.glAccountCode).toBe(glById.get(simLine.GLAccount as string)!.Code);
        expect(line.costCenterCode).toBe(simLine.CostCenter);
        expect(line.vatCode).toBe('2');
      }
    }
    const cursors = pages.map((p) => BigInt(p.cursorAfter));
    expect(cursorsAscend(cursors)).toBe(true);
    const feedMax = Math.max(...(sim.sync_SalesInvoices as Json[]).map((r) => r.Timestamp as number));
    expect(pages.at(-1)!.cursorAfter).toBe(String(feedMax));
    await h.connector.close();
  });

  it('resumes from a stored cursor without losing an invoice, and an idle read costs one call', async () => {
    const h = await signedIn({ syncPageSize: 5 });
    const pages = await collect(h.connector.readSalesInvoices(null));
    const all = new Set(pages.flatMap((p) => p.records.map((r) => r.sourceId)));
    const middle = Math.floor(pages.length / 2);
    const before = new Set(pages.slice(0, middle + 1).flatMap((p) => p.records.map((r) => r.sourceId)));
    const resumed = (await collect(h.connector.readSalesInvoices(pages[middle]!.cursorAfter))).flatMap((p) => p.records);
    expect(new Set(resumed.map((r) => r.sourceId)).size).toBe(resumed.length);
    expect(new Set([...before, ...resumed.map((r) => r.sourceId)])).toEqual(all);
    const calls = requestCounters.get('exact').total;
    expect((await collect(h.connector.readSalesInvoices(pages.at(-1)!.cursorAfter))).flatMap((p) => p.records)).toEqual([]);
    expect(requestCounters.get('exact').total - calls).toBe(1);
    await h.connector.close();
  });

  it('after a change only that invoice comes again, whole, with the change; a deleted invoice comes through readDeletedSalesInvoices', async () => {
    const h = await signedIn();
    const sim = await state(h.sim);
    const cursor = (await collect(h.connector.readSalesInvoices(null))).at(-1)!.cursorAfter;
    const deletedCursor = (await collect(h.connector.readDeletedSalesInvoices(null))).at(-1)?.cursorAfter ?? null;
    const open = (sim.SalesInvoices as Json[]).filter((s) => s.Status !== 50);
    const lineCount = (id: unknown): number => (sim.SalesInvoiceLines as Json[]).filter((l) => l.InvoiceID === id).length;
    const edited = open.find((s) => lineCount(s.InvoiceID) > 1)!;
    const victim = open.find((s) => s !== edited)!;
    await apiWrite(h, 'PUT', `salesinvoice/SalesInvoices(guid'${String(edited.InvoiceID)}')`, { YourRef: 'Klantorder 4711' });
    await apiWrite(h, 'DELETE', `salesinvoice/SalesInvoices(guid'${String(victim.InvoiceID)}')`);
    const delta = (await collect(h.connector.readSalesInvoices(cursor))).flatMap((p) => p.records);
    expect(delta.map((i) => i.sourceId)).toEqual([edited.InvoiceID]);
    expect(delta[0]!.yourRef).toBe('Klantorder 4711');
    expect(delta[0]!.lines).toHaveLength(lineCount(edited.InvoiceID));
    expect(delta[0]!.amount).toBe(money(edited.AmountFCExclVat));
    const deletions = (await collect(h.connector.readDeletedSalesInvoices(deletedCursor))).flatMap((p) => p.deletions);
    expect(deletions.map((d) => [d.entity, d.sourceId])).toEqual([['sales-invoice', victim.InvoiceID]]);
    // Purchase-order deletions are another EntityType: not mixed in.
    expect((await collect(h.connector.readDeletedPurchaseOrders(deletedCursor))).flatMap((p) => p.deletions)).toEqual([]);
    await h.connector.close();
  });

  it('a feed that re-sent only one line of an invoice does not cut the others: lines missing the total are read whole (one call)', async () => {
    const h = await signedIn();
    const feed = h.sim.store.collection<Json>('sync_SalesInvoices');
    const rows = feed.all();
    const invoiceId = rows.find((r) => rows.filter((o) => o.InvoiceID === r.InvoiceID).length > 1)!.InvoiceID as string;
    // Only the first line's row looks "changed later": the fold's removed-line rule would drop the others.
    const first = rows.filter((r) => r.InvoiceID === invoiceId).sort((a, b) => (a.Timestamp as number) - (b.Timestamp as number))[0]!;
    const later = `/Date(${Number(/\d+/.exec(first.Modified as string)![0]) + 60_000})/`;
    feed.put(String(first.Timestamp), { ...first, Modified: later });
    const sim = await state(h.sim);
    const before = requestCounters.get('exact').total;
    const invoices = (await collect(h.connector.readSalesInvoices(null))).flatMap((p) => p.records);
    const invoice = invoices.find((i) => i.sourceId === invoiceId)!;
    expect(invoice.lines.map((l) => l.sourceLineId).sort()).toEqual(
      (sim.SalesInvoiceLines as Json[]).filter((l) => l.InvoiceID === invoiceId).map((l) => l.ID as string).sort(),
    );
    expect(invoice.amount).toBe(money((sim.SalesInvoices as Json[]).find((s) => s.InvoiceID === invoiceId)!.AmountFCExclVat));
    // 1 feed page + customer and G/L lookups + 1 whole-invoice read.
    expect(requestCounters.get('exact').total - before).toBe(4);
    await h.connector.close();
  });

  it('an invoice whose rows cannot be read is returned as unreadable (to park) and the rest of the page goes on', async () => {
    const h = await signedIn();
    const feed = h.sim.store.collection<Json>('sync_SalesInvoices');
    const broken = feed.all()[0]!.InvoiceID as string;
    for (const row of feed.all()) if (row.InvoiceID === broken) feed.put(String(row.Timestamp), { ...row, InvoiceTo: null });
    const pages = await collect(h.connector.readSalesInvoices(null));
    const unreadable = pages.flatMap((p) => p.unreadable ?? []);
    expect(unreadable.map((u) => u.sourceId)).toEqual([broken]);
    expect(unreadable[0]!.problem).toMatch(/field InvoiceTo is missing.*Correct it in Exact Online/);
    expect(unreadable[0]!.label).toMatch(/^Sales invoice \d+/);
    expect((unreadable[0]!.raw as Json).lines.length).toBeGreaterThan(0);
    const sim = await state(h.sim);
    expect(pages.flatMap((p) => p.records)).toHaveLength((sim.SalesInvoices as Json[]).length - 1);
    await h.connector.close();
  });
});

describe('Exact Online connector — sales orders (F4) against the simulator', () => {
  it('reads every order once with all its lines, revenue G/L from the item, delivery date and customer; cursor "<headers>:<lines>"', async () => {
    const h = await signedIn({ syncPageSize: 7 });
    const sim = await state(h.sim);
    const pages = await collect(h.connector.readSalesOrders(null));
    const orders = pages.flatMap((p) => p.records);
    const simOrders = sim.SalesOrders as Json[];
    const simLines = sim.SalesOrderLines as Json[];
    const items = new Map((sim.Items as Json[]).map((i) => [i.ID as string, i]));
    expect(orders).toHaveLength(simOrders.length);
    expect(new Set(orders.map((o) => o.sourceId)).size).toBe(simOrders.length); // the line feed read none again
    for (const order of orders) {
      const simOrder = simOrders.find((o) => o.OrderID === order.sourceId)!;
      const mine = simLines.filter((l) => l.OrderID === order.sourceId);
      expect(order.lines.map((l) => l.sourceLineId).sort()).toEqual(mine.map((l) => l.ID as string).sort());
      expect(order.amount).toBe(money(simOrder.AmountFCExclVat));
      expect(order.deliveryDate).not.toBeNull();
      expect(order.customer.name).toBe(simOrder.OrderedByName);
      for (const line of order.lines) {
        const simLine = mine.find((l) => l.ID === line.sourceLineId)!;
        expect(line.glAccountCode).toBe(items.get(simLine.Item as string)!.GLRevenueCode);
        expect(line.glAccountDescription).toBeTruthy();
      }
    }
    const last = pages.at(-1)!.cursorAfter;
    const headersMax = Math.max(...(sim.sync_SalesOrderHeaders as Json[]).map((r) => r.Timestamp as number));
    const linesMax = Math.max(...(sim.sync_SalesOrderLines as Json[]).map((r) => r.Timestamp as number));
    expect(last).toBe(`${headersMax}:${linesMax}`);
    await expect(collect(h.connector.readSalesOrders('12345'))).rejects.toThrow(/<headers>:<lines>/);
    await h.connector.close();
  });

  it('a line change alone, a header change alone, and both on one order each bring that order once, whole; an idle read costs two calls', async () => {
    const h = await signedIn();
    const sim = await state(h.sim);
    let cursor = (await collect(h.connector.readSalesOrders(null))).at(-1)!.cursorAfter;
    const multi = (sim.SalesOrders as Json[]).filter((o) => (sim.SalesOrderLines as Json[]).filter((l) => l.OrderID === o.OrderID).length > 1);
    const [a, b, c] = multi as [Json, Json, Json];
    const lineOf = (order: Json): Json => (sim.SalesOrderLines as Json[]).find((l) => l.OrderID === order.OrderID)!;
    const read = async (): Promise<SalesOrder[]> => {
      const pages = await collect(h.connector.readSalesOrders(cursor));
      cursor = pages.at(-1)?.cursorAfter ?? cursor;
      return pages.flatMap((p) => p.records);
    };

    h.sim.clock.advance(60_000);
    await apiWrite(h, 'PUT', `salesorder/SalesOrderLines(guid'${String(lineOf(a).ID)}')`, { Description: 'Alleen de regel' });
    const lineOnly = await read();
    expect(lineOnly.map((o) => o.sourceId)).toEqual([a.OrderID]);
    expect(lineOnly[0]!.lines.find((l) => l.sourceLineId === lineOf(a).ID)!.description).toBe('Alleen de regel');
    expect(lineOnly[0]!.lines).toHaveLength((sim.SalesOrderLines as Json[]).filter((l) => l.OrderID === a.OrderID).length);

    await apiWrite(h, 'PUT', `salesorder/SalesOrders(guid'${String(b.OrderID)}')`, { Description: 'Alleen de kop' });
    const headerOnly = await read();
    expect(headerOnly.map((o) => [o.sourceId, o.description])).toEqual([[b.OrderID, 'Alleen de kop']]);

    h.sim.clock.advance(60_000);
    await apiWrite(h, 'PUT', `salesorder/SalesOrderLines(guid'${String(lineOf(c).ID)}')`, { Description: 'Regel en kop' });
    await apiWrite(h, 'PUT', `salesorder/SalesOrders(guid'${String(c.OrderID)}')`, { YourRef: 'REF-9' });
    const before = requestCounters.get('exact').total;
    const both = await read();
    expect(both.map((o) => o.sourceId)).toEqual([c.OrderID]);
    expect(both[0]!.yourRef).toBe('REF-9');
    // 2 feed reads + 1 order read: the line change was already in the order read for its header.
    expect(requestCounters.get('exact').total - before).toBe(3);

    const idle = requestCounters.get('exact').total;
    expect(await read()).toEqual([]);
    expect(requestCounters.get('exact').total - idle).toBe(2);
    await h.connector.close();
  });

  it('resumes from a cursor taken between pages; a deleted order comes through readDeletedSalesOrders (not its lines)', async () => {
    const h = await signedIn({ syncPageSize: 7 });
    const pages = await collect(h.connector.readSalesOrders(null));
    const all = new Set(pages.flatMap((p) => p.records.map((r) => r.sourceId)));
    const before = new Set(pages.slice(0, 2).flatMap((p) => p.records.map((r) => r.sourceId)));
    const resumed = (await collect(h.connector.readSalesOrders(pages[1]!.cursorAfter))).flatMap((p) => p.records);
    expect(new Set([...before, ...resumed.map((r) => r.sourceId)])).toEqual(all);

    const sim = await state(h.sim);
    const deletedCursor = (await collect(h.connector.readDeletedSalesOrders(null))).at(-1)?.cursorAfter ?? null;
    const victim = (sim.SalesOrders as Json[]).find((o) => o.Status === 12)!;
    await apiWrite(h, 'DELETE', `salesorder/SalesOrders(guid'${String(victim.OrderID)}')`);
    const deletions = (await collect(h.connector.readDeletedSalesOrders(deletedCursor))).flatMap((p) => p.deletions);
    expect(deletions.map((d) => [d.entity, d.sourceId])).toEqual([['sales-order', victim.OrderID]]);
    expect(Date.parse(deletions[0]!.deletedAt)).not.toBeNaN();
    await h.connector.close();
  });

  it('an order whose line names an unknown item is returned as unreadable; the others are read', async () => {
    const h = await signedIn();
    const sim = await state(h.sim);
    const line = (sim.SalesOrderLines as Json[])[0]!;
    const lines = h.sim.store.collection<Json>('SalesOrderLines');
    const stored = lines.get(String(line.ID).toLowerCase())!;
    lines.put(String(line.ID).toLowerCase(), { ...stored, Item: '00000000-0000-4000-8000-000000000001' });
    const pages = await collect(h.connector.readSalesOrders(null));
    const unreadable = pages.flatMap((p) => p.unreadable ?? []);
    expect(unreadable.map((u) => u.sourceId)).toEqual([line.OrderID]);
    expect(unreadable[0]!.problem).toMatch(/not found in logistics\/Items/);
    expect(pages.flatMap((p) => p.records)).toHaveLength((sim.SalesOrders as Json[]).length - 1);
    await h.connector.close();
  });
});

describe('Exact Online connector — suppliers (F5) against the simulator', () => {
  it('readSuppliersChanged returns every supplier (not customers) with address fields and read-only bank accounts; resumes by Timestamp', async () => {
    const h = await signedIn({ syncPageSize: 4 });
    const sim = await state(h.sim);
    const pages = await collect(h.connector.readSuppliersChanged(null));
    const suppliers = pages.flatMap((p) => p.records);
    const simSuppliers = (sim.Accounts as Json[]).filter((a) => a.IsSupplier === true);
    expect(suppliers.map((s) => s.sourceId).sort()).toEqual(simSuppliers.map((a) => a.ID as string).sort());
    for (const supplier of suppliers) {
      const simAccount = simSuppliers.find((a) => a.ID === supplier.sourceId)!;
      const banks = (sim.BankAccounts as Json[]).filter((b) => b.Account === supplier.sourceId);
      expect(supplier.code).toBe(String(simAccount.Code).trim());
      expect(supplier).toMatchObject({ name: simAccount.Name, city: simAccount.City, country: simAccount.Country, vatNumber: simAccount.VATNumber, blocked: false });
      expect(supplier.bankAccounts.map((b) => b.accountNumber)).toEqual(banks.map((b) => b.BankAccount));
      expect(supplier.webUrl).toContain(`AccountID=%7b${supplier.sourceId}%7d`);
    }
    expect(cursorsAscend(pages.map((p) => BigInt(p.cursorAfter)))).toBe(true);
    const resumed = (await collect(h.connector.readSuppliersChanged(pages[2]!.cursorAfter))).flatMap((p) => p.records);
    const first = new Set(pages.slice(0, 3).flatMap((p) => p.records.map((r) => r.sourceId)));
    expect(new Set([...first, ...resumed.map((r) => r.sourceId)]).size).toBe(simSuppliers.length);
    expect(resumed.some((r) => first.has(r.sourceId))).toBe(false);
    await h.connector.close();
  });

  it('bank accounts sent deferred on the feed are fetched from crm/BankAccounts (one call per 20 suppliers)', async () => {
    const h = await signedIn({ syncAccountBankAccounts: 'deferred' });
    const sim = await state(h.sim);
    const before = requestCounters.get('exact').total;
    const suppliers = (await collect(h.connector.readSuppliersChanged(null))).flatMap((p) => p.records);
    const count = suppliers.length;
    expect(requestCounters.get('exact').total - before).toBe(1 + Math.ceil(count / 20));
    for (const s of suppliers)
      expect(s.bankAccounts.map((b) => b.accountNumber)).toEqual(
        (sim.BankAccounts as Json[]).filter((b) => b.Account === s.sourceId).map((b) => b.BankAccount),
      );
    await h.connector.close();
  });

  it('a supplier row that cannot be read is returned as unreadable; the others are read', async () => {
    const h = await signedIn();
    const feed = h.sim.store.collection<Json>('sync_Accounts');
    const row = feed.all().find((r) => r.IsSupplier === true)!;
    feed.put(String(row.Timestamp), { ...row, Name: null });
    const pages = await collect(h.connector.readSuppliersChanged(null));
    expect(pages.flatMap((p) => p.unreadable ?? []).map((u) => [u.sourceId, /field Name is missing/.test(u.problem)])).toEqual([[row.ID, true]]);
    await h.connector.close();
  });

  it('createSupplier creates once (lookup + POST); the same code again is found, not created; the feed shows the new supplier', async () => {
    const h = await signedIn();
    const cursor = (await collect(h.connector.readSuppliersChanged(null))).at(-1)!.cursorAfter;
    const input = { code: '77001', name: 'Bouwmaterialen Noord B.V.', city: 'Groningen', country: 'NL', email: 'crediteuren@noord.example', vatNumber: 'NL009988776B01' };
    const calls = requestCounters.get('exact').total;
    const created = await h.connector.createSupplier(input);
    expect(requestCounters.get('exact').total - calls).toBe(2);
    expect(created).toMatchObject({ ok: true, outcome: 'created' });
    if (!created.ok) throw new Error('unreachable');
    expect(created.supplier).toMatchObject({ code: '77001', name: input.name, city: 'Groningen', bankAccounts: [] });
    const posts = h.sim.requests.summary().byMethod.POST ?? 0;
    const again = await h.connector.createSupplier({ ...input, name: 'Other name' });
    expect(again).toMatchObject({ ok: true, outcome: 'already-existed', supplierId: created.supplierId });
    expect(h.sim.requests.summary().byMethod.POST ?? 0).toBe(posts);
    const sim = await state(h.sim);
    expect((sim.Accounts as Json[]).filter((a) => String(a.Code).trim() === '77001')).toHaveLength(1);
    expect((await collect(h.connector.readSuppliersChanged(cursor))).flatMap((p) => p.records).map((s) => s.code)).toEqual(['77001']);
    // An existing world supplier's code: found, nothing posted.
    const world = (sim.Accounts as Json[]).find((a) => a.IsSupplier === true)!;
    const existing = await h.connector.createSupplier({ code: String(world.Code).trim(), name: 'x' });
    expect(existing).toMatchObject({ ok: true, outcome: 'already-existed', supplierId: world.ID });
    expect(h.sim.requests.summary().byMethod.POST ?? 0).toBe(posts);
    await h.connector.close();
  });

  it('a create whose answer is dropped after Exact committed is retryable; the lookup then finds it and nothing is created twice', async () => {
    const h = await signedIn();
    await sandbox(h.sim, 'faults', 'PUT', { spec: 'drop=1' });
    const first = await h.connector.createSupplier({ code: '77002', name: 'Verloren Antwoord B.V.' });
    expect(first).toMatchObject({ ok: false, retryable: true });
    if (first.ok) throw new Error('unreachable');
    expect(first.problem).toMatch(/may have been saved; the next attempt looks it up first/);
    await sandbox(h.sim, 'faults', 'PUT', { clear: true });
    const found = await h.connector.findSupplierByCode('77002');
    expect(found?.name).toBe('Verloren Antwoord B.V.');
    const retry = await h.connector.createSupplier({ code: '77002', name: 'Verloren Antwoord B.V.' });
    expect(retry).toMatchObject({ ok: true, outcome: 'already-existed', supplierId: found!.sourceId });
    const sim = await state(h.sim);
    expect((sim.Accounts as Json[]).filter((a) => String(a.Code).trim() === '77002')).toHaveLength(1);
    await h.connector.close();
  });

  it('updateSupplier changes fields with one PUT (readable back and on the feed); bank details are refused before any call; Exact refusals are not retryable', async () => {
    const h = await signedIn();
    const sim = await state(h.sim);
    const supplier = (sim.Accounts as Json[]).find((a) => a.IsSupplier === true)!;
    const id = supplier.ID as string;
    const cursor = (await collect(h.connector.readSuppliersChanged(null))).at(-1)!.cursorAfter;
    const calls = requestCounters.get('exact').total;
    const updated = await h.connector.updateSupplier(id, { city: 'Delft', phone: '+31 15 000 0000', blocked: true });
    expect(updated).toEqual({ ok: true, outcome: 'updated', supplierId: id, supplier: null });
    expect(requestCounters.get('exact').total - calls).toBe(1);
    const read = await h.connector.readSupplier(id);
    expect(read).toMatchObject({ city: 'Delft', phone: '+31 15 000 0000', blocked: true });
    expect(read!.bankAccounts).toHaveLength(1); // untouched
    expect((await collect(h.connector.readSuppliersChanged(cursor))).flatMap((p) => p.records).map((s) => [s.sourceId, s.city])).toEqual([[id, 'Delft']]);

    const refusedCalls = requestCounters.get('exact').total;
    const bank = await h.connector.updateSupplier(id, { city: 'X', bankAccount: 'NL91ABNA0417164300' } as never);
    expect(bank).toMatchObject({ ok: false, retryable: false });
    expect(!bank.ok && bank.problem).toMatch(/Bank details \(bankAccount\) are never written to Exact Online/);
    const createWithIban = await h.connector.createSupplier({ code: '77003', name: 'Iban B.V.', iban: 'NL91ABNA0417164300' } as never);
    expect(createWithIban).toMatchObject({ ok: false, retryable: false });
    expect(requestCounters.get('exact').total).toBe(refusedCalls); // nothing sent

    const badCountry = await h.connector.updateSupplier(id, { country: 'Nederland' });
    expect(badCountry).toMatchObject({ ok: false, retryable: false });
    expect(!badCountry.ok && badCountry.problem).toMatch(/refused the change.*Country/);
    const gone = await h.connector.updateSupplier('00000000-0000-4000-8000-000000000009', { city: 'X' });
    expect(gone).toMatchObject({ ok: false, retryable: false });
    expect(!gone.ok && gone.problem).toMatch(/no longer exists/);
    const customer = (sim.Accounts as Json[]).find((a) => a.IsSales === true)!;
    const taken = await h.connector.createSupplier({ code: String(customer.Code).trim(), name: 'Klant als leverancier' });
    expect(taken).toMatchObject({ ok: false, retryable: false });
    expect(!taken.ok && taken.problem).toMatch(/not a supplier/);
    const stopped = new AbortController();
    stopped.abort();
    expect(await h.connector.createSupplier({ code: '77004', name: 'Gestopt' }, { signal: stopped.signal })).toMatchObject({ ok: false, retryable: true });
    await h.connector.close();
  });
});
