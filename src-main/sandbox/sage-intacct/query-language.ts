import { Decimal } from '../../../src-shared/domain/money';
import { fieldType, type IntacctFieldType, type IntacctRecord, type ObjectSchema } from './objects';
import { asArray, asObject, textOf, type XmlNode, type XmlObject } from './xml';

/**
 * The two query languages of fact sheet 2.9, compiled to one condition tree:
 * - readByQuery's SQL-like string: `= != <> < > <= >=`, LIKE / NOT LIKE, IN / NOT IN, IS [NOT]
 *   NULL, AND, OR, NOT, parentheses; spaces around operators required; single quotes escaped
 *   with a backslash; string comparison case-sensitive.
 * - query's XML `<filter>`: equalto, notequalto, lessthan(orequalto), greaterthan(orequalto),
 *   like, notlike, in, notin, between, isnull, isnotnull, and, or; `caseinsensitive` option.
 */
export class QueryError extends Error {}

type CompareOp = '=' | '!=' | '<' | '>' | '<=' | '>=';
export type Condition =
  | { kind: 'and' | 'or'; parts: Condition[] }
  | { kind: 'not'; inner: Condition }
  | { kind: 'compare'; field: string; op: CompareOp; value: string }
  | { kind: 'like'; field: string; pattern: string; negate: boolean }
  | { kind: 'in'; field: string; values: string[]; negate: boolean }
  | { kind: 'null'; field: string; negate: boolean };

// ------------------------------------------------------------------ readByQuery string

type Token = { t: 'word' | 'str' | 'num' | 'op' | '(' | ')' | ','; v: string; at: number };

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i] as string;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ t: c, v: c, at: i });
      i += 1;
      continue;
    }
    if (c === "'") {
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= query.length) throw new QueryError(`Unterminated string starting at position ${i + 1} of the query.`);
        const d = query[j] as string;
        if (d === '\\' && j + 1 < query.length) {
          text += query[j + 1];
          j += 2;
          continue;
        }
        if (d === "'") break;
        text += d;
        j += 1;
      }
      tokens.push({ t: 'str', v: text, at: i });
      i = j + 1;
      continue;
    }
    const op = /^(<=|>=|<>|!=|=|<|>)/.exec(query.slice(i));
    if (op) {
      const before = query[i - 1];
      const after = query[i + op[0].length];
      if ((before !== undefined && !/\s/.test(before)) || (after !== undefined && !/\s/.test(after))) {
        throw new QueryError(`Put spaces around the operator '${op[0]}' at position ${i + 1} of the query (e.g. "VENDORID = 'V-1'").`);
      }
      tokens.push({ t: 'op', v: op[0], at: i });
      i += op[0].length;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(query.slice(i));
    if (num) {
      tokens.push({ t: 'num', v: num[0], at: i });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_][\w.]*/.exec(query.slice(i));
    if (word) {
      tokens.push({ t: 'word', v: word[0], at: i });
      i += word[0].length;
      continue;
    }
    throw new QueryError(`Unexpected character '${c}' at position ${i + 1} of the query.`);
  }
  return tokens;
}

export function parseReadByQuery(query: string, schema: ObjectSchema): Condition | null {
  if (query.trim() === '') return null;
  const tokens = tokenize(query);
  let pos = 0;
  const isKeyword = (word: string, offset = 0): boolean => {
    const tok = tokens[pos + offset];
    return tok?.t === 'word' && tok.v.toUpperCase() === word;
  };
  const fail = (what: string): never => {
    const tok = tokens[pos];
    throw new QueryError(`${what} ${tok ? `at '${tok.v}' (position ${tok.at + 1})` : 'at the end'} of the query.`);
  };
  const literal = (): string => {
    const tok = tokens[pos];
    if (!tok || (tok.t !== 'str' && tok.t !== 'num')) return fail('Expected a quoted value or a number');
    pos += 1;
    return tok.v;
  };

  const primary = (): Condition => {
    if (tokens[pos]?.t === '(') {
      pos += 1;
      const inner = orExpr();
      if (tokens[pos]?.t !== ')') fail("Expected ')'");
      pos += 1;
      return inner;
    }
    if (isKeyword('NOT')) {
      pos += 1;
      return { kind: 'not', inner: primary() };
    }
    const fieldTok = tokens[pos];
    if (!fieldTok || fieldTok.t !== 'word') return fail('Expected a field name');
    const field = checkField(schema, fieldTok.v);
    pos += 1;
    if (isKeyword('IS')) {
      pos += 1;
      const negate = isKeyword('NOT');
      if (negate) pos += 1;
      if (!isKeyword('NULL')) fail('Expected NULL');
      pos += 1;
      return { kind: 'null', field, negate };
    }
    const negate = isKeyword('NOT');
    if (negate) pos += 1;
    if (isKeyword('LIKE')) {
      pos += 1;
      return { kind: 'like', field, pattern: literal(), negate };
    }
    if (isKeyword('IN')) {
      pos += 1;
      if (tokens[pos]?.t !== '(') fail("Expected '(' after IN");
      pos += 1;
      const values = [literal()];
      while (tokens[pos]?.t === ',') {
        pos += 1;
        values.push(literal());
      }
      if (tokens[pos]?.t !== ')') fail("Expected ')' to close IN (…)");
      pos += 1;
      return { kind: 'in', field, values, negate };
    }
    if (negate) fail('Expected LIKE or IN after NOT');
    const opTok = tokens[pos];
    if (!opTok || opTok.t !== 'op') return fail('Expected an operator (=, <>, <, >, <=, >=, LIKE, IN, IS NULL)');
    pos += 1;
    return { kind: 'compare', field, op: opTok.v === '<>' ? '!=' : (opTok.v as CompareOp), value: literal() };
  };
  const andExpr = (): Condition => {
    const parts = [primary()];
    while (isKeyword('AND')) {
      pos += 1;
      parts.push(primary());
    }
    return parts.length === 1 ? (parts[0] as Condition) : { kind: 'and', parts };
  };
  const orExpr = (): Condition => {
    const parts = [andExpr()];
    while (isKeyword('OR')) {
      pos += 1;
      parts.push(andExpr());
    }
    return parts.length === 1 ? (parts[0] as Condition) : { kind: 'or', parts };
  };
  const tree = orExpr();
  if (pos < tokens.length) fail('Unexpected text');
  return tree;
}

/** Field names are matched case-insensitively and returned in Intacct's upper case. */
export function checkField(schema: ObjectSchema, name: string): string {
  const upper = name.toUpperCase();
  if (!fieldType(schema, upper)) throw new QueryError(`'${name}' is not a field of ${schema.name}.`);
  return upper;
}

// ------------------------------------------------------------------ query <filter>

const XML_COMPARE: Record<string, CompareOp> = {
  equalto: '=',
  notequalto: '!=',
  lessthan: '<',
  lessthanorequalto: '<=',
  greaterthan: '>',
  greaterthanorequalto: '>=',
};

export function parseQueryFilter(filter: XmlObject, schema: ObjectSchema): Condition {
  const parts = filterParts(filter, schema);
  if (parts.length !== 1) throw new QueryError('<filter> must hold exactly one condition (combine several with <and> or <or>).');
  return parts[0] as Condition;
}

function filterParts(container: XmlObject, schema: ObjectSchema): Condition[] {
  const out: Condition[] = [];
  for (const [operator, nodes] of Object.entries(container)) {
    if (operator.startsWith('@_') || operator === '#text') continue;
    for (const node of asArray(nodes)) out.push(filterCondition(operator, node, schema));
  }
  return out;
}

function filterCondition(operator: string, node: XmlNode, schema: ObjectSchema): Condition {
  const body = asObject(node) ?? {};
  if (operator === 'and' || operator === 'or') {
    const parts = filterParts(body, schema);
    if (parts.length < 2) throw new QueryError(`<${operator}> needs at least two conditions.`);
    return { kind: operator, parts };
  }
  const fieldName = textOf(body.field);
  if (!fieldName) throw new QueryError(`<${operator}> needs a <field>.`);
  const field = checkField(schema, fieldName);
  const values = asArray(body.value).map((v) => textOf(v) ?? '');
  const one = (): string => {
    if (values.length !== 1) throw new QueryError(`<${operator}> needs exactly one <value>.`);
    return values[0] as string;
  };
  const compare = XML_COMPARE[operator];
  if (compare) return { kind: 'compare', field, op: compare, value: one() };
  switch (operator) {
    case 'like':
    case 'notlike':
      return { kind: 'like', field, pattern: one(), negate: operator === 'notlike' };
    case 'in':
    case 'notin':
      // XSD `in`: value minOccurs 1, maxOccurs 1000.
      if (values.length === 0 || values.length > 1000) throw new QueryError(`<${operator}> needs 1 to 1000 <value> elements, got ${values.length}.`);
      return { kind: 'in', field, values, negate: operator === 'notin' };
    case 'isnull':
    case 'isnotnull':
      return { kind: 'null', field, negate: operator === 'isnotnull' };
    case 'between': {
      if (values.length !== 2) throw new QueryError('<between> needs exactly two <value> elements.');
      return {
        kind: 'and',
        parts: [
          { kind: 'compare', field, op: '>=', value: values[0] as string },
          { kind: 'compare', field, op: '<=', value: values[1] as string },
        ],
      };
    }
    default:
      throw new QueryError(`Unknown filter operator <${operator}>.`);
  }
}

// ------------------------------------------------------------------ evaluation

export interface EvalOptions {
  caseInsensitive: boolean;
}

export function evaluate(cond: Condition, record: IntacctRecord, schema: ObjectSchema, opts: EvalOptions): boolean {
  switch (cond.kind) {
    case 'and':
      return cond.parts.every((p) => evaluate(p, record, schema, opts));
    case 'or':
      return cond.parts.some((p) => evaluate(p, record, schema, opts));
    case 'not':
      return !evaluate(cond.inner, record, schema, opts);
    case 'null': {
      const isNull = (record.fields[cond.field] ?? '') === '';
      return cond.negate ? !isNull : isNull;
    }
    case 'like': {
      const value = record.fields[cond.field] ?? '';
      if (value === '') return false;
      const flags = opts.caseInsensitive ? 'i' : '';
      const regex = new RegExp(`^${cond.pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.')}$`, `s${flags}`);
      return regex.test(value) !== cond.negate;
    }
    case 'in': {
      const value = record.fields[cond.field] ?? '';
      if (value === '') return false;
      const type = fieldType(schema, cond.field) ?? 'text';
      const hit = cond.values.some((v) => compareTyped(value, v, type, opts) === 0);
      return hit !== cond.negate;
    }
    case 'compare': {
      const value = record.fields[cond.field] ?? '';
      if (value === '') return false; // NULL compares to nothing
      const order = compareTyped(value, cond.value, fieldType(schema, cond.field) ?? 'text', opts);
      switch (cond.op) {
        case '=':
          return order === 0;
        case '!=':
          return order !== 0;
        case '<':
          return order < 0;
        case '>':
          return order > 0;
        case '<=':
          return order <= 0;
        case '>=':
          return order >= 0;
      }
    }
  }
  return false;
}

export function compareTyped(a: string, b: string, type: IntacctFieldType, opts: EvalOptions): number {
  switch (type) {
    case 'decimal':
    case 'number':
    case 'integer':
      return Decimal.parse(requireNumber(a)).compare(Decimal.parse(requireNumber(b)));
    case 'date':
    case 'timestamp':
      return Math.sign(instant(a) - instant(b));
    default: {
      const x = opts.caseInsensitive ? a.toLowerCase() : a;
      const y = opts.caseInsensitive ? b.toLowerCase() : b;
      return x === y ? 0 : x < y ? -1 : 1;
    }
  }
}

function requireNumber(text: string): string {
  if (!/^-?\d+(\.\d+)?$/.test(text.trim())) throw new QueryError(`'${text}' is not a number.`);
  return text.trim();
}

/** "mm/dd/yyyy" or "mm/dd/yyyy HH:MM:SS" → epoch ms (UTC). */
export function instant(text: string): number {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})(?: (\d{2}):(\d{2}):(\d{2}))?$/.exec(text.trim());
  if (!m) throw new QueryError(`'${text}' is not a date in mm/dd/yyyy (or mm/dd/yyyy HH:MM:SS) form.`);
  return Date.UTC(Number(m[3]), Number(m[1]) - 1, Number(m[2]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
}
