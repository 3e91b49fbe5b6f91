import type { LineSpec, ObjectSchema } from './objects';
import { checkSchemaValue, checkValue } from './values';
import { asArray, asObject, textOf, type XmlNode, type XmlObject } from './xml';

/**
 * Reading the body of a generic `<create>` / `<update>` object (fact sheet 2.6–2.8): plain
 * fields, nested blocks flattened to BLOCK.FIELD, custom fields by name, and the lines block.
 * Every problem is reported (not only the first), as Intacct chains its errors.
 */
export type Problem = (message: string) => void;

/**
 * The object's fields from `input`, checked against the schema: unknown, computed (read-only)
 * and malformed values are problems. `skip` names elements handled by the caller (the lines
 * block, ACTION, the key of an update).
 */
export function readFields(schema: ObjectSchema, input: XmlObject, skip: ReadonlySet<string>, problem: Problem): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (prefix: string, node: XmlObject): void => {
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('@_') || key === '#text') continue;
      const name = prefix + key;
      if (!prefix && skip.has(key)) continue;
      if (Array.isArray(value)) {
        problem(`${schema.name} ${name} is given more than once.`);
        continue;
      }
      const nested = asObject(value);
      const isBlock = prefix ? nested !== undefined && textOf(value) === undefined : schema.nestedBlocks.includes(key);
      if (isBlock) {
        visit(`${name}.`, nested ?? {});
        continue;
      }
      const text = textOf(value);
      if (!schema.fields[name]) problem(`${schema.name} has no field ${name}${schema.customFields.length > 0 ? ` (custom fields of this company: ${schema.customFields.join(', ')})` : ''}.`);
      else if (schema.readOnly.includes(name)) problem(`${name} is computed by Intacct and cannot be set.`);
      else if (text === undefined) problem(`${schema.name} ${name} must be a simple value, not a nested block.`);
      else {
        const checked = checkSchemaValue(schema, name, text);
        if (!checked.ok) problem(checked.error);
        else out[name] = checked.value;
      }
    }
  };
  visit('', input);
  return out;
}

/** The items of a lines block (`<APBILLITEMS><APBILLITEM>…`), each checked against the line fields. */
export function readLines(spec: LineSpec, node: XmlNode | undefined, problem: Problem): Record<string, string>[] {
  const container = asObject(node);
  if (node !== undefined && !container && textOf(node) !== '') {
    problem(`${spec.container} must contain ${spec.item} elements.`);
    return [];
  }
  for (const key of Object.keys(container ?? {})) {
    if (key !== spec.item && !key.startsWith('@_')) problem(`${spec.container} holds ${spec.item} elements, not ${key}.`);
  }
  return asArray(container?.[spec.item]).map((item, i) => {
    const line: Record<string, string> = {};
    for (const [key, value] of Object.entries(asObject(item) ?? {})) {
      if (key.startsWith('@_') || key === '#text') continue;
      const type = spec.fields[key];
      const text = textOf(value);
      if (!type) problem(`${spec.item} ${i + 1}: there is no field ${key}.`);
      else if (text === undefined || Array.isArray(value)) problem(`${spec.item} ${i + 1}: ${key} must be a single simple value.`);
      else {
        const checked = checkValue(key, type, text);
        if (!checked.ok) problem(`${spec.item} ${i + 1}: ${checked.error}`);
        else if (checked.value !== '') line[key] = checked.value;
      }
    }
    return line;
  });
}
