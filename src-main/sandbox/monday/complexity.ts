import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  getOperationAST,
  getVariableValues,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type DocumentNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

/**
 * monday.com does not publish its cost formula, only that cost grows with the *potential*
 * size of what is asked (§4.6: limits per query and per minute). This model follows that:
 * every scalar costs `scalarCost`, every object `objectCost` plus its children, and a list
 * multiplies by its potential length (its `limit`, the number of `ids`, the page size of the
 * enclosing items_page, or `defaultListSize`). Each root mutation adds `mutationCost`
 * (≈ 10,000 per create_item as integrators report). All numbers are config so tests and the
 * connector's budgeter can be tuned without code changes.
 */
export interface ComplexityModel {
  scalarCost: number;
  objectCost: number;
  defaultListSize: number;
  mutationCost: number;
}

export const DEFAULT_COMPLEXITY_MODEL: ComplexityModel = {
  scalarCost: 1,
  objectCost: 10,
  defaultListSize: 10,
  mutationCost: 10_000,
};

/** Cost of the operation that would run; 0 when variables do not coerce (execution reports that). */
export function queryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown> | undefined,
  model: ComplexityModel,
): number {
  const operation = getOperationAST(document, operationName);
  if (!operation) return 0;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (coerced.errors) return 0;
  const vars = coerced.coerced;
  const rootType = operation.operation === 'mutation' ? schema.getMutationType() : schema.getQueryType();
  if (!rootType) return 0;
  const fragments = new Map(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
  );

  const selectionCost = (parent: GraphQLCompositeType, set: SelectionSetNode, pageSize: number | undefined, isRoot: boolean): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const typeName = selection.typeCondition?.name.value;
        const type = typeName ? schema.getType(typeName) : parent;
        if (type && isCompositeType(type)) total += selectionCost(type, selection.selectionSet, pageSize, isRoot);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        const type = fragment ? schema.getType(fragment.typeCondition.name.value) : undefined;
        if (fragment && type && isCompositeType(type)) total += selectionCost(type, fragment.selectionSet, pageSize, isRoot);
        continue;
      }
      const name = selection.name.value;
      // The budget probe and introspection of __typename are free.
      if (name === 'complexity' || name.startsWith('__')) continue;
      if (!isObjectType(parent) && !isInterfaceType(parent)) continue;
      const field = parent.getFields()[name];
      if (!field) continue;
      let args: Record<string, unknown> = {};
      try {
        args = getArgumentValues(field, selection, vars);
      } catch {
        // Invalid arguments: execution reports them; the cost stays the default.
      }
      const limit = typeof args.limit === 'number' ? args.limit : undefined;
      const ids = Array.isArray(args.ids) ? args.ids.length : undefined;
      const named = getNamedType(field.type);
      let cost = model.scalarCost;
      if (selection.selectionSet && isCompositeType(named)) {
        // A non-list field with a `limit` (items_page and friends) sizes the list inside it.
        const innerPage = !isListType(getNullableType(field.type)) && limit !== undefined ? limit : undefined;
        cost = model.objectCost + selectionCost(named, selection.selectionSet, innerPage, false);
      }
      if (isListType(getNullableType(field.type))) {
        const size = pageSize ?? (ids !== undefined && limit !== undefined ? Math.min(ids, limit) : (ids ?? limit ?? model.defaultListSize));
        cost *= Math.max(1, size);
      }
      if (isRoot && operation.operation === 'mutation') cost += model.mutationCost;
      total += cost;
    }
    return total;
  };

  return selectionCost(rootType, operation.selectionSet, undefined, true);
}

/** What `complexity { before after query reset_in_x_seconds }` reports for one request. */
export interface ComplexityReport {
  before: number;
  after: number;
  query: number;
  reset_in_x_seconds: number;
}

/**
 * Per-token minute budget (§4.6): the window opens with the first call and the full budget
 * comes back 60 s later. Kept in memory: a restarted simulator starts a fresh minute, which
 * is what a client sees after any pause of a minute anyway.
 */
export class ComplexityBudget {
  private readonly windows = new Map<string, { startedAt: number; used: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
    private readonly windowMs = 60_000,
  ) {}

  private window(token: string): { startedAt: number; used: number } {
    const now = this.now();
    let w = this.windows.get(token);
    if (!w || now - w.startedAt >= this.windowMs) {
      w = { startedAt: now, used: 0 };
      this.windows.set(token, w);
    }
    return w;
  }

  /** Remaining points and whole seconds until the window resets. */
  peek(token: string): { remaining: number; resetInSeconds: number } {
    const w = this.window(token);
    return {
      remaining: this.perMinute - w.used,
      resetInSeconds: Math.max(1, Math.ceil((w.startedAt + this.windowMs - this.now()) / 1000)),
    };
  }

  /** Charges `cost` when it fits; otherwise returns null and charges nothing. */
  charge(token: string, cost: number): ComplexityReport | null {
    const { remaining, resetInSeconds } = this.peek(token);
    if (cost > remaining) return null;
    this.window(token).used += cost;
    return { before: remaining, after: remaining - cost, query: cost, reset_in_x_seconds: resetInSeconds };
  }

  get limit(): number {
    return this.perMinute;
  }
}
