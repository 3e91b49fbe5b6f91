/**
 * The mapping tables a finance team maintains, per flow: which fields make up a row's source key
 * and its target, and how a parked record's mapping key (src-shared/domain/validation.ts
 * `mappingKey`) names a source key. Main validates saves and imports with these definitions;
 * the Mappings screen builds its columns from them.
 */

export interface MappingField {
  /** Property name in the stored JSON (sourceKey / target). */
  name: string;
  /** Column header on screen and in CSV files. */
  label: string;
  /** Optional source fields store null when empty (e.g. "any cost unit"). */
  optional?: boolean;
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
}

export const MAPPING_SETS: readonly MappingSetDefinition[] = [
  {
    flow: 'exact-procore',
    set: 'projects',
    title: 'Projects',
    description: 'Exact Online project → Procore project',
    keyPrefix: 'project',
    sourceFields: [{ name: 'projectCode', label: 'Exact project code' }],
    targetFields: [{ name: 'procoreProjectId', label: 'Procore project id' }],
  },
  {
    flow: 'exact-procore',
    set: 'costs',
    title: 'Cost codes',
    description: 'GL account + cost center (+ cost unit) → Procore cost code + cost type',
    keyPrefix: 'cost',
    sourceFields: [
      { name: 'glAccountCode', label: 'GL account' },
      { name: 'costCenterCode', label: 'Cost center' },
      { name: 'costUnitCode', label: 'Cost unit (empty = any)', optional: true },
    ],
    targetFields: [
      { name: 'costCode', label: 'Procore cost code' },
      { name: 'lineItemTypeCode', label: 'Cost type' },
    ],
  },
  {
    flow: 'exact-procore',
    set: 'vendors',
    title: 'Vendors',
    description: 'Exact Online supplier → Procore vendor',
    keyPrefix: 'vendor',
    sourceFields: [{ name: 'supplierCode', label: 'Exact supplier code' }],
    targetFields: [{ name: 'procoreVendorId', label: 'Procore vendor id' }],
  },
];

export const FLOW_TITLES: Readonly<Record<string, string>> = {
  'exact-procore': 'Exact Online → Procore',
};

export function findMappingSet(flow: string, set: string): MappingSetDefinition | undefined {
  return MAPPING_SETS.find((definition) => definition.flow === flow && definition.set === set);
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
