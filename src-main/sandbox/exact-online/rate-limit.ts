import type { SimStore } from '../_common/sim-store';
import type { SimClock } from '../_common/clock';

/**
 * Exact's API budgets (fact sheet §1.7), per app (client id) and division:
 *   - minutely (default 60) and daily (default 5,000) call counts, reset at the top of the
 *     minute and at 00:00 UTC; every answer carries the six X-RateLimit-* headers with resets
 *     as epoch milliseconds; a 429 carries only the exhausted window's three headers.
 *   - an error budget: more than N (default 10) 4xx/5xx answers on one endpoint within a clock
 *     hour blocks that endpoint for the rest of the hour.
 * Counters live in the store's meta table so a restarted simulator keeps them.
 */
export interface RateLimitSettings {
  minutelyLimit: number;
  dailyLimit: number;
  errorsPerHour: number;
  /** Status of the answer while an endpoint is blocked by the error budget (unconfirmed: 429 or 403). */
  errorBlockStatus: 429 | 403;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

interface WindowCounters {
  minute: number; // index of the minute (epoch ms / 60000)
  minuteCount: number;
  day: number; // index of the UTC day
  dayCount: number;
}

interface ErrorCounter {
  hour: number;
  count: number;
}

export type RateLimitHeaders = Record<string, string>;

export type Admission =
  | { ok: true; headers: RateLimitHeaders }
  | { ok: false; kind: 'minutely' | 'daily'; headers: RateLimitHeaders }
  | { ok: false; kind: 'error-budget'; blockedUntil: number };

export class ExactRateLimiter {
  constructor(
    private readonly store: SimStore,
    private readonly clock: SimClock,
    private readonly settings: RateLimitSettings,
  ) {}

  private counters(key: string, now: number): WindowCounters {
    const stored = this.store.getMeta<WindowCounters>(`ratelimit:${key}`);
    const minute = Math.floor(now / MINUTE_MS);
    const day = Math.floor(now / DAY_MS);
    return {
      minute,
      day,
      minuteCount: stored && stored.minute === minute ? stored.minuteCount : 0,
      dayCount: stored && stored.day === day ? stored.dayCount : 0,
    };
  }

  minutelyHeaders(remaining: number, now: number): RateLimitHeaders {
    return {
      'X-RateLimit-Minutely-Limit': String(this.settings.minutelyLimit),
      'X-RateLimit-Minutely-Remaining': String(Math.max(0, remaining)),
      'X-RateLimit-Minutely-Reset': String((Math.floor(now / MINUTE_MS) + 1) * MINUTE_MS),
    };
  }

  private dailyHeaders(remaining: number, now: number): RateLimitHeaders {
    return {
      'X-RateLimit-Limit': String(this.settings.dailyLimit),
      'X-RateLimit-Remaining': String(Math.max(0, remaining)),
      'X-RateLimit-Reset': String((Math.floor(now / DAY_MS) + 1) * DAY_MS),
    };
  }

  /** Checks the error budget of the endpoint, then spends one call of both windows. */
  admit(appDivisionKey: string, endpoint: string): Admission {
    const now = this.clock.now();
    const errors = this.store.getMeta<ErrorCounter>(`errors:${appDivisionKey}:${endpoint}`);
    const hour = Math.floor(now / HOUR_MS);
    if (errors && errors.hour === hour && errors.count > this.settings.errorsPerHour) {
      return { ok: false, kind: 'error-budget', blockedUntil: (hour + 1) * HOUR_MS };
    }
    const c = this.counters(appDivisionKey, now);
    if (c.dayCount >= this.settings.dailyLimit) return { ok: false, kind: 'daily', headers: this.dailyHeaders(0, now) };
    if (c.minuteCount >= this.settings.minutelyLimit) return { ok: false, kind: 'minutely', headers: this.minutelyHeaders(0, now) };
    c.minuteCount += 1;
    c.dayCount += 1;
    this.store.setMeta(`ratelimit:${appDivisionKey}`, c);
    return {
      ok: true,
      headers: {
        ...this.dailyHeaders(this.settings.dailyLimit - c.dayCount, now),
        ...this.minutelyHeaders(this.settings.minutelyLimit - c.minuteCount, now),
      },
    };
  }

  /** Counts one error answer (4xx/5xx other than the limiter's own 429s) against the endpoint. */
  recordError(appDivisionKey: string, endpoint: string): void {
    const key = `errors:${appDivisionKey}:${endpoint}`;
    const hour = Math.floor(this.clock.now() / HOUR_MS);
    const stored = this.store.getMeta<ErrorCounter>(key);
    const count = stored && stored.hour === hour ? stored.count + 1 : 1;
    this.store.setMeta(key, { hour, count });
  }
}
