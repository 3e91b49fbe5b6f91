/**
 * Per-API request counters. Every HTTP attempt the kit sends is recorded here (benchmarks and
 * the status screen read them to compare calls made against the minimal plan).
 */
/** `no-response`: the attempt ended without a complete response (connection error, timeout, oversized body). */
export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx' | 'no-response';

export interface ApiRequestCounts {
  total: number;
  byStatusClass: Record<StatusClass, number>;
  /** Sum of attempt durations, for average latency. */
  totalMs: number;
}

export class RequestCounters {
  readonly #byApi = new Map<string, ApiRequestCounts>();

  /** Record one attempt: its HTTP status, or null when no complete response arrived. */
  record(api: string, status: number | null, durationMs: number): void {
    const counts = this.#countsFor(api);
    counts.total += 1;
    counts.byStatusClass[statusClassOf(status)] += 1;
    counts.totalMs += durationMs;
  }

  get(api: string): ApiRequestCounts {
    return structuredClone(this.#countsFor(api));
  }

  snapshot(): Record<string, ApiRequestCounts> {
    return Object.fromEntries([...this.#byApi].map(([api, counts]) => [api, structuredClone(counts)]));
  }

  reset(): void {
    this.#byApi.clear();
  }

  #countsFor(api: string): ApiRequestCounts {
    let counts = this.#byApi.get(api);
    if (!counts) {
      counts = {
        total: 0,
        byStatusClass: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, 'no-response': 0 },
        totalMs: 0,
      };
      this.#byApi.set(api, counts);
    }
    return counts;
  }
}

export function statusClassOf(status: number | null): StatusClass {
  if (status === null) return 'no-response';
  if (status < 200) return '1xx';
  if (status < 300) return '2xx';
  if (status < 400) return '3xx';
  if (status < 500) return '4xx';
  return '5xx';
}

/** The process-wide registry HttpClient uses unless a test injects its own. */
export const requestCounters = new RequestCounters();
