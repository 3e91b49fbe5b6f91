import type { SystemId } from '../domain/systems';

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
  /**
   * The reference list behind the field's picker: the flow reads it through the engine
   * (FlowRuntime.referenceData) and the screen offers its options by name and code; the stored
   * value stays the option's `value` (an id or a code). Target values must exist in it to be
   * saved; source values not in it are flagged.
   */
  reference?: MappingFieldReference | undefined;
}

export interface MappingFieldReference {
  /** The flow's name for the list, e.g. "procore-cost-codes". */
  list: string;
  /** The system it is read from (its title goes into messages: "does not exist in Procore"). */
  system: SystemId;
}

/** One choice of a picker: what is stored, and what the user reads and searches. */
export interface ReferenceOption {
  /** What the mapping stores (the target's id, or a code where the target is keyed by code). */
  value: string;
  /** The name, e.g. "Materials", "Bouwmaterialen Groothandel Koster B.V.". */
  label: string;
  /** The code people know it by, e.g. "M", "01-100", a project number (null when it has none). */
  code: string | null;
  /** A little more to tell options apart, e.g. "in 5 of 6 projects", "id 562949953421313". */
  detail: string | null;
  /** Exists but cannot take new documents (an inactive vendor): shown, not accepted as a target. */
  inactive?: boolean | undefined;
  /** The value of the option it belongs to in the field before it (a group's board), where that matters. */
  within?: string | undefined;
}

/**
 * A mapping table the Connections screen also offers, on the row of `system`'s connection right
 * after connecting ("Choose boards"): one line per option of the table's only source field, where
 * the user picks `fields` (target fields with reference lists, by name). It reads and saves the
 * same table as the Mappings screen (a new version, the same checks).
 */
export interface ConnectionPicker {
  system: SystemId;
  /** The button, e.g. "Choose boards". */
  action: string;
  /** One sentence above the choices. */
  intro: string;
  /** Picked in this order; a field whose options carry `within` lists only those within the value picked before it. */
  fields: readonly string[];
  /** The other target fields of a new row (a row that exists keeps its own). */
  defaults: Readonly<Record<string, string>>;
}

/** "M — Materials", "01-100 — General Labour", or the name alone when there is no code. */
export function referenceOptionText(option: Pick<ReferenceOption, 'label' | 'code'>): string {
  return option.code && option.code !== option.label ? `${option.code} — ${option.label}` : option.label;
}

/** A version of a table as every screen, message and command names it: "Cost codes v2". */
export function mappingVersionName(definition: Pick<MappingSetDefinition, 'title'>, version: number): string {
  return `${definition.title} v${version}`;
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
  /**
   * The flow can suggest links for this table by reading both systems (FlowRuntime.
   * suggestCounterpartyLinks): the table has one source field (the source counterparty's key) and
   * one target field (the target's), and an accepted suggestion becomes a row of those two.
   */
  suggestsCounterpartyLinks?: boolean | undefined;
  /** What the two sides are called where links are suggested ("supplier" → "vendor"); default "record". */
  counterpartyNouns?: { source: string; target: string } | undefined;
  /**
   * The flow can create the target record for an unmapped source value and link it (a Procore
   * vendor from an Exact supplier), with the user's confirmation: "Create this vendor in Procore".
   */
  createsCounterparty?: { noun: string; system: SystemId } | undefined;
  /** Offered on the Connections screen too (see ConnectionPicker). */
  connectionPicker?: ConnectionPicker | undefined;
  /**
   * A list the target fields must name together, beyond each field's own list: a Coupa account
   * is its GL and cost-center segments together, and each may exist without the pair. Checked on
   * save and import like a field's list (decisions 0024, 0027).
   */
  rowReference?: MappingRowReference | undefined;
}

export interface MappingRowReference extends MappingFieldReference {
  /** The target fields, in order; an option's `value` is their values joined by "|". */
  fields: readonly string[];
  /** What one option is ("account"): "Coupa has no active account 4000-200". */
  noun: string;
  /** Joins the values where no option names them ("-": 4000-200). */
  joiner: string;
  /** A value that stands for "no segment" and is left out of that name ("none"). */
  emptyValue?: string | undefined;
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
