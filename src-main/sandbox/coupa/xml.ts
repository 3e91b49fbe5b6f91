/**
 * Coupa's default format is XML (fact sheet §3.1: a request without `Accept: application/json`
 * gets XML). Records are rendered the Rails way Coupa uses: hyphenated element names, a
 * `type` attribute on non-text values (integer, decimal, boolean, dateTime, array), `nil="true"`
 * for null, and arrays as repeated singular children (`<order-lines type="array"><order-line>`).
 * Errors are `<errors><error>message</error></errors>` (§3.7).
 */

/** Keys whose string values are decimals (Coupa sends them as `type="decimal"`). */
const DECIMAL_KEYS = new Set(['price', 'quantity', 'total', 'tax-amount', 'gross-total', 'total-with-taxes', 'supplier-total']);
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([+-]\d{2}:\d{2}|Z)$/;

/** Characters XML 1.0 cannot carry at all (not even as references): dropped, as Coupa's serializer does. */
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

function escapeText(text: string): string {
  return text
    .replace(XML_INVALID, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** order-lines → order-line, remit-to-addresses → remit-to-address, invoice-headers → invoice-header. */
export function singular(name: string): string {
  if (/(ss|x|ch|sh)es$/.test(name)) return name.slice(0, -2);
  if (name.endsWith('ies')) return `${name.slice(0, -3)}y`;
  if (name.endsWith('s')) return name.slice(0, -1);
  return name;
}

function element(name: string, value: unknown, indent: string): string {
  if (value === null || value === undefined) return `${indent}<${name} nil="true"/>`;
  if (Array.isArray(value)) {
    if (value.length === 0) return `${indent}<${name} type="array"/>`;
    const child = singular(name);
    return `${indent}<${name} type="array">\n${value.map((v) => element(child, v, `${indent}  `)).join('\n')}\n${indent}</${name}>`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return `${indent}<${name}/>`;
    return `${indent}<${name}>\n${entries.map(([k, v]) => element(k, v, `${indent}  `)).join('\n')}\n${indent}</${name}>`;
  }
  if (typeof value === 'boolean') return `${indent}<${name} type="boolean">${String(value)}</${name}>`;
  if (typeof value === 'number') return `${indent}<${name} type="${Number.isInteger(value) ? 'integer' : 'float'}">${String(value)}</${name}>`;
  const text = String(value);
  const type = DECIMAL_KEYS.has(name) ? ' type="decimal"' : DATETIME.test(text) ? ' type="dateTime"' : '';
  return `${indent}<${name}${type}>${escapeText(text)}</${name}>`;
}

const PROLOG = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** One record: `<order-header>…</order-header>`. */
export function xmlRecord(root: string, record: Record<string, unknown>): string {
  return `${PROLOG}${element(root, record, '')}\n`;
}

/** A list: `<order-headers type="array"><order-header>…</order-header>…</order-headers>`. */
export function xmlList(root: string, records: readonly Record<string, unknown>[]): string {
  return `${PROLOG}${element(`${root}s`, records, '')}\n`;
}

export function xmlErrors(messages: readonly string[]): string {
  return `${PROLOG}<errors>\n${messages.map((m) => `  <error>${escapeText(m)}</error>`).join('\n')}\n</errors>\n`;
}
