/**
 * The shape of a mapping table a finance team maintains for a flow: which fields make up a row's
 * source key and its target, and how a parked record's mapping key (src-shared/domain/validation.ts
 * `mappingKey`) names a source key. Each flow declares its tables (src-main/engine/flows/<flow>/);
 * main validates saves and imports with them, and the Mappings screen builds its columns from the
 * definitions `flows.catalog` sends.
 */

export interface MappingField {
  /** Property name in the stored JSON (sourceKey / target). */
  name: string;
  /** Column header on screen and in CSV files. */
  label: string;
  /** Optional source fields store null when empty (e.g. "any cost unit"). */
  optional?: boolean | undefined;
}

export interface MappingSetDefinition {
  flow: string;
  set: string;
  title: string;
  description: string;
  /** Prefix of the mapping keys that name this set's source keys, e.g. "cost" in "cost:4400|KST-12|". */
  keyPrefix: string;
  sourceFields: readonly MappingField[];
  targetFields: readonly MappingField[];
  /** The flow can suggest links for this table by reading both systems (supplier → vendor). */
  suggestsCounterpartyLinks?: boolean | undefined;
}

export type MappingSourceKey = Record<string, string | null>;
export type MappingTarget = Record<string, string>;

/**
 * The source key a mapping key names, or null when the key belongs to another set or does not
 * have the set's shape. Parts are "|"-separated in field order; an empty optional part is null.
 */
export function sourceKeyFromMappingKey(
  definition: MappingSetDefinition,
  key: string,
): MappingSourceKey | null {
  const prefix = `${definition.keyPrefix}:`;
  if (!key.startsWith(prefix)) return null;
  const parts = key.slice(prefix.length).split('|');
  if (parts.length !== definition.sourceFields.length) return null;
  const sourceKey: MappingSourceKey = {};
  for (const [index, field] of definition.sourceFields.entries()) {
    const part = parts[index]!;
    if (part === '' && !field.optional) return null;
    sourceKey[field.name] = part === '' ? null : part;
  }
  return sourceKey;
}

/** The mapping key of a source key (the inverse of sourceKeyFromMappingKey). */
export function mappingKeyOf(definition: MappingSetDefinition, sourceKey: MappingSourceKey): string {
  return `${definition.keyPrefix}:${definition.sourceFields.map((field) => sourceKey[field.name] ?? '').join('|')}`;
}
