import { createHash } from 'node:crypto';
import type { SimCollection, SimStore } from '../_common/sim-store';

interface CachedResponse {
  id: string;
  storedAt: number;
  status: number;
  body: unknown;
}

/**
 * `Idempotency-Key` on mutations (fact sheet §4.7, 2026 docs): the first response is kept for
 * 30 minutes per token and key and replayed for a repeat; a repeat while the first is still
 * running gets 409 IDEMPOTENCY_CONFLICT. Cached answers are durable, so a retry after a
 * dropped response finds them even across a simulator restart.
 */
export class IdempotencyCache {
  private readonly responses: SimCollection<CachedResponse>;
  private readonly inFlight = new Set<string>();

  constructor(
    store: SimStore,
    private readonly now: () => number,
    private readonly ttlMs: number,
  ) {
    this.responses = store.collection<CachedResponse>('idempotency_keys');
  }

  /** Stored under a hash so neither the token nor the key lands in the file as sent. */
  id(token: string, key: string): string {
    return createHash('sha256').update(`${token}\u0000${key}`).digest('hex');
  }

  lookup(id: string): CachedResponse | 'in-flight' | null {
    if (this.inFlight.has(id)) return 'in-flight';
    const cached = this.responses.get(id);
    return cached && this.now() - cached.storedAt < this.ttlMs ? cached : null;
  }

  async run(id: string, work: () => Promise<{ status: number; body: unknown }>): Promise<{ status: number; body: unknown }> {
    this.inFlight.add(id);
    try {
      const result = await work();
      this.responses.put(id, { id, storedAt: this.now(), ...result });
      return result;
    } finally {
      this.inFlight.delete(id);
    }
  }
}
