import { describe, expect, it } from 'vitest';
import { createManualClock } from './clock';
import type { RetryDecision, RetryPolicy } from './retry';
import { backoffDelayMs, resolveRetryPolicy, retry } from './retry';

function policy(overrides: Partial<RetryPolicy> = {}): RetryPolicy & { sleeps: number[] } {
  const clock = createManualClock();
  return {
    ...resolveRetryPolicy({
      baseDelayMs: 100,
      maxDelayMs: 1000,
      maxTotalDelayMs: 10_000,
      random: () => 0.5,
      sleep: clock.sleep,
      ...overrides,
    }),
    sleeps: clock.sleeps,
  };
}

const alwaysRetry = (): RetryDecision => ({ retry: true, reason: 'test' });

describe('backoffDelayMs (full jitter)', () => {
  it('draws uniformly below an exponentially growing, capped ceiling', () => {
    const max = { baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.999999 };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, max))).toEqual([
      99, 199, 399, 799, 999, 999,
    ]);
    expect(backoffDelayMs(3, { ...max, random: () => 0 })).toBe(0);
    expect(backoffDelayMs(3, { ...max, random: () => 0.25 })).toBe(100);
  });
});

describe('retry', () => {
  it('retries until success, sleeping the jittered backoff between attempts', async () => {
    const p = policy();
    let calls = 0;
    const result = await retry(
      async () => {
        calls += 1;
        if (calls < 3) throw new Error(`fail ${calls}`);
        return 'ok';
      },
      (outcome) => (outcome.ok ? { retry: false } : alwaysRetry()),
      p,
    );
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(p.sleeps).toEqual([50, 100]);
  });

  it('uses the server-suggested delay instead of backoff', async () => {
    const p = policy();
    let calls = 0;
    await retry(
      async () => ++calls,
      (outcome) =>
        outcome.ok && outcome.value < 2
          ? { retry: true, serverDelayMs: 7000, reason: '429' }
          : { retry: false },
      p,
    );
    expect(p.sleeps).toEqual([7000]);
  });

  it('stops at maxAttempts and throws the last error unchanged', async () => {
    const p = policy({ maxAttempts: 3 });
    let calls = 0;
    const failure = retry(
      async () => {
        calls += 1;
        throw new Error(`boom ${calls}`);
      },
      alwaysRetry,
      p,
    );
    await expect(failure).rejects.toThrow('boom 3');
    expect(calls).toBe(3);
    expect(p.sleeps).toHaveLength(2);
  });

  it('gives up instead of waiting past maxTotalDelayMs', async () => {
    const p = policy({ maxTotalDelayMs: 10_000 });
    let calls = 0;
    const failure = retry(
      async () => {
        calls += 1;
        throw new Error('rate limited');
      },
      () => ({ retry: true, serverDelayMs: 6000, reason: '429' }),
      p,
    );
    await expect(failure).rejects.toThrow('rate limited');
    expect(calls).toBe(2);
    expect(p.sleeps).toEqual([6000]);
  });

  it('does not retry when the decision says no, and reports each retry', async () => {
    const p = policy();
    const events: unknown[] = [];
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls += 1;
          throw new Error('bad request');
        },
        () => ({ retry: false }),
        p,
        (event) => events.push(event),
      ),
    ).rejects.toThrow('bad request');
    expect(calls).toBe(1);
    expect(events).toEqual([]);
  });

  it('rejects nonsensical policies', () => {
    expect(() => resolveRetryPolicy({ maxAttempts: 0 })).toThrow(/maxAttempts/);
    expect(() => resolveRetryPolicy({ baseDelayMs: -1 })).toThrow(/baseDelayMs/);
  });
});
