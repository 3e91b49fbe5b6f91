import { createHash } from 'node:crypto';
import type { SimRequest, SimResponse } from '../_common/sim-server';
import type { SimStore } from '../_common/sim-store';
import { applyBillRules, applyCheckRules, applyVendorRules, EntityErrors, RELEASED, billStatus, type RuleContext, type SentFields } from './bill-rules';
import type { EntityTable } from './entity-table';
import { acumaticaError } from './errors';
import { toJsonText } from './json-text';
import { FilterError, parseFilter } from './odata-filter';
import {
  FULL_SHAPE,
  SYSTEM_FIELDS,
  WireValueError,
  isoFromMs,
  parseWireValue,
  renderRecord,
  type EntitySchema,
  type Shape,
  type StoredLine,
  type StoredRecord,
} from './schema';

/**
 * `/entity/Default/{version}/{Entity}[/…]` once the caller is signed in: list and read with the
 * OData-style parameters (fact sheet 1.6), PUT = upsert with the detail-line rules of 1.7,
 * the Bill actions, DELETE of unreleased bills.
 */
export interface EntityApiSettings {
  branch: string;
  currency: string;
  closedPeriods: Set<string>;
  seed: number;
}

/** Entity name (a key of SCHEMAS) → its table. */
export type Tables = Record<string, EntityTable>;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): SimResponse {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, body: toJsonText(body) };
}

export class EntityApi {
  constructor(
    private readonly store: SimStore,
    private readonly tables: Tables,
    private readonly settings: EntityApiSettings,
    private readonly now: () => number,
  ) {}

  /** Deterministic GUIDs (seed + counter) so a seed replays the same ids. */
  newGuid(): string {
    const n = (this.store.getMeta<number>('guidCounter') ?? 0) + 1;
    this.store.setMeta('guidCounter', n);
    const h = createHash('sha1').update(`acumatica:${this.settings.seed}:${n}`).digest('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** `rest` = path segments after the version: [Entity, ...keys | Action]. */
  handle(req: SimRequest, rest: string[]): SimResponse {
    const [entityName, ...tail] = rest;
    const table = entityName ? this.tables[entityName] : undefined;
    if (!entityName || !table) return acumaticaError(404, `Entity '${entityName ?? ''}' is not defined in this endpoint.`, 'PX.Api.ContractBased.EntityNotFoundException');
    const schema = table.schema;
    try {
      if (req.method === 'GET') return tail.length === 0 ? this.list(req, table) : this.getOne(req, table, tail);
      if (req.method === 'PUT' && tail.length === 0) {
        if (!schema.writable) return acumaticaError(405, `${schema.name} is read-only in this sandbox.`);
        // One commit for the record, its line ids and its number sequence.
        return this.store.transaction(() => this.upsert(req, table));
      }
      if (req.method === 'POST' && tail.length === 1) return this.action(req, table, tail[0] ?? '');
      if (req.method === 'DELETE' && tail.length > 0) return this.remove(table, tail);
      return { status: 405, body: { message: `The requested resource does not support http method '${req.method}'.` } };
    } catch (err) {
      if (err instanceof FilterError || err instanceof WireValueError) return acumaticaError(400, err.message, 'PX.Api.ContractBased.ValidationException');
      throw err;
    }
  }

  private list(req: SimRequest, table: EntityTable): SimResponse {
    const q = req.query;
    if (q.has('$custom')) throw new FilterError('$custom fields are not supported by this sandbox.');
    const top = pagingNumber(q.get('$top'), '$top');
    const skip = pagingNumber(q.get('$skip'), '$skip') ?? 0;
    const filterText = q.get('$filter');
    const filter = filterText ? parseFilter(filterText, table.schema) : null;
    const shape = parseShape(table.schema, q.get('$select'), q.get('$expand'));
    const all = table.query(filter);
    const page = all.slice(skip, top === null ? undefined : skip + top);
    return jsonResponse(200, page.map((record, i) => renderRecord(table.schema, record, shape, skip + i + 1)));
  }

  private getOne(req: SimRequest, table: EntityTable, tail: string[]): SimResponse {
    const record = this.locate(table, tail);
    if (!record) return acumaticaError(404, `No ${table.schema.name} record matches '${tail.join('/')}'.`, 'PX.Api.ContractBased.NoEntitySatisfiesTheConditionException');
    const shape = parseShape(table.schema, req.query.get('$select'), req.query.get('$expand'));
    return jsonResponse(200, renderRecord(table.schema, record, shape, 1));
  }

  /** GET/DELETE /{Entity}/{id} (GUID) or /{Entity}/{key1}/{key2}… (1.2). */
  private locate(table: EntityTable, tail: string[]): StoredRecord | undefined {
    if (tail.length === 1 && GUID.test(tail[0] ?? '')) return table.get(tail[0] ?? '');
    if (tail.length !== table.schema.keys.length) return undefined;
    return table.byKeys(tail);
  }

  private remove(table: EntityTable, tail: string[]): SimResponse {
    if (table.schema.name !== 'Bill') return acumaticaError(405, `Deleting ${table.schema.name} records is not supported by this sandbox.`);
    const record = this.locate(table, tail);
    if (!record) return acumaticaError(404, `No ${table.schema.name} record matches '${tail.join('/')}'.`, 'PX.Api.ContractBased.NoEntitySatisfiesTheConditionException');
    if (record.values[RELEASED] === true) return acumaticaError(400, 'The document has been released and cannot be deleted.');
    table.remove(record);
    return { status: 204 };
  }

  /** PUT = upsert (fact sheet 1.7). */
  private upsert(req: SimRequest, table: EntityTable): SimResponse {
    const schema = table.schema;
    let body: unknown;
    try {
      body = req.json();
    } catch (err) {
      return acumaticaError(400, (err as Error).message);
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) return acumaticaError(400, `The body of PUT ${schema.name} must be one JSON object.`);
    const sentBody = body as Record<string, unknown>;

    const target = this.findTarget(req, table, sentBody);
    if ('response' in target) return target.response;
    const existing = target.record;
    if (req.headers['if-none-match'] === '*' && existing) {
      return acumaticaError(412, `A ${schema.name} record with these keys already exists (If-None-Match: *).`);
    }
    if (req.headers['if-match'] === '*' && !existing) {
      return acumaticaError(412, `No ${schema.name} record matches and If-Match: * forbids an insert.`);
    }

    const isNew = !existing;
    const record: StoredRecord = existing
      ? { ...existing, values: { ...existing.values }, ...(existing.details ? { details: existing.details.map((l) => ({ id: l.id, values: { ...l.values } })) } : {}) }
      : { id: this.newGuid(), values: {}, ...(schema.details ? { details: [] } : {}) };
    const sent: SentFields = { header: new Set(), lines: new Map() };
    const errors = new EntityErrors();

    for (const [field, wrapped] of Object.entries(sentBody)) {
      if (SYSTEM_FIELDS.has(field)) continue;
      if (field === 'Details' && schema.details) {
        this.mergeDetails(schema, record, wrapped, sent, errors);
        continue;
      }
      const type = schema.fields[field];
      if (!type) throw new WireValueError(`'${field}' is not a field of ${schema.name} in the Default endpoint.`);
      record.values[field] = parseWireValue(field, type, wrapped);
      sent.header.add(field);
    }

    const ctx = this.ruleContext();
    let alsoSave: StoredRecord[] = [];
    if (schema.name === 'Bill') applyBillRules(ctx, record, sent, isNew, errors);
    else if (schema.name === 'Vendor') applyVendorRules(ctx, record, isNew, errors);
    else if (schema.name === 'Check') alsoSave = applyCheckRules(ctx, record, isNew, errors);

    if (isNew && !errors.fields.size) {
      const clash = table.byKeys(table.keyOf(record));
      if (clash) errors.entity.push(`Another ${schema.name} record already uses the key ${table.keyOf(record).join(' / ')}.`);
    }
    if (errors.any) return jsonResponse(422, this.echoWithErrors(schema, record, errors, isNew));

    table.put(record);
    for (const bill of alsoSave) this.tables.Bill?.put(bill);
    const shape = parseShape(schema, req.query.get('$select'), req.query.get('$expand'));
    if (sentBody.Details !== undefined) shape.expand.add('Details');
    return jsonResponse(200, renderRecord(schema, record, shape, 1));
  }

  /** Record identified by `id`, by `$filter`, or by the key fields in the body; none = insert. */
  private findTarget(req: SimRequest, table: EntityTable, body: Record<string, unknown>): { record: StoredRecord | undefined } | { response: SimResponse } {
    const schema = table.schema;
    if (typeof body.id === 'string' && body.id) {
      const record = table.get(body.id);
      if (!record) return { response: acumaticaError(404, `No ${schema.name} record has id ${body.id}.`, 'PX.Api.ContractBased.NoEntitySatisfiesTheConditionException') };
      return { record };
    }
    const filterText = req.query.get('$filter');
    if (filterText) {
      const found = table.query(parseFilter(filterText, schema));
      if (found.length > 1) return { response: acumaticaError(400, `$filter on PUT matches ${found.length} ${schema.name} records; it must identify one.`) };
      if (found.length === 1) return { record: found[0] };
    }
    const keyValues = schema.keys.map((k) => {
      const wrapped = body[k];
      if (wrapped === undefined) return undefined;
      return parseWireValue(k, schema.fields[k] ?? 'string', wrapped);
    });
    if (keyValues.every((v) => v !== undefined && v !== null)) {
      return { record: table.byKeys(keyValues as (string | number | boolean)[]) };
    }
    // Bill/Check: Type defaults to 'Bill'/'Payment', so ReferenceNbr alone also locates a record.
    if (schema.keys[0] === 'Type' && keyValues[0] === undefined && keyValues[1] !== undefined && keyValues[1] !== null) {
      return { record: table.byKeys([schema.name === 'Bill' ? 'Bill' : 'Payment', keyValues[1]]) };
    }
    return { record: undefined };
  }

  /** Lines with `id` are updated, lines without are APPENDED, `"delete": true` removes (1.7). */
  private mergeDetails(schema: EntitySchema, record: StoredRecord, wrapped: unknown, sent: SentFields, errors: EntityErrors): void {
    if (!Array.isArray(wrapped)) throw new WireValueError(`'Details' must be an array of line objects.`);
    const fields = schema.details ?? {};
    const lines = (record.details ??= []);
    for (const raw of wrapped) {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new WireValueError('Each entry of Details must be an object.');
      const lineBody = raw as Record<string, unknown>;
      let line: StoredLine | undefined;
      if (typeof lineBody.id === 'string' && lineBody.id) {
        line = lines.find((l) => l.id === lineBody.id);
        if (!line) {
          errors.entity.push(`Details: no line with id ${lineBody.id} exists on this ${schema.name}.`);
          continue;
        }
        if (lineBody.delete === true) {
          lines.splice(lines.indexOf(line), 1);
          continue;
        }
      } else {
        line = { id: this.newGuid(), values: {} };
        lines.push(line);
      }
      const sentLine = new Set<string>();
      for (const [field, value] of Object.entries(lineBody)) {
        if (SYSTEM_FIELDS.has(field)) continue;
        const type = fields[field];
        if (!type) throw new WireValueError(`'${field}' is not a field of ${schema.name} Details in the Default endpoint.`);
        line.values[field] = parseWireValue(`Details/${field}`, type, value);
        sentLine.add(field);
      }
      sent.lines.set(line.id, sentLine);
    }
  }

  /** 422 body: the entity echoed back with `error` on the offending fields and lines (1.9). */
  private echoWithErrors(schema: EntitySchema, record: StoredRecord, errors: EntityErrors, isNew: boolean): Record<string, unknown> {
    const out = renderRecord(schema, record, FULL_SHAPE, 1);
    for (const [field, message] of errors.fields) out[field] = { ...(out[field] as object), error: message };
    if (Array.isArray(out.Details)) {
      for (const line of out.Details as Record<string, unknown>[]) {
        const lineErrors = errors.lines.get(String(line.id));
        if (!lineErrors) continue;
        for (const [field, message] of lineErrors) line[field] = { ...(line[field] as object), error: message };
        line.error = [...lineErrors.values()].join(' ');
      }
    }
    out.error = errors.entity.length
      ? errors.entity.join(' ')
      : `${isNew ? 'Inserting' : 'Updating'} '${schema.name}' record raised at least one error. Please review the errors.`;
    return out;
  }

  /** POST /{Entity}/{Action} {entity, parameters} → 204 when done (1.7). */
  private action(req: SimRequest, table: EntityTable, actionName: string): SimResponse {
    if (table.schema.name !== 'Bill' || actionName !== 'ReleaseBill') {
      return acumaticaError(404, `Action '${actionName}' is not defined for ${table.schema.name} in this sandbox.`);
    }
    let body: { entity?: Record<string, unknown> };
    try {
      body = req.json() as { entity?: Record<string, unknown> };
    } catch (err) {
      return acumaticaError(400, (err as Error).message);
    }
    const entity = body?.entity;
    if (!entity || typeof entity !== 'object') return acumaticaError(400, 'The action body needs {"entity": {…id or key fields…}}.');
    const target = this.findTarget(req, table, entity);
    if ('response' in target) return target.response;
    const bill = target.record;
    if (!bill) return acumaticaError(404, 'No Bill record matches the entity of the action.', 'PX.Api.ContractBased.NoEntitySatisfiesTheConditionException');
    if (bill.values[RELEASED] === true) return acumaticaError(500, 'The document is already released.');
    if (bill.values.Hold === true) return acumaticaError(500, 'The document is on hold and cannot be released.');
    const released: StoredRecord = { ...bill, values: { ...bill.values, [RELEASED]: true, LastModifiedDateTime: isoFromMs(this.now()) } };
    released.values.Status = billStatus(released);
    table.put(released);
    return { status: 204 };
  }

  private ruleContext(): RuleContext {
    const t = this.tables;
    return {
      tables: { Vendor: t.Vendor as EntityTable, Account: t.Account as EntityTable, Subaccount: t.Subaccount as EntityTable, Project: t.Project as EntityTable, Bill: t.Bill as EntityTable },
      now: this.now(),
      branch: this.settings.branch,
      currency: this.settings.currency,
      closedPeriods: this.settings.closedPeriods,
      nextNumber: (sequence) => {
        const key = `nextNumber:${sequence}`;
        const n = (this.store.getMeta<number>(key) ?? 0) + 1;
        this.store.setMeta(key, n);
        return String(n).padStart(6, '0');
      },
    };
  }
}

function pagingNumber(text: string | null, name: string): number | null {
  if (text === null) return null;
  if (!/^\d+$/.test(text)) throw new FilterError(`${name} must be a non-negative integer, got '${text}'.`);
  return Number(text);
}

/** `$select` (incl. `Details/Field`) and `$expand` → the fields a response carries. */
export function parseShape(schema: EntitySchema, select: string | null, expand: string | null): Shape {
  const shape: Shape = { fields: null, expand: new Set(), detailFields: null };
  for (const name of (expand ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const known = (name === 'Details' && schema.details) || (name === 'Applications' && schema.applications);
    if (!known) throw new FilterError(`$expand: '${name}' is not a collection of ${schema.name} in this sandbox.`);
    shape.expand.add(name);
  }
  if (!select) return shape;
  shape.fields = new Set();
  for (const path of select.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [head, sub] = path.split('/');
    if (sub !== undefined && head === 'Details' && schema.details) {
      if (!(sub in schema.details)) throw new FilterError(`$select: '${sub}' is not a field of ${schema.name} Details.`);
      (shape.detailFields ??= new Set()).add(sub);
      continue;
    }
    if (!head || !(head in schema.fields)) throw new FilterError(`$select: '${path}' is not a field of ${schema.name}.`);
    shape.fields.add(head);
  }
  return shape;
}
