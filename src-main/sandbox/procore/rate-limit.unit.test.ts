import { describe, expect, it } from 'vitest';
import { ProcoreRateLimiter } from './rate-limit';

describe('ProcoreRateLimiter (§2.6)', () => {
  it('counts both windows, reports the tighter one in seconds, and refuses with Retry-After until it resets', () => {
    let now = 1_800_000_000_000;
    const limiter = new ProcoreRateLimiter(
      { spikeLimit: 2, spikeWindowSeconds: 10, hourlyLimit: 100 },
      () => now,
    );
    expect(limiter.take().headers).toEqual({
      'X-Rate-Limit-Limit': '2',
      'X-Rate-Limit-Remaining': '1',
      'X-Rate-Limit-Reset': '1800000010',
    });
    expect(limiter.take().allowed).toBe(true);
    now += 4_000;
    const refused = limiter.take();
    expect(refused.allowed).toBe(false);
    expect(refused.headers['Retry-After']).toBe('6');
    now += 6_000;
    expect(limiter.take().headers['X-Rate-Limit-Remaining']).toBe('1');
  });

  it('switches the headers to the hourly window when it is closer to exhaustion', () => {
    const now = 1_800_000_000_000;
    const limiter = new ProcoreRateLimiter(
      { spikeLimit: 25, spikeWindowSeconds: 10, hourlyLimit: 3 },
      () => now,
    );
    const headers = limiter.take().headers;
    expect(headers['X-Rate-Limit-Limit']).toBe('3');
    expect(headers['X-Rate-Limit-Reset']).toBe(String(1_800_000_000 + 3600));
  });
});
