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
 * monday's documented cost rules (monday staff post "Complexity Field Weights" on the
 * developer community; rate-limits doc "Calculating complexity"; fact sheet §4.6):
 * every scalar field costs `scalarCost` (1), every object `objectCost` (10) plus its children,
 * and a list multiplies by its *potential* length: the number of `ids` when ids are given
 * ("IDs are considered before the limit argument": 4 ids with limit 3 cost 4), otherwise its
 * `limit` (SDL defaults included, e.g. boards 25), otherwise the page size of the enclosing
 * items_page, otherwise `defaultListSize` (monday publishes no figure for unbounded lists such as
 * columns or column_values). A root mutation costs `mutationCost` (30,000) plus what it selects:
 * the changelog's budget error for `create_item(...) { id }` reads "query cost 30001".
 * All numbers are config so the connector's budgeter can be tested against other weights.
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
  mutationCost: 30_000,
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
      const rootMutation = isRoot && operation.operation === 'mutation';
      let cost = rootMutation ? model.mutationCost : model.scalarCost;
      if (selection.selectionSet && isCompositeType(named)) {
        // A non-list field with a `limit` (items_page and friends) sizes the list inside it.
        const innerPage = !isListType(getNullableType(field.type)) && limit !== undefined ? limit : undefined;
        cost = (rootMutation ? model.mutationCost : model.objectCost) + selectionCost(named, selection.selectionSet, innerPage, false);
      }
      if (isListType(getNullableType(field.type))) cost *= Math.max(1, pageSize ?? ids ?? limit ?? model.defaultListSize);
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

/** One per-minute budget: whose it is and how many points it holds (fact sheet §4.6). */
export interface BudgetBucket {
  key: string;
  limit: number;
}

/**
 * Per-minute complexity budgets (fact sheet §4.6; rate-limits doc: "Per-minute budgets follow a
 * sliding window and reset 60 seconds after the first API call was made"; "limits are measured
 * per account, per app. Usage through a personal token counts toward the same limit"). The
 * caller picks the bucket: one per account for personal tokens, one per app and account for
 * reads and one for writes for app tokens. Kept in memory: a restarted simulator starts a fresh
 * minute, which is what a client sees after any pause of a minute anyway.
 */
export class ComplexityBudget {
  private readonly windows = new Map<string, { startedAt: number; used: number }>();
  /** Every window that was charged, oldest first (for `/_sandbox/state`: how much of each minute was used). */
  private readonly history: { key: string; limit: number; window: { startedAt: number; used: number } }[] = [];

  constructor(
    private readonly now: () => number,
    private readonly windowMs = 60_000,
  ) {}

  private window(key: string): { startedAt: number; used: number } {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || now - w.startedAt >= this.windowMs) {
      w = { startedAt: now, used: 0 };
      this.windows.set(key, w);
    }
    return w;
  }

  /** Points charged per window and bucket, oldest first. */
  usage(): { key: string; limit: number; startedAt: number; used: number }[] {
    return this.history.map((h) => ({ key: h.key, limit: h.limit, startedAt: h.window.startedAt, used: h.window.used }));
  }

  /** Remaining points and whole seconds until the window resets. */
  peek(bucket: BudgetBucket): { remaining: number; resetInSeconds: number } {
    const w = this.window(bucket.key);
    return {
      remaining: Math.max(0, bucket.limit - w.used),
      resetInSeconds: Math.max(1, Math.ceil((w.startedAt + this.windowMs - this.now()) / 1000)),
    };
  }

  /** Charges `cost` when it fits; otherwise returns null and charges nothing. */
  charge(bucket: BudgetBucket, cost: number): ComplexityReport | null {
    const { remaining, resetInSeconds } = this.peek(bucket);
    if (cost > remaining) return null;
    const window = this.window(bucket.key);
    if (!this.history.some((h) => h.window === window)) this.history.push({ key: bucket.key, limit: bucket.limit, window });
    window.used += cost;
    return { before: remaining, after: remaining - cost, query: cost, reset_in_x_seconds: resetInSeconds };
  }
}
