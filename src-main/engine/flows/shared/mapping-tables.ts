import type { z } from 'zod';
import type { JsonValue } from '../../../../src-shared/domain/audit';
import type { Store } from '../../../store/db';

/** A mapping row as the store keeps it. */
export type StoredMappingRow = { sourceKey: JsonValue; target: JsonValue };

/** A stored mapping row a flow cannot use: names the table and the row, as the screens number them. */
export class InvalidMappingError extends Error {
  override readonly name = 'InvalidMappingError';
  constructor(set: string, index: number, problem: string) {
    super(`Mapping "${set}" row ${index + 1} is not valid: ${problem}`);
  }
}

/** Every row of a table checked against its schema; the first row that does not fit stops the load. */
export function parseMappingRows<T>(set: string, rows: readonly StoredMappingRow[], schema: z.ZodType<T>): T[] {
  return rows.map((row, i) => {
    const parsed = schema.safeParse(row);
    if (!parsed.success) throw new InvalidMappingError(set, i, parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; '));
    return parsed.data;
  });
}

/**
 * A flow's tables at their current versions, read one table at a time: `rows(set)` records the
 * version it read, so `versions` (per table, recorded on audit entries) and `version()` (the
 * newest of them) say exactly which mappings a run used.
 */
export function currentMappingTables(store: Store, flow: string) {
  const versions: Record<string, number | null> = {};
  return {
    versions,
    rows(set: string): StoredMappingRow[] {
      const s = store.mappings.getSet(flow, set);
      const v = s ? store.mappings.currentVersion(s.id) : undefined;
      versions[set] = v?.id ?? null;
      return v ? store.mappings.rows(v.id) : [];
    },
    version(): number {
      const ids = Object.values(versions).filter((v): v is number => v !== null);
      return ids.length ? Math.max(...ids) : 0;
    },
  };
}
