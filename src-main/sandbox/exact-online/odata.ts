import { ExactApiError, parseExactDate, GUID, type ExactRecord } from './wire';

/**
 * The slice of OData v3 that Exact Online accepts in `$filter` and `$orderby` (fact sheet §1.4):
 * eq ne gt ge lt le, and / or / not, parentheses, the literals guid'…', datetime'…', 123L,
 * 12.5, 'text' ('' escapes a quote), true/false/null, and the functions trim(), substringof(),
 * startswith(), endswith(), tolower(), toupper().
 */
export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'int64'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'null' }
  | { kind: 'guid'; value: string }
  | { kind: 'datetime'; value: number };

export type FilterNode =
  | { type: 'logical'; op: 'and' | 'or'; left: FilterNode; right: FilterNode }
  | { type: 'not'; operand: FilterNode }
  | { type: 'compare'; op: CompareOp; left: FilterNode; right: FilterNode }
  | { type: 'field'; name: string }
  | { type: 'literal'; literal: Literal }
  | { type: 'call'; name: FunctionName; args: FilterNode[] };

type CompareOp = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
const COMPARE_OPS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);
type FunctionName = 'trim' | 'substringof' | 'startswith' | 'endswith' | 'tolower' | 'toupper';
const FUNCTION_ARITY: Record<FunctionName, number> = { trim: 1, substringof: 2, startswith: 2, endswith: 2, tolower: 1, toupper: 1 };

type Token =
  | { t: 'lparen' | 'rparen' | 'comma'; pos: number }
  | { t: 'word'; text: string; pos: number }
  | { t: 'literal'; literal: Literal; pos: number };

function filterError(detail: string): ExactApiError {
  return new ExactApiError(400, `The $filter parameter is not valid: ${detail}`);
}

/** ISO date or date-time inside datetime'…'; without a zone it is read as UTC. */
function parseDateTimeLiteral(text: string, pos: number): number {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,7})?)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(text);
  const ms = match ? Date.parse(match[4] ? (match[8] ? text : `${text}Z`) : `${text}T00:00:00Z`) : NaN;
  if (Number.isNaN(ms)) throw filterError(`datetime'${text}' at position ${pos} is not a date such as datetime'2024-01-01' or datetime'2024-01-01T10:00:00'`);
  return ms;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const readQuoted = (start: number): [string, number] => {
    // start points at the opening quote; '' inside is an escaped quote
    let value = '';
    let j = start + 1;
    for (;;) {
      if (j >= text.length) throw filterError(`unterminated quoted text starting at position ${start}`);
      if (text[j] === "'") {
        if (text[j + 1] === "'") {
          value += "'";
          j += 2;
          continue;
        }
        return [value, j + 1];
      }
      value += text[j];
      j += 1;
    }
  };
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === '(') {
      tokens.push({ t: 'lparen', pos: i++ });
    } else if (ch === ')') {
      tokens.push({ t: 'rparen', pos: i++ });
    } else if (ch === ',') {
      tokens.push({ t: 'comma', pos: i++ });
    } else if (ch === "'") {
      const [value, next] = readQuoted(i);
      tokens.push({ t: 'literal', literal: { kind: 'string', value }, pos: i });
      i = next;
    } else if (/[-\d]/.test(ch)) {
      const match = /^-?\d+(\.\d+)?([LlMmDdFf])?/.exec(text.slice(i));
      if (!match) throw filterError(`unexpected "${ch}" at position ${i}`);
      const digits = match[0].replace(/[LlMmDdFf]$/, '');
      const suffix = match[2]?.toUpperCase();
      const literal: Literal = suffix === 'L' ? { kind: 'int64', value: Number(digits) } : { kind: 'number', value: Number(digits) };
      if (suffix === 'L' && match[1]) throw filterError(`${match[0]} at position ${i}: an Int64 literal has no decimals`);
      tokens.push({ t: 'literal', literal, pos: i });
      i += match[0].length;
    } else if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_/]*/.exec(text.slice(i)) as RegExpExecArray;
      const word = match[0];
      const afterWord = i + word.length;
      if ((word === 'guid' || word === 'datetime') && text[afterWord] === "'") {
        const [value, next] = readQuoted(afterWord);
        if (word === 'guid') {
          if (!GUID.test(value)) throw filterError(`guid'${value}' at position ${i} is not a GUID`);
          tokens.push({ t: 'literal', literal: { kind: 'guid', value: value.toLowerCase() }, pos: i });
        } else {
          tokens.push({ t: 'literal', literal: { kind: 'datetime', value: parseDateTimeLiteral(value, i) }, pos: i });
        }
        i = next;
        continue;
      }
      if (word === 'true' || word === 'false') tokens.push({ t: 'literal', literal: { kind: 'boolean', value: word === 'true' }, pos: i });
      else if (word === 'null') tokens.push({ t: 'literal', literal: { kind: 'null' }, pos: i });
      else tokens.push({ t: 'word', text: word, pos: i });
      i = afterWord;
    } else {
      throw filterError(`unexpected "${ch}" at position ${i}`);
    }
  }
  return tokens;
}

/** Parses a `$filter` expression; throws ExactApiError(400) with the position of the problem. */
export function parseFilter(text: string): FilterNode {
  const tokens = tokenize(text);
  let at = 0;
  const peek = (): Token | undefined => tokens[at];
  const isWord = (tok: Token | undefined, word: string): boolean => tok?.t === 'word' && tok.text === word;
  const describe = (tok: Token | undefined): string => (tok ? `position ${tok.pos}` : 'the end of the expression');

  const parseOr = (): FilterNode => {
    let node = parseAnd();
    while (isWord(peek(), 'or')) {
      at += 1;
      node = { type: 'logical', op: 'or', left: node, right: parseAnd() };
    }
    return node;
  };
  const parseAnd = (): FilterNode => {
    let node = parseNot();
    while (isWord(peek(), 'and')) {
      at += 1;
      node = { type: 'logical', op: 'and', left: node, right: parseNot() };
    }
    return node;
  };
  const parseNot = (): FilterNode => {
    if (isWord(peek(), 'not')) {
      at += 1;
      return { type: 'not', operand: parseNot() };
    }
    return parseComparison();
  };
  const parseComparison = (): FilterNode => {
    const left = parseOperand();
    const tok = peek();
    if (tok?.t === 'word' && COMPARE_OPS.has(tok.text)) {
      at += 1;
      return { type: 'compare', op: tok.text as CompareOp, left, right: parseOperand() };
    }
    return left;
  };
  const parseOperand = (): FilterNode => {
    const tok = tokens[at++];
    if (!tok) throw filterError('the expression ends where a value was expected');
    if (tok.t === 'literal') return { type: 'literal', literal: tok.literal };
    if (tok.t === 'lparen') {
      const inner = parseOr();
      if (tokens[at]?.t !== 'rparen') throw filterError(`missing ")" at ${describe(tokens[at])}`);
      at += 1;
      return inner;
    }
    if (tok.t === 'word') {
      if (tokens[at]?.t === 'lparen') {
        const name = tok.text.toLowerCase();
        if (!(name in FUNCTION_ARITY)) throw filterError(`unknown function ${tok.text}() at position ${tok.pos}`);
        at += 1;
        const args: FilterNode[] = [];
        if (tokens[at]?.t !== 'rparen') {
          args.push(parseOr());
          while (tokens[at]?.t === 'comma') {
            at += 1;
            args.push(parseOr());
          }
        }
        if (tokens[at]?.t !== 'rparen') throw filterError(`missing ")" after the arguments of ${tok.text}() at ${describe(tokens[at])}`);
        at += 1;
        const fn = name as FunctionName;
        if (args.length !== FUNCTION_ARITY[fn]) throw filterError(`${fn}() takes ${FUNCTION_ARITY[fn]} argument(s), got ${args.length}`);
        return { type: 'call', name: fn, args };
      }
      if (COMPARE_OPS.has(tok.text) || tok.text === 'and' || tok.text === 'or') throw filterError(`"${tok.text}" at position ${tok.pos} needs a value before it`);
      return { type: 'field', name: tok.text };
    }
    throw filterError(`unexpected "${tok.t === 'comma' ? ',' : ')'}" at position ${tok.pos}`);
  };

  const root = parseOr();
  if (at < tokens.length) throw filterError(`unexpected text at ${describe(tokens[at])}`);
  return root;
}

/** Every field name a filter refers to (for the "not supported" and mandatory-filter rules). */
export function filterFields(node: FilterNode, into = new Set<string>()): Set<string> {
  switch (node.type) {
    case 'field':
      into.add(node.name);
      break;
    case 'logical':
    case 'compare':
      filterFields(node.left, into);
      filterFields(node.right, into);
      break;
    case 'not':
      filterFields(node.operand, into);
      break;
    case 'call':
      for (const arg of node.args) filterFields(arg, into);
      break;
    case 'literal':
      break;
  }
  return into;
}

/**
 * The lowest value a top-level AND chain requires for `field` (`Timestamp gt 5L` -> 5,
 * exclusive). Sync feeds use it to start scanning at the right place instead of at row one.
 */
export function lowerBound(node: FilterNode, field: string): { value: number; inclusive: boolean } | undefined {
  if (node.type === 'logical' && node.op === 'and') {
    const a = lowerBound(node.left, field);
    const b = lowerBound(node.right, field);
    if (!a || !b) return a ?? b;
    return a.value > b.value || (a.value === b.value && !a.inclusive) ? a : b;
  }
  if (node.type !== 'compare' || node.left.type !== 'field' || node.left.name !== field || node.right.type !== 'literal') return undefined;
  const lit = node.right.literal;
  if (lit.kind !== 'int64' && lit.kind !== 'number') return undefined;
  if (node.op === 'gt') return { value: lit.value, inclusive: false };
  if (node.op === 'ge' || node.op === 'eq') return { value: lit.value, inclusive: true };
  return undefined;
}

type Value = string | number | boolean | null | { guid: string } | { datetime: number };

function evaluate(node: FilterNode, row: ExactRecord): Value {
  switch (node.type) {
    case 'literal':
      return literalValue(node.literal);
    case 'field': {
      const v = row[node.name];
      return v === undefined ? null : (v as Value);
    }
    case 'not':
      return !truthy(evaluate(node.operand, row));
    case 'logical': {
      const left = truthy(evaluate(node.left, row));
      if (node.op === 'and') return left && truthy(evaluate(node.right, row));
      return left || truthy(evaluate(node.right, row));
    }
    case 'compare':
      return compareValues(node.op, evaluate(node.left, row), evaluate(node.right, row));
    case 'call': {
      const args = node.args.map((arg) => evaluate(arg, row));
      const text = (i: number): string | null => {
        const v = args[i];
        if (v === null || v === undefined) return null;
        if (typeof v !== 'string') throw filterError(`${node.name}() expects text arguments`);
        return v;
      };
      switch (node.name) {
        case 'trim':
          return text(0)?.trim() ?? null;
        case 'tolower':
          return text(0)?.toLowerCase() ?? null;
        case 'toupper':
          return text(0)?.toUpperCase() ?? null;
        case 'substringof': {
          const needle = text(0);
          const hay = text(1);
          return needle !== null && hay !== null && hay.toLowerCase().includes(needle.toLowerCase());
        }
        case 'startswith': {
          const hay = text(0);
          const prefix = text(1);
          return hay !== null && prefix !== null && hay.toLowerCase().startsWith(prefix.toLowerCase());
        }
        case 'endswith': {
          const hay = text(0);
          const suffix = text(1);
          return hay !== null && suffix !== null && hay.toLowerCase().endsWith(suffix.toLowerCase());
        }
      }
    }
  }
}

function literalValue(lit: Literal): Value {
  switch (lit.kind) {
    case 'null':
      return null;
    case 'guid':
      return { guid: lit.value };
    case 'datetime':
      return { datetime: lit.value };
    default:
      return lit.value;
  }
}

function truthy(v: Value): boolean {
  return v === true;
}

type Scalar = string | number | boolean;

function typeName(v: Value): string {
  if (v !== null && typeof v === 'object') return 'guid' in v ? 'Edm.Guid' : 'Edm.DateTime';
  return typeof v === 'string' ? 'Edm.String' : typeof v === 'number' ? 'Edm.Decimal' : 'Edm.Boolean';
}

/** A guid'…' or datetime'…' literal against a field value, as comparable scalars. */
function typedPair(literal: { guid: string } | { datetime: number }, other: Value, fieldFirst: boolean, incompatible: () => ExactApiError): [Scalar, Scalar] {
  let lit: Scalar;
  let value: Scalar;
  if ('guid' in literal) {
    lit = literal.guid;
    if (other !== null && typeof other === 'object' && 'guid' in other) value = other.guid;
    else if (typeof other === 'string' && GUID.test(other)) value = other.toLowerCase();
    else throw incompatible();
  } else {
    lit = literal.datetime;
    const ms = other !== null && typeof other === 'object' && 'datetime' in other ? other.datetime : parseExactDate(other);
    if (ms === undefined) throw incompatible();
    value = ms;
  }
  return fieldFirst ? [value, lit] : [lit, value];
}

/** Normalises both sides to one comparable type; throws 400 for an impossible comparison. */
function comparable(op: string, a: Value, b: Value): [Scalar, Scalar] | null {
  if (a === null || b === null) return null;
  const incompatible = (): ExactApiError => filterError(`operator '${op}' is incompatible with operand types '${typeName(a)}' and '${typeName(b)}'`);
  if (typeof b === 'object') return typedPair(b, a, true, incompatible);
  if (typeof a === 'object') return typedPair(a, b, false, incompatible);
  // A guid or date field compared with a plain literal of another type is refused, as OData does.
  if (typeof a !== typeof b) throw incompatible();
  if (typeof a === 'string' && typeof b === 'string') {
    if ((GUID.test(a) || parseExactDate(a) !== undefined) !== (GUID.test(b) || parseExactDate(b) !== undefined)) throw incompatible();
    return [a.toLowerCase(), b.toLowerCase()];
  }
  return [a, b];
}

function compareValues(op: CompareOp, a: Value, b: Value): boolean {
  const pair = comparable(op, a, b);
  if (pair === null) {
    const bothNull = a === null && b === null;
    if (op === 'eq') return bothNull;
    if (op === 'ne') return !bothNull;
    return false;
  }
  const [x, y] = pair;
  switch (op) {
    case 'eq':
      return x === y;
    case 'ne':
      return x !== y;
    case 'gt':
      return x > y;
    case 'ge':
      return x >= y;
    case 'lt':
      return x < y;
    case 'le':
      return x <= y;
  }
}

export function matches(node: FilterNode, row: ExactRecord): boolean {
  return truthy(evaluate(node, row));
}

export interface OrderBy {
  field: string;
  descending: boolean;
}

export function parseOrderBy(text: string): OrderBy[] {
  return text.split(',').map((part) => {
    const [field, direction, extra] = part.trim().split(/\s+/);
    if (!field || extra !== undefined || (direction !== undefined && !/^(asc|desc)$/i.test(direction)))
      throw new ExactApiError(400, `The $orderby parameter is not valid near "${part.trim()}": use "Field asc" or "Field desc"`);
    return { field, descending: direction?.toLowerCase() === 'desc' };
  });
}

/**
 * A field value prepared for sorting: its instant (when it is an Exact date) and its lower-case
 * text are worked out once per row, not again in each of the n·log n comparisons.
 */
export interface OrderKey {
  value: unknown;
  date: number | undefined;
  text: string;
}

export function orderKey(value: unknown): OrderKey {
  return { value, date: parseExactDate(value), text: String(value).toLowerCase() };
}

/** Sort comparison of two field values as Exact orders them (nulls first, dates by instant). */
export function compareOrderKeys(a: OrderKey, b: OrderKey): number {
  if (a.value === b.value) return 0;
  if (a.value === null || a.value === undefined) return -1;
  if (b.value === null || b.value === undefined) return 1;
  if (a.date !== undefined && b.date !== undefined) return a.date - b.date;
  if (typeof a.value === 'number' && typeof b.value === 'number') return a.value - b.value;
  return a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
}

/** `$select=ID,Code,PurchaseOrderLines/Quantity` -> top-level fields and per-navigation fields. */
export interface Selection {
  fields: Set<string> | null; // null = everything
  nested: Map<string, Set<string>>;
}

export function parseSelect(text: string | null): Selection {
  const nested = new Map<string, Set<string>>();
  if (text === null || text.trim() === '' || text.trim() === '*') return { fields: null, nested };
  const fields = new Set<string>();
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (!part) continue;
    const slash = part.indexOf('/');
    if (slash < 0) {
      fields.add(part);
      continue;
    }
    const nav = part.slice(0, slash);
    fields.add(nav);
    const set = nested.get(nav) ?? new Set<string>();
    set.add(part.slice(slash + 1));
    nested.set(nav, set);
  }
  return { fields, nested };
}
