import { createHash } from 'node:crypto';
import { Decimal, InvalidDecimalError } from '../../../src-shared/domain/money';
import { JsonNumberText } from './json-text';

/**
 * The record model of the contract-based API (fact sheet 1.5; OpenAPI `components.schemas`):
 * a top-level entity is a node of wrapped fields plus detail collections (arrays of nodes, e.g.
 * `Details`) and linked entities (one nested node, e.g. `MainContact`). Records are stored
 * unwrapped (money as decimal strings, instants as ISO text) and wrapped as `{"value": …}` only
 * on the wire.
 */
export type FieldType = 'string' | 'decimal' | 'int' | 'short' | 'bool' | 'datetime' | 'guid';
export type Scalar = string | number | boolean | null;

export interface StoredNode {
  id: string;
  values: Record<string, Scalar>;
  /** The `note` system field (a StringValue in the Entity schema). */
  note?: string | null;
  /** Detail collections by contract name (`Details`, `Applications`, `TaxDetails`, `History`…). */
  collections?: Record<string, StoredNode[]>;
  /** Linked entities by contract name (`MainContact`, `VendorAddressInfo`…). */
  linked?: Record<string, StoredNode>;
  /** Screen fields outside the contract, by data view then field (`$custom`, body `custom`). */
  custom?: Record<string, Record<string, Scalar>>;
}
export type StoredRecord = StoredNode;

/** The `type` discriminator of a custom field on the wire (OpenAPI `CustomField` subtypes). */
export type CustomFieldType =
  | 'CustomStringField'
  | 'CustomDecimalField'
  | 'CustomBooleanField'
  | 'CustomDateTimeField'
  | 'CustomIntField'
  | 'CustomShortField'
  | 'CustomGuidField';

export const CUSTOM_FIELD_TYPES: Record<CustomFieldType, FieldType> = {
  CustomStringField: 'string',
  CustomDecimalField: 'decimal',
  CustomBooleanField: 'bool',
  CustomDateTimeField: 'datetime',
  CustomIntField: 'int',
  CustomShortField: 'short',
  CustomGuidField: 'guid',
};

export interface CustomFieldSpec {
  type: CustomFieldType;
  /** The contract field this screen field is mapped to: read and written through it. */
  alias?: string;
}

export interface NodeSchema {
  /** The schema's name in the vendor OpenAPI (`components.schemas.<name>`). */
  name: string;
  fields: Record<string, FieldType>;
  /** Fields that exist only from an endpoint version on (e.g. BillDetail `LCNbr` from 24.200.001). */
  since?: Record<string, string>;
  collections?: Record<string, CollectionSchema>;
  linked?: Record<string, NodeSchema>;
  /** Sub-entities of the contract this sandbox does not model: refused with a message that says so. */
  unmodelled?: readonly string[];
  /** Screen data views behind this node and their fields reachable through `$custom`. */
  views?: Record<string, Record<string, CustomFieldSpec>>;
}

export interface CollectionSchema extends NodeSchema {
  /** Set when clients cannot write the collection; the text says what maintains it instead. */
  readOnly?: string;
}

export interface EntitySchema extends NodeSchema {
  /** Key fields that locate an existing record on PUT (1.7) and in GET /{Entity}/{keys}. */
  keys: string[];
  /** Fields with an equality index (fast `$filter=X eq '…'`, e.g. the vendor-ref lookup). */
  indexed: string[];
  /** The key field filled from a number sequence on insert, and the sequence's prefix. */
  autoNumber?: { field: string; prefix: string };
}

/** Body/record members that are not ordinary fields (1.5); `note` and `custom` are handled apart. */
export const SYSTEM_FIELDS = new Set(['id', 'rowNumber', '_links', 'error', 'delete', 'files']);

/** Whether a field exists in the given endpoint version of the contract. */
export function hasField(schema: NodeSchema, field: string, version: string): boolean {
  if (!(field in schema.fields)) return false;
  const since = schema.since?.[field];
  return since === undefined || version >= since;
}

export function fieldsOf(schema: NodeSchema, version: string): [string, FieldType][] {
  return Object.entries(schema.fields).filter(([field]) => hasField(schema, field, version));
}

/** A sub-entity (collection or linked) of a node, or undefined. */
export function subSchema(
  schema: NodeSchema,
  name: string,
): { kind: 'collection'; schema: CollectionSchema } | { kind: 'linked'; schema: NodeSchema } | undefined {
  const collection = schema.collections?.[name];
  if (collection) return { kind: 'collection', schema: collection };
  const linked = schema.linked?.[name];
  if (linked) return { kind: 'linked', schema: linked };
  return undefined;
}

export class WireValueError extends Error {}

/** `{"value": x}` from a request body → stored scalar of the field's type. */
export function parseWireValue(field: string, type: FieldType, wrapped: unknown): Scalar {
  if (wrapped === null || typeof wrapped !== 'object' || Array.isArray(wrapped) || !('value' in wrapped)) {
    throw new WireValueError(
      `Field '${field}' must be an object of the form {"value": …} (see "Representation of a Record in JSON Format").`,
    );
  }
  return parseScalar(field, type, (wrapped as { value: unknown }).value);
}

const GUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseScalar(field: string, type: FieldType, value: unknown): Scalar {
  if (value === null) return null;
  switch (type) {
    case 'string':
      if (typeof value !== 'string')
        throw new WireValueError(`Field '${field}' expects a string value, got ${JSON.stringify(value)}.`);
      return value;
    case 'guid':
      if (typeof value !== 'string' || !GUID_TEXT.test(value))
        throw new WireValueError(`Field '${field}' expects a GUID, got ${JSON.stringify(value)}.`);
      return value.toLowerCase();
    case 'decimal':
      try {
        if (typeof value === 'number') return Decimal.fromJsonNumber(value).toString();
        if (typeof value === 'string') return Decimal.parse(value).toString();
      } catch (err) {
        if (err instanceof InvalidDecimalError) throw new WireValueError(`Field '${field}': ${err.message}`);
        throw err;
      }
      throw new WireValueError(`Field '${field}' expects a decimal number, got ${JSON.stringify(value)}.`);
    case 'int':
    case 'short':
      if (typeof value === 'number' && Number.isInteger(value)) return value;
      if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
      throw new WireValueError(`Field '${field}' expects an integer, got ${JSON.stringify(value)}.`);
    case 'bool':
      if (typeof value === 'boolean') return value;
      throw new WireValueError(`Field '${field}' expects true or false, got ${JSON.stringify(value)}.`);
    case 'datetime': {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
        throw new WireValueError(
          `Field '${field}' expects a date/time such as "2026-01-15T00:00:00+00:00", got ${JSON.stringify(value)}.`,
        );
      }
      return normalizeDateTime(value);
    }
  }
}

/** Plain dates ("2026-01-15") are midnight UTC; every instant is stored as ISO with +00:00. */
export function normalizeDateTime(text: string): string {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  return isoFromMs(ms);
}

export function isoFromMs(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+00:00');
}

/** Stored scalar → `{"value": …}`; null fields are sent as `{}` like the live API does. */
export function wrapValue(type: FieldType, value: Scalar | undefined): Record<string, unknown> {
  if (value === null || value === undefined) return {};
  if (type === 'decimal') return { value: new JsonNumberText(String(value)) };
  return { value };
}

/** A GUID derived from text (stable ids for linked entities that were never written). */
export function derivedGuid(text: string): string {
  const h = createHash('sha1').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Which fields a response carries ($select / $expand / $custom, contract v4 rules of 1.6). */
export interface Shape {
  /** null = every field of the node. */
  fields: Set<string> | null;
  /** Expanded sub-entities (collections and linked entities) and their own shapes. */
  sub: Map<string, Shape>;
  /** `$custom`: data view → fields outside the contract. */
  custom: Map<string, Set<string>>;
}

export function emptyShape(): Shape {
  return { fields: null, sub: new Map(), custom: new Map() };
}

/** Every field and every modelled sub-entity, recursively (sandbox inspection, 422 echoes). */
export function fullShape(schema: NodeSchema): Shape {
  const shape = emptyShape();
  for (const [name, sub] of Object.entries({ ...(schema.collections ?? {}), ...(schema.linked ?? {}) }))
    shape.sub.set(name, fullShape(sub));
  return shape;
}

export function renderNode(
  schema: NodeSchema,
  node: StoredNode,
  shape: Shape,
  rowNumber: number,
  version: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: node.id,
    rowNumber,
    note: node.note ? { value: node.note } : {},
  };
  for (const [field, type] of fieldsOf(schema, version)) {
    if (shape.fields && !shape.fields.has(field)) continue;
    out[field] = wrapValue(type, node.values[field]);
  }
  for (const [name, subShape] of shape.sub) {
    const sub = subSchema(schema, name);
    if (!sub) continue;
    if (sub.kind === 'collection') {
      out[name] = (node.collections?.[name] ?? []).map((line, i) =>
        renderNode(sub.schema, line, subShape, i + 1, version),
      );
    } else {
      const linked = node.linked?.[name] ?? { id: derivedGuid(`${node.id}/${name}`), values: {} };
      out[name] = renderNode(sub.schema, linked, subShape, 1, version);
    }
  }
  out.custom = renderCustom(schema, node, shape.custom);
  return out;
}

/** `custom` of a node: `{View: {Field: {type, value}}}` for the requested screen fields. */
function renderCustom(
  schema: NodeSchema,
  node: StoredNode,
  requested: Map<string, Set<string>>,
): Record<string, unknown> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [view, fields] of requested) {
    for (const field of fields) {
      const spec = schema.views?.[view]?.[field];
      if (!spec) continue;
      const value = spec.alias ? node.values[spec.alias] : node.custom?.[view]?.[field];
      (out[view] ??= {})[field] = { type: spec.type, ...wrapValue(CUSTOM_FIELD_TYPES[spec.type], value) };
    }
  }
  return out;
}

/**
 * GET /{Entity}/$adHocSchema: the entity with every field empty, one sample line per collection
 * and every screen field reachable through `$custom` (with its type), so a client can discover
 * custom fields.
 */
export function renderAdHocSchema(schema: NodeSchema, version: string): Record<string, unknown> {
  const zero = '00000000-0000-0000-0000-000000000000';
  const out: Record<string, unknown> = { id: zero, rowNumber: 1, note: {} };
  for (const [field] of fieldsOf(schema, version)) out[field] = {};
  for (const [name, sub] of Object.entries(schema.collections ?? {}))
    out[name] = [renderAdHocSchema(sub, version)];
  for (const [name, sub] of Object.entries(schema.linked ?? {})) out[name] = renderAdHocSchema(sub, version);
  const custom: Record<string, Record<string, unknown>> = {};
  for (const [view, fields] of Object.entries(schema.views ?? {})) {
    for (const [field, spec] of Object.entries(fields)) (custom[view] ??= {})[field] = { type: spec.type };
  }
  out.custom = custom;
  return out;
}
