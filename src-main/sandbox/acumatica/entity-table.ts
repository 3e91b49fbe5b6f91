import type { SimCollection, SimStore } from '../_common/sim-store';
import { equalityTerms, matches, type FilterNode } from './odata-filter';
import type { EntitySchema, StoredRecord } from './schema';

/**
 * One entity's records plus the in-memory indexes a list/upsert needs so a request never scans
 * the whole collection for a key lookup: key fields → id, and per indexed field
 * lower-cased value → ids. Indexes are rebuilt from the store on start.
 */
export class EntityTable {
  readonly collection: SimCollection<StoredRecord>;
  private readonly byKey = new Map<string, string>();
  private readonly byField = new Map<string, Map<string, Set<string>>>();
  /** Insertion rank of each id, to return index hits in the collection's natural order. */
  private readonly positions = new Map<string, number>();

  constructor(
    store: SimStore,
    readonly schema: EntitySchema,
  ) {
    this.collection = store.collection<StoredRecord>(schema.name);
    for (const field of schema.indexed) this.byField.set(field, new Map());
    for (const stored of this.collection.all()) {
      const record = upgradeLegacyRecord(stored);
      if (record !== stored) this.collection.put(record.id, record);
      this.index(record);
    }
  }

  get(id: string): StoredRecord | undefined {
    return this.collection.get(id);
  }

  /** Key values in the order of schema.keys (e.g. Bill: Type, ReferenceNbr). */
  byKeys(values: readonly (string | number | boolean | null)[]): StoredRecord | undefined {
    const id = this.byKey.get(keyText(values));
    return id === undefined ? undefined : this.collection.get(id);
  }

  keyOf(record: StoredRecord): (string | number | boolean | null)[] {
    return this.schema.keys.map((k) => record.values[k] ?? null);
  }

  put(record: StoredRecord): void {
    const previous = this.collection.get(record.id);
    if (previous) this.unindex(previous);
    this.collection.put(record.id, record);
    this.index(record);
  }

  remove(record: StoredRecord): void {
    this.unindex(record);
    this.collection.delete(record.id);
  }

  /** Records matching the filter, in insertion order; uses the most selective equality index. */
  query(filter: FilterNode | null): StoredRecord[] {
    if (!filter) return this.collection.all();
    let smallest: Set<string> | null = null;
    for (const term of equalityTerms(filter)) {
      const index = this.byField.get(term.field);
      if (!index) continue;
      const ids = index.get(term.value.toLowerCase()) ?? new Set<string>();
      if (!smallest || ids.size < smallest.size) smallest = ids;
    }
    if (!smallest) return this.collection.filter((record) => matches(filter, record));
    const out: StoredRecord[] = [];
    for (const id of smallest) {
      const record = this.collection.get(id);
      if (record && matches(filter, record)) out.push(record);
    }
    return out.sort((a, b) => this.position(a.id) - this.position(b.id));
  }

  private position(id: string): number {
    return this.positions.get(id) ?? Number.MAX_SAFE_INTEGER;
  }

  private index(record: StoredRecord): void {
    if (!this.positions.has(record.id)) this.positions.set(record.id, this.positions.size);
    this.byKey.set(keyText(this.keyOf(record)), record.id);
    for (const [field, index] of this.byField) {
      const value = record.values[field];
      if (value === null || value === undefined) continue;
      const key = String(value).toLowerCase();
      let ids = index.get(key);
      if (!ids) index.set(key, (ids = new Set()));
      ids.add(record.id);
    }
  }

  private unindex(record: StoredRecord): void {
    this.byKey.delete(keyText(this.keyOf(record)));
    for (const [field, index] of this.byField) {
      const value = record.values[field];
      if (value !== null && value !== undefined) index.get(String(value).toLowerCase())?.delete(record.id);
    }
  }
}

/** Keys compare case-insensitively, like the database behind the API. */
function keyText(values: readonly (string | number | boolean | null)[]): string {
  return JSON.stringify(values.map((v) => (typeof v === 'string' ? v.toLowerCase() : v)));
}

/**
 * Records written by the first version of this simulator kept `details` / `applications` at
 * the top and a `LineNbr` on bill lines (which the Bill schema does not have): move them into
 * `collections` so an old sandbox data folder keeps working.
 */
export function upgradeLegacyRecord(record: StoredRecord): StoredRecord {
  const legacy = record as StoredRecord & { details?: StoredRecord[]; applications?: StoredRecord[] };
  if (!legacy.details && !legacy.applications) return record;
  const { details, applications, ...rest } = legacy;
  const dropLineNbr = rest.values.PostPeriod !== undefined; // only bills carry a PostPeriod
  const lines = (details ?? []).map((line) => {
    if (!dropLineNbr) return line;
    const { LineNbr: _dropped, ...values } = line.values;
    return { ...line, values };
  });
  return {
    ...rest,
    collections: {
      ...(rest.collections ?? {}),
      ...(details ? { Details: lines } : {}),
      ...(applications ? { Applications: applications } : {}),
    },
  };
}
