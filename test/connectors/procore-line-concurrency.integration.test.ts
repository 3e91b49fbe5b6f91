/**
 * Commitment line-item syncs run with bounded concurrency (`writeConcurrency`): one call per
 * commitment, at most N in flight. Against a real loopback HTTP server that plays the three
 * Procore endpoints involved (header sync, per-commitment line sync, read-back by id), delays
 * its answers and can fail, drop or refuse one commitment's call; it records what it saw
 * (arrival order, virtual arrival time, the most line syncs in flight at once).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_CREDENTIALS_POLICY, TokenCustodian } from '../../src-main/auth/custody';
import type { TokenSet } from '../../src-main/auth/custody';
import { silentLogger } from '../../src-main/connectors/_kit';
import type { AccessTokenProvider } from '../../src-main/connectors/connector';
import type { CommitmentUpsert, ProcoreConnector, ProcoreSettings } from '../../src-main/connectors/procore/index';
import { ProcoreConfigError, createProcoreConnector } from '../../src-main/connectors/procore/index';
import { NeedsReauthError } from '../../src-shared/domain/auth';
import { createVirtualClock, type VirtualClock } from '../support/virtual-clock';

const PROJECT_ID = '42';
const LINE_SYNC_PATH = /^\/rest\/v1\.0\/purchase_order_contracts\/(\d+)\/line_items\/sync$/;

/** Each connector gets its own company id, so its rate budget (`procore:<id>`) is its own. */
let nextCompanyId = 880_000_000 + (process.pid % 1000) * 100;

type LineSyncFault = 'status500' | 'drop';

interface FakeProcore {
  origin: string;
  /** Line syncs arrived but not yet answered, and the most seen at once. */
  lineSyncsInFlight: number;
  maxLineSyncsInFlight: number;
  /** Every API call (not token calls) in arrival order, with the virtual time it arrived. */
  arrivals: Array<{ kind: 'header' | 'lines' | 'read' | 'other'; commitmentId: string | null; at: number }>;
  /** Line syncs still in flight when each read-back arrived. */
  lineSyncsInFlightAtReadBack: number[];
  tokenCalls: number;
  /** Saved commitments by origin id, with their lines (origin id → Procore id and cents). */
  commitments: Map<string, { id: number; lines: Map<string, { id: number; cents: bigint }> }>;
  /** Per commitment id: fail its line sync every time. */
  lineSyncFaults: Map<string, LineSyncFault>;
  /** Called as each line sync arrives (1-based count), e.g. to revoke or expire the token. */
  onLineSync: ((count: number) => void) | null;
  /** Tokens the API accepts; the token endpoint issues `tok-<n>` unless `revoked`. */
  validTokens: Set<string>;
  revoked: boolean;
  close(): Promise<void>;
}

const servers: FakeProcore[] = [];
const connectors: ProcoreConnector[] = [];
afterEach(async () => {
  for (const connector of connectors.splice(0)) await connector.close();
  for (const server of servers.splice(0)) await server.close();
});

const cents = (amount: string): bigint => {
  const [whole, fraction = ''] = amount.split('.');
  return BigInt(whole ?? '0') * 100n + BigInt(fraction.padEnd(2, '0'));
};
const money = (value: bigint): string => `${value / 100n}.${String(value % 100n).padStart(2, '0')}`;

async function startFakeProcore(clock: VirtualClock, answerDelayMs: number): Promise<FakeProcore> {
  let nextCommitmentId = 5000;
  let nextLineId = 900_000;
  let lineSyncCount = 0;
  const fake: FakeProcore = {
    origin: '',
    lineSyncsInFlight: 0,
    maxLineSyncsInFlight: 0,
    arrivals: [],
    lineSyncsInFlightAtReadBack: [],
    tokenCalls: 0,
    commitments: new Map(),
    lineSyncFaults: new Map(),
    onLineSync: null,
    validTokens: new Set(),
    revoked: false,
    close: async () => {},
  };
  const byId = (id: string) => [...fake.commitments.values()].find((c) => String(c.id) === id);
  const send = (response: http.ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  };

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      const body = Buffer.concat(chunks).toString('utf8');
      if (url.pathname === '/oauth/token') {
        fake.tokenCalls += 1;
        if (fake.revoked) return send(response, 401, { error: 'invalid_client' });
        const token = `tok-${fake.tokenCalls}`;
        fake.validTokens.add(token);
        return send(response, 200, { access_token: token, token_type: 'Bearer', expires_in: 5400 });
      }
      const lineSync = LINE_SYNC_PATH.exec(url.pathname);
      const kind =
        url.pathname === '/rest/v1.0/purchase_order_contracts/sync'
          ? 'header'
          : lineSync
            ? 'lines'
            : url.pathname === '/rest/v1.0/purchase_order_contracts' && request.method === 'GET'
              ? 'read'
              : 'other';
      const commitmentId = lineSync?.[1] ?? null;
      fake.arrivals.push({ kind, commitmentId, at: clock.now() });
      if (kind === 'lines') {
        lineSyncCount += 1;
        fake.onLineSync?.(lineSyncCount);
      }
      const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
      if (!fake.validTokens.has(token)) return send(response, 401, { errors: 'invalid token' });

      if (kind === 'header') {
        const { updates } = JSON.parse(body) as { updates: Array<{ origin_id: string }> };
        const entities = updates.map((update) => {
          let saved = fake.commitments.get(update.origin_id);
          if (!saved) {
            saved = { id: nextCommitmentId++, lines: new Map() };
            fake.commitments.set(update.origin_id, saved);
          }
          return { id: saved.id, origin_id: update.origin_id, grand_total: '0.00' };
        });
        return send(response, 200, { entities, errors: [] });
      }
      if (kind === 'read') {
        const ids = url.searchParams.getAll('filters[id][]');
        fake.lineSyncsInFlightAtReadBack.push(fake.lineSyncsInFlight);
        const records = [...fake.commitments.entries()]
          .filter(([, saved]) => ids.includes(String(saved.id)))
          .map(([originId, saved]) => ({
            id: saved.id,
            origin_id: originId,
            grand_total: money([...saved.lines.values()].reduce((sum, line) => sum + line.cents, 0n)),
          }));
        response.setHeader('total', String(records.length));
        return send(response, 200, records);
      }
      if (kind !== 'lines' || commitmentId === null) return send(response, 404, { errors: 'not found' });

      fake.lineSyncsInFlight += 1;
      fake.maxLineSyncsInFlight = Math.max(fake.maxLineSyncsInFlight, fake.lineSyncsInFlight);
      setTimeout(() => {
        fake.lineSyncsInFlight -= 1;
        const fault = fake.lineSyncFaults.get(commitmentId);
        if (fault === 'status500') return send(response, 500, { errors: 'internal error' });
        const saved = byId(commitmentId);
        if (!saved) return send(response, 404, { errors: 'no such commitment' });
        const { updates } = JSON.parse(body) as { updates: Array<{ origin_id: string; amount: string }> };
        const entities = updates.map((update) => {
          const line = saved.lines.get(update.origin_id) ?? { id: nextLineId++, cents: 0n };
          line.cents = cents(update.amount);
          saved.lines.set(update.origin_id, line);
          return { id: line.id, origin_id: update.origin_id, amount: update.amount };
        });
        // Drop after commit: the lines are saved, the answer is lost.
        if (fault === 'drop') return request.socket.destroy();
        send(response, 200, { entities, errors: [] });
      }, answerDelayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  servers.push(fake);
  return fake;
}

/** A connector on the fake, with token custody (single-flight) fetching from its token endpoint. */
function connectorFor(
  fake: FakeProcore,
  clock: VirtualClock,
  settings: Partial<ProcoreSettings> = {},
): { connector: ProcoreConnector; custodian: TokenCustodian } {
  let stored: TokenSet | null = null;
  const ref: { connector?: ProcoreConnector } = {};
  const custodian = new TokenCustodian({
    connectionId: 'procore-concurrency-test',
    vault: {
      load: async () => stored,
      save: async (tokens) => {
        stored = tokens;
      },
      clear: async () => {
        stored = null;
      },
    },
    refresh: () => (ref.connector as ProcoreConnector).requestToken({ clientId: 'id', clientSecret: 'secret' }),
    policy: CLIENT_CREDENTIALS_POLICY,
    now: clock.now,
  });
  const tokens: AccessTokenProvider = {
    getAccessToken: () => custodian.getAccessToken(),
    handleUnauthorized: (rejected) => custodian.handleUnauthorized(rejected),
  };
  const connector = createProcoreConnector(
    { baseUrl: fake.origin, allowedHosts: ['127.0.0.1'], logger: silentLogger, now: clock.now, tokens },
    {
      companyId: String(nextCompanyId++),
      apiBaseUrl: fake.origin,
      authBaseUrl: fake.origin,
      rateLimits: { hourly: 100_000, spikePer10s: 100_000 },
      clock,
      // Quick, deterministic retries (virtual time): a dropped answer is tried twice in all.
      retry: { maxAttempts: 2, random: () => 0.5 },
      ...settings,
    },
  );
  ref.connector = connector;
  connectors.push(connector);
  return { connector, custodian };
}

function commitments(count: number, linesEach = 2): CommitmentUpsert[] {
  return Array.from({ length: count }, (_, index) => ({
    originId: `po-${index}`,
    projectId: PROJECT_ID,
    vendorId: '7',
    title: `PO ${index}`,
    number: `PO-${index}`,
    description: '',
    status: 'Approved',
    contractDate: '2026-01-15',
    originCode: `PO-${index}`,
    lines: Array.from({ length: linesEach }, (_, line) => ({
      originId: `po-${index}-line-${line}`,
      description: `line ${line}`,
      amount: `${index + 1}0.${line}5`,
      quantity: null,
      unitCost: null,
      uom: null,
      costCodeId: '11',
      lineItemTypeId: '12',
    })),
  }));
}

const total = (commitment: CommitmentUpsert): string =>
  money(commitment.lines.reduce((sum, line) => sum + cents(line.amount), 0n));

describe('Procore commitment line syncs with bounded concurrency', () => {
  it('keeps at most writeConcurrency line syncs in flight, writes every line and reads back after all of them', async () => {
    const clock = createVirtualClock();
    const fake = await startFakeProcore(clock, 25);
    const { connector } = connectorFor(fake, clock, { writeConcurrency: 4 });
    const input = commitments(13);
    const results = await connector.upsertCommitments(PROJECT_ID, input);

    expect(fake.maxLineSyncsInFlight).toBe(4);
    expect(results.map((result) => result.originId)).toEqual(input.map((c) => c.originId));
    for (const [index, result] of results.entries()) {
      expect(result).toMatchObject({ ok: true, grandTotal: total(input[index] as CommitmentUpsert) });
      if (!result.ok) continue;
      const saved = fake.commitments.get(result.originId);
      expect(result.targetId).toBe(String(saved?.id));
      // Each line id the connector reports is the one Procore holds for that line origin id.
      expect(Object.fromEntries(result.lineIds)).toEqual(
        Object.fromEntries([...(saved?.lines ?? [])].map(([origin, line]) => [origin, String(line.id)])),
      );
    }
    // Calls: 1 header sync + 1 line sync per commitment + 1 read-back; nothing repeated.
    expect(fake.arrivals.map((arrival) => arrival.kind)).toEqual([
      'header',
      ...input.map(() => 'lines'),
      'read',
    ]);
    expect(new Set(fake.arrivals.filter((a) => a.kind === 'lines').map((a) => a.commitmentId)).size).toBe(13);
    expect(fake.lineSyncsInFlightAtReadBack).toEqual([0]);
  });

  it('with writeConcurrency 1 sends the line syncs strictly one after another', async () => {
    const clock = createVirtualClock();
    const fake = await startFakeProcore(clock, 5);
    const { connector } = connectorFor(fake, clock, { writeConcurrency: 1 });
    const results = await connector.upsertCommitments(PROJECT_ID, commitments(5));
    expect(results.every((result) => result.ok)).toBe(true);
    expect(fake.maxLineSyncsInFlight).toBe(1);
  });

  it('a 500 on one commitment and a dropped answer on another fail only those two, the rest succeed', async () => {
    const clock = createVirtualClock();
    const fake = await startFakeProcore(clock, 10);
    const { connector } = connectorFor(fake, clock, { writeConcurrency: 4 });
    const input = commitments(9);
    // Header ids are given in input order from 5000: po-2 is 5002, po-6 is 5006.
    fake.lineSyncFaults.set('5002', 'status500');
    fake.lineSyncFaults.set('5006', 'drop');
    const results = await connector.upsertCommitments(PROJECT_ID, input);

    expect(results.map((result) => result.originId)).toEqual(input.map((c) => c.originId));
    const failed = results.filter((result) => !result.ok).map((result) => result.originId);
    expect(failed).toEqual(['po-2', 'po-6']);
    expect(results[2]).toMatchObject({
      ok: false,
      retryable: true,
      targetId: '5002',
      message: expect.stringMatching(/line sync call got no usable answer \(Procore answered HTTP 500/),
    });
    // The dropped answer was retried (sync is retry-safe by origin_id), then reported as lost.
    expect(results[6]).toMatchObject({
      ok: false,
      retryable: true,
      targetId: '5006',
      message: expect.stringMatching(/look it up by origin id before retrying/),
    });
    expect(fake.arrivals.filter((a) => a.commitmentId === '5006')).toHaveLength(2);
    for (const index of [0, 1, 3, 4, 5, 7, 8])
      expect(results[index]).toMatchObject({ ok: true, grandTotal: total(input[index] as CommitmentUpsert) });
    // The failed ones are not read back; the read-back waits for every line sync.
    expect(fake.lineSyncsInFlightAtReadBack).toEqual([0]);
  });

  it('an expired token seen by several calls at once is renewed once, and every commitment succeeds', async () => {
    const clock = createVirtualClock();
    const fake = await startFakeProcore(clock, 20);
    const { connector } = connectorFor(fake, clock, { writeConcurrency: 4 });
    // When the 5th line sync arrives, the first token dies: the calls in flight all get 401.
    fake.onLineSync = (count) => {
      if (count === 5) fake.validTokens.delete('tok-1');
    };
    const results = await connector.upsertCommitments(PROJECT_ID, commitments(10));
    expect(results.every((result) => result.ok)).toBe(true);
    expect(fake.tokenCalls).toBe(2);
    expect(fake.maxLineSyncsInFlight).toBeLessThanOrEqual(4);
  });

  it('a session-fatal error stops new calls, lets the ones in flight settle, then rethrows with nothing unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const clock = createVirtualClock();
      // Slow answers for the calls in flight, immediate 401s: a pool that did not wait would
      // throw while the server still holds calls.
      const fake = await startFakeProcore(clock, 60);
      const { connector, custodian } = connectorFor(fake, clock, { writeConcurrency: 4 });
      // The app's credentials are revoked as the 6th line sync arrives.
      fake.onLineSync = (count) => {
        if (count !== 6) return;
        fake.revoked = true;
        fake.validTokens.clear();
      };
      const error = await connector.upsertCommitments(PROJECT_ID, commitments(20)).catch((caught: unknown) => caught);
      const inFlightWhenThrown = fake.lineSyncsInFlight;
      const callsWhenThrown = fake.arrivals.length;

      expect(error).toBeInstanceOf(NeedsReauthError);
      expect(custodian.state).toBe('needs-reauth');
      expect(inFlightWhenThrown).toBe(0);
      // One token renewal was tried for all the 401s, no read-back, and the pool stopped early:
      // at most the 6th call plus the 3 already in flight after the 5 that succeeded.
      expect(fake.tokenCalls).toBe(2);
      const lineSyncs = fake.arrivals.filter((arrival) => arrival.kind === 'lines').length;
      expect(lineSyncs).toBeGreaterThanOrEqual(6);
      expect(lineSyncs).toBeLessThanOrEqual(9);
      expect(fake.arrivals.some((arrival) => arrival.kind === 'read')).toBe(false);
      // Nothing keeps running after the throw.
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(fake.arrivals.length).toBe(callsWhenThrown);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('with a spike limit the concurrent calls never exceed the 10-second window at the server', async () => {
    const clock = createVirtualClock();
    const fake = await startFakeProcore(clock, 10);
    const spikeLimit = 5;
    const { connector } = connectorFor(fake, clock, {
      writeConcurrency: 4,
      rateLimits: { hourly: 100_000, spikePer10s: spikeLimit },
    });
    const startedAt = clock.now();
    const input = commitments(12);
    const results = await connector.upsertCommitments(PROJECT_ID, input);
    expect(results.every((result) => result.ok)).toBe(true);

    // 1 header + 12 line syncs + 1 read-back = 14 calls: at 5 per 10 s that needs three windows.
    const times = fake.arrivals.filter((arrival) => arrival.kind !== 'other').map((arrival) => arrival.at);
    expect(times).toHaveLength(14);
    for (const from of times) {
      const inWindow = times.filter((at) => at >= from && at < from + 10_000).length;
      expect(inWindow).toBeLessThanOrEqual(spikeLimit);
    }
    expect(Math.max(...times) - startedAt).toBeGreaterThanOrEqual(20_000);
    expect(fake.maxLineSyncsInFlight).toBeLessThanOrEqual(4);
  });

  it('refuses a writeConcurrency outside 1..16 with a plain message, before any connection exists', () => {
    for (const bad of [0, 17, 2.5, Number.NaN]) {
      const create = (): ProcoreConnector =>
        createProcoreConnector(
          {
            baseUrl: 'https://api.procore.com',
            allowedHosts: ['api.procore.com'],
            logger: silentLogger,
            tokens: { getAccessToken: async () => 'unused', handleUnauthorized: async () => 'unused' },
          },
          {
            companyId: '123',
            apiBaseUrl: 'https://api.procore.com',
            authBaseUrl: 'https://login.procore.com',
            writeConcurrency: bad,
          },
        );
      expect(create).toThrow(ProcoreConfigError);
      expect(create).toThrow(
        `The Procore write concurrency (calls in flight at once) must be a whole number from 1 to 16, got ${bad}.`,
      );
    }
  });
});
