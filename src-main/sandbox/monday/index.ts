import { GraphQLError, execute, getOperationAST, parse, type DocumentNode } from 'graphql';
import { createRng } from '../_common/rng';
import type { SimRequest, SimResponse } from '../_common/sim-server';
import { launchSimulator, type RunningSimulator, type SimulatorContext, type SimulatorStartOptions } from '../_common/simulator';
import type { World, WorldMondayBoard } from '../seed/world-types';
import { BoardData, type StoredBoard } from './boards';
import { defaultSettings, type ColumnType, type StoredColumn } from './column-values';
import { ComplexityBudget, DEFAULT_COMPLEXITY_MODEL, queryCost, type BudgetBucket, type ComplexityModel } from './complexity';
import { parseErrorEntry, validationErrors, variableErrors } from './document-errors';
import { errorEntry, MondayError } from './errors';
import { IdempotencyCache } from './idempotency';
import { MondayOAuth } from './oauth';
import { createRootValue, type RequestContext } from './resolvers';
import { buildMondaySchema } from './schema';
import { DEFAULT_API_VERSIONS, resolveVersion, versionAtLeast, type ApiVersion, type VersionPolicy } from './versions';

/**
 * monday.com platform API (GraphQL v2) simulator, built from fact sheet §4 and the vendor SDL:
 * POST /v2 with `Authorization: <token>` and `API-Version`, a real GraphQL schema executed by
 * graphql-js (errors worded as monday's graphql-ruby words them), complexity per query and per
 * minute per account or app, cursor paging with expiry, and monday's error envelopes
 * (application errors inside HTTP 200; rate limits as HTTP 429).
 *
 * The account has three tokens (credentials): `apiToken` and `secondUserApiToken`, personal
 * tokens of two users (they share the account's combined budget), and `appApiToken`, an app's
 * token (its own read and write budgets).
 *
 * config (all optional; defaults = the documented values):
 *   apiVersions              [{value, kind}]   live versions (default: 2027-01 RC, 2026-10 current, …)
 *   unknownVersion           'current'|'error' (default 'current', third-party report)
 *   deprecatedVersion        'maintenance'|'as-is' (default 'maintenance', third-party report)
 *   complexityMaxPerQuery    5,000,000
 *   complexityBudgetPerMinute 10,000,000: personal tokens, reads and writes combined, per account (paid plan)
 *   appComplexityBudgetPerMinute 5,000,000: app tokens, reads and writes each, per app and account
 *   complexityModel          {scalarCost, objectCost, defaultListSize, mutationCost}
 *   requestsPerMinute        5,000 (Enterprise; Pro 2,500, others 1,000), per account / app
 *   concurrencyLimit         250 (Enterprise): reported in the RateLimit headers
 *   cursorTtlMinutes         60
 *   maxPageSize              500
 *   rateLimitFault           'minute-rate' (HTTP 429) | 'complexity' (budget error): what the 429 fault sends
 *   idempotencyKeys          true: honour Idempotency-Key on mutations (version availability unconfirmed)
 *   idempotencyTtlMinutes    30
 *   oauthRedirectUris        [] : redirect URLs registered for the OAuth app (./oauth.ts; none = OAuth refused)
 *   oauthAccessTokenTtlSeconds 3600 (unconfirmed), oauthCodeTtlSeconds 600 (unconfirmed)
 */
export async function startMondaySimulator(opts: SimulatorStartOptions): Promise<RunningSimulator> {
  return launchSimulator('monday', createMondaySystem, opts);
}

/**
 * The columns of a world board (sandbox/seed/world.ts `mondayBoards`): those the finance team
 * maps Exact fields to, and columns the connector can read but never write (issue: "the demo
 * boards must include columns the connector cannot write"): a formula, a connect-boards column
 * with a mirror of it, a files column and the subitems column. Mirror and connect-boards
 * settings need board ids; seedBoards fills them in.
 */
function worldColumns(board: WorldMondayBoard): StoredColumn[] {
  const col = (id: string, title: string, type: ColumnType, settings: Record<string, unknown> = {}): StoredColumn => ({
    id,
    title,
    type,
    settings_str: defaultSettings(type, settings),
    description: null,
  });
  return [
    col('subitems', 'Subitems', 'subtasks', { allowMultipleItems: true, itemTypeName: 'column.subtasks.title', displayType: 'BOARD_INLINE', boardIds: [] }),
    ...board.columns.map((c) => col(c.id, c.title, c.type, c.type === 'status' ? { labels: board.statusLabels, done_colors: [board.doneIndex] } : {})),
    col('amount_vat', 'Amount incl. 21% VAT', 'formula', { formula: 'ROUND({amount} * 1.21, 2)' }),
    col('related', 'Related documents', 'board_relation'),
    col('related_party', 'Related party', 'mirror'),
    col('files', 'Files', 'file'),
  ];
}

function seedBoards(data: BoardData, world: World): void {
  const boards: StoredBoard[] = world.mondayBoards.map((board) => {
    const made = data.createBoard(board.name, 'public', `${world.companyName}: ${board.name.toLowerCase()} synced from Exact Online`, null, worldColumns(board), [
      { id: board.groupId, title: board.groupTitle, color: '#579bfc', position: '65536' },
    ]);
    // The app's sandbox mappings name the board by the id the world gives it.
    if (made.id !== board.mondayBoardId) throw new Error(`monday sandbox: board "${board.name}" got id ${made.id}, but the world says ${board.mondayBoardId} (seed a fresh store)`);
    return made;
  });
  const boardIds = boards.map((b) => Number(b.id));
  for (const board of boards) {
    // "Related documents" connects to any of the three boards; the mirror shows the party of what it links.
    data.setColumnSettings(board.id, 'related', { allowCreateReflectionColumn: false, boardIds });
    data.setColumnSettings(board.id, 'related_party', {
      relation_column: { related: true },
      displayed_linked_columns: Object.fromEntries(boards.map((b) => [b.id, ['party']])),
    });
  }
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

/** A token the account issued: a user's personal token or an app's token (fact sheet §4.1, §4.6). */
interface AccountToken {
  token: string;
  kind: 'personal' | 'app';
  /** For app tokens: the app; its budgets are its own. */
  appId?: string;
  /** For personal tokens: where the store keeps it, and how a regenerated one starts. */
  metaKey?: string;
  prefix?: string;
}

/** The first API version without `account_id` in every response (changelog "account id no longer returned by default"). */
const NO_ACCOUNT_ID_FROM = '2025-01';

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
  const budget = new ComplexityBudget(() => clock.now());
  const personalBudget = num(config, 'complexityBudgetPerMinute', 10_000_000);
  const appBudget = num(config, 'appComplexityBudgetPerMinute', 5_000_000);
  const requestsPerMinute = num(config, 'requestsPerMinute', 5_000);
  const concurrencyLimit = num(config, 'concurrencyLimit', 250);
  const rateLimitFault = oneOf(config, 'rateLimitFault', ['minute-rate', 'complexity'], 'minute-rate');
  const minuteWindows = new Map<string, { startedAt: number; count: number }>();
  const inFlight = new Map<string, number>();
  const idempotencyEnabled = config.idempotencyKeys === undefined ? true : config.idempotencyKeys === true;
  const idempotency = new IdempotencyCache(store, () => clock.now(), num(config, 'idempotencyTtlMinutes', 30) * 60_000);

  const schema = buildMondaySchema();
  const data = new BoardData(store, nowIso);

  if (ctx.freshStore) {
    store.setMeta('accountId', 20_000_000 + (ctx.seed % 1_000_000));
    seedBoards(data, ctx.world);
  }
  const accountId = store.getMeta<number>('accountId') ?? 0;
  // Tokens are made once per data folder; a folder from before the second user and the app gets them now.
  const rng = createRng(ctx.seed ^ 0x6d6f6e);
  const randomPart = (): string => Math.floor(rng.next() * 2 ** 48).toString(36);
  const storedToken = (key: string, prefix: string): string => {
    const existing = store.getMeta<string>(key);
    if (existing) return existing;
    const made = `${prefix}-${ctx.seed}-${randomPart()}`;
    store.setMeta(key, made);
    return made;
  };
  const apiToken = storedToken('apiToken', 'sandbox-monday');
  const secondUserApiToken = storedToken('secondUserApiToken', 'sandbox-monday-user2');
  const appApiToken = storedToken('appApiToken', 'sandbox-monday-app');
  const tokens: AccountToken[] = [
    { token: apiToken, kind: 'personal', metaKey: 'apiToken', prefix: 'sandbox-monday' },
    { token: secondUserApiToken, kind: 'personal', metaKey: 'secondUserApiToken', prefix: 'sandbox-monday-user2' },
    { token: appApiToken, kind: 'app', appId: '10000001' },
  ];
  const current = (metaKey: string): string => tokens.find((t) => t.metaKey === metaKey)?.token ?? '';
  // An OAuth 2.1 app installed on the account: its tokens speak for a user through the app (the app's budgets).
  const OAUTH_APP_ID = '10000002';
  const oauthClientId = storedToken('oauthClientId', 'sandbox-monday-client');
  const oauthClientSecret = storedToken('oauthClientSecret', 'sandbox-monday-secret');
  const redirectUris = config.oauthRedirectUris ?? [];
  if (!Array.isArray(redirectUris) || redirectUris.some((u) => typeof u !== 'string')) throw new Error('monday sandbox config.oauthRedirectUris must be a list of URLs');
  const oauth = new MondayOAuth({
    clientId: oauthClientId,
    clientSecret: oauthClientSecret,
    redirectUris: redirectUris as string[],
    accessTokenTtlSeconds: num(config, 'oauthAccessTokenTtlSeconds', 3600),
    codeTtlSeconds: num(config, 'oauthCodeTtlSeconds', 600),
    now: () => clock.now(),
  });

  const rootValue = createRootValue(data, {
    maxPageSize: num(config, 'maxPageSize', 500),
    cursorTtlMs: num(config, 'cursorTtlMinutes', 60) * 60_000,
    now: () => clock.now(),
    accountUrl: `https://sandbox-${accountId}.monday.com`,
  });

  /**
   * §4.6 / rate-limits doc: "limits are measured per account, per app. Usage through a personal
   * token counts toward the same limit." Personal tokens share one combined bucket per account;
   * an app has a read bucket and a write bucket of its own.
   */
  const bucketOf = (who: AccountToken, isMutation: boolean): BudgetBucket =>
    who.kind === 'personal'
      ? { key: `account:${accountId}`, limit: personalBudget }
      : { key: `app:${who.appId ?? ''}:${isMutation ? 'write' : 'read'}`, limit: appBudget };
  /** The minute request limit and concurrency are counted per account (personal tokens) or per app. */
  const limiterKey = (who: AccountToken): string => (who.kind === 'personal' ? `account:${accountId}` : `app:${who.appId ?? ''}`);

  /** What the response envelope depends on: the version served and who asked. */
  interface Envelope {
    version: ApiVersion | null;
    who: AccountToken | null;
    bucket: BudgetBucket | null;
  }
  const noEnvelope: Envelope = { version: null, who: null, bucket: null };

  /** account_id stays only for versions before 2025-01 (and only once the account is known). */
  const withAccountId = (body: Record<string, unknown>, env: Envelope): Record<string, unknown> =>
    env.who && env.version && !versionAtLeast(env.version, NO_ACCOUNT_ID_FROM) ? { ...body, account_id: accountId } : body;

  const json = (status: number, body: Record<string, unknown>, env: Envelope, headers: Record<string, string> = {}): SimResponse => ({
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...rateLimitHeaders(env), ...headers },
    body: withAccountId(body, env),
  });

  /**
   * Rate-limits doc "Rate limit headers": every response carries RateLimit-Policy and RateLimit
   * (IETF structured fields) for minuteRate, concurrency and complexityMinute; `t` on minuteRate
   * only when the limit is exceeded.
   */
  function rateLimitHeaders(env: Envelope): Record<string, string> {
    // An unauthenticated caller belongs to no account: nothing to report.
    const who = env.who;
    if (!who) return {};
    const key = limiterKey(who);
    const w = minuteWindows.get(key);
    const remaining = Math.max(0, requestsPerMinute - (w?.count ?? 0));
    const resetIn = w ? Math.max(1, Math.ceil((w.startedAt + 60_000 - clock.now()) / 1000)) : 60;
    const bucket = env.bucket ?? bucketOf(who, false);
    const complexity = budget.peek(bucket);
    return {
      'RateLimit-Policy': `"minuteRate";q=${requestsPerMinute};w=60, "concurrency";q=${concurrencyLimit};qu="concurrent-requests", "complexityMinute";q=${bucket.limit};w=60;qu="content-bytes"`,
      RateLimit: `"minuteRate";r=${remaining}${remaining === 0 ? `;t=${resetIn}` : ''}, "concurrency";r=${Math.max(0, concurrencyLimit - (inFlight.get(key) ?? 0))}, "complexityMinute";r=${complexity.remaining};t=${complexity.resetInSeconds}`,
    };
  }

  function minuteRateLimited(retryInSeconds: number, env: Envelope): SimResponse {
    return json(
      429,
      { errors: [errorEntry('Minute limit rate exceeded', { code: 'RATE_LIMIT_EXCEEDED', status_code: 429, retry_in_seconds: retryInSeconds })] },
      env,
      { 'Retry-After': String(retryInSeconds) },
    );
  }

  /**
   * §4.7: the budget-exhausted error in the shape of the API version served. From 2025-01 it
   * answers HTTP 429 (issue); 2025-07 and later carry only code and retry_in_seconds
   * (changelog "breaking change updated complexity budget exhausted error"); 2025-01..04 also
   * the budget fields; older versions the legacy top-level ComplexityException inside HTTP 200.
   */
  function complexityExhausted(cost: number, remaining: number, resetIn: number, env: Envelope): SimResponse {
    const headers = { 'Retry-After': String(resetIn) };
    const version = env.version ?? resolveVersion(undefined, policy);
    const limit = env.bucket?.limit ?? personalBudget;
    if (versionAtLeast(version, '2025-07'))
      return json(429, { errors: [errorEntry('Complexity budget exhausted', { code: 'COMPLEXITY_BUDGET_EXHAUSTED', retry_in_seconds: resetIn })] }, env, headers);
    if (versionAtLeast(version, '2025-01'))
      return json(
        429,
        {
          errors: [
            errorEntry('Complexity budget exhausted', {
              code: 'COMPLEXITY_BUDGET_EXHAUSTED',
              complexity: cost,
              complexity_budget_left: remaining,
              complexity_budget_limit: limit,
              retry_in_seconds: resetIn,
              status_code: 429,
            }),
          ],
        },
        env,
        headers,
      );
    const message = `Complexity budget exhausted, query cost ${cost} budget remaining ${remaining} out of ${limit} reset in ${resetIn} seconds`;
    return json(200, { error_code: 'ComplexityException', status_code: 429, error_message: message, error_data: {}, errors: [message] }, env, headers);
  }

  function errorsResponse(errors: readonly Record<string, unknown>[], env: Envelope, status = 200): SimResponse {
    return json(status, { errors }, env);
  }

  function tokenOf(req: SimRequest): string | null {
    const header = req.headers.authorization;
    if (typeof header !== 'string' || header.trim() === '') return null;
    // The official client sends the raw token; "Bearer <token>" is accepted too (§4.1).
    return header.trim().replace(/^Bearer\s+/i, '');
  }

  async function handle(req: SimRequest): Promise<SimResponse> {
    if (oauth.handles(req)) return oauth.handle(req);
    if (req.path !== '/v2')
      return errorsResponse([errorEntry(`No route ${req.method} ${req.path}; the API lives at POST /v2`, { code: 'ResourceNotFoundException', status_code: 404 })], noEnvelope, 404);
    if (req.method !== 'POST') return errorsResponse([errorEntry('Send queries with POST /v2', { code: 'BadRequest', status_code: 405 })], noEnvelope, 405);

    const token = tokenOf(req);
    const who =
      token === null ? undefined : (tokens.find((t) => t.token === token) ?? (oauth.accessFor(token) ? { token, kind: 'app' as const, appId: OAUTH_APP_ID } : undefined));
    if (!who)
      return errorsResponse(
        [errorEntry(token === null ? 'Unauthorized: no Authorization header' : 'Unauthorized: the token is not valid', { code: 'Unauthorized', status_code: 401 })],
        noEnvelope,
        401,
      );

    let env: Envelope;
    try {
      const header = req.headers['api-version'];
      env = { version: resolveVersion(Array.isArray(header) ? header[0] : header, policy), who, bucket: null };
    } catch (err) {
      if (err instanceof MondayError) return errorsResponse([errorEntry(err.message, err.extensions)], { ...noEnvelope, who });
      throw err;
    }

    // §4.6 minute request limit per account / app (window opens with the first call).
    const key = limiterKey(who);
    const now = clock.now();
    let window = minuteWindows.get(key);
    if (!window || now - window.startedAt >= 60_000) minuteWindows.set(key, (window = { startedAt: now, count: 0 }));
    if (window.count >= requestsPerMinute) return minuteRateLimited(Math.max(1, Math.ceil((window.startedAt + 60_000 - now) / 1000)), env);
    window.count += 1;

    inFlight.set(key, (inFlight.get(key) ?? 0) + 1);
    try {
      return await answer(req, who, env);
    } finally {
      inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
    }
  }

  async function answer(req: SimRequest, who: AccountToken, env: Envelope): Promise<SimResponse> {
    let body: { query?: unknown; variables?: unknown; operationName?: unknown };
    try {
      body = req.json() as typeof body;
    } catch (err) {
      return errorsResponse([errorEntry((err as Error).message, { code: 'JsonParseException', status_code: 400 })], env, 400);
    }
    if (typeof body !== 'object' || body === null || typeof body.query !== 'string' || body.query.trim() === '')
      return errorsResponse([errorEntry('The body needs a "query" string', { code: 'BadRequest', status_code: 400 })], env, 400);
    const variables = body.variables === undefined || body.variables === null ? {} : body.variables;
    if (typeof variables !== 'object' || Array.isArray(variables))
      return errorsResponse([errorEntry('"variables" must be a JSON object', { code: 'BadRequest', status_code: 400 })], env, 400);
    const inputs = variables as Record<string, unknown>;
    const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;

    let document: DocumentNode;
    try {
      document = parse(body.query);
    } catch (err) {
      if (err instanceof GraphQLError) return errorsResponse([parseErrorEntry(body.query, err)], env);
      throw err;
    }
    // Validation errors come back in HTTP 200 without data, worded as graphql-ruby words them.
    const invalid = validationErrors(schema, document);
    if (invalid.length > 0) return errorsResponse(invalid, env);
    const operation = getOperationAST(document, operationName);
    if (!operation) return errorsResponse([{ message: operationName ? `No operation named "${operationName}"` : 'An operation name is required' }], env);
    const badVariables = variableErrors(schema, operation, inputs);
    if (badVariables.length > 0) return errorsResponse(badVariables, env);

    const isMutation = operation.operation === 'mutation';
    env = { ...env, bucket: bucketOf(who, isMutation) };
    const keyHeader = req.headers['idempotency-key'];
    const idempotencyId =
      idempotencyEnabled && isMutation && typeof keyHeader === 'string' && keyHeader.trim() !== '' ? idempotency.id(who.token, keyHeader.trim()) : null;
    if (idempotencyId) {
      const cached = idempotency.lookup(idempotencyId);
      if (cached === 'in-flight')
        return json(
          409,
          { errors: [errorEntry('A request with this Idempotency-Key is still being processed', { code: 'IDEMPOTENCY_CONFLICT', status_code: 409, retry_in_seconds: 1 })] },
          env,
          { 'Retry-After': '1' },
        );
      if (cached) return json(cached.status, cached.body as Record<string, unknown>, env, { 'Idempotency-Replayed': 'true' });
    }

    const cost = queryCost(schema, document, operationName, inputs, model);
    if (cost > maxPerQuery)
      return errorsResponse(
        [
          errorEntry(`Query has complexity of ${cost}, which exceeds max complexity of ${maxPerQuery}`, {
            code: 'maxComplexityExceeded',
            complexity: cost,
            max_complexity: maxPerQuery,
          }),
        ],
        env,
      );
    const bucket = env.bucket ?? bucketOf(who, isMutation);
    const report = budget.charge(bucket, cost);
    if (!report) {
      const { remaining, resetInSeconds } = budget.peek(bucket);
      return complexityExhausted(cost, remaining, resetInSeconds, env);
    }

    // Sandbox page faults (`dupes`, `repeat`) are applied by the items_page resolvers, in monday's shape.
    const pageFault = req.responseFault === 'duplicates' || req.responseFault === 'repeat-cursor' ? { kind: req.responseFault, applied: false } : undefined;
    const contextValue: RequestContext = { complexity: report, version: env.version ?? resolveVersion(undefined, policy), versions: policy.versions, ...(pageFault ? { pageFault } : {}) };
    const run = async (): Promise<{ status: number; body: unknown }> => {
      const result = await execute({ schema, document, rootValue, contextValue, variableValues: inputs, operationName });
      // Partial success: data for what resolved, errors (with path) for what did not, in HTTP 200.
      return {
        status: 200,
        body: { data: result.data ?? null, ...(result.errors?.length ? { errors: result.errors.map((e) => e.toJSON()) } : {}) },
      };
    };
    const result = idempotencyId ? await idempotency.run(idempotencyId, run) : await run();
    const response = json(result.status, result.body as Record<string, unknown>, env);
    if (!pageFault) return response;
    // An answer without a page of items (boards, mutations) is not spoiled by a page fault.
    if (!pageFault.applied) delete req.responseFault;
    return { ...response, spoiled: pageFault.applied };
  }

  const defaultEnvelope = (): Envelope => ({ version: resolveVersion(undefined, policy), who: tokens[0] ?? null, bucket: null });

  /** Every GraphQL call is a POST: only a mutation writes (the OAuth endpoints go by method). */
  function isWrite(req: SimRequest): boolean {
    if (oauth.handles(req) || req.path !== '/v2') return req.method !== 'GET' && req.method !== 'HEAD';
    try {
      const body = req.json() as { query?: unknown; operationName?: unknown };
      if (typeof body?.query !== 'string') return false;
      return getOperationAST(parse(body.query), typeof body.operationName === 'string' ? body.operationName : undefined)?.operation === 'mutation';
    } catch {
      return false;
    }
  }

  return {
    name: 'monday',
    handle,
    isWrite,
    rateLimitedResponse: (): SimResponse =>
      rateLimitFault === 'complexity' ? complexityExhausted(0, 0, 1, defaultEnvelope()) : minuteRateLimited(1, defaultEnvelope()),
    serverErrorResponse: (status: 500 | 502 | 503): SimResponse =>
      errorsResponse([errorEntry('Internal server error', { code: 'INTERNAL_SERVER_ERROR', status_code: status })], defaultEnvelope(), status),
    // Personal API tokens do not expire (§4.1), but their user can regenerate one (Developers →
    // My access tokens → Regenerate): the old token stops working at once. `expire=1` does that.
    expireTokens: (): void => {
      oauth.expireAccessTokens();
      for (const entry of tokens) {
        if (entry.kind !== 'personal' || !entry.metaKey || !entry.prefix) continue;
        entry.token = `${entry.prefix}-${ctx.seed}-${randomPart()}`;
        store.setMeta(entry.metaKey, entry.token);
      }
    },
    inspect: (): Record<string, unknown[]> => ({
      boards: data.boards.all().map((b) => ({ ...b, items_count: data.activeItemCount(b.id) })),
      items: data.items.all().map((i) => data.itemAsApi(i)),
      // Complexity points charged per minute window and budget since this simulator started (not stored).
      complexity_windows: budget.usage().map((w) => ({ ...w, startedAt: new Date(w.startedAt).toISOString() })),
    }),
    credentials: (): Record<string, string | number> => ({ apiToken: current('apiToken'), secondUserApiToken: current('secondUserApiToken'), appApiToken, oauthClientId, oauthClientSecret }),
  };
}
