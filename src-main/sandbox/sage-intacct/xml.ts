import { XMLParser, XMLValidator } from 'fast-xml-parser';

/**
 * XML in and out of the gateway. Parsing keeps every value a string (no number coercion: ids
 * like "0012" and amounts stay exact) and turns `<function>` into an array. Before parsing, the
 * body is checked against the XML 1.0 character rules (fact sheet 2.10): a control character
 * such as U+0007, raw or as a numeric reference, is a parse error, never silently stripped.
 */
export class XmlParseError extends Error {}

export type XmlNode = string | XmlObject | XmlNode[];
export interface XmlObject {
  [name: string]: XmlNode;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  // Also decodes numeric character references (&#233;); illegal ones were refused before.
  htmlEntities: true,
  isArray: (_name, jpath) => jpath === 'request.operation.content.function',
});

/** XML 1.0 §2.2 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
export function isLegalXmlChar(code: number): boolean {
  return (
    code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff)
  );
}

function position(text: string, index: number): string {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  const column = index - before.lastIndexOf('\n');
  return `line ${line}, column ${column}`;
}

const hex = (code: number): string => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;

export function findIllegalXmlChar(text: string): string | null {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.codePointAt(i) ?? 0;
    if (code > 0xffff) {
      i += 1; // a valid surrogate pair
      continue;
    }
    if (!isLegalXmlChar(code)) return `Illegal XML character ${hex(code)} at ${position(text, i)}.`;
  }
  const reference = /&#(x[0-9a-fA-F]+|[0-9]+);/g;
  for (const match of text.matchAll(reference)) {
    const body = match[1] ?? '';
    const code = body.startsWith('x') ? parseInt(body.slice(1), 16) : parseInt(body, 10);
    if (!isLegalXmlChar(code)) return `Character reference ${match[0]} (${hex(code)}) at ${position(text, match.index ?? 0)} is not allowed in XML 1.0.`;
  }
  return null;
}

export function parseXml(text: string): XmlObject {
  const illegal = findIllegalXmlChar(text);
  if (illegal) throw new XmlParseError(illegal);
  const valid = XMLValidator.validate(text);
  if (valid !== true) throw new XmlParseError(`${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col}).`);
  return parser.parse(text) as XmlObject;
}

export function asArray(node: XmlNode | undefined): XmlNode[] {
  if (node === undefined) return [];
  return Array.isArray(node) ? node : [node];
}

export function asObject(node: XmlNode | undefined): XmlObject | undefined {
  return node !== undefined && typeof node === 'object' && !Array.isArray(node) ? node : undefined;
}

/** Text content of an element (`<a>x</a>` → "x", `<a x="1">y</a>` → "y", `<a/>` → ""). */
export function textOf(node: XmlNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node;
  if (Array.isArray(node)) return textOf(node[0]);
  const text = node['#text'];
  return typeof text === 'string' ? text : Object.keys(node).every((k) => k.startsWith('@_')) ? '' : undefined;
}

/** Text content needs only & < > escaped; attribute values (always in "…") also need ". */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(text: string): string {
  return escapeXml(text).replace(/"/g, '&quot;');
}

/** `<name attrs>content</name>`; string content is escaped, string[] is trusted XML. */
export function el(name: string, content?: string | string[], attrs: Record<string, string | number> = {}): string {
  const attrText = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${escapeAttribute(String(v))}"`)
    .join('');
  if (content === undefined) return `<${name}${attrText}/>`;
  const inner = Array.isArray(content) ? content.join('') : escapeXml(content);
  return `<${name}${attrText}>${inner}</${name}>`;
}
