import { describe, expect, it } from 'vitest';
import { ComplexityLedger, getComplexityLedger, mutationsThatFit } from './complexity';

const T0 = Date.UTC(2026, 0, 15, 9, 0, 0);

describe('ComplexityLedger', () => {
  it('assumes the whole budget until monday answers, then the answer is the truth', () => {
    const ledger = new ComplexityLedger('monday:a', 10_000_000);
    expect(ledger.remaining(T0)).toBe(10_000_000);
    expect(ledger.waitFor(5_000_000, T0)).toBe(0);
    ledger.observe({ before: 400_000, after: 100_000, query: 300_000, reset_in_x_seconds: 42 }, T0);
    expect(ledger.remaining(T0)).toBe(100_000);
    // 90,003 fits, 120,000 waits for the reset the answer announced.
    expect(ledger.waitFor(90_003, T0 + 1000)).toBe(0);
    expect(ledger.waitFor(120_000, T0 + 1000)).toBe(41_000);
    expect(ledger.remaining(T0 + 42_000)).toBe(10_000_000);
  });

  it('counts what it sent until the answer, and a refusal empties it until retry_in_seconds', () => {
    const ledger = new ComplexityLedger('monday:b', 100_000);
    ledger.spend(60_003, T0);
    expect(ledger.remaining(T0)).toBe(39_997);
    ledger.exhausted(17_000, T0 + 5000);
    expect(ledger.waitFor(1, T0 + 5000)).toBe(17_000);
    expect(ledger.waitFor(1, T0 + 22_000)).toBe(0);
  });

  it('does not wait for a document no window could hold (the server refuses it plainly)', () => {
    const ledger = new ComplexityLedger('monday:c', 100_000);
    ledger.observe({ before: 10, after: 0, query: 10, reset_in_x_seconds: 60 }, T0);
    expect(ledger.waitFor(200_000, T0)).toBe(0);
  });

  it('is one per key in the process; the first limit wins', () => {
    const first = getComplexityLedger('monday:shared-test', 1000);
    expect(getComplexityLedger('monday:shared-test', 5)).toBe(first);
    expect(first.limit).toBe(1000);
    expect(() => new ComplexityLedger('monday:bad', 0)).toThrow(RangeError);
  });
});

describe('mutationsThatFit: the complexity ceiling of one request', () => {
  const base = { unitCost: 30_001, maxPerQuery: 5_000_000, limit: 10_000_000, cap: Number.MAX_SAFE_INTEGER };

  it('fills one query up to 5,000,000 points (166 creates) with a full budget', () => {
    expect(mutationsThatFit({ ...base, remaining: 10_000_000 })).toBe(166);
  });

  it('fills what is left of the minute, and sizes for a fresh window when nothing fits now', () => {
    expect(mutationsThatFit({ ...base, remaining: 100_000 })).toBe(3);
    expect(mutationsThatFit({ ...base, remaining: 20_000 })).toBe(166);
  });

  it('respects a smaller budget, a cap, and always sends at least one', () => {
    expect(mutationsThatFit({ ...base, limit: 200_000, remaining: 200_000 })).toBe(6);
    expect(mutationsThatFit({ ...base, remaining: 10_000_000, cap: 10 })).toBe(10);
    expect(mutationsThatFit({ ...base, unitCost: 6_000_000, remaining: 10_000_000 })).toBe(1);
  });
});
