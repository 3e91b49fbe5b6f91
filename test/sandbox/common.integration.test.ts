import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSimClock, type SimClock } from '../../src-main/sandbox/_common/clock';
import { FaultController, FaultSpecError, parseFaultSpec } from '../../src-main/sandbox/_common/faults';
import {
  RequestLog,
  startSimServer,
  type SimServerHandle,
  type SimSystem,
} from '../../src-main/sandbox/_common/sim-server';
import { SimStore } from '../../src-main/sandbox/_common/sim-store';
import {
  launchSimulator,
  readSandboxSeed,
  type SimulatorContext,
} from '../../src-main/sandbox/_common/simulator';
import { fetchJson, useTempDirs } from './support';

const tempDir = useTempDirs('ml-sandbox-common-');

describe('parseFaultSpec', () => {
  it('reads every documented key for all systems', () => {
    const spec = parseFaultSpec('5xx=0.05, 429=0.02,reset=0.1,drop=0.5,latency=20,storm=1000,expire=1');
    expect(spec.bySystem.get('*')).toEqual({
      serverErrorRate: 0.05,
      rateLimitRate: 0.02,
      resetRate: 0.1,
      dropAfterCommitRate: 0.5,
      latencyMs: 20,
      stormMs: 1000,
      expireTokens: true,
    });
  });

  it('files system-prefixed entries under that system', () => {
    const spec = parseFaultSpec('5xx=0.1,procore:drop=0.25,exact:expire=1,procore:429=1');
    expect(spec.bySystem.get('*')).toEqual({ serverErrorRate: 0.1 });
    expect(spec.bySystem.get('procore')).toEqual({ dropAfterCommitRate: 0.25, rateLimitRate: 1 });
    expect(spec.bySystem.get('exact')).toEqual({ expireTokens: true });
  });

  it('treats an empty spec as no faults', () => {
    expect(parseFaultSpec(undefined).bySystem.size).toBe(0);
    expect(parseFaultSpec('  ').bySystem.size).toBe(0);
  });

  it.each([
    ['5xx', /needs the form key=value/],
    ['boom=1', /unknown fault "boom" \(known: 429, 5xx, reset, drop, cut, latency, storm, expire, truncate, html, ctype, empty, dupes, repeat, envelope, oversize\)/],
    ['5xx=abc', /fault "5xx" needs a number >= 0, got "abc"/],
    ['5xx=', /needs a number >= 0, got ""/],
    ['latency=-5', /needs a number >= 0, got "-5"/],
    ['latency=0x10', /needs a number/],
    ['5xx=1.5', /fault "5xx" is a rate in \[0, 1\], got 1.5/],
    ['sap:5xx=0.1', /unknown system "sap" \(known: exact, procore, acumatica, intacct, monday, coupa\)/],
  ])('rejects %j with a clear error', (text, message) => {
    expect(() => parseFaultSpec(text)).toThrow(FaultSpecError);
    expect(() => parseFaultSpec(text)).toThrow(message);
  });
});

describe('FaultController', () => {
  it('applies the shared entries, then its own system, and ignores other systems', () => {
    const clock = createSimClock();
    const faults = new FaultController('procore', () => clock.now());
    faults.apply(parseFaultSpec('5xx=0.1,429=0.2,procore:5xx=0.3,exact:reset=1'));
    expect(faults.current()).toMatchObject({ serverErrorRate: 0.3, rateLimitRate: 0.2, resetRate: 0 });
  });

  it('runs a storm by the simulator clock and fires the token-expiry hook', () => {
    const clock = createSimClock();
    const faults = new FaultController('coupa', () => clock.now());
    let expired = 0;
    faults.onExpireTokens = () => (expired += 1);
    faults.apply(parseFaultSpec('storm=5000,expire=1'));
    expect(expired).toBe(1);
    expect(faults.decide(false)).toBe('rate-limit');
    clock.advance(5001);
    expect(faults.decide(false)).toBe('none');
  });

  it('draws the same decisions from the same seed', () => {
    const draw = (): string[] => {
      const faults = new FaultController('exact', () => 0, 7);
      faults.set({ serverErrorRate: 0.3, rateLimitRate: 0.3 });
      return Array.from({ length: 50 }, () => faults.decide(true));
    };
    const first = draw();
    expect(draw()).toEqual(first);
    expect(new Set(first)).toEqual(new Set(['none', 'rate-limit', 'server-error']));
  });
});

describe('SimStore', () => {
  it('keeps records, their order and meta across a close and reopen', () => {
    const file = join(tempDir(), 'nested', 'store.sqlite');
    const store = new SimStore(file);
    expect(store.isEmpty()).toBe(true);
    const orders = store.collection<{ n: number; note?: string }>('orders');
    orders.put('b', { n: 2 });
    orders.put('a', { n: 1 });
    orders.put('c', { n: 3 });
    orders.put('b', { n: 20, note: 'updated in place keeps its position' });
    orders.delete('c');
    store.collection('tokens').put(1, { token: 'x' });
    store.setMeta('seeded', { seed: 4, scale: 1 });
    store.close();

    expect(SimStore.readMeta(file, 'seeded')).toEqual({ seed: 4, scale: 1 });
    expect(SimStore.readMeta(join(tempDir(), 'missing.sqlite'), 'seeded')).toBeUndefined();

    const reopened = new SimStore(file);
    try {
      expect(reopened.isEmpty()).toBe(false);
      expect(reopened.collection('orders').all()).toEqual([
        { n: 20, note: 'updated in place keeps its position' },
        { n: 1 },
      ]);
      expect(reopened.collection('tokens').get('1')).toEqual({ token: 'x' });
      expect(reopened.getMeta('seeded')).toEqual({ seed: 4, scale: 1 });
      expect(reopened.dump()).toEqual({
        orders: [{ n: 20, note: 'updated in place keeps its position' }, { n: 1 }],
        tokens: [{ token: 'x' }],
      });
    } finally {
      reopened.close();
    }
  });

  it('rolls back SQLite and the in-memory mirror together when a transaction throws', () => {
    const file = join(tempDir(), 'tx.sqlite');
    const store = new SimStore(file);
    const bills = store.collection<{ amount: string; status: string }>('bills');
    bills.put('1', { amount: '100.00', status: 'open' });
    bills.put('2', { amount: '50.00', status: 'open' });

    expect(() =>
      store.transaction(() => {
        // The natural (careless) way to update: change the object read from the store, then put.
        const second = bills.get('2');
        if (!second) throw new Error('missing');
        second.status = 'paid';
        bills.put('2', second);
        bills.put('2', { amount: '51.00', status: 'paid' });
        bills.delete('1'); // restored in its place, not appended
        bills.put('3', { amount: '7.50', status: 'open' });
        throw new Error('business rule failed');
      }),
    ).toThrow('business rule failed');

    expect(bills.all()).toEqual([
      { amount: '100.00', status: 'open' },
      { amount: '50.00', status: 'open' },
    ]);
    expect(bills.has('3')).toBe(false);
    store.close();
    const reopened = new SimStore(file);
    expect(reopened.collection('bills').all()).toEqual([
      { amount: '100.00', status: 'open' },
      { amount: '50.00', status: 'open' },
    ]);
    reopened.close();
  });

  it('commits a whole transaction, and a put stores a copy (later changes to the object are not stored)', () => {
    const store = new SimStore(':memory:');
    const items = store.collection<{ tags: string[] }>('items');
    const item = { tags: ['a'] };
    store.transaction(() => {
      items.put('x', item);
      items.put('y', { tags: [] });
    });
    item.tags.push('not-saved');
    expect(items.get('x')).toEqual({ tags: ['a'] });
    expect(items.size).toBe(2);
    store.close();
  });
});

describe('RequestLog', () => {
  it('keeps the most recent entries only, while the counters cover every request', () => {
    const log = new RequestLog(4);
    for (let i = 0; i < 10; i++)
      log.add({
        at: '',
        method: i % 2 ? 'POST' : 'GET',
        path: `/r/${i}`,
        status: 200,
        durationMs: 1,
        fault: 'none',
      });
    expect(log.recent(100).map((e) => e.path)).toEqual(['/r/6', '/r/7', '/r/8', '/r/9']);
    expect(log.recent(2).map((e) => e.seq)).toEqual([9, 10]);
    expect(log.summary()).toEqual({ total: 10, byStatus: { '200': 10 }, byMethod: { GET: 5, POST: 5 } });
  });
});

/** A tiny system: POST /notes stores a note, GET /notes and POST /notes/search (a read) list them. */
function testSystem(store: SimStore) {
  const notes = store.collection<{ id: number; text: string }>('notes');
  const state = { expired: 0 };
  const system: SimSystem = {
    name: 'monday',
    handle(req) {
      if (req.path === '/notes' && req.method === 'GET')
        return { status: 200, body: { notes: notes.all(), query: req.url.search } };
      if (req.path === '/notes/search' && req.method === 'POST') return { status: 200, body: { notes: notes.all() } };
      if (req.path === '/notes' && req.method === 'POST') {
        const note = { id: notes.size + 1, ...(req.json() as { text: string }) };
        notes.put(note.id, note);
        return { status: 201, body: note };
      }
      if (req.path === '/crash') throw new Error('handler bug');
      return { status: 404, body: { error: 'no such route' } };
    },
    isWrite: (req) => req.method !== 'GET' && req.path !== '/notes/search',
    rateLimitedResponse: () => ({
      status: 429,
      headers: { 'retry-after': '1' },
      body: { error_code: 'TEST_RATE_LIMIT' },
    }),
    serverErrorResponse: (status) => ({ status, body: { error_code: 'TEST_SERVER_ERROR', status } }),
    expireTokens: () => {
      state.expired += 1;
    },
    inspect: () => store.dump(),
  };
  return { system, notes, state };
}

describe('startSimServer', () => {
  let store: SimStore;
  let clock: SimClock;
  let faults: FaultController;
  let server: SimServerHandle;
  let sys: ReturnType<typeof testSystem>;

  beforeEach(async () => {
    store = new SimStore(':memory:');
    clock = createSimClock();
    faults = new FaultController('monday', () => clock.now());
    sys = testSystem(store);
    server = await startSimServer(sys.system, { faults, clock, maxBodyBytes: 4096 });
  });
  afterEach(async () => {
    await server.close();
    store.close();
  });

  const api = (path: string, init?: RequestInit) => fetch(`${server.baseUrl}${path}`, init);
  const post = (text: string) =>
    api('/notes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
    });
  const putFaults = (body: unknown) => api('/_sandbox/faults', { method: 'PUT', body: JSON.stringify(body) });

  it('binds to loopback only', async () => {
    expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    if (external) await expect(fetch(`http://${external.address}:${server.port}/notes`)).rejects.toThrow();
    expect((await api('/notes')).status).toBe(200);
  });

  it('GET /_sandbox/state returns the records per collection', async () => {
    expect((await post('first')).status).toBe(201);
    const state = (await (await api('/_sandbox/state')).json()) as Record<string, unknown[]>;
    expect(state).toEqual({ notes: [{ id: 1, text: 'first' }] });
  });

  it('counts API requests (not inspection calls) and resets the counters on DELETE', async () => {
    await post('a');
    await api('/notes');
    await api('/nowhere');
    await api('/_sandbox/state');
    const log = (await (await api('/_sandbox/requests')).json()) as {
      total: number;
      byStatus: Record<string, number>;
      byMethod: Record<string, number>;
      recent: { method: string; path: string; status: number }[];
    };
    expect(log.total).toBe(3);
    expect(log.byStatus).toEqual({ '200': 1, '201': 1, '404': 1 });
    expect(log.byMethod).toEqual({ GET: 2, POST: 1 });
    expect(log.recent.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /notes 201',
      'GET /notes 200',
      'GET /nowhere 404',
    ]);
    expect((await api('/_sandbox/requests', { method: 'DELETE' })).status).toBe(204);
    const after = (await (await api('/_sandbox/requests')).json()) as { total: number; recent: unknown[] };
    expect(after).toMatchObject({ total: 0, recent: [] });
    expect(server.requests.total).toBe(0);
  });

  it('redacts secret query parameters in the request log', async () => {
    await api('/notes?code=abc123&client_secret=s3cr3t&page=2&refresh_token=rt-1&api_key=k-9');
    const log = (await (await api('/_sandbox/requests')).json()) as { recent: { path: string }[] };
    const path = log.recent[0]?.path ?? '';
    expect(path).toBe('/notes?code=***&client_secret=***&page=2&refresh_token=***&api_key=***');
    for (const secret of ['abc123', 's3cr3t', 'rt-1', 'k-9'])
      expect(JSON.stringify(log)).not.toContain(secret);
  });

  it('GET/PUT /_sandbox/faults sets faults from a spec, clears them, and refuses a bad spec', async () => {
    const set = await putFaults({ spec: '5xx=0.5,latency=0' });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({ serverErrorRate: 0.5 });
    expect(await (await api('/_sandbox/faults')).json()).toMatchObject({ serverErrorRate: 0.5 });

    const bad = await putFaults({ spec: '5xx=2' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/rate in \[0, 1\]/);
    expect(faults.current().serverErrorRate).toBe(0.5); // a refused spec changes nothing
    expect((await putFaults({ spec: 5 })).status).toBe(400);
    expect((await api('/_sandbox/faults', { method: 'PUT', body: '{not json' })).status).toBe(400);

    const cleared = await putFaults({ clear: true });
    expect(await cleared.json()).toMatchObject({ serverErrorRate: 0, rateLimitRate: 0, stormUntil: 0 });
    expect((await putFaults({ spec: 'coupa:5xx=1' })).status).toBe(200);
    expect(faults.current().serverErrorRate).toBe(0); // another system's fault
  });

  it('POST /_sandbox/clock moves simulator time forward only', async () => {
    const before = (await (await api('/_sandbox/clock')).json()) as { now: number; offsetMs: number };
    expect(before.offsetMs).toBe(0);
    const moved = await api('/_sandbox/clock', {
      method: 'POST',
      body: JSON.stringify({ advanceMs: 3_600_000 }),
    });
    const after = (await moved.json()) as { now: number; offsetMs: number };
    expect(after.offsetMs).toBe(3_600_000);
    expect(after.now - before.now).toBeGreaterThanOrEqual(3_600_000);
    expect(clock.offsetMs()).toBe(3_600_000);
    const backwards = await api('/_sandbox/clock', {
      method: 'POST',
      body: JSON.stringify({ advanceMs: -1 }),
    });
    expect(backwards.status).toBe(400);
    expect(clock.offsetMs()).toBe(3_600_000);
  });

  it("a 5xx fault answers with the system's own error shape and does not run the handler", async () => {
    await putFaults({ spec: '5xx=1' });
    const res = await post('lost');
    expect([500, 502, 503]).toContain(res.status);
    expect(await res.json()).toEqual({ error_code: 'TEST_SERVER_ERROR', status: res.status });
    expect(sys.notes.size).toBe(0);
    const log = (await (await api('/_sandbox/requests')).json()) as { recent: { fault: string }[] };
    expect(log.recent[0]?.fault).toBe('server-error');
  });

  it("an unexpected handler error becomes the system's 500 and is logged", async () => {
    const res = await api('/crash');
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error_code: 'TEST_SERVER_ERROR', status: 500 });
    expect(server.requests.recent()[0]?.error).toContain('handler bug');
  });

  it("a 429 storm answers every request with the system's rate-limit response until the clock passes it", async () => {
    await putFaults({ spec: 'storm=60000' });
    for (let i = 0; i < 3; i++) {
      const res = await api('/notes');
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toEqual({ error_code: 'TEST_RATE_LIMIT' });
    }
    await api('/_sandbox/clock', { method: 'POST', body: JSON.stringify({ advanceMs: 60_001 }) });
    expect((await api('/notes')).status).toBe(200);
  });

  it('a reset fault destroys the connection before the handler runs', async () => {
    await putFaults({ spec: 'reset=1' });
    await expect(post('never')).rejects.toThrow();
    expect(sys.notes.size).toBe(0);
    expect(server.requests.recent()[0]).toMatchObject({ status: 0, fault: 'reset' });
  });

  it('drop-after-commit commits the write, then destroys the connection; reads are unaffected', async () => {
    await putFaults({ spec: 'drop=1' });
    await expect(post('committed but unanswered')).rejects.toThrow();
    expect((await api('/notes')).status).toBe(200); // GET is never dropped
    const state = (await (await api('/_sandbox/state')).json()) as { notes: unknown[] };
    expect(state.notes).toEqual([{ id: 1, text: 'committed but unanswered' }]);
  });

  it('drop applies to what the system calls a write: a read sent with POST is answered', async () => {
    await putFaults({ spec: 'drop=1' });
    const search = await api('/notes/search', { method: 'POST', body: '{}' });
    expect(search.status).toBe(200);
    await expect(post('dropped')).rejects.toThrow();
    expect(server.requests.recent().map((r) => r.fault)).toEqual(['none', 'drop-after-commit']);
  });

  it('cut commits the write, loses its answer, then resets every request until the faults are set again', async () => {
    await putFaults({ spec: 'cut=1' });
    expect((await api('/notes')).status).toBe(200); // reads before the write pass
    await expect(post('committed, then the line went down')).rejects.toThrow();
    await expect(api('/notes')).rejects.toThrow();
    await expect(api('/notes/search', { method: 'POST', body: '{}' })).rejects.toThrow();
    expect(server.requests.recent().map((r) => r.fault)).toEqual(['none', 'drop-after-commit', 'reset', 'reset']);
    expect(sys.notes.all()).toEqual([{ id: 1, text: 'committed, then the line went down' }]);
    await putFaults({ clear: true });
    expect((await api('/notes')).status).toBe(200);
  });

  it('an expire fault invalidates the issued tokens once', async () => {
    await putFaults({ spec: 'expire=1' });
    expect(sys.state.expired).toBe(1);
  });

  it('answers 413 to a body above the limit without running the handler', async () => {
    const res = await api('/notes', { method: 'POST', body: JSON.stringify({ text: 'x'.repeat(10_000) }) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: 'payload too large', limitBytes: 4096 });
    expect(sys.notes.size).toBe(0);
    expect((await post('small')).status).toBe(201);
  });
});

describe('launchSimulator', () => {
  const factory = (seen: SimulatorContext[]) => (ctx: SimulatorContext) => {
    seen.push(ctx);
    const { system } = testSystem(ctx.store);
    if (ctx.freshStore)
      ctx.store.transaction(() =>
        ctx.world.projects.forEach((p, i) =>
          ctx.store.collection('notes').put(i + 1, { id: i + 1, text: p.name }),
        ),
      );
    return { ...system, credentials: () => ({ apiToken: `token-${ctx.seed}` }) };
  };

  it('seeds a fresh data folder once, reopens it without re-seeding, and refuses another seed', async () => {
    const dataDir = tempDir();
    const seen: SimulatorContext[] = [];
    const first = await launchSimulator('monday', factory(seen), {
      dataDir,
      seed: 3,
      faults: 'monday:latency=0',
    });
    expect(first.credentials).toEqual({ apiToken: 'token-3' });
    const seeded = await fetchJson<{ notes: unknown[] }>(`${first.baseUrl}/notes`);
    expect(seeded.notes).toHaveLength(6);
    await fetch(`${first.baseUrl}/notes`, {
      method: 'POST',
      body: JSON.stringify({ text: 'written by a client' }),
    });
    await first.close();
    expect(readSandboxSeed(dataDir, 'monday')).toEqual({ seed: 3, scale: 1 });

    const second = await launchSimulator('monday', factory(seen), { dataDir, seed: 3 });
    const reopened = await fetchJson<{ notes: { text: string }[] }>(`${second.baseUrl}/notes`);
    expect(reopened.notes).toHaveLength(7);
    expect(reopened.notes.at(-1)?.text).toBe('written by a client');
    await second.close();
    expect(seen.map((c) => c.freshStore)).toEqual([true, false]);
    // The world is shared and frozen: one simulator cannot change another's seed data.
    expect(seen[0]?.world).toBe(seen[1]?.world);
    expect(() => {
      (seen[0]?.world.projects as unknown[]).push({});
    }).toThrow(TypeError);

    await expect(launchSimulator('monday', factory(seen), { dataDir, seed: 4 })).rejects.toThrow(
      /seeded with seed 3 \/ scale 1, not 4 \/ 1/,
    );
  });

  it('refuses a bad fault spec before opening anything', async () => {
    const dataDir = tempDir();
    await expect(launchSimulator('monday', factory([]), { dataDir, faults: 'nope=1' })).rejects.toThrow(
      /unknown fault "nope"/,
    );
    expect(readSandboxSeed(dataDir, 'monday')).toBeUndefined();
  });
});
