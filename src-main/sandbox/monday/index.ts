import { execute, getOperationAST, GraphQLError, parse, validate, type DocumentNode } from 'graphql';
import { createRng } from '../_common/rng';
import type { SimRequest, SimResponse } from '../_common/sim-server';
import { launchSimulator, type RunningSimulator, type SimulatorContext, type SimulatorStartOptions } from '../_common/simulator';
import { BoardData } from './boards';
import { defaultSettings, type ColumnType, type StoredColumn } from './column-values';
import { ComplexityBudget, DEFAULT_COMPLEXITY_MODEL, queryCost, type ComplexityModel } from './complexity';
import { errorEntry, MondayError } from './errors';
import { IdempotencyCache } from './idempotency';
import { createRootValue, type RequestContext } from './resolvers';
import { buildMondaySchema } from './schema';
import { DEFAULT_API_VERSIONS, resolveVersion, versionAtLeast, type ApiVersion, type VersionPolicy } from './versions';

/**
 * monday.com platform API (GraphQL v2) simulator, built from fact sheet §4:
 * POST /v2 with `Authorization: <token>` and `API-Version`, a real GraphQL schema executed by
 * graphql-js, complexity per query and per minute, cursor paging with expiry, and monday's
 * error envelopes (application errors inside HTTP 200).
 *
 * config (all optional; defaults = the documented values):
 *   apiVersions              [{value, kind}]   live versions (default: 2027-01 RC, 2026-10 current, …)
 *   unknownVersion           'current'|'error' (default 'current', third-party report)
 *   deprecatedVersion        'maintenance'|'as-is' (default 'maintenance', third-party report)
 *   complexityMaxPerQuery    5,000,000
 *   complexityBudgetPerMinute 10,000,000 (personal token, paid plan)
 *   complexityModel          {scalarCost, objectCost, defaultListSize, mutationCost}
 *   complexityErrorStatus    HTTP status of the budget-exhausted error (default 200; see §4.7/§4.8)
 *   requestsPerMinute        5,000 (Enterprise; Pro 2,500, others 1,000)
 *   cursorTtlMinutes         60
 *   maxPageSize              500
 *   rateLimitFault           'minute-rate' (HTTP 429) | 'complexity' (budget error): what the 429 fault sends
 *   idempotencyKeys          true: honour Idempotency-Key on mutations (version availability unconfirmed)
 *   idempotencyTtlMinutes    30
 */
export async function startMondaySimulator(opts: SimulatorStartOptions): Promise<RunningSimulator> {
  return launchSimulator('monday', createMondaySystem, opts);
}

/** The three boards the F4 flow fills (empty: the app creates the items). */
const WORLD_BOARDS: { name: string; party: string; dateTitle: string; statusLabels: Record<string, string> }[] = [
  { name: 'Purchase orders', party: 'Supplier', dateTitle: 'Order date', statusLabels: { '0': 'Open', '1': 'Partial', '2': 'Complete', '3': 'Canceled' } },
  { name: 'Sales invoices', party: 'Customer', dateTitle: 'Invoice date', statusLabels: { '0': 'Draft', '1': 'Open', '2': 'Processed' } },
  { name: 'Sales orders', party: 'Customer', dateTitle: 'Order date', statusLabels: { '0': 'Open', '1': 'Partial', '2': 'Complete', '3': 'Canceled' } },
];

function worldColumns(board: (typeof WORLD_BOARDS)[number]): StoredColumn[] {
  const col = (id: string, title: string, type: ColumnType, defaults?: unknown): StoredColumn => ({
    id,
    title,
    type,
    settings_str: defaultSettings(type, defaults),
    description: null,
  });
  return [
    col('exact_key', 'Exact number', 'text'),
    col('party', board.party, 'text'),
    col('amount', 'Amount', 'numbers'),
    col('doc_date', board.dateTitle, 'date'),
    col('status', 'Status', 'status', { labels: board.statusLabels }),
    col('gl_account', 'GL account', 'text'),
    col('cost_center', 'Cost center', 'text'),
    col('project', 'Project', 'text'),
  ];
}

function num(config: Record<string, unknown>, key: string, fallback: number): number {
  const value = config[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new Error(`monday sandbox config.${key} must be a number >= 0, got ${String(value)}`);
  return value;
}

function oneOf<T extends string>(config: Record<string, unknown>, key: string, allowed: readonly T[], fallback: T): T {
  const value = config[key];
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new Error(`monday sandbox config.${key} must be one of ${allowed.join(', ')}, got ${String(value)}`);
  return value as T;
}

function createMondaySystem(ctx: SimulatorContext) {
  const { store, clock, config } = ctx;
  const nowIso = (): string => new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const policy: VersionPolicy = {
    versions: (config.apiVersions as ApiVersion[] | undefined) ?? DEFAULT_API_VERSIONS,
    unknownVersion: oneOf(config, 'unknownVersion', ['current', 'error'], 'current'),
    deprecatedVersion: oneOf(config, 'deprecatedVersion', ['maintenance', 'as-is'], 'maintenance'),
  };
  const maxPerQuery = num(config, 'complexityMaxPerQuery', 5_000_000);
  const model: ComplexityModel = { ...DEFAULT_COMPLEXITY_MODEL, ...(config.complexityModel as Partial<ComplexityModel> | undefined) };
  const budget = new ComplexityBudget(num(config, 'complexityBudgetPerMinute', 10_000_000), () => clock.now());
  const complexityErrorStatus = num(config, 'complexityErrorStatus', 200);
  const requestsPerMinute = num(config, 'requestsPerMinute', 5_000);
  const rateLimitFault = oneOf(config, 'rateLimitFault', ['minute-rate', 'complexity'], 'minute-rate');
  const minuteWindows = new Map<string, { startedAt: number; count: number }>();
  const idempotencyEnabled = config.idempotencyKeys === undefined ? true : config.idempotencyKeys === true;
  const idempotency = new IdempotencyCache(store, () => clock.now(), num(config, 'idempotencyTtlMinutes', 30) * 60_000);

  const schema = buildMondaySchema();
  const data = new BoardData(store, nowIso);
  const rootValue = createRootValue(data, {
    maxPageSize: num(config, 'maxPageSize', 500),
    cursorTtlMs: num(config, 'cursorTtlMinutes', 60) * 60_000,
    now: () => clock.now(),
  });

  if (ctx.freshStore) {
    const rng = createRng(ctx.seed ^ 0x6d6f6e);
    store.setMeta('apiToken', `sandbox-monday-${ctx.seed}-${Math.floor(rng.next() * 2 ** 48).toString(36)}`);
    store.setMeta('accountId', 20_000_000 + (ctx.seed % 1_000_000));
    for (const board of WORLD_BOARDS) {
      data.createBoard(board.name, 'public', `${ctx.world.companyName}: ${board.name.toLowerCase()} synced from Exact Online`, null, worldColumns(board), [
        { id: 'topics', title: board.name, color: '#579bfc', position: '65536' },
      ]);
    }
  }
  const apiToken = store.getMeta<string>('apiToken') ?? '';
  const accountId = store.getMeta<number>('accountId') ?? 0;

  const json = (status: number, body: unknown, headers: Record<string, string> = {}): SimResponse => ({
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...rateLimitHeaders(), ...headers },
    body,
  });

  /** §4.6: IETF-style headers on every response. */
  function rateLimitHeaders(token = apiToken): Record<string, string> {
    const w = minuteWindows.get(token);
    const remaining = Math.max(0, requestsPerMinute - (w?.count ?? 0));
    const reset = w ? Math.max(0, Math.ceil((w.startedAt + 60_000 - clock.now()) / 1000)) : 60;
    return {
      'RateLimit-Policy': `"minuteRate";q=${requestsPerMinute};w=60, "complexityMinute";q=${budget.limit};w=60;qu="complexity"`,
      RateLimit: `"minuteRate";r=${remaining};t=${reset}`,
    };
  }

  function minuteRateLimited(retryInSeconds: number): SimResponse {
    return json(
      429,
      { errors: [errorEntry('Minute limit rate exceeded', { code: 'RATE_LIMIT_EXCEEDED', status_code: 429, retry_in_seconds: retryInSeconds })], account_id: accountId },
      { 'Retry-After': String(retryInSeconds) },
    );
  }

  /** §4.7: the budget-exhausted error in the shape of the API version the request is served with. */
  function complexityExhausted(version: ApiVersion, cost: number, remaining: number, resetIn: number): SimResponse {
    const headers = { 'Retry-After': String(resetIn) };
    if (versionAtLeast(version, '2025-07'))
      return json(
        complexityErrorStatus,
        { errors: [errorEntry('Complexity budget exhausted', { code: 'COMPLEXITY_BUDGET_EXHAUSTED', retry_in_seconds: resetIn })], account_id: accountId },
        headers,
      );
    if (versionAtLeast(version, '2025-01'))
      return json(
        complexityErrorStatus,
        {
          errors: [
            errorEntry('Complexity budget exhausted', {
              code: 'COMPLEXITY_BUDGET_EXHAUSTED',
              retry_in_seconds: resetIn,
              complexity: cost,
              complexity_budget_left: remaining,
              complexity_budget_limit: budget.limit,
              status_code: 429,
            }),
          ],
          account_id: accountId,
        },
        headers,
      );
    const message = `Complexity budget exhausted, query cost ${cost} budget remaining ${remaining} out of ${budget.limit} reset in ${resetIn} seconds`;
    return json(complexityErrorStatus, { error_code: 'ComplexityException', status_code: 429, error_message: message, error_data: {}, errors: [message], account_id: accountId }, headers);
  }

  function graphqlErrors(errors: readonly GraphQLError[] | readonly Record<string, unknown>[], status = 200): SimResponse {
    return json(status, { errors: errors.map((e) => (e instanceof GraphQLError ? e.toJSON() : e)), account_id: accountId });
  }

  function tokenOf(req: SimRequest): string | null {
    const header = req.headers.authorization;
    if (typeof header !== 'string' || header.trim() === '') return null;
    // The official client sends the raw token; "Bearer <token>" is accepted too (§4.1).
    return header.trim().replace(/^Bearer\s+/i, '');
  }

  async function handle(req: SimRequest): Promise<SimResponse> {
    if (req.path !== '/v2')
      return graphqlErrors([errorEntry(`No route ${req.method} ${req.path}; the API lives at POST /v2`, { code: 'ResourceNotFoundException', status_code: 404 })], 404);
    if (req.method !== 'POST') return graphqlErrors([errorEntry('Send queries with POST /v2', { code: 'BadRequest', status_code: 405 })], 405);

    const token = tokenOf(req);
    if (token === null || token !== apiToken)
      return graphqlErrors(
        [errorEntry(token === null ? 'Unauthorized: no Authorization header' : 'Unauthorized: the token is not valid', { code: 'Unauthorized', status_code: 401 })],
        401,
      );

    let version: ApiVersion;
    try {
      const header = req.headers['api-version'];
      version = resolveVersion(Array.isArray(header) ? header[0] : header, policy);
    } catch (err) {
      if (err instanceof MondayError) return graphqlErrors([errorEntry(err.message, err.extensions)]);
      throw err;
    }

    // §4.6 minute request limit per token (window opens with the first call).
    const now = clock.now();
    let window = minuteWindows.get(token);
    if (!window || now - window.startedAt >= 60_000) minuteWindows.set(token, (window = { startedAt: now, count: 0 }));
    if (window.count >= requestsPerMinute) return minuteRateLimited(Math.max(1, Math.ceil((window.startedAt + 60_000 - now) / 1000)));
    window.count += 1;

    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = req.json() as typeof body;
    } catch (err) {
      return graphqlErrors([errorEntry((err as Error).message, { code: 'JsonParseException', status_code: 400 })], 400);
    }
    if (typeof body !== 'object' || body === null || typeof body.query !== 'string' || body.query.trim() === '')
      return graphqlErrors([errorEntry('The body needs a "query" string', { code: 'BadRequest', status_code: 400 })], 400);
    const variables = body.variables === undefined || body.variables === null ? {} : body.variables;
    if (typeof variables !== 'object' || Array.isArray(variables))
      return graphqlErrors([errorEntry('"variables" must be a JSON object', { code: 'BadRequest', status_code: 400 })], 400);
    const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;

    let document: DocumentNode;
    try {
      document = parse(body.query);
    } catch (err) {
      const e = err as GraphQLError;
      return graphqlErrors([errorEntry(`Parse error on ${e.message}`, { code: 'PARSE_ERROR' })]);
    }
    const validationErrors = validate(schema, document);
    if (validationErrors.length > 0)
      return graphqlErrors(validationErrors.map((e) => ({ ...e.toJSON(), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })));

    const keyHeader = req.headers['idempotency-key'];
    const isMutation = getOperationAST(document, operationName)?.operation === 'mutation';
    const idempotencyId =
      idempotencyEnabled && isMutation && typeof keyHeader === 'string' && keyHeader.trim() !== '' ? idempotency.id(token, keyHeader.trim()) : null;
    if (idempotencyId) {
      const cached = idempotency.lookup(idempotencyId);
      if (cached === 'in-flight')
        return json(409, { errors: [errorEntry('A request with this Idempotency-Key is still being processed', { code: 'IDEMPOTENCY_CONFLICT', status_code: 409, retry_in_seconds: 1 })], account_id: accountId }, { 'Retry-After': '1' });
      if (cached) return json(cached.status, cached.body, { 'Idempotency-Replayed': 'true' });
    }

    const cost = queryCost(schema, document, operationName, variables as Record<string, unknown>, model);
    if (cost > maxPerQuery)
      return graphqlErrors([
        errorEntry(`Query has complexity of ${cost}, which exceeds max complexity of ${maxPerQuery}`, {
          code: 'maxComplexityExceeded',
          complexity: cost,
          max_complexity: maxPerQuery,
        }),
      ]);
    const report = budget.charge(token, cost);
    if (!report) {
      const { remaining, resetInSeconds } = budget.peek(token);
      return complexityExhausted(version, cost, remaining, resetInSeconds);
    }

    const contextValue: RequestContext = { complexity: report, version, versions: policy.versions };
    const run = async (): Promise<{ status: number; body: unknown }> => {
      const result = await execute({ schema, document, rootValue, contextValue, variableValues: variables as Record<string, unknown>, operationName });
      return {
        status: 200,
        body: { data: result.data ?? null, ...(result.errors?.length ? { errors: result.errors.map((e) => e.toJSON()) } : {}), account_id: accountId },
      };
    };
    const answer = idempotencyId ? await idempotency.run(idempotencyId, run) : await run();
    return json(answer.status, answer.body);
  }

  return {
    name: 'monday',
    handle,
    rateLimitedResponse: (): SimResponse =>
      rateLimitFault === 'complexity' ? complexityExhausted(resolveVersion(undefined, policy), 0, 0, 1) : minuteRateLimited(1),
    serverErrorResponse: (status: 500 | 502 | 503): SimResponse =>
      json(status, { errors: [errorEntry('Internal server error', { code: 'INTERNAL_SERVER_ERROR', status_code: status })], account_id: accountId }),
    // Personal API tokens do not expire (§4.1); there is nothing to invalidate.
    expireTokens: (): void => {},
    inspect: (): Record<string, unknown[]> => ({
      boards: data.boards.all().map((b) => ({ ...b, items_count: data.boardItemIds(b.id).length })),
      items: data.items.all().map((i) => data.itemAsApi(i)),
    }),
    credentials: (): Record<string, string | number> => ({ apiToken }),
  };
}
