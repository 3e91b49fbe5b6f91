import { randomBytes } from 'node:crypto';
import { InvalidDecimalError } from '../../../src-shared/domain/money';
import { createLegacyBill, deleteBill, writeBill } from './bills';
import type { Caller, IntacctCompany } from './company';
import { ERR, fail } from './errors';
import { deleteGlBatch, writeGlBatch } from './gl-batches';
import { inspect, lookup } from './metadata';
import { fieldType, type IntacctRecord, type ObjectSchema, type ObjectTable } from './objects';
import { createPayment, deletePayment, reversePayment } from './payments';
import { PO_TRANSACTION_TYPES, createPoTransaction, deletePoTransaction, updatePoTransaction } from './purchasing';
import { QueryError, checkField, compareTyped, evaluate, parseQueryFilter, parseReadByQuery, type Condition } from './query-language';
import { deleteTask, writeTask } from './tasks';
import { deleteVendor, writeVendor } from './vendors';
import { asArray, asObject, el, textOf, type XmlNode, type XmlObject } from './xml';

/**
 * The functions inside `<content>` (fact sheet 2.2, 2.6–2.9): generic create / update / delete
 * (APBILL, APPYMT, GLBATCH, VENDOR, TASK), read / readByQuery / readMore / query on every object,
 * lookup / inspect, and the legacy create_bill, create_potransaction, update_potransaction,
 * delete_potransaction and reverse_appayment. Each returns what goes into its `<result>` after
 * status, function and controlid (`<data …>` for generic functions, `<key>` for legacy ones) or
 * throws FunctionError.
 * getAPISession is the gateway's (it needs the session).
 */
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

/** Generic write functions answer `<data listtype="objects" count="0"/>` before their errors. */
export const GENERIC_WRITE_FUNCTIONS: ReadonlySet<string> = new Set(['create', 'update', 'delete']);

export const SUPPORTED_FUNCTIONS = [
  'create',
  'update',
  'delete',
  'read',
  'readByQuery',
  'readMore',
  'query',
  'lookup',
  'inspect',
  'create_bill',
  'create_potransaction',
  'update_potransaction',
  'delete_potransaction',
  'reverse_appayment',
  'getAPISession',
];

/** Functions that change nothing in the company (every other one writes). */
const READ_FUNCTIONS: ReadonlySet<string> = new Set(['read', 'readByQuery', 'readMore', 'query', 'lookup', 'inspect', 'getAPISession']);

/** Whether a gateway request runs a function that writes (every call is a POST: reads too). */
export function requestWrites(xml: string): boolean {
  for (const [, name] of xml.matchAll(/<function\b[^>]*>\s*<([A-Za-z_]+)/g)) if (!READ_FUNCTIONS.has(name!)) return true;
  return false;
}

export class IntacctFunctions {
  private readonly resultSets;
  /**
   * The sandbox page fault of the request being run (faults.ts `dupes`, `repeat`): 'duplicates'
   * sends every record of a page twice inside `<data>` (count says how many were sent);
   * 'repeat-cursor' answers a readMore with the page its resultId answered last (without moving
   * on) and a query at offset N with the page before N, each with the attributes of the page asked for.
   */
  pageFault: 'duplicates' | 'repeat-cursor' | null = null;
  /** Set when a read function applied pageFault (the gateway tells the server not to spoil again). */
  pageFaultApplied = false;

  constructor(private readonly company: IntacctCompany) {
    this.resultSets = company.store.collection<ResultSet>('result_sets');
  }

  run(name: string, body: XmlNode, caller: Caller): string {
    const node = asObject(body) ?? {};
    const company = this.company;
    switch (name) {
      case 'create':
        return this.write(node, 'create', caller);
      case 'update':
        return this.write(node, 'update', caller);
      case 'delete':
        return this.delete(node, caller);
      case 'read':
        return this.read(node, caller);
      case 'readByQuery':
        return this.readByQuery(node, caller);
      case 'readMore':
        return this.readMore(node, caller);
      case 'query':
        return this.query(node, caller);
      case 'lookup':
        return lookup(company, node);
      case 'inspect':
        return inspect(company, node);
      case 'create_bill':
        return el('key', createLegacyBill(company, node, caller));
      case 'create_potransaction':
        return el('key', createPoTransaction(company, node, caller));
      case 'update_potransaction':
        return el('key', updatePoTransaction(company, node, caller));
      case 'delete_potransaction':
        return el('key', deletePoTransaction(company, node, caller));
      case 'reverse_appayment':
        return el('key', reversePayment(company, node, caller));
      default:
        throw fail(ERR.PARSE, `Function '${name}' is not supported`, `The sandbox gateway implements ${SUPPORTED_FUNCTIONS.join(', ')}; '${name}' is not one of them.`);
    }
  }

  // ---------------------------------------------------------------- create / update / delete

  private write(node: XmlObject, mode: 'create' | 'update', caller: Caller): string {
    const written: string[] = [];
    const objects = Object.entries(node).filter(([k]) => !k.startsWith('@_') && k !== '#text');
    if (objects.length === 0) throw fail(ERR.PARSE, `Empty ${mode}`, `<${mode}> must contain an object element such as <APBILL> or <VENDOR>.`);
    for (const [objectName, instances] of objects) {
      const table = this.company.table(objectName);
      if (!table.schema.writable || (objectName === 'APPYMT' && mode === 'update')) {
        throw fail(ERR.BUSINESS, `${objectName} cannot be written with ${mode}`, `The sandbox serves ${objectName} for reading only${objectName === 'PODOCUMENT' ? '; write purchasing transactions with create_potransaction / update_potransaction' : ''}.`);
      }
      for (const instance of asArray(instances)) {
        const fields = asObject(instance) ?? {};
        const record = this.writeOne(objectName, fields, mode, caller);
        const keys = [el('RECORDNO', record.fields.RECORDNO ?? '')];
        if (table.schema.idField) keys.push(el(table.schema.idField, record.fields[table.schema.idField] ?? ''));
        written.push(el(objectName.toLowerCase(), keys));
      }
    }
    return el('data', written, { listtype: 'objects', count: written.length });
  }

  private writeOne(objectName: string, fields: XmlObject, mode: 'create' | 'update', caller: Caller): IntacctRecord {
    switch (objectName) {
      case 'APBILL':
        return writeBill(this.company, fields, mode, caller);
      case 'APPYMT':
        return createPayment(this.company, fields, caller);
      case 'GLBATCH':
        return writeGlBatch(this.company, fields, mode, caller);
      case 'TASK':
        return writeTask(this.company, fields, mode);
      default:
        return writeVendor(this.company, fields, mode);
    }
  }

  /** `<delete><object>…</object><keys>RECORDNO,…</keys></delete>` (XSD `delete`). */
  private delete(node: XmlObject, caller: Caller): string {
    const table = this.company.table(textOf(node.object) ?? '');
    const name = table.schema.name;
    const keys = splitKeys(textOf(node.keys));
    if (keys.length === 0) throw fail(ERR.PARSE, 'Invalid delete', '<delete> needs <keys> with the RECORDNO values to delete.');
    const remove: Record<string, (recordNo: string) => void> = {
      APBILL: (k) => deleteBill(this.company, k, caller),
      APPYMT: (k) => deletePayment(this.company, k, caller),
      GLBATCH: (k) => deleteGlBatch(this.company, k, caller),
      VENDOR: (k) => deleteVendor(this.company, k),
      TASK: (k) => deleteTask(this.company, k),
    };
    const removeOne = remove[name];
    if (!removeOne) throw fail(ERR.BUSINESS, `${name} cannot be deleted here`, `The sandbox deletes ${Object.keys(remove).join(', ')} only.`);
    for (const key of keys) removeOne(key);
    return el(
      'data',
      keys.map((k) => el(name.toLowerCase(), [el('RECORDNO', k)])),
      { listtype: 'objects', count: keys.length },
    );
  }

  // ---------------------------------------------------------------- read / readByQuery / readMore

  private read(node: XmlObject, caller: Caller): string {
    const table = this.table(node);
    const fields = this.fieldList(table.schema, textOf(node.fields) ?? '*');
    requireXmlFormat(textOf(node.returnFormat));
    // Keys are RECORDNOs; purchasing documents are read by their DOCID ("Purchase Order-PO0001").
    const byKey = (k: string): IntacctRecord | undefined => (table.schema.name === 'PODOCUMENT' ? (table.byBusinessId(k) ?? table.get(k)) : table.get(k));
    const records = splitKeys(textOf(node.keys))
      .map(byKey)
      .filter((r): r is IntacctRecord => r !== undefined && this.visible(table, r, caller, node));
    const element = table.schema.name.toLowerCase();
    return el('data', records.map((r) => renderNested(table.schema, r, fields, element, true)), { listtype: element, count: records.length });
  }

  private readByQuery(node: XmlObject, caller: Caller): string {
    const table = this.table(node);
    const schema = table.schema;
    const fields = this.fieldList(schema, textOf(node.fields) ?? '*');
    requireXmlFormat(textOf(node.returnFormat));
    const pagesize = pageSize(node.pagesize, 100, this.company.settings.readByQueryMaxPageSize);
    const condition = compile(() => parseReadByQuery(textOf(node.query) ?? '', schema));
    const matching = this.select(table, condition, false, caller, node);
    const seq = (this.company.store.getMeta<number>('resultSetSeq') ?? 0) + 1;
    this.company.store.setMeta('resultSetSeq', seq);
    const set: ResultSet = {
      resultId: randomBytes(12).toString('hex'),
      owner: caller.owner,
      object: schema.name,
      fields,
      recordNos: matching.map((r) => r.fields.RECORDNO ?? ''),
      position: 0,
      pagesize,
      expiresAt: this.company.now() + this.company.settings.resultIdTtlMs,
      createdSeq: seq,
    };
    return this.nextPage(table, set);
  }

  private readMore(node: XmlObject, caller: Caller): string {
    const now = this.company.now();
    for (const stale of this.resultSets.filter((s) => s.expiresAt <= now)) this.resultSets.delete(stale.resultId);
    const resultId = textOf(node.resultId);
    const objectName = textOf(node.object);
    let set: ResultSet | undefined;
    if (resultId) set = this.resultSets.get(resultId);
    else if (objectName) {
      set = this.resultSets
        .filter((s) => s.owner === caller.owner && s.object === objectName.toUpperCase())
        .sort((a, b) => b.createdSeq - a.createdSeq)[0];
    }
    if (!set || set.owner !== caller.owner) {
      throw fail(ERR.QUERY, 'Invalid resultId', `readMore: ${resultId ? `resultId ${resultId}` : `object ${objectName ?? '(none)'}`} has no remaining results (it was read to the end, expired, or never existed).`);
    }
    const table = this.company.table(set.object);
    if (this.pageFault === 'repeat-cursor' && set.position > 0) {
      // The page this resultId answered last, again; the result set does not move on.
      this.pageFaultApplied = true;
      const start = Math.max(0, set.position - set.pagesize);
      return this.renderPage(table, set, set.recordNos.slice(start, set.position), set.recordNos.length - set.position);
    }
    return this.nextPage(table, set);
  }

  private nextPage(table: ObjectTable, set: ResultSet): string {
    const pageKeys = set.recordNos.slice(set.position, set.position + set.pagesize);
    const position = set.position + pageKeys.length;
    const remaining = set.recordNos.length - position;
    if (remaining > 0) this.resultSets.put(set.resultId, { ...set, position });
    else this.resultSets.delete(set.resultId);
    return this.renderPage(table, set, pageKeys, remaining);
  }

  private renderPage(table: ObjectTable, set: ResultSet, pageKeys: readonly string[], remaining: number): string {
    const records = this.withPageFault(pageKeys.map((k) => table.get(k)).filter((r): r is IntacctRecord => r !== undefined));
    const element = table.schema.name.toLowerCase();
    return el(
      'data',
      records.map((r) => renderNested(table.schema, r, set.fields, element, false)),
      { listtype: element, count: records.length, totalcount: set.recordNos.length, numremaining: remaining, resultId: remaining > 0 ? set.resultId : '' },
    );
  }

  /** A page's records, each sent twice under the 'duplicates' fault. */
  private withPageFault<T>(records: readonly T[]): readonly T[] {
    if (this.pageFault !== 'duplicates' || records.length === 0) return records;
    this.pageFaultApplied = true;
    return records.flatMap((r) => [r, r]);
  }

  // ---------------------------------------------------------------- query (newer function)

  private query(node: XmlObject, caller: Caller): string {
    const table = this.table(node);
    const schema = table.schema;
    const selectNode = asObject(node.select);
    for (const aggregate of ['count', 'avg', 'min', 'max', 'sum']) {
      if (selectNode?.[aggregate] !== undefined) throw fail(ERR.QUERY, 'Unsupported select', `query: the aggregate <${aggregate}> is not served by this sandbox; select plain <field> elements.`);
    }
    const selected = asArray(selectNode?.field).map((f) => textOf(f) ?? '');
    if (selected.length === 0 || selected.includes('*')) {
      throw fail(ERR.QUERY, 'Invalid select', 'query needs <select> with the <field> elements to return; selecting all fields is not supported.');
    }
    const fields = compile(() => selected.map((f) => checkField(schema, f)));
    const options = asObject(node.options);
    const caseInsensitive = textOf(options?.caseinsensitive) === 'true';
    requireXmlFormat(textOf(options?.returnformat));
    const filterNode = asObject(node.filter);
    const condition = filterNode ? compile(() => parseQueryFilter(filterNode, schema)) : null;
    const order = compile(() =>
      asArray(asObject(node.orderby)?.order).map((o) => {
        const orderNode = asObject(o) ?? {};
        return { field: checkField(schema, textOf(orderNode.field) ?? ''), descending: orderNode.descending !== undefined };
      }),
    );
    const pagesize = pageSize(node.pagesize, 100, this.company.settings.queryMaxPageSize);
    const offsetText = textOf(node.offset) ?? '0';
    if (!/^\d+$/.test(offsetText)) throw fail(ERR.QUERY, 'Invalid offset', `offset must be a whole number >= 0, got '${offsetText}'.`);
    const offset = Number(offsetText);

    const matching = this.select(table, condition, caseInsensitive, caller, node);
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
    let page = matching.slice(offset, offset + pagesize);
    const remaining = Math.max(0, matching.length - offset - page.length);
    if (this.pageFault === 'repeat-cursor' && offset > 0) {
      // The page before the one asked for, under the attributes of the one asked for.
      this.pageFaultApplied = true;
      page = matching.slice(Math.max(0, offset - pagesize), offset);
    }
    page = [...this.withPageFault(page)];
    return el(
      'data',
      page.map((r) => el(schema.name, fields.map((f) => el(f, r.fields[f] ?? '')))),
      { listtype: schema.name, totalcount: matching.length, offset, count: page.length, numremaining: remaining },
    );
  }

  // ---------------------------------------------------------------- helpers

  private table(node: XmlObject): ObjectTable {
    const name = textOf(node.object) ?? '';
    if (!name) throw fail(ERR.QUERY, 'Query Failed', 'The function needs <object> naming the object to read.');
    const table = this.company.table(name);
    const docparid = textOf(node.docparid);
    if (docparid && (table.schema.name !== 'PODOCUMENT' || !PO_TRANSACTION_TYPES[docparid])) {
      throw fail(ERR.QUERY, 'Query Failed', `docparid '${docparid}' is not a transaction definition of ${table.schema.name} (PODOCUMENT has ${Object.keys(PO_TRANSACTION_TYPES).join(', ')}).`);
    }
    return table;
  }

  /** Entity scope of the session, and `docparid` (the transaction type) for PODOCUMENT. */
  private visible(table: ObjectTable, record: IntacctRecord, caller: Caller, node: XmlObject): boolean {
    const docparid = textOf(node.docparid);
    return this.company.visible(table.schema, record, caller) && (!docparid || record.fields.DOCPARID === docparid);
  }

  private select(table: ObjectTable, condition: Condition | null, caseInsensitive: boolean, caller: Caller, node: XmlObject): IntacctRecord[] {
    const visible = table.all().filter((r) => this.visible(table, r, caller, node));
    if (!condition) return visible;
    return compile(() => visible.filter((r) => evaluate(condition, r, table.schema, { caseInsensitive })));
  }

  private fieldList(schema: ObjectSchema, text: string): string[] | '*' {
    if (text.trim() === '*' || text.trim() === '') return '*';
    return compile(() => text.split(',').map((f) => checkField(schema, f.trim())));
  }
}

/** Runs a query step and turns its QueryError into the function's failure. */
function compile<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    if (err instanceof QueryError || err instanceof InvalidDecimalError) throw fail(ERR.QUERY, 'Query Failed', err.message, 'Check the field names, operators and quoting of the query.');
    throw err;
  }
}

function splitKeys(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
}

function requireXmlFormat(format: string | undefined): void {
  if (format && format !== 'xml') throw fail(ERR.QUERY, 'Unsupported format', `returnFormat '${format}' is not served by this sandbox; use xml.`);
}

function pageSize(node: XmlNode | undefined, fallback: number, max: number): number {
  const text = textOf(node);
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw fail(ERR.QUERY, 'Invalid pagesize', `pagesize must be a whole number from 1 to ${max}, got '${text}'.`);
  }
  return Number(text);
}

/** read/readByQuery output: lower-case element per record, dotted fields as nested elements. */
function renderNested(schema: ObjectSchema, record: IntacctRecord, fields: string[] | '*', element: string, withLines: boolean): string {
  const names = fields === '*' ? Object.keys(schema.fields) : fields;
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
  const lines = schema.lines;
  if (withLines && lines && record.lines && fields === '*') {
    const item = lines.item.toLowerCase();
    rendered.push(el(lines.container, record.lines.map((line) => el(item, Object.keys(lines.fields).filter((k) => line[k] !== undefined).map((k) => el(k, line[k] ?? ''))))));
  }
  return el(element, rendered);
}
