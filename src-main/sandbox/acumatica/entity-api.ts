import { createHash } from 'node:crypto';
import type { SimRequest, SimResponse } from '../_common/sim-server';
import type { SimStore } from '../_common/sim-store';
import { billRules } from './bill-rules';
import { mergeBody } from './body-merge';
import { checkRules } from './check-rules';
import {
  changeOrderRules,
  externalCommitmentRules,
  purchaseOrderRules,
  subcontractRules,
} from './commitment-rules';
import type { EntityTable } from './entity-table';
import { acumaticaError } from './errors';
import { toJsonText } from './json-text';
import { LongOperations, type OperationOutcome, type OperationSettings } from './long-operations';
import { FilterError, parseFilter } from './odata-filter';
import { parseShape } from './query-shape';
import {
  accountRules,
  costCodeRules,
  projectRules,
  projectTaskRules,
  subaccountRules,
  vendorRules,
} from './reference-rules';
import {
  ActionError,
  EMPTY,
  EntityErrors,
  cloneRecord,
  isBlank,
  type EntityRules,
  type Related,
  type RuleContext,
  type Tables,
} from './rule-kit';
import {
  SYSTEM_FIELDS,
  WireValueError,
  emptyShape,
  fullShape,
  hasField,
  isoFromMs,
  normalizeDateTime,
  parseWireValue,
  renderAdHocSchema,
  renderNode,
  type EntitySchema,
  type Shape,
  type StoredRecord,
} from './schema';

/**
 * `/entity/Default/{version}/{Entity}[/…]` once the caller is signed in: list and read with
 * the OData-style parameters (fact sheet 1.6), `$adHocSchema`, PUT = upsert with the
 * detail-line rules of 1.7, DELETE, actions (202/204 with Location, polled through
 * `/{Entity}/{Action}/status/{id}`).
 */
export interface EntityApiSettings {
  /** The tenant's default branch and every branch it has. */
  branch: string;
  branches: string[];
  currency: string;
  closedPeriods: Set<string>;
  seed: number;
  operations: OperationSettings;
}

export type { Tables } from './rule-kit';

const RULES: Record<string, EntityRules> = {
  Bill: billRules,
  Check: checkRules,
  Vendor: vendorRules,
  Account: accountRules,
  Subaccount: subaccountRules,
  Project: projectRules,
  ProjectTask: projectTaskRules,
  CostCode: costCodeRules,
  PurchaseOrder: purchaseOrderRules,
  Subcontract: subcontractRules,
  ChangeOrder: changeOrderRules,
  ExternalCommitment: externalCommitmentRules,
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NO_MATCH = 'PX.Api.ContractBased.NoEntitySatisfiesTheConditionException';

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): SimResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: toJsonText(body),
  };
}

/** Thrown inside the write transaction to roll it back (number sequences included) and answer. */
class Refusal extends Error {
  constructor(readonly response: SimResponse) {
    super('refused');
  }
}

export class EntityApi {
  readonly operations: LongOperations;

  constructor(
    private readonly store: SimStore,
    private readonly tables: Tables,
    private readonly settings: EntityApiSettings,
    private readonly now: () => number,
  ) {
    this.operations = new LongOperations(settings.operations, now, () => this.newGuid());
  }

  /** Deterministic GUIDs (seed + counter) so a seed replays the same ids. */
  newGuid(): string {
    const n = (this.store.getMeta<number>('guidCounter') ?? 0) + 1;
    this.store.setMeta('guidCounter', n);
    const h = createHash('sha1').update(`acumatica:${this.settings.seed}:${n}`).digest('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** The next number of a sequence, e.g. Bill "000012", PurchaseOrder "PO000012". */
  nextNumber(sequence: string, prefix: string): string {
    const key = `nextNumber:${sequence}`;
    const n = (this.store.getMeta<number>(key) ?? 0) + 1;
    this.store.setMeta(key, n);
    return `${prefix}${String(n).padStart(6, '0')}`;
  }

  /**
   * `rest` = path segments after the version: [Entity, ...keys | Action | $adHocSchema].
   * `site` = the instance's application path ('' at the web root), which Location headers carry.
   */
  handle(
    req: SimRequest,
    where: { site: string; version: string; sessionKey: string; branch?: string | null },
    rest: string[],
  ): SimResponse {
    const { site, version, sessionKey } = where;
    const [entityName, ...tail] = rest;
    const table = entityName ? this.tables[entityName] : undefined;
    if (!entityName || !table)
      return acumaticaError(
        404,
        `Entity '${entityName ?? ''}' is not defined in the Default/${version} endpoint of this sandbox.`,
        'PX.Api.ContractBased.EntityNotFoundException',
      );
    const endpoint = `${site}/entity/Default/${version}`;
    try {
      this.operations.settleDue();
      const ctx = this.ruleContext(req, where.branch ?? null);
      if (req.method === 'GET') {
        if (tail.length === 0) return this.list(req, table, version);
        if (tail.length === 1 && tail[0] === '$adHocSchema')
          return jsonResponse(200, renderAdHocSchema(table.schema, version));
        if (tail.length === 3 && tail[1] === 'status')
          return this.operations.status(sessionKey, tail[2] ?? '');
        return this.getOne(req, table, version, tail);
      }
      if (req.method === 'PUT' && tail.length === 0)
        return this.inTransaction(() => this.upsert(req, ctx, table, version));
      if (req.method === 'PUT' && tail.includes('files'))
        return acumaticaError(
          405,
          `Attaching files to ${table.schema.name} records is not modelled by this sandbox.`,
        );
      if (req.method === 'POST' && tail.length === 1)
        return this.action(req, ctx, table, version, tail[0] ?? '', endpoint, sessionKey);
      if (req.method === 'DELETE' && tail.length > 0)
        return this.inTransaction(() => this.remove(ctx, table, tail));
      return {
        status: 405,
        body: { message: `The requested resource does not support http method '${req.method}'.` },
      };
    } catch (err) {
      if (err instanceof FilterError || err instanceof WireValueError)
        return acumaticaError(400, err.message, 'PX.Api.ContractBased.ValidationException');
      throw err;
    }
  }

  private inTransaction(fn: () => SimResponse): SimResponse {
    try {
      return this.store.transaction(fn);
    } catch (err) {
      if (err instanceof Refusal) return err.response;
      throw err;
    }
  }

  private list(req: SimRequest, table: EntityTable, version: string): SimResponse {
    const q = req.query;
    const top = pagingNumber(q.get('$top'), '$top');
    const asked = pagingNumber(q.get('$skip'), '$skip') ?? 0;
    // Sandbox fault `repeat`: the next $skip answers the page before it again.
    const repeat = req.responseFault === 'repeat-cursor' && asked > 0 && top !== null;
    const skip = repeat ? Math.max(0, asked - (top ?? 0)) : asked;
    const filterText = q.get('$filter');
    const filter = filterText ? parseFilter(filterText, table.schema, version) : null;
    const shape = this.shapeOf(req, table.schema, version);
    const page = table.query(filter).slice(skip, top === null ? undefined : skip + top);
    // Sandbox fault `dupes`: every record of the page sent twice.
    const dupes = req.responseFault === 'duplicates' && page.length > 0;
    const response = jsonResponse(
      200,
      page.map((record, i) => renderNode(table.schema, record, shape, skip + i + 1, version)).flatMap((r) => (dupes ? [r, r] : [r])),
    );
    return repeat || dupes ? { ...response, spoiled: true } : response;
  }

  private getOne(req: SimRequest, table: EntityTable, version: string, tail: string[]): SimResponse {
    const record = this.locate(table, tail);
    if (!record)
      return acumaticaError(404, `No ${table.schema.name} record matches '${tail.join('/')}'.`, NO_MATCH);
    return jsonResponse(
      200,
      renderNode(table.schema, record, this.shapeOf(req, table.schema, version), 1, version),
    );
  }

  private shapeOf(req: SimRequest, schema: EntitySchema, version: string): Shape {
    return parseShape(
      schema,
      version,
      req.query.get('$select'),
      req.query.get('$expand'),
      req.query.get('$custom'),
    );
  }

  /** GET/DELETE /{Entity}/{id} (GUID) or /{Entity}/{key1}/{key2}… (1.2). */
  private locate(table: EntityTable, tail: string[]): StoredRecord | undefined {
    if (tail.length === 1 && GUID.test(tail[0] ?? '')) return table.get(tail[0] ?? '');
    if (tail.length !== table.schema.keys.length) return undefined;
    return table.byKeys(tail);
  }

  private remove(ctx: RuleContext, table: EntityTable, tail: string[]): SimResponse {
    const rules = RULES[table.schema.name];
    if (!rules?.deletable)
      return acumaticaError(405, `Deleting ${table.schema.name} records is not modelled by this sandbox.`);
    const record = this.locate(table, tail);
    if (!record)
      return acumaticaError(404, `No ${table.schema.name} record matches '${tail.join('/')}'.`, NO_MATCH);
    const refused = rules.deletable(ctx, record);
    if (refused) return acumaticaError(400, refused);
    table.remove(record);
    this.saveRelated(rules.afterDelete?.(ctx, record) ?? []);
    return { status: 204 };
  }

  /** PUT = upsert (fact sheet 1.7). Runs inside the request's transaction. */
  private upsert(req: SimRequest, ctx: RuleContext, table: EntityTable, version: string): SimResponse {
    const schema = table.schema;
    let body: unknown;
    try {
      body = req.json();
    } catch (err) {
      return acumaticaError(400, (err as Error).message);
    }
    if (!body || typeof body !== 'object' || Array.isArray(body))
      return acumaticaError(400, `The body of PUT ${schema.name} must be one JSON object.`);
    const sentBody = body as Record<string, unknown>;

    const target = this.findTarget(req, table, version, sentBody);
    if ('response' in target) return target.response;
    const existing = target.record;
    if (req.headers['if-none-match'] === '*' && existing)
      return acumaticaError(
        412,
        `A ${schema.name} record with these keys already exists (If-None-Match: *).`,
      );
    if (req.headers['if-match'] === '*' && !existing)
      return acumaticaError(412, `No ${schema.name} record matches and If-Match: * forbids an insert.`);

    const isNew = !existing;
    const record: StoredRecord = existing ? cloneRecord(existing) : { id: this.newGuid(), values: {} };
    const errors = new EntityErrors();
    const sent = mergeBody(schema, record, sentBody, { version, newGuid: () => this.newGuid(), errors });
    if (isNew && schema.autoNumber && isBlank(record.values[schema.autoNumber.field])) {
      record.values[schema.autoNumber.field] = ctx.nextNumber(schema.name, schema.autoNumber.prefix);
    }
    const related =
      RULES[schema.name]?.save?.(ctx, record, { isNew, sent, previous: existing }, errors) ?? [];
    for (const key of schema.keys) if (isBlank(record.values[key])) errors.field(key, EMPTY(key));
    if (isNew && !errors.any && table.byKeys(table.keyOf(record))) {
      errors.entity.push(
        `Another ${schema.name} record already uses the key ${table.keyOf(record).join(' / ')}.`,
      );
    }
    if (errors.any)
      throw new Refusal(jsonResponse(422, echoWithErrors(schema, record, errors, isNew, version)));
    if (hasField(schema, 'LastModifiedDateTime', version))
      record.values.LastModifiedDateTime = isoFromMs(ctx.now);
    if (isNew && 'CreatedDateTime' in schema.fields) record.values.CreatedDateTime = isoFromMs(ctx.now);

    table.put(record);
    this.saveRelated(related);
    const shape = this.shapeOf(req, schema, version);
    // What was written comes back expanded, as the live API echoes sent detail lines.
    for (const name of [...sent.lines.keys(), ...sent.linked.keys()])
      if (!shape.sub.has(name)) shape.sub.set(name, emptyShape());
    return jsonResponse(200, renderNode(schema, record, shape, 1, version));
  }

  private saveRelated(related: readonly Related[]): void {
    for (const { entity, record } of related) this.tables[entity]?.put(record);
  }

  /** Record identified by `id`, by `$filter`, or by the key fields in the body; none = insert. */
  private findTarget(
    req: SimRequest,
    table: EntityTable,
    version: string,
    body: Record<string, unknown>,
  ): { record: StoredRecord | undefined } | { response: SimResponse } {
    const schema = table.schema;
    if (typeof body.id === 'string' && body.id) {
      const record = table.get(body.id);
      if (!record)
        return { response: acumaticaError(404, `No ${schema.name} record has id ${body.id}.`, NO_MATCH) };
      return { record };
    }
    const filterText = req.query.get('$filter');
    if (filterText) {
      const found = table.query(parseFilter(filterText, schema, version));
      if (found.length > 1)
        return {
          response: acumaticaError(
            400,
            `$filter on PUT matches ${found.length} ${schema.name} records; it must identify one.`,
          ),
        };
      if (found.length === 1) return { record: found[0] };
    }
    const keyValues = schema.keys.map((k) =>
      body[k] === undefined ? undefined : parseWireValue(k, schema.fields[k] ?? 'string', body[k]),
    );
    if (keyValues.every((v) => v !== undefined && v !== null))
      return { record: table.byKeys(keyValues as (string | number | boolean)[]) };
    // Bill/Check: Type defaults to 'Bill'/'Payment', so ReferenceNbr alone also locates a record.
    const defaultType = DEFAULT_TYPES[schema.name];
    if (defaultType && keyValues[0] === undefined && !isBlank(keyValues[1]))
      return { record: table.byKeys([defaultType, keyValues[1] ?? null]) };
    return { record: undefined };
  }

  /** POST /{Entity}/{Action} {entity, parameters} → 202/204 with Location (1.7). */
  private action(
    req: SimRequest,
    ctxAtInvoke: RuleContext,
    table: EntityTable,
    version: string,
    actionName: string,
    endpoint: string,
    sessionKey: string,
  ): SimResponse {
    const schema = table.schema;
    const rules = RULES[schema.name];
    const definition = rules?.actions?.[actionName];
    if (!definition) {
      if (rules?.unmodelledActions?.includes(actionName))
        return acumaticaError(
          500,
          `The ${actionName} action of ${schema.name} is part of the Default endpoint but not modelled by this sandbox.`,
        );
      return acumaticaError(
        404,
        `Action '${actionName}' is not defined for ${schema.name} in the Default/${version} endpoint.`,
      );
    }
    let body: { entity?: unknown };
    try {
      body = req.json() as { entity?: unknown };
    } catch (err) {
      return acumaticaError(400, (err as Error).message);
    }
    const entity = body?.entity;
    if (!entity || typeof entity !== 'object' || Array.isArray(entity))
      return acumaticaError(400, 'The action body needs {"entity": {…id or key fields…}}.');
    for (const member of Object.keys(entity)) {
      if (!SYSTEM_FIELDS.has(member) && !(member in schema.fields))
        throw new WireValueError(
          `'${member}' is not a field of ${schema.name} in the Default/${version} endpoint.`,
        );
    }
    const target = this.findTarget(req, table, version, entity as Record<string, unknown>);
    if ('response' in target) return target.response;
    if (!target.record)
      return acumaticaError(404, `No ${schema.name} record matches the entity of the action.`, NO_MATCH);
    const recordId = target.record.id;
    const refused = definition.precheck(ctxAtInvoke, target.record);
    if (refused) return acumaticaError(500, refused);
    const execute = (): OperationOutcome => {
      try {
        return this.store.transaction(() => {
          const current = table.get(recordId);
          if (!current)
            return {
              ok: false,
              message: `The ${schema.name} record was deleted while the action was pending.`,
            };
          const refusedNow = definition.precheck(ctxAtInvoke, current);
          if (refusedNow) return { ok: false, message: refusedNow };
          const { save, processed } = definition.run({ ...ctxAtInvoke, now: this.now() }, current);
          this.saveRelated(save);
          return {
            ok: true,
            location: `${endpoint}/${processed.entity}/${processed.record.id}`,
          };
        });
      } catch (err) {
        if (err instanceof ActionError) return { ok: false, message: err.message };
        throw err;
      }
    };
    return this.operations.start(sessionKey, `${endpoint}/${schema.name}`, actionName, execute);
  }

  /**
   * The business context of one request: its business date (`PX-CbApiBusinessDate`) and current
   * branch (`PX-CbApiBranch`, else the branch signed in with, else the tenant's), fact sheet 1.7.
   */
  private ruleContext(req: SimRequest, sessionBranch: string | null): RuleContext {
    const now = this.now();
    return {
      tables: this.tables,
      now,
      today: businessDate(req, now),
      branch: this.currentBranch(req, sessionBranch),
      currency: this.settings.currency,
      closedPeriods: this.settings.closedPeriods,
      nextNumber: (sequence, prefix) => this.nextNumber(sequence, prefix),
      newGuid: () => this.newGuid(),
    };
  }

  private currentBranch(req: SimRequest, sessionBranch: string | null): string {
    const header = req.headers['px-cbapibranch'];
    const requested = (Array.isArray(header) ? header[0] : header) ?? sessionBranch;
    if (!requested) return this.settings.branch;
    const known = this.settings.branches.find((b) => b.toLowerCase() === requested.toLowerCase());
    if (!known)
      throw new WireValueError(`Branch '${requested}' cannot be found in the system (PX-CbApiBranch).`);
    return known;
  }

  /** A record as a client reads it with everything expanded (sandbox inspection). */
  renderFull(
    schema: EntitySchema,
    record: StoredRecord,
    rowNumber: number,
    version: string,
  ): Record<string, unknown> {
    return renderNode(schema, record, fullShape(schema), rowNumber, version);
  }
}

const DEFAULT_TYPES: Record<string, string> = { Bill: 'Bill', Check: 'Payment' };

/** `PX-CbApiBusinessDate` (fact sheet 1.7) sets the business date; else the simulator's today. */
function businessDate(req: SimRequest, now: number): string {
  const header = req.headers['px-cbapibusinessdate'];
  const text = Array.isArray(header) ? header[0] : header;
  if (text) {
    if (Number.isNaN(Date.parse(text)))
      throw new WireValueError(`PX-CbApiBusinessDate '${text}' is not a date.`);
    return normalizeDateTime(text.slice(0, 10));
  }
  return isoFromMs(Math.floor(now / 86_400_000) * 86_400_000);
}

function pagingNumber(text: string | null, name: string): number | null {
  if (text === null) return null;
  if (!/^\d+$/.test(text)) throw new FilterError(`${name} must be a non-negative integer, got '${text}'.`);
  return Number(text);
}

/** 422 body: the entity echoed back with `error` on the offending fields, lines and linked entities (1.9). */
function echoWithErrors(
  schema: EntitySchema,
  record: StoredRecord,
  errors: EntityErrors,
  isNew: boolean,
  version: string,
): Record<string, unknown> {
  const out = renderNode(schema, record, fullShape(schema), 1, version);
  for (const [field, message] of errors.fields) out[field] = { ...(out[field] as object), error: message };
  attachNodeErrors(out, errors, true);
  out.error = errors.entity.length
    ? errors.entity.join(' ')
    : `${isNew ? 'Inserting' : 'Updating'} '${schema.name}' record raised at least one error. Please review the errors.`;
  return out;
}

function attachNodeErrors(node: Record<string, unknown>, errors: EntityErrors, top: boolean): void {
  const own = top ? undefined : errors.nodes.get(String(node.id));
  if (own) {
    for (const [field, message] of own) node[field] = { ...(node[field] as object), error: message };
    node.error = [...own.values()].join(' ');
  }
  for (const value of Object.values(node)) {
    if (Array.isArray(value))
      for (const item of value) attachNodeErrors(item as Record<string, unknown>, errors, false);
    else if (value && typeof value === 'object' && 'rowNumber' in value)
      attachNodeErrors(value as Record<string, unknown>, errors, false);
  }
}
