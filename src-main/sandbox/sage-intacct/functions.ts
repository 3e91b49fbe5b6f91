import { randomBytes } from 'node:crypto';
import { Decimal, InvalidDecimalError } from '../../../src-shared/domain/money';
import type { SimStore } from '../_common/sim-store';
import { BILL_LINE_FIELDS, SCHEMAS, fieldType, type IntacctRecord, type ObjectSchema, type ObjectTable } from './objects';
import { QueryError, checkField, compareTyped, evaluate, parseQueryFilter, parseReadByQuery, type Condition } from './query-language';
import { asArray, asObject, el, textOf, type XmlNode, type XmlObject } from './xml';

/**
 * The functions inside `<content>` (fact sheet 2.2, 2.6, 2.8, 2.9): create, update, read,
 * readByQuery, readMore and query on APBILL, VENDOR, GLACCOUNT, DEPARTMENT, LOCATION, PROJECT.
 * Each returns the `<data …>` element of its `<result>` or throws FunctionError with the
 * `<error>` entries of a failed result. Error numbers other than those the fact sheet names are
 * this sandbox's own (BL… business rule, DL… query).
 */
export interface IntacctError {
  errorno: string;
  description: string;
  description2: string;
  correction: string;
}

export class FunctionError extends Error {
  constructor(readonly errors: IntacctError[]) {
    super(errors.map((e) => e.description2 || e.description).join(' '));
  }
}

export const fail = (errorno: string, description: string, description2 = '', correction = ''): FunctionError =>
  new FunctionError([{ errorno, description, description2, correction }]);

const BUSINESS = 'BL01001973';
const QUERY = 'DL02000001';

export interface FunctionSettings {
  currency: string;
  /** Multi-entity companies require LOCATIONID on every bill line (2.6). */
  multiEntity: boolean;
  readByQueryMaxPageSize: number;
  queryMaxPageSize: number;
  resultIdTtlMs: number;
}

interface ResultSet {
  resultId: string;
  owner: string;
  object: string;
  fields: string[] | '*';
  recordNos: string[];
  position: number;
  pagesize: number;
  expiresAt: number;
  createdSeq: number;
}

/** mm/dd/yyyy HH:MM:SS, the form Intacct prints timestamps in (UTC here). */
export function intacctTimestamp(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

export function intacctDate(isoDate: string): string {
  return `${isoDate.slice(5, 7)}/${isoDate.slice(8, 10)}/${isoDate.slice(0, 4)}`;
}

const READ_ONLY_BILL_FIELDS = new Set(['RECORDNO', 'VENDORNAME', 'STATE', 'TOTALENTERED', 'TRX_TOTALENTERED', 'TOTALPAID', 'TOTALDUE', 'MODULEKEY', 'WHENMODIFIED', 'WHENPAID']);

export class IntacctFunctions {
  private readonly resultSets;

  constructor(
    private readonly store: SimStore,
    private readonly tables: Record<string, ObjectTable>,
    private readonly settings: FunctionSettings,
    private readonly now: () => number,
  ) {
    this.resultSets = store.collection<ResultSet>('result_sets');
  }

  run(name: string, body: XmlNode, owner: string): string {
    const node = asObject(body) ?? {};
    switch (name) {
      case 'create':
        return this.write(node, 'create');
      case 'update':
        return this.write(node, 'update');
      case 'read':
        return this.read(node);
      case 'readByQuery':
        return this.readByQuery(node, owner);
      case 'readMore':
        return this.readMore(node, owner);
      case 'query':
        return this.query(node);
      default:
        throw fail('XL03000003', `Function '${name}' is not supported`, `The sandbox gateway implements create, update, read, readByQuery, readMore, query and getAPISession; '${name}' is not one of them.`);
    }
  }

  // ---------------------------------------------------------------- create / update

  private write(node: XmlObject, mode: 'create' | 'update'): string {
    const written: string[] = [];
    const objects = Object.entries(node).filter(([k]) => !k.startsWith('@_') && k !== '#text');
    if (objects.length === 0) throw fail('XL03000003', `Empty ${mode}`, `<${mode}> must contain an object element such as <APBILL> or <VENDOR>.`);
    for (const [objectName, instances] of objects) {
      const table = this.table(objectName);
      if (!table.schema.writable) throw fail(BUSINESS, `${objectName} is read-only here`, `The sandbox serves ${objectName} for reading only.`);
      for (const instance of asArray(instances)) {
        const fields = asObject(instance) ?? {};
        const record = objectName === 'APBILL' ? this.writeBill(table, fields, mode) : this.writeVendor(table, fields, mode);
        const keys = [el('RECORDNO', record.fields.RECORDNO ?? '')];
        if (table.schema.idField) keys.push(el(table.schema.idField, record.fields[table.schema.idField] ?? ''));
        written.push(el(objectName.toLowerCase(), keys));
      }
    }
    return el('data', written, { listtype: 'objects', count: written.length });
  }

  private table(objectName: string): ObjectTable {
    const table = this.tables[objectName];
    if (!table) {
      throw fail(QUERY, `Unknown object ${objectName}`, `Object definition ${objectName} not found. This sandbox serves: ${Object.keys(SCHEMAS).join(', ')}.`);
    }
    return table;
  }

  private writeBill(table: ObjectTable, input: XmlObject, mode: 'create' | 'update'): IntacctRecord {
    const errors: IntacctError[] = [];
    const problem = (description2: string): void => {
      errors.push({ errorno: BUSINESS, description: 'Invalid bill', description2, correction: '' });
    };
    let record: IntacctRecord;
    if (mode === 'update') {
      const recordNo = textOf(input.RECORDNO);
      const existing = recordNo ? table.get(recordNo) : undefined;
      if (!existing) throw fail(BUSINESS, 'Bill not found', recordNo ? `No APBILL has RECORDNO ${recordNo}.` : 'Update of APBILL needs RECORDNO.');
      record = { fields: { ...existing.fields }, lines: (existing.lines ?? []).map((l) => ({ ...l })) };
    } else record = { fields: {}, lines: [] };

    let action = 'Submit';
    let linesNode: XmlNode | undefined;
    for (const [key, value] of Object.entries(input)) {
      if (key === 'APBILLITEMS') {
        linesNode = value;
        continue;
      }
      if (key === 'ACTION') {
        action = textOf(value) ?? '';
        if (action !== 'Submit' && action !== 'Draft') problem(`ACTION must be Submit or Draft, got '${action}'.`);
        continue;
      }
      if (mode === 'update' && key === 'RECORDNO') continue;
      const type = SCHEMAS.APBILL?.fields[key];
      if (!type) {
        problem(`APBILL has no field ${key}.`);
        continue;
      }
      if (READ_ONLY_BILL_FIELDS.has(key)) {
        problem(`${key} is computed by Intacct and cannot be set.`);
        continue;
      }
      const text = textOf(value);
      if (text === undefined) {
        problem(`${key} must be a simple value, not a nested block.`);
        continue;
      }
      const checked = checkValue(key, type, text);
      if (!checked.ok) problem(checked.error);
      else record.fields[key] = checked.value;
    }

    const f = record.fields;
    const draft = action === 'Draft' && mode === 'create';
    if (!draft) {
      for (const required of ['VENDORID', 'WHENCREATED', 'WHENDUE']) if (!f[required]) problem(`${required} is required (unless ACTION is Draft).`);
    }
    if (f.VENDORID) {
      const vendor = this.tables.VENDOR?.byBusinessId(f.VENDORID);
      if (!vendor) problem(`Invalid Vendor '${f.VENDORID}' specified.`);
      else f.VENDORNAME = vendor.fields.NAME ?? '';
    }
    f.WHENPOSTED ||= f.WHENCREATED ?? '';

    if (linesNode !== undefined) this.mergeBillLines(record, linesNode, mode, problem);
    const lines = record.lines ?? [];
    if (lines.length === 0 && !draft) problem('A bill needs at least one line (APBILLITEMS/APBILLITEM).');
    lines.forEach((line, i) => this.checkBillLine(line, i + 1, problem));

    if (errors.length > 0) {
      errors.push({ errorno: BUSINESS, description: '', description2: `Could not ${mode} APBILL record!`, correction: '' });
      throw new FunctionError(errors);
    }
    const total = Decimal.sum(lines.map((l) => Decimal.parse(l.TRX_AMOUNT ?? '0'))).toMoneyString();
    const paid = f.TOTALPAID || '0.00';
    f.TOTALENTERED = total;
    f.TRX_TOTALENTERED = total;
    f.TOTALPAID = paid;
    f.TOTALDUE = Decimal.parse(total).minus(Decimal.parse(paid)).toMoneyString();
    f.CURRENCY ||= this.settings.currency;
    f.BASECURR ||= this.settings.currency;
    f.MODULEKEY = '3.AP';
    if (mode === 'create') f.STATE = draft ? 'Draft' : 'Posted';
    f.WHENMODIFIED = intacctTimestamp(this.now());
    f.RECORDNO ||= table.nextRecordNo();
    table.put(record);
    return record;
  }

  /** Create: lines in order. Update: each line must name its LINE_NO (2.12); a new number appends. */
  private mergeBillLines(record: IntacctRecord, node: XmlNode, mode: 'create' | 'update', problem: (m: string) => void): void {
    const items = asArray(asObject(node)?.APBILLITEM);
    if (mode === 'create') record.lines = [];
    const lines = (record.lines ??= []);
    for (const item of items) {
      const input = asObject(item) ?? {};
      const line: Record<string, string> = {};
      for (const [key, value] of Object.entries(input)) {
        const type = BILL_LINE_FIELDS[key];
        const text = textOf(value);
        if (!type) problem(`APBILLITEM has no field ${key}.`);
        else if (text === undefined) problem(`APBILLITEM ${key} must be a simple value.`);
        else {
          const checked = checkValue(key, type, text);
          if (!checked.ok) problem(checked.error);
          else line[key] = checked.value;
        }
      }
      if (mode === 'create') {
        line.LINE_NO = String(lines.length + 1);
        lines.push(line);
        continue;
      }
      if (!line.LINE_NO) {
        problem('Updating bill lines requires LINE_NO on every APBILLITEM.');
        continue;
      }
      const existing = lines.find((l) => l.LINE_NO === line.LINE_NO);
      if (existing) Object.assign(existing, line);
      else lines.push({ ...line, LINE_NO: String(lines.length + 1) });
    }
  }

  private checkBillLine(line: Record<string, string>, n: number, problem: (m: string) => void): void {
    const at = `Line ${n}:`;
    if (line.ACCOUNTLABEL && !line.ACCOUNTNO) problem(`${at} account labels are not set up in this company; use ACCOUNTNO.`);
    else if (!line.ACCOUNTNO) problem(`${at} ACCOUNTNO is required.`);
    else if (!this.tables.GLACCOUNT?.byBusinessId(line.ACCOUNTNO)) problem(`${at} Invalid GL account ${line.ACCOUNTNO}.`);
    if (!line.TRX_AMOUNT) problem(`${at} TRX_AMOUNT is required.`);
    const dims: [string, string][] = [
      ['DEPARTMENTID', 'DEPARTMENT'],
      ['LOCATIONID', 'LOCATION'],
      ['PROJECTID', 'PROJECT'],
    ];
    for (const [field, object] of dims) {
      const id = line[field];
      if (id && !this.tables[object]?.byBusinessId(id)) problem(`${at} Invalid ${object.toLowerCase()} '${id}' in ${field}.`);
    }
    if (this.settings.multiEntity && !line.LOCATIONID) problem(`${at} LOCATIONID is required in a multi-entity company.`);
    if (line.TASKID && !line.PROJECTID) problem(`${at} TASKID needs PROJECTID.`);
    if (line.COSTTYPEID && !(line.PROJECTID && line.TASKID)) problem(`${at} COSTTYPEID needs PROJECTID and TASKID.`);
  }

  private writeVendor(table: ObjectTable, input: XmlObject, mode: 'create' | 'update'): IntacctRecord {
    const schema = table.schema;
    const problems: string[] = [];
    let record: IntacctRecord;
    if (mode === 'update') {
      const recordNo = textOf(input.RECORDNO);
      const vendorId = textOf(input.VENDORID);
      const existing = recordNo ? table.get(recordNo) : vendorId ? table.byBusinessId(vendorId) : undefined;
      if (!existing) throw fail(BUSINESS, 'Vendor not found', `No VENDOR matches ${recordNo ? `RECORDNO ${recordNo}` : `VENDORID ${vendorId ?? '(none given)'}`}.`);
      record = { fields: { ...existing.fields } };
    } else record = { fields: {} };

    const assign = (prefix: string, node: XmlObject): void => {
      for (const [key, value] of Object.entries(node)) {
        const name = prefix + key;
        if (mode === 'update' && (name === 'RECORDNO' || name === 'VENDORID')) continue;
        if (!prefix && schema.nestedBlocks.includes(key)) {
          assign(`${key}.`, asObject(value) ?? {});
          continue;
        }
        const nested = asObject(value);
        if (prefix && nested && textOf(value) === undefined) {
          assign(`${name}.`, nested);
          continue;
        }
        const type = fieldType(schema, name);
        const text = textOf(value);
        if (!type || name === 'RECORDNO' || name === 'WHENCREATED' || name === 'WHENMODIFIED') problems.push(`VENDOR field ${name} cannot be set.`);
        else if (text === undefined) problems.push(`VENDOR ${name} must be a simple value.`);
        else {
          const checked = checkValue(name, type, text);
          if (!checked.ok) problems.push(checked.error);
          else record.fields[name] = checked.value;
        }
      }
    };
    assign('', input);

    const f = record.fields;
    if (!f.NAME) problems.push('NAME is required.');
    if (mode === 'create') {
      if (!f['DISPLAYCONTACT.PRINTAS']) problems.push('DISPLAYCONTACT with PRINTAS is required to create a vendor.');
      if (f.VENDORID && table.byBusinessId(f.VENDORID)) problems.push(`Another vendor already uses VENDORID ${f.VENDORID}.`);
    }
    if (problems.length > 0) {
      throw new FunctionError([
        ...problems.map((p) => ({ errorno: BUSINESS, description: 'Invalid vendor', description2: p, correction: '' })),
        { errorno: BUSINESS, description: '', description2: `Could not ${mode} Vendor record!`, correction: '' },
      ]);
    }
    const now = intacctTimestamp(this.now());
    if (mode === 'create') {
      f.RECORDNO = table.nextRecordNo();
      f.VENDORID ||= `V-${String(9000 + Number(f.RECORDNO))}`;
      f.STATUS ||= 'active';
      f.CURRENCY ||= this.settings.currency;
      f.WHENCREATED = now;
    }
    f.WHENMODIFIED = now;
    table.put(record);
    return record;
  }

  // ---------------------------------------------------------------- read / readByQuery / readMore

  private read(node: XmlObject): string {
    const table = this.table(textOf(node.object) ?? '');
    const fields = this.fieldList(table.schema, textOf(node.fields) ?? '*');
    this.requireXmlFormat(node);
    const keys = (textOf(node.keys) ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean);
    const records = keys.map((k) => table.get(k)).filter((r): r is IntacctRecord => r !== undefined);
    const element = table.schema.name.toLowerCase();
    return el('data', records.map((r) => renderNested(table.schema, r, fields, element, true)), { listtype: element, count: records.length });
  }

  private readByQuery(node: XmlObject, owner: string): string {
    const table = this.table(textOf(node.object) ?? '');
    const schema = table.schema;
    const fields = this.fieldList(schema, textOf(node.fields) ?? '*');
    this.requireXmlFormat(node);
    const pagesize = pageSize(node.pagesize, 100, this.settings.readByQueryMaxPageSize);
    const condition = this.compile(() => parseReadByQuery(textOf(node.query) ?? '', schema));
    const matching = this.select(table, condition, false);
    const set: ResultSet = {
      resultId: randomBytes(12).toString('hex'),
      owner,
      object: schema.name,
      fields,
      recordNos: matching.map((r) => r.fields.RECORDNO ?? ''),
      position: 0,
      pagesize,
      expiresAt: this.now() + this.settings.resultIdTtlMs,
      createdSeq: (this.store.getMeta<number>('resultSetSeq') ?? 0) + 1,
    };
    this.store.setMeta('resultSetSeq', set.createdSeq);
    return this.nextPage(table, set);
  }

  private readMore(node: XmlObject, owner: string): string {
    const now = this.now();
    for (const stale of this.resultSets.filter((s) => s.expiresAt <= now)) this.resultSets.delete(stale.resultId);
    const resultId = textOf(node.resultId);
    const objectName = textOf(node.object);
    let set: ResultSet | undefined;
    if (resultId) set = this.resultSets.get(resultId);
    else if (objectName) {
      set = this.resultSets
        .filter((s) => s.owner === owner && s.object === objectName.toUpperCase())
        .sort((a, b) => b.createdSeq - a.createdSeq)[0];
    }
    if (!set || set.owner !== owner) {
      throw fail(QUERY, 'Invalid resultId', `readMore: ${resultId ? `resultId ${resultId}` : `object ${objectName ?? '(none)'}`} has no remaining results (it was read to the end, expired, or never existed).`);
    }
    return this.nextPage(this.table(set.object), set);
  }

  private nextPage(table: ObjectTable, set: ResultSet): string {
    const pageKeys = set.recordNos.slice(set.position, set.position + set.pagesize);
    const records = pageKeys.map((k) => table.get(k)).filter((r): r is IntacctRecord => r !== undefined);
    const position = set.position + pageKeys.length;
    const remaining = set.recordNos.length - position;
    if (remaining > 0) this.resultSets.put(set.resultId, { ...set, position });
    else this.resultSets.delete(set.resultId);
    const element = table.schema.name.toLowerCase();
    return el(
      'data',
      records.map((r) => renderNested(table.schema, r, set.fields, element, false)),
      { listtype: element, count: records.length, totalcount: set.recordNos.length, numremaining: remaining, resultId: remaining > 0 ? set.resultId : '' },
    );
  }

  // ---------------------------------------------------------------- query (newer function)

  private query(node: XmlObject): string {
    const table = this.table(textOf(node.object) ?? '');
    const schema = table.schema;
    const selectNode = asObject(node.select);
    const selected = asArray(selectNode?.field).map((f) => textOf(f) ?? '');
    if (selected.length === 0 || selected.includes('*')) {
      throw fail(QUERY, 'Invalid select', 'query needs <select> with the <field> elements to return; selecting all fields is not supported.');
    }
    const fields = this.compile(() => selected.map((f) => checkField(schema, f)));
    const options = asObject(node.options);
    const caseInsensitive = textOf(options?.caseinsensitive) === 'true';
    const returnFormat = textOf(options?.returnformat);
    if (returnFormat && returnFormat !== 'xml') throw fail(QUERY, 'Unsupported format', `returnformat '${returnFormat}' is not served by this sandbox; use xml.`);
    const filterNode = asObject(node.filter);
    const condition = filterNode ? this.compile(() => parseQueryFilter(filterNode, schema)) : null;
    const order = this.compile(() =>
      asArray(asObject(node.orderby)?.order).map((o) => {
        const orderNode = asObject(o) ?? {};
        return { field: checkField(schema, textOf(orderNode.field) ?? ''), descending: orderNode.descending !== undefined };
      }),
    );
    const pagesize = pageSize(node.pagesize, 100, this.settings.queryMaxPageSize);
    const offsetText = textOf(node.offset) ?? '0';
    if (!/^\d+$/.test(offsetText)) throw fail(QUERY, 'Invalid offset', `offset must be a whole number >= 0, got '${offsetText}'.`);
    const offset = Number(offsetText);

    const matching = this.select(table, condition, caseInsensitive);
    if (order.length > 0) {
      const opts = { caseInsensitive };
      matching.sort((a, b) => {
        for (const { field, descending } of order) {
          const x = a.fields[field] ?? '';
          const y = b.fields[field] ?? '';
          const c = x === '' || y === '' ? (x === y ? 0 : x === '' ? -1 : 1) : compareTyped(x, y, fieldType(schema, field) ?? 'text', opts);
          if (c !== 0) return descending ? -c : c;
        }
        return 0;
      });
    }
    const page = matching.slice(offset, offset + pagesize);
    const remaining = Math.max(0, matching.length - offset - page.length);
    return el(
      'data',
      page.map((r) => el(schema.name, fields.map((f) => el(f, r.fields[f] ?? '')))),
      { listtype: schema.name, totalcount: matching.length, offset, count: page.length, numremaining: remaining },
    );
  }

  // ---------------------------------------------------------------- helpers

  private select(table: ObjectTable, condition: Condition | null, caseInsensitive: boolean): IntacctRecord[] {
    const all = table.all();
    if (!condition) return all;
    return this.compile(() => all.filter((r) => evaluate(condition, r, table.schema, { caseInsensitive })));
  }

  /** Runs a query step and turns its QueryError into the function's failure. */
  private compile<T>(step: () => T): T {
    try {
      return step();
    } catch (err) {
      if (err instanceof QueryError || err instanceof InvalidDecimalError) throw fail(QUERY, 'Query Failed', err.message, 'Check the field names, operators and quoting of the query.');
      throw err;
    }
  }

  private fieldList(schema: ObjectSchema, text: string): string[] | '*' {
    if (text.trim() === '*' || text.trim() === '') return '*';
    return this.compile(() => text.split(',').map((f) => checkField(schema, f.trim())));
  }

  private requireXmlFormat(node: XmlObject): void {
    const format = textOf(node.returnFormat);
    if (format && format !== 'xml') throw fail(QUERY, 'Unsupported format', `returnFormat '${format}' is not served by this sandbox; use xml.`);
  }
}

function pageSize(node: XmlNode | undefined, fallback: number, max: number): number {
  const text = textOf(node);
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw fail(QUERY, 'Invalid pagesize', `pagesize must be a whole number from 1 to ${max}, got '${text}'.`);
  }
  return Number(text);
}

/** Validates a value against its field type; money is rounded to 2 decimals (2.6). */
function checkValue(field: string, type: string, text: string): { ok: true; value: string } | { ok: false; error: string } {
  const value = text.trim();
  if (value === '') return { ok: true, value: '' };
  switch (type) {
    case 'decimal':
      try {
        return { ok: true, value: Decimal.parse(value).toMoneyString() };
      } catch (err) {
        return { ok: false, error: `${field}: ${(err as Error).message}` };
      }
    case 'integer':
      return /^-?\d+$/.test(value) ? { ok: true, value } : { ok: false, error: `${field} must be a whole number, got '${value}'.` };
    case 'boolean':
      return value === 'true' || value === 'false' ? { ok: true, value } : { ok: false, error: `${field} must be true or false, got '${value}'.` };
    case 'date': {
      const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(value);
      const valid = m && new Date(Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]))).getUTCDate() === Number(m[2]) && Number(m[1]) <= 12;
      return valid ? { ok: true, value } : { ok: false, error: `${field} must be a date in mm/dd/yyyy form, got '${value}'.` };
    }
    default:
      return { ok: true, value: text };
  }
}

/** read/readByQuery output: lower-case element per record, dotted fields as nested elements. */
function renderNested(schema: ObjectSchema, record: IntacctRecord, fields: string[] | '*', element: string, withLines: boolean): string {
  const names = fields === '*' ? [...Object.keys(schema.fields), ...Object.keys(record.fields).filter((k) => k.includes('.')).sort()] : fields;
  // DISPLAYCONTACT.MAILADDRESS.CITY → <DISPLAYCONTACT><MAILADDRESS><CITY>, in first-seen order.
  type Tree = Map<string, Tree | string>;
  const root: Tree = new Map();
  for (const name of names) {
    const path = name.split('.');
    let node = root;
    for (const part of path.slice(0, -1)) {
      let child = node.get(part);
      if (!(child instanceof Map)) node.set(part, (child = new Map()));
      node = child;
    }
    node.set(path[path.length - 1] ?? name, record.fields[name] ?? '');
  }
  const render = (tree: Tree): string[] => [...tree].map(([name, value]) => el(name, typeof value === 'string' ? value : render(value)));
  const rendered = render(root);
  if (withLines && record.lines && fields === '*') {
    rendered.push(el('APBILLITEMS', record.lines.map((line) => el('apbillitem', Object.keys(BILL_LINE_FIELDS).filter((k) => line[k] !== undefined).map((k) => el(k, line[k] ?? ''))))));
  }
  return el(element, rendered);
}
