import { Decimal } from '../../../src-shared/domain/money';
import {
  CUSTOM_FIELD_TYPES,
  hasField,
  type FieldType,
  type NodeSchema,
  type Scalar,
  type StoredRecord,
} from './schema';

/**
 * `$filter` as the contract-based API reads it (fact sheet 1.6): eq ne gt ge lt le, and, or,
 * not, parentheses, substringof / startswith / endswith, literals 'text' ('' escapes a quote),
 * numbers, true/false/null, datetimeoffset'…' and datetime'…'; linked-entity fields as
 * `MainContact/Email`; screen fields outside the contract as `cf.String(f='Document.UsrField')`.
 * Filtering on detail fields is refused with a clear message (the live API gives unpredictable
 * results, 1.6). String comparison ignores case, like the SQL Server collation behind Acumatica.
 */
export class FilterError extends Error {}

type Literal = { kind: 'literal'; value: string | number | boolean | null; typed?: 'datetime' };
/** A contract field (path through linked entities) or a custom screen field. */
type FieldRef =
  | { kind: 'field'; name: string; path: string[]; type: FieldType }
  | { kind: 'field'; name: string; custom: { view: string; field: string; alias?: string }; type: FieldType };
type Operand = Literal | FieldRef;
export type FilterNode =
  | { kind: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; inner: FilterNode }
  | { kind: 'compare'; op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; left: Operand; right: Operand }
  | { kind: 'call'; fn: 'substringof' | 'startswith' | 'endswith'; field: FieldRef; text: string };

type Token =
  | { t: 'id'; v: string }
  | { t: 'str'; v: string; prefix?: string }
  | { t: 'num'; v: string }
  | { t: '(' | ')' | ',' | '=' };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] as string;
    if (/\s/.test(c)) {
      i += 1;
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === '=') {
      tokens.push({ t: c });
      i += 1;
      continue;
    }
    if (c === "'") {
      const { text, end } = readQuoted(input, i);
      tokens.push({ t: 'str', v: text });
      i = end;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(input.slice(i));
    if (num) {
      tokens.push({ t: 'num', v: num[0] });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][\w./]*/.exec(input.slice(i));
    if (id) {
      i += id[0].length;
      if (input[i] === "'") {
        const { text, end } = readQuoted(input, i);
        tokens.push({ t: 'str', v: text, prefix: id[0] });
        i = end;
      } else tokens.push({ t: 'id', v: id[0] });
      continue;
    }
    throw new FilterError(`Unexpected character '${c}' at position ${i} of $filter.`);
  }
  return tokens;
}

function readQuoted(input: string, start: number): { text: string; end: number } {
  let text = '';
  let i = start + 1;
  for (;;) {
    if (i >= input.length)
      throw new FilterError(`Unterminated string literal starting at position ${start} of $filter.`);
    if (input[i] === "'") {
      if (input[i + 1] === "'") {
        text += "'";
        i += 2;
        continue;
      }
      return { text, end: i + 1 };
    }
    text += input[i];
    i += 1;
  }
}

const COMPARISONS = new Set(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
const FUNCTIONS = new Set(['substringof', 'startswith', 'endswith']);

const CUSTOM_FILTER_TYPES: Record<string, FieldType> = {
  string: 'string',
  decimal: 'decimal',
  boolean: 'bool',
  datetime: 'datetime',
  int: 'int',
  short: 'short',
  guid: 'guid',
};

export function parseFilter(input: string, schema: NodeSchema, version: string): FilterNode {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isWord = (tok: Token | undefined, word: string): boolean =>
    tok?.t === 'id' && tok.v.toLowerCase() === word;
  const expect = (t: Token['t']): Token => {
    const tok = tokens[pos];
    if (!tok || tok.t !== t) throw new FilterError(`Expected '${t}' in $filter at token ${pos + 1}.`);
    pos += 1;
    return tok;
  };

  const field = (name: string): FieldRef => {
    const parts = name.split('/');
    let node = schema;
    for (const head of parts.slice(0, -1)) {
      if (node.collections?.[head])
        throw new FilterError(
          `Filtering on detail fields ('${name}') is not supported by the contract-based API.`,
        );
      const linked = node.linked?.[head];
      if (!linked)
        throw new FilterError(`'${name}': ${node.name} has no linked entity '${head}' in this sandbox.`);
      node = linked;
    }
    const last = parts[parts.length - 1] ?? '';
    if (!hasField(node, last, version))
      throw new FilterError(`'${name}' is not a field of ${schema.name} in Default/${version}.`);
    return { kind: 'field', name, path: parts, type: node.fields[last] ?? 'string' };
  };

  /** `cf.String(f='Document.UsrField')` (fact sheet 1.6). */
  const customField = (typeWord: string): FieldRef => {
    const type = CUSTOM_FILTER_TYPES[typeWord.toLowerCase()];
    if (!type) throw new FilterError(`Unknown custom field type 'cf.${typeWord}' in $filter.`);
    expect('(');
    const f = tokens[pos];
    if (f?.t !== 'id' || f.v !== 'f') throw new FilterError(`cf.${typeWord}(…) takes f='View.Field'.`);
    pos += 1;
    expect('=');
    const target = tokens[pos];
    if (target?.t !== 'str' || target.prefix)
      throw new FilterError(`cf.${typeWord}(f='View.Field') needs a quoted View.Field.`);
    pos += 1;
    expect(')');
    const [view = '', fieldName = ''] = target.v.split('.');
    const spec = schema.views?.[view]?.[fieldName];
    if (!spec)
      throw new FilterError(`'${target.v}' is not a field of ${schema.name}'s screen known to this sandbox.`);
    if (CUSTOM_FIELD_TYPES[spec.type] !== type)
      throw new FilterError(`'${target.v}' is a ${spec.type}, not cf.${typeWord}.`);
    return {
      kind: 'field',
      name: target.v,
      custom: { view, field: fieldName, ...(spec.alias ? { alias: spec.alias } : {}) },
      type,
    };
  };

  const operand = (): Operand => {
    const tok = tokens[pos];
    pos += 1;
    if (!tok) throw new FilterError('$filter ends where a value was expected.');
    if (tok.t === 'str') {
      if (!tok.prefix) return { kind: 'literal', value: tok.v };
      const prefix = tok.prefix.toLowerCase();
      if (prefix === 'datetimeoffset' || prefix === 'datetime') {
        const ms = Date.parse(tok.v);
        if (Number.isNaN(ms)) throw new FilterError(`${tok.prefix}'${tok.v}' is not a valid date/time.`);
        return { kind: 'literal', value: ms, typed: 'datetime' };
      }
      if (prefix === 'guid') return { kind: 'literal', value: tok.v };
      throw new FilterError(`Unknown literal type '${tok.prefix}' in $filter.`);
    }
    if (tok.t === 'num') return { kind: 'literal', value: tok.v };
    if (tok.t === 'id') {
      const word = tok.v.toLowerCase();
      if (word === 'true' || word === 'false') return { kind: 'literal', value: word === 'true' };
      if (word === 'null') return { kind: 'literal', value: null };
      if (word.startsWith('cf.') && tokens[pos]?.t === '(') return customField(tok.v.slice(3));
      return field(tok.v);
    }
    throw new FilterError(`Unexpected '${tok.t}' in $filter where a field or value was expected.`);
  };

  const primary = (): FilterNode => {
    const tok = peek();
    if (tok?.t === '(') {
      pos += 1;
      const inner = orExpr();
      expect(')');
      return inner;
    }
    if (isWord(tok, 'not')) {
      pos += 1;
      return { kind: 'not', inner: primary() };
    }
    if (tok?.t === 'id' && FUNCTIONS.has(tok.v.toLowerCase()) && tokens[pos + 1]?.t === '(') {
      const fn = tok.v.toLowerCase() as 'substringof' | 'startswith' | 'endswith';
      pos += 2;
      const a = operand();
      expect(',');
      const b = operand();
      expect(')');
      // substringof('text', Field); startswith(Field, 'text'); endswith(Field, 'text')
      const [fieldArg, textArg] = fn === 'substringof' ? [b, a] : [a, b];
      if (fieldArg.kind !== 'field' || textArg.kind !== 'literal' || typeof textArg.value !== 'string') {
        throw new FilterError(`${fn} needs a field and a string literal.`);
      }
      return { kind: 'call', fn, field: fieldArg, text: textArg.value };
    }
    const left = operand();
    const opTok = tokens[pos];
    if (!opTok || opTok.t !== 'id' || !COMPARISONS.has(opTok.v.toLowerCase())) {
      throw new FilterError(
        `Expected a comparison operator (eq, ne, gt, ge, lt, le) after '${left.kind === 'field' ? left.name : String(left.value)}'.`,
      );
    }
    pos += 1;
    const right = operand();
    return { kind: 'compare', op: opTok.v.toLowerCase() as 'eq', left, right };
  };

  const andExpr = (): FilterNode => {
    let node = primary();
    while (isWord(peek(), 'and')) {
      pos += 1;
      node = { kind: 'and', left: node, right: primary() };
    }
    return node;
  };
  const orExpr = (): FilterNode => {
    let node = andExpr();
    while (isWord(peek(), 'or')) {
      pos += 1;
      node = { kind: 'or', left: node, right: andExpr() };
    }
    return node;
  };

  if (tokens.length === 0) throw new FilterError('$filter is empty.');
  const tree = orExpr();
  if (pos < tokens.length)
    throw new FilterError(`Unexpected text after the end of the $filter expression (token ${pos + 1}).`);
  return tree;
}

/** `Field eq 'value'` on a top-level string field (lookups made by the business rules). */
export function fieldEquals(field: string, value: string): FilterNode {
  return {
    kind: 'compare',
    op: 'eq',
    left: { kind: 'field', name: field, path: [field], type: 'string' },
    right: { kind: 'literal', value },
  };
}

/** Top-level `Field eq 'literal'` terms joined by `and`: candidates for an index lookup. */
export function equalityTerms(node: FilterNode): { field: string; value: string }[] {
  if (node.kind === 'and') return [...equalityTerms(node.left), ...equalityTerms(node.right)];
  if (
    node.kind === 'compare' &&
    node.op === 'eq' &&
    node.left.kind === 'field' &&
    'path' in node.left &&
    node.left.path.length === 1 &&
    node.right.kind === 'literal' &&
    typeof node.right.value === 'string'
  ) {
    return [{ field: node.left.name, value: node.right.value }];
  }
  return [];
}

export function matches(node: FilterNode, record: StoredRecord): boolean {
  switch (node.kind) {
    case 'and':
      return matches(node.left, record) && matches(node.right, record);
    case 'or':
      return matches(node.left, record) || matches(node.right, record);
    case 'not':
      return !matches(node.inner, record);
    case 'call': {
      const value = fieldValue(node.field, record);
      if (value === null || value === undefined) return false;
      const hay = String(value).toLowerCase();
      const needle = node.text.toLowerCase();
      if (node.fn === 'substringof') return hay.includes(needle);
      return node.fn === 'startswith' ? hay.startsWith(needle) : hay.endsWith(needle);
    }
    case 'compare': {
      const type =
        node.left.kind === 'field'
          ? node.left.type
          : node.right.kind === 'field'
            ? node.right.type
            : 'string';
      const left = resolve(node.left, record);
      const right = resolve(node.right, record);
      const order = compareValues(left, right, type);
      if (order === null) return node.op === 'ne' ? left !== right : node.op === 'eq' && left === right;
      switch (node.op) {
        case 'eq':
          return order === 0;
        case 'ne':
          return order !== 0;
        case 'gt':
          return order > 0;
        case 'ge':
          return order >= 0;
        case 'lt':
          return order < 0;
        case 'le':
          return order <= 0;
      }
    }
  }
  return false;
}

function resolve(operand: Operand, record: StoredRecord): Scalar {
  if (operand.kind === 'literal') return operand.value;
  return fieldValue(operand, record);
}

function fieldValue(ref: FieldRef, record: StoredRecord): Scalar {
  if ('custom' in ref) {
    const { view, field, alias } = ref.custom;
    return (alias ? record.values[alias] : record.custom?.[view]?.[field]) ?? null;
  }
  let node: StoredRecord | undefined = record;
  for (const linked of ref.path.slice(0, -1)) node = node?.linked?.[linked];
  return node?.values[ref.path[ref.path.length - 1] ?? ''] ?? null;
}

/** Ordering of two values as the field's type reads them; null = not comparable (a null side). */
function compareValues(
  a: string | number | boolean | null,
  b: string | number | boolean | null,
  type: FieldType,
): number | null {
  if (a === null || b === null) return null;
  switch (type) {
    case 'datetime': {
      const ms = (v: string | number | boolean): number =>
        typeof v === 'number' ? v : Date.parse(String(v));
      return Math.sign(ms(a) - ms(b));
    }
    case 'decimal':
    case 'int':
    case 'short':
      try {
        return Decimal.parse(String(a)).compare(Decimal.parse(String(b)));
      } catch {
        throw new FilterError(`Cannot compare '${String(a)}' with '${String(b)}' as numbers.`);
      }
    case 'bool':
      return a === b ? 0 : 1;
    case 'guid':
    case 'string': {
      const x = String(a).toLowerCase();
      const y = String(b).toLowerCase();
      return x === y ? 0 : x < y ? -1 : 1;
    }
  }
}
