/**
 * Retry with exponential backoff and full jitter (AWS "Exponential Backoff And Jitter"):
 * delay = random() * min(maxDelayMs, baseDelayMs * 2^(attempt-1)), unless the server named a
 * wait (Retry-After / rate-limit reset), which is then used as is. Random and sleep are
 * injected so tests are instant and deterministic.
 *
 * Written here rather than taking p-retry: p-retry has no way to let the server's Retry-After
 * choose the delay, nor a cap on total waiting, and both are the point of this module.
 */
import type { KitClock } from './clock';
import { systemClock } from './clock';

export interface RetryPolicy {
  /** Total attempts including the first (1 = no retry). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Give up rather than wait if the waits so far plus the next one would exceed this. */
  maxTotalDelayMs: number;
  /** Uniform [0, 1). */
  random: () => number;
  sleep: KitClock['sleep'];
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxTotalDelayMs: 120_000,
  random: Math.random,
  sleep: systemClock.sleep,
};

export function resolveRetryPolicy(overrides: Partial<RetryPolicy> | undefined): RetryPolicy {
  const policy = { ...defaultRetryPolicy, ...overrides };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError(`retry maxAttempts must be an integer >= 1, got ${policy.maxAttempts}`);
  }
  for (const key of ['baseDelayMs', 'maxDelayMs', 'maxTotalDelayMs'] as const) {
    if (!(policy[key] >= 0)) throw new RangeError(`retry ${key} must be >= 0, got ${policy[key]}`);
  }
  return policy;
}

/** Full-jitter backoff for the wait after failed attempt number `attempt` (1-based). */
export function backoffDelayMs(
  attempt: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs' | 'random'>,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(policy.random() * ceiling);
}

export type RetryDecision =
  | { retry: false }
  | {
      retry: true;
      /** The server's requested wait in ms; replaces the jittered backoff when given. */
      serverDelayMs?: number | null;
      reason: string;
    };

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface RetryEvent {
  attempt: number;
  delayMs: number;
  reason: string;
}

/**
 * Run `operation` until `decide` says stop, attempts run out, or the next wait would exceed
 * the total-delay cap. Returns the last value or throws the last error, unchanged.
 */
export async function retry<T>(
  operation: (attempt: number) => Promise<T>,
  decide: (outcome: Outcome<T>, attempt: number) => RetryDecision,
  policy: RetryPolicy,
  onRetry?: (event: RetryEvent) => void,
): Promise<T> {
  let totalDelayMs = 0;
  for (let attempt = 1; ; attempt += 1) {
    let outcome: Outcome<T>;
    try {
      outcome = { ok: true, value: await operation(attempt) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const decision = attempt < policy.maxAttempts ? decide(outcome, attempt) : { retry: false as const };
    const delayMs = decision.retry ? (decision.serverDelayMs ?? backoffDelayMs(attempt, policy)) : 0;
    if (!decision.retry || totalDelayMs + delayMs > policy.maxTotalDelayMs) {
      if (outcome.ok) return outcome.value;
      throw outcome.error;
    }
    onRetry?.({ attempt, delayMs, reason: decision.reason });
    totalDelayMs += delayMs;
    await policy.sleep(delayMs);
  }
}
