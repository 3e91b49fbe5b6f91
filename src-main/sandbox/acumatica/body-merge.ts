import { emptySent, type EntityErrors, type SentTree } from './rule-kit';
import {
  CUSTOM_FIELD_TYPES,
  SYSTEM_FIELDS,
  WireValueError,
  hasField,
  parseScalar,
  parseWireValue,
  type NodeSchema,
  type StoredNode,
} from './schema';

/**
 * A PUT body merged onto a stored record (fact sheet 1.5/1.7): wrapped fields set the field;
 * detail lines with `id` are updated, lines without are APPENDED, `"delete": true` removes a
 * line; a linked entity is merged into the record's one linked node; `custom` sets screen
 * fields outside the contract; `note` sets the note. Throws WireValueError (400) for a body
 * that does not fit the contract of the endpoint version.
 */
export interface MergeContext {
  version: string;
  newGuid(): string;
  errors: EntityErrors;
}

export function mergeBody(
  schema: NodeSchema,
  node: StoredNode,
  body: Record<string, unknown>,
  ctx: MergeContext,
  where = schema.name,
): SentTree {
  const sent = emptySent();
  for (const [member, value] of Object.entries(body)) {
    if (SYSTEM_FIELDS.has(member)) continue;
    if (member === 'note') {
      node.note = parseWireValue(`${where}/note`, 'string', value) as string | null;
      continue;
    }
    if (member === 'custom') {
      mergeCustom(schema, node, value, sent, where);
      continue;
    }
    const collection = schema.collections?.[member];
    if (collection) {
      if (collection.readOnly)
        throw new WireValueError(`'${member}' of ${schema.name} cannot be written: ${collection.readOnly}.`);
      sent.lines.set(member, mergeLines(collection, node, member, value, ctx, `${where}/${member}`));
      continue;
    }
    const linked = schema.linked?.[member];
    if (linked) {
      if (!isObject(value))
        throw new WireValueError(`'${member}' of ${schema.name} must be an object (a linked entity).`);
      const target = ((node.linked ??= {})[member] ??= { id: ctx.newGuid(), values: {} });
      sent.linked.set(member, mergeBody(linked, target, value, ctx, `${where}/${member}`));
      continue;
    }
    if (schema.unmodelled?.includes(member)) {
      throw new WireValueError(
        `'${member}' of ${schema.name} is part of the Default endpoint but not modelled by this sandbox.`,
      );
    }
    const type = schema.fields[member];
    if (!type || !hasField(schema, member, ctx.version)) {
      const since = schema.since?.[member];
      const hint = since ? ` (it exists from Default/${since} on)` : '';
      throw new WireValueError(
        `'${member}' is not a field of ${schema.name} in the Default/${ctx.version} endpoint${hint}.`,
      );
    }
    node.values[member] = parseWireValue(`${where}/${member}`, type, value);
    sent.fields.add(member);
  }
  return sent;
}

function mergeLines(
  schema: NodeSchema,
  parent: StoredNode,
  name: string,
  value: unknown,
  ctx: MergeContext,
  where: string,
): Map<string, SentTree> {
  if (!Array.isArray(value)) throw new WireValueError(`'${name}' must be an array of line objects.`);
  const lines = ((parent.collections ??= {})[name] ??= []);
  const sent = new Map<string, SentTree>();
  for (const raw of value) {
    if (!isObject(raw)) throw new WireValueError(`Each entry of ${name} must be an object.`);
    let line: StoredNode | undefined;
    if (typeof raw.id === 'string' && raw.id) {
      line = lines.find((l) => l.id === raw.id);
      if (!line) {
        ctx.errors.entity.push(
          `${name}: no line with id ${raw.id} exists on this ${parent.values.Type ? String(parent.values.Type) : 'record'}.`,
        );
        continue;
      }
      if (raw.delete === true) {
        lines.splice(lines.indexOf(line), 1);
        continue;
      }
    } else {
      line = { id: ctx.newGuid(), values: {} };
      lines.push(line);
    }
    sent.set(line.id, mergeBody(schema, line, raw, ctx, where));
  }
  return sent;
}

/** `"custom": {"Document": {"UsrField": {"type": "CustomStringField", "value": …}}}`. */
function mergeCustom(
  schema: NodeSchema,
  node: StoredNode,
  value: unknown,
  sent: SentTree,
  where: string,
): void {
  if (!isObject(value)) throw new WireValueError(`'custom' must be an object of views.`);
  for (const [view, fields] of Object.entries(value)) {
    if (!isObject(fields)) throw new WireValueError(`'custom.${view}' must be an object of fields.`);
    for (const [field, wrapped] of Object.entries(fields)) {
      const spec = schema.views?.[view]?.[field];
      if (!spec) {
        throw new WireValueError(
          `'${view}.${field}' is not a field of ${schema.name}'s screen known to this sandbox (declare customisation fields in the customFields config).`,
        );
      }
      if (!isObject(wrapped) || !('value' in wrapped))
        throw new WireValueError(
          `custom field '${view}.${field}' must be an object {"type": …, "value": …}.`,
        );
      if (wrapped.type !== undefined && wrapped.type !== spec.type) {
        throw new WireValueError(
          `custom field '${view}.${field}' is a ${spec.type}, not a ${String(wrapped.type)}.`,
        );
      }
      const parsed = parseScalar(
        `${where}/custom/${view}.${field}`,
        CUSTOM_FIELD_TYPES[spec.type],
        wrapped.value,
      );
      if (spec.alias) {
        node.values[spec.alias] = parsed;
        sent.fields.add(spec.alias);
      } else {
        ((node.custom ??= {})[view] ??= {})[field] = parsed;
      }
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
