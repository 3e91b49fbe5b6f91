/**
 * JSON with exact numbers. Acumatica's DecimalValue carries a JSON *number* (fact sheet 1.5;
 * OpenAPI `DecimalValue.value: number`), so money has to travel as a bare number without ever
 * passing through a binary float:
 *
 * - `toJsonText` writes `JsonDecimal` instances as their digits, verbatim;
 * - `parseJsonKeepingNumbers` parses an answer with every number kept as its literal text (a
 *   string), so `Decimal.parse` sees exactly the digits Acumatica sent.
 */
export class JsonDecimal {
  constructor(readonly text: string) {
    if (!/^-?\d+(\.\d+)?$/.test(text)) throw new RangeError(`not a plain decimal number: "${text}"`);
  }
}

export function toJsonText(value: unknown): string {
  if (value instanceof JsonDecimal) return value.text;
  if (value === null) return 'null';
  if (Array.isArray(value))
    return `[${value.map((item) => (item === undefined ? 'null' : toJsonText(item))).join(',')}]`;
  if (typeof value === 'object') {
    const parts: string[] = [];
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      if (item === undefined) continue;
      parts.push(`${JSON.stringify(key)}:${toJsonText(item)}`);
    }
    return `{${parts.join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value))
    throw new RangeError(`cannot send ${value} as JSON`);
  return JSON.stringify(value);
}

const NUMBER_TOKEN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** `JSON.parse`, except that every number comes back as the string of its literal digits. */
export function parseJsonKeepingNumbers(text: string): unknown {
  let out = '';
  let copiedUpTo = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i += 1;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      NUMBER_TOKEN.lastIndex = i;
      const match = NUMBER_TOKEN.exec(text);
      if (!match) continue; // not a number: let JSON.parse report it
      out += `${text.slice(copiedUpTo, i)}"${match[0]}"`;
      i += match[0].length - 1;
      copiedUpTo = i + 1;
    }
  }
  return JSON.parse(out + text.slice(copiedUpTo));
}
