/**
 * The licence's request limits (fact sheet 1.10), as one connection must respect them:
 *
 * - per-minute quota: a sliding `minutely` window of the kit budget (shared per instance + tenant,
 *   so every flow on the connection counts against the same quota). Past half of it Acumatica
 *   answers late instead of failing; pacing at the quota keeps the waits bounded;
 * - queue: a request is declined (429) only when more than 20 requests already wait. A gate that
 *   keeps at most `maxInFlight` (≤ 20) of this connection's requests open at once means this
 *   connection alone can never fill the queue, so every 429 it could cause is avoided.
 *
 * The gate is shared per key like the budget (the first connector's limit wins).
 */
export const MAX_QUEUED_BEFORE_429 = 20;

export class InFlightGate {
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!(Number.isInteger(limit) && limit >= 1 && limit <= MAX_QUEUED_BEFORE_429))
      throw new RangeError(
        `requests in flight must be a whole number from 1 to ${MAX_QUEUED_BEFORE_429}, got ${limit}`,
      );
  }

  get running(): number {
    return this.#running;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    while (this.#running >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running += 1;
    try {
      return await task();
    } finally {
      this.#running -= 1;
      this.#waiting.shift()?.();
    }
  }
}

const gates = new Map<string, InFlightGate>();

/** The one gate of a connection key (`acumatica:<instance>:<tenant>`); the first limit wins. */
export function getInFlightGate(key: string, limit: number): InFlightGate {
  let gate = gates.get(key);
  if (!gate) {
    gate = new InFlightGate(limit);
    gates.set(key, gate);
  }
  return gate;
}
