import { describe, expect, it } from 'vitest';
import {
  parseExactRateLimits,
  parseProcoreRateLimits,
  parseRetryAfter,
  serverSuggestedDelayMs,
} from './rate-limits';

const NOW = Date.UTC(2026, 0, 15, 9, 0, 30);

describe('parseExactRateLimits', () => {
  it('reads both windows with resets in epoch milliseconds', () => {
    const parsed = parseExactRateLimits({
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '4321',
      'x-ratelimit-reset': '1683936000000',
      'x-ratelimit-minutely-limit': '60',
      'x-ratelimit-minutely-remaining': '59',
      'x-ratelimit-minutely-reset': '1683879540000',
    });
    expect(parsed.windows).toEqual([
      { name: 'daily', limit: 5000, remaining: 4321, resetAt: 1683936000000 },
      { name: 'minutely', limit: 60, remaining: 59, resetAt: 1683879540000 },
    ]);
  });

  it('treats absent daily headers on a minutely 429 as unknown, never as 0 remaining', () => {
    const parsed = parseExactRateLimits({
      'x-ratelimit-minutely-limit': '60',
      'x-ratelimit-minutely-remaining': '0',
      'x-ratelimit-minutely-reset': '1683879540000',
    });
    expect(parsed.windows).toEqual([{ name: 'minutely', limit: 60, remaining: 0, resetAt: 1683879540000 }]);
  });

  it('treats absent minutely headers on a daily 429 as unknown', () => {
    const parsed = parseExactRateLimits({
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '1683936000000',
    });
    expect(parsed.windows.map((window) => window.name)).toEqual(['daily']);
  });

  it('ignores malformed values instead of reading them as numbers', () => {
    expect(
      parseExactRateLimits({ 'x-ratelimit-remaining': 'lots', 'x-ratelimit-minutely-remaining': '-1' })
        .windows,
    ).toEqual([]);
    expect(
      parseExactRateLimits({ 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': 'soon' }).windows,
    ).toEqual([{ name: 'daily', limit: null, remaining: 3, resetAt: null }]);
  });
});

describe('parseProcoreRateLimits', () => {
  it('converts the reset from epoch seconds to milliseconds', () => {
    const parsed = parseProcoreRateLimits({
      'x-rate-limit-limit': '25',
      'x-rate-limit-remaining': '3',
      'x-rate-limit-reset': '1768467640',
    });
    expect(parsed.windows).toEqual([{ name: 'nearest', limit: 25, remaining: 3, resetAt: 1768467640000 }]);
  });

  it('returns no window when the headers are absent', () => {
    expect(parseProcoreRateLimits({}).windows).toEqual([]);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('7', NOW)).toBe(7000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
  });

  it('reads an HTTP-date relative to now, clamping past dates to 0', () => {
    expect(parseRetryAfter(new Date(NOW + 12_000).toUTCString(), NOW)).toBe(12_000);
    expect(parseRetryAfter(new Date(NOW - 60_000).toUTCString(), NOW)).toBe(0);
  });

  it('returns null for absent or malformed values', () => {
    expect(parseRetryAfter(undefined, NOW)).toBeNull();
    expect(parseRetryAfter('-5', NOW)).toBeNull();
    expect(parseRetryAfter('1.5', NOW)).toBeNull();
    expect(parseRetryAfter('next tuesday-ish', NOW)).toBeNull();
  });
});

describe('serverSuggestedDelayMs', () => {
  it('prefers Retry-After over a vendor reset', () => {
    const headers = {
      'retry-after': '2',
      'x-ratelimit-minutely-remaining': '0',
      'x-ratelimit-minutely-reset': String(NOW + 30_000),
    };
    expect(serverSuggestedDelayMs(headers, parseExactRateLimits, NOW)).toBe(2000);
  });

  it('falls back to the reset of the exhausted window', () => {
    const headers = {
      'x-ratelimit-minutely-remaining': '0',
      'x-ratelimit-minutely-reset': String(NOW + 30_000),
      'x-ratelimit-remaining': '4000',
      'x-ratelimit-reset': String(NOW + 10_000_000),
    };
    expect(serverSuggestedDelayMs(headers, parseExactRateLimits, NOW)).toBe(30_000);
  });

  it('gives no hint when no window is exhausted or no parser is known', () => {
    const headers = {
      'x-ratelimit-minutely-remaining': '5',
      'x-ratelimit-minutely-reset': String(NOW + 30_000),
    };
    expect(serverSuggestedDelayMs(headers, parseExactRateLimits, NOW)).toBeNull();
    expect(serverSuggestedDelayMs({ 'x-ratelimit-minutely-remaining': '0' }, undefined, NOW)).toBeNull();
  });
});
