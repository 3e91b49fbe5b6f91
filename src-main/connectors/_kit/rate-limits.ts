/**
 * Rate-limit header parsers. Each returns the same normalised shape so budgets and retry can
 * treat every vendor alike. A header that is absent means "unknown" and its window is left
 * out: it never means "0 remaining" (Exact sends only the minutely headers on a minutely 429,
 * and only the daily ones on a daily 429).
 */

export interface RateLimitWindow {
  name: string;
  limit: number | null;
  remaining: number;
  /** Epoch ms when the window resets, when the server said. */
  resetAt: number | null;
}

export interface ParsedRateLimits {
  windows: RateLimitWindow[];
}

export type ResponseHeaders = Readonly<Record<string, string>>;
export type RateLimitParser = (headers: ResponseHeaders) => ParsedRateLimits;

type EpochUnit = 'ms' | 's';

function parseNonNegativeInteger(value: string | undefined): number | null {
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) return null;
  const parsed = Number(value.trim());
  return Number.isSafeInteger(parsed) ? parsed : null;
}

function readWindow(
  headers: ResponseHeaders,
  name: string,
  names: { limit: string; remaining: string; reset: string },
  resetUnit: EpochUnit,
): RateLimitWindow | null {
  const remaining = parseNonNegativeInteger(headers[names.remaining]);
  if (remaining === null) return null;
  const reset = parseNonNegativeInteger(headers[names.reset]);
  return {
    name,
    limit: parseNonNegativeInteger(headers[names.limit]),
    remaining,
    resetAt: reset === null ? null : resetUnit === 's' ? reset * 1000 : reset,
  };
}

/** Exact Online: daily and minutely windows per app per division; resets in epoch milliseconds. */
export const parseExactRateLimits: RateLimitParser = (headers) => {
  const windows = [
    readWindow(
      headers,
      'daily',
      { limit: 'x-ratelimit-limit', remaining: 'x-ratelimit-remaining', reset: 'x-ratelimit-reset' },
      'ms',
    ),
    readWindow(
      headers,
      'minutely',
      {
        limit: 'x-ratelimit-minutely-limit',
        remaining: 'x-ratelimit-minutely-remaining',
        reset: 'x-ratelimit-minutely-reset',
      },
      'ms',
    ),
  ];
  return { windows: windows.filter((window) => window !== null) };
};

/**
 * Procore: one set of headers describing whichever window (hourly or 10-second spike) is
 * closest to exhaustion, so the window is named `nearest`; reset in epoch seconds.
 */
export const parseProcoreRateLimits: RateLimitParser = (headers) => {
  const window = readWindow(
    headers,
    'nearest',
    { limit: 'x-rate-limit-limit', remaining: 'x-rate-limit-remaining', reset: 'x-rate-limit-reset' },
    's',
  );
  return { windows: window ? [window] : [] };
};

/**
 * `Retry-After` as a delay in ms from `now`: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * A date in the past gives 0; an absent or malformed value gives null (unknown).
 */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/[a-z]/i.test(trimmed)) return null; // e.g. "-5" or "1.5": not a valid form
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/**
 * How long the server asks us to wait before the next call, from Retry-After or else from the
 * reset of an exhausted window (remaining 0). Null when the response gives no hint.
 */
export function serverSuggestedDelayMs(
  headers: ResponseHeaders,
  parser: RateLimitParser | undefined,
  now: number,
): number | null {
  const retryAfter = parseRetryAfter(headers['retry-after'], now);
  if (retryAfter !== null) return retryAfter;
  if (!parser) return null;
  const resets = parser(headers).windows.flatMap((window) =>
    window.remaining === 0 && window.resetAt !== null ? [Math.max(0, window.resetAt - now)] : [],
  );
  return resets.length === 0 ? null : Math.max(...resets);
}
