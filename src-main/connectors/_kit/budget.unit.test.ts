import { describe, expect, it } from 'vitest';
import type { BudgetConfig } from './budget';
import { RequestBudget, getBudget, nextUtcMidnight } from './budget';
import { createManualClock } from './clock';
import { BudgetExhaustedError, ErrorBudgetExceededError } from './errors';

const HOUR = 3_600_000;

function exactLike(
  clock = createManualClock(),
  overrides: Partial<BudgetConfig> = {},
): { budget: RequestBudget; clock: typeof clock } {
  const budget = new RequestBudget('exact:test-client:123', {
    windows: [
      { kind: 'sliding', name: 'minutely', limit: 3, windowMs: 60_000 },
      { kind: 'fixed', name: 'daily', limit: 5, nextResetAt: nextUtcMidnight },
    ],
    errorBudget: { limit: 10, windowMs: HOUR },
    clock,
    ...overrides,
  });
  return { budget, clock };
}

describe('RequestBudget windows', () => {
  it('lets calls through until the sliding window is full, then waits for the oldest call to age out', async () => {
    const { budget, clock } = exactLike();
    const start = clock.now();
    await budget.acquire();
    clock.advance(10_000);
    await budget.acquire();
    await budget.acquire();
    expect(clock.sleeps).toEqual([]);
    await budget.acquire(); // 4th in the minute: waits until the first call is 60 s old
    expect(clock.sleeps).toEqual([50_000]);
    expect(clock.now()).toBe(start + 60_000);
  });

  it('throws BudgetExhaustedError with resumeAt at the daily reset when the daily budget is spent', async () => {
    const clock = createManualClock(Date.UTC(2026, 0, 15, 22, 0, 0));
    const { budget } = exactLike(clock, {
      windows: [{ kind: 'fixed', name: 'daily', limit: 2, nextResetAt: nextUtcMidnight }],
    });
    await budget.acquire();
    await budget.acquire();
    const error = await budget.acquire().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BudgetExhaustedError);
    expect((error as BudgetExhaustedError).resumeAt).toBe(Date.UTC(2026, 0, 16));
    expect((error as BudgetExhaustedError).window).toBe('daily');
    expect(clock.sleeps).toEqual([]);
    clock.advance(2 * HOUR);
    await expect(budget.acquire()).resolves.toBeUndefined();
  });

  it('snapshot reports used / remaining / resetAt per window and the next allowed time', async () => {
    const { budget, clock } = exactLike();
    const start = clock.now();
    await budget.acquire();
    await budget.acquire();
    await budget.acquire();
    const snapshot = budget.snapshot();
    expect(snapshot.windows).toEqual([
      { name: 'minutely', limit: 3, used: 3, remaining: 0, resetAt: start + 60_000, source: 'local' },
      { name: 'daily', limit: 5, used: 3, remaining: 2, resetAt: nextUtcMidnight(start), source: 'local' },
    ]);
    expect(snapshot.nextAllowedAt).toBe(start + 60_000);
  });

  it('observe(): the server view wins until its reset, counting our calls since', async () => {
    const { budget, clock } = exactLike();
    const start = clock.now();
    // A fresh process: locally nothing used, but the server says only 1 daily call is left.
    budget.observe({ windows: [{ name: 'daily', limit: 5000, remaining: 1, resetAt: start + HOUR }] });
    await budget.acquire();
    expect(budget.snapshot().windows[1]).toEqual({
      name: 'daily',
      limit: 5000,
      used: 5000,
      remaining: 0,
      resetAt: start + HOUR,
      source: 'server',
    });
    await expect(budget.acquire()).rejects.toMatchObject({
      name: 'BudgetExhaustedError',
      resumeAt: start + HOUR,
    });
  });

  it('observe(): absent windows are unknown and leave the local view untouched', async () => {
    const { budget } = exactLike();
    await budget.acquire();
    budget.observe({ windows: [] });
    expect(budget.snapshot().windows.map((window) => [window.name, window.remaining, window.source])).toEqual(
      [
        ['minutely', 2, 'local'],
        ['daily', 4, 'local'],
      ],
    );
  });

  it('observe(): a server-only window (Procore "nearest") gates calls until its reset', async () => {
    const clock = createManualClock();
    const budget = new RequestBudget('procore:test', { windows: [], clock });
    budget.observe({ windows: [{ name: 'nearest', limit: 25, remaining: 0, resetAt: clock.now() + 4000 }] });
    await budget.acquire();
    expect(clock.sleeps).toEqual([4000]);
    expect(budget.snapshot().windows).toEqual([]); // expired server-only view: nothing known
  });
});

describe('RequestBudget error budget', () => {
  it('refuses the call that could be the 10th error in an hour, with resumeAt when the oldest error ages out', async () => {
    const { budget, clock } = exactLike(createManualClock(), {
      windows: [{ kind: 'sliding', name: 'minutely', limit: 1000, windowMs: 60_000 }],
    });
    const endpoint = '/api/v1/123/purchaseorder/PurchaseOrders';
    const firstErrorAt = clock.now();
    for (let index = 0; index < 8; index += 1) {
      await budget.acquire(endpoint);
      budget.recordError(endpoint);
      clock.advance(60_000);
    }
    await budget.acquire(endpoint); // 9th call may still fail: 9 errors < 10
    budget.recordError(endpoint);
    const refused = await budget.acquire(endpoint).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(ErrorBudgetExceededError);
    expect(refused).toMatchObject({ endpoint, errorsInWindow: 9, resumeAt: firstErrorAt + HOUR });
    // Other endpoints are unaffected.
    await expect(budget.acquire('/api/v1/123/crm/Accounts')).resolves.toBeUndefined();
    // Once the first error is an hour old, one more call is allowed.
    clock.advance(firstErrorAt + HOUR - clock.now() + 1);
    await expect(budget.acquire(endpoint)).resolves.toBeUndefined();
    expect(budget.snapshot().errors).toEqual([{ endpoint, errors: 8, limit: 10, resumeAt: null }]);
  });
});

describe('RequestBudget.recordResponse', () => {
  it('counts statuses >= 400 by default, or what the vendor config says', () => {
    const clock = createManualClock();
    const windows: BudgetConfig['windows'] = [];
    const byDefault = new RequestBudget('default-errors', {
      windows,
      errorBudget: { limit: 10, windowMs: HOUR },
      clock,
    });
    for (const status of [200, 204, 400, 429, 503]) byDefault.recordResponse('/e', status);
    expect(byDefault.snapshot().errors).toEqual([{ endpoint: '/e', errors: 3, limit: 10, resumeAt: null }]);
    const no429 = new RequestBudget('no-429', {
      windows,
      errorBudget: { limit: 10, windowMs: HOUR, countsAsError: (status) => status >= 400 && status !== 429 },
      clock,
    });
    for (const status of [429, 429, 500]) no429.recordResponse('/e', status);
    expect(no429.snapshot().errors).toEqual([{ endpoint: '/e', errors: 1, limit: 10, resumeAt: null }]);
  });
});

describe('getBudget registry', () => {
  it('returns the same object for the same key, a different one for another key', () => {
    const config: BudgetConfig = {
      windows: [{ kind: 'sliding', name: 'minutely', limit: 60, windowMs: 60_000 }],
    };
    const first = getBudget('exact:registry-test:1', config);
    expect(getBudget('exact:registry-test:1', config)).toBe(first);
    expect(getBudget('exact:registry-test:2', config)).not.toBe(first);
  });

  it('rejects a window with a non-positive limit', () => {
    expect(
      () => new RequestBudget('bad', { windows: [{ kind: 'sliding', name: 'x', limit: 0, windowMs: 1 }] }),
    ).toThrow(/positive integer/);
  });
});

describe('nextUtcMidnight', () => {
  it('is the next 00:00 UTC strictly after now', () => {
    expect(nextUtcMidnight(Date.UTC(2026, 0, 31, 23, 59))).toBe(Date.UTC(2026, 1, 1));
    expect(nextUtcMidnight(Date.UTC(2026, 0, 31))).toBe(Date.UTC(2026, 1, 1));
  });
});

/** A clock whose sleepers wake only when the test moves time: concurrent waits stay visible. */
function steppedClock(start = Date.UTC(2026, 0, 15, 9)): {
  now(): number;
  sleep(ms: number): Promise<void>;
  advance(ms: number): void;
} {
  let now = start;
  const sleepers: Array<{ at: number; wake: () => void }> = [];
  return {
    now: () => now,
    sleep: (ms) => new Promise<void>((wake) => sleepers.push({ at: now + ms, wake })),
    advance(ms) {
      now += ms;
      for (const sleeper of sleepers.splice(0)) {
        if (sleeper.at <= now) sleeper.wake();
        else sleepers.push(sleeper);
      }
    },
  };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
};

describe('RequestBudget with several calls in flight', () => {
  it('gives N callers asking at once N distinct slots and never more than the window holds', async () => {
    const clock = steppedClock();
    const budget = new RequestBudget('concurrent-slots', {
      windows: [{ kind: 'sliding', name: 'spike', limit: 3, windowMs: 10_000 }],
      clock,
    });
    const grantedAt: number[] = [];
    const all = Promise.all(
      Array.from({ length: 8 }, () => budget.acquire().then(() => grantedAt.push(clock.now()))),
    );
    await flush();
    expect(grantedAt).toHaveLength(3);
    clock.advance(9_999);
    await flush();
    expect(grantedAt).toHaveLength(3);
    clock.advance(1);
    await flush();
    expect(grantedAt).toHaveLength(6);
    clock.advance(10_000);
    await all;
    const start = grantedAt[0] as number;
    expect(grantedAt.map((at) => at - start)).toEqual([0, 0, 0, 10_000, 10_000, 10_000, 20_000, 20_000]);
  });

  it('observe(): counts the other calls still in flight as not yet seen by the server', async () => {
    const clock = createManualClock();
    const budget = new RequestBudget('in-flight-observe', { windows: [], clock });
    const leases = await Promise.all([0, 1, 2, 3].map(() => budget.acquireLease()));
    // The answer to the first call says 10 left; three other calls may not be counted in it.
    budget.observe({ windows: [{ name: 'nearest', limit: 25, remaining: 10, resetAt: clock.now() + 5000 }] }, leases[0]);
    expect(budget.snapshot().windows[0]).toMatchObject({ remaining: 7, source: 'server' });
    for (const lease of leases) lease.release();
    // Released leases are no longer in flight: a later answer counts only what is.
    const next = await budget.acquireLease();
    budget.observe({ windows: [{ name: 'nearest', limit: 25, remaining: 5, resetAt: clock.now() + 5000 }] }, next);
    expect(budget.snapshot().windows[0]).toMatchObject({ remaining: 5 });
  });

  it('observe(): the latest answer wins, even when it says more is left than the view before it', async () => {
    const clock = createManualClock();
    const budget = new RequestBudget('latest-wins', { windows: [], clock });
    // A 429 storm's answer: nothing left until the hour resets.
    budget.observe({ windows: [{ name: 'nearest', limit: 3600, remaining: 0, resetAt: clock.now() + 3_600_000 }] });
    expect(budget.snapshot().nextAllowedAt).toBe(clock.now() + 3_600_000);
    // The storm is over and the server says so: calls flow again at once.
    budget.observe({ windows: [{ name: 'nearest', limit: 25, remaining: 24, resetAt: clock.now() + 10_000 }] });
    expect(budget.snapshot().windows[0]).toMatchObject({ remaining: 24 });
    await budget.acquire();
    expect(clock.sleeps).toEqual([]);
  });

  it("pauseFor(): the server's Retry-After holds every caller, whatever the windows allow", async () => {
    const clock = steppedClock();
    const budget = new RequestBudget('paused', {
      windows: [{ kind: 'sliding', name: 'spike', limit: 100, windowMs: 10_000 }],
      clock,
    });
    budget.pauseFor(3000);
    budget.pauseFor(1000); // a shorter wait does not shorten the longer one
    let granted = 0;
    const all = Promise.all([0, 1, 2].map(() => budget.acquire().then(() => (granted += 1))));
    await flush();
    expect(granted).toBe(0);
    expect(budget.snapshot().nextAllowedAt).toBe(clock.now() + 3000);
    clock.advance(3000);
    await all;
    expect(granted).toBe(3);
  });

  it('pauseFor(): a wait beyond maxWaitMs throws BudgetExhaustedError naming the retry-after', async () => {
    const clock = createManualClock();
    const budget = new RequestBudget('paused-long', { windows: [], clock, maxWaitMs: 1000 });
    budget.pauseFor(5000);
    const error = await budget.acquire().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'BudgetExhaustedError', window: 'retry-after', resumeAt: clock.now() + 5000 });
    expect((error as Error).message).toBe(
      `Request budget paused-long is paused: the server asked to wait (Retry-After) until ${new Date(clock.now() + 5000).toISOString()}`,
    );
  });
});
