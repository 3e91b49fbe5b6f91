import { FilterError } from './odata-filter';
import { emptyShape, hasField, subSchema, type NodeSchema, type Shape } from './schema';

/**
 * `$select`, `$expand` and `$custom` (fact sheet 1.6, "$custom Parameter" of the integration
 * guide) → the Shape a response is rendered with. Contract v4: collections and linked
 * entities come back only when listed in `$expand` (`Details`, `MainContact/Address`); a
 * `$select` or `$custom` path into a sub-entity that is not expanded returns nothing for it.
 */
export function parseShape(
  schema: NodeSchema,
  version: string,
  select: string | null,
  expand: string | null,
  custom: string | null = null,
): Shape {
  const shape = emptyShape();
  for (const path of list(expand)) expandPath(schema, shape, path.split('/'), path);
  for (const path of list(select)) selectPath(schema, version, shape, path.split('/'), path);
  for (const path of list(custom)) customPath(schema, shape, path);
  return shape;
}

function list(text: string | null): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The sub-entity `name` of `schema`, or a 400 that says why it cannot be expanded. */
function requireSub(schema: NodeSchema, name: string, context: string): NodeSchema {
  const sub = subSchema(schema, name);
  if (sub) return sub.schema;
  if (schema.unmodelled?.includes(name)) {
    throw new FilterError(
      `${context}: '${name}' of ${schema.name} is part of the contract but not modelled by this sandbox.`,
    );
  }
  throw new FilterError(`${context}: '${name}' is not a detail or linked entity of ${schema.name}.`);
}

function expandPath(schema: NodeSchema, shape: Shape, parts: string[], path: string): void {
  const [head, ...rest] = parts;
  if (!head) throw new FilterError(`$expand: '${path}' is not a valid path.`);
  const sub = requireSub(schema, head, '$expand');
  let subShape = shape.sub.get(head);
  if (!subShape) shape.sub.set(head, (subShape = emptyShape()));
  if (rest.length) expandPath(sub, subShape, rest, path);
}

function selectPath(
  schema: NodeSchema,
  version: string,
  shape: Shape | undefined,
  parts: string[],
  path: string,
): void {
  const [head, ...rest] = parts;
  if (!head) throw new FilterError(`$select: '${path}' is not a valid path.`);
  if (rest.length === 0) {
    if (!hasField(schema, head, version))
      throw new FilterError(`$select: '${path}' is not a field of ${schema.name} in Default/${version}.`);
    if (shape) (shape.fields ??= new Set()).add(head);
    return;
  }
  const sub = requireSub(schema, head, '$select');
  selectPath(sub, version, shape?.sub.get(head), rest, path);
}

function customPath(schema: NodeSchema, shape: Shape, path: string): void {
  const slash = path.lastIndexOf('/');
  let node = schema;
  let target: Shape | undefined = shape;
  if (slash >= 0) {
    for (const name of path.slice(0, slash).split('/')) {
      node = requireSub(node, name, '$custom');
      target = target?.sub.get(name);
    }
  }
  const [view, field, extra] = path.slice(slash + 1).split('.');
  if (!view || !field || extra !== undefined)
    throw new FilterError(`$custom: '${path}' is not of the form [Entity/]View.Field.`);
  if (!node.views?.[view]?.[field]) {
    throw new FilterError(
      `$custom: '${view}.${field}' is not a field of ${node.name}'s screen known to this sandbox (declare customisation fields in the customFields config).`,
    );
  }
  if (!target) return;
  let fields = target.custom.get(view);
  if (!fields) target.custom.set(view, (fields = new Set()));
  fields.add(field);
}
