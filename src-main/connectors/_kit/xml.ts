/**
 * fast-xml-parser presets for XML APIs (Sage Intacct).
 *
 * Parsing: values are never coerced (ids like "00123" and amounts like "1.50" stay strings),
 * attributes are kept under `@_name`, and configured repeated paths are always arrays, so a
 * one-result response has the same shape as a many-result one. Values are trimmed.
 *
 * Building: XML 1.0 forbids most C0 control characters even as character references, and
 * free text copied from Procore/Exact often contains them (U+0007, U+000B, U+001F). They are
 * stripped before escaping and reported, so callers can audit what changed in a description.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { XmlParseError } from './errors';

export interface XmlParserPreset {
  /** Dotted element paths that are always arrays, e.g. "response.operation.result". */
  arrayPaths?: readonly string[];
}

export interface XmlDocumentParser {
  /** Validates then parses; throws XmlParseError (with line/column) on malformed input. */
  parse(xml: string): Record<string, unknown>;
}

export const ATTRIBUTE_PREFIX = '@_';

export function createXmlParser(preset: XmlParserPreset = {}): XmlDocumentParser {
  const arrayPaths = new Set(preset.arrayPaths ?? []);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: ATTRIBUTE_PREFIX,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    jPath: true,
    isArray: (_name, jPath, _isLeaf, isAttribute) =>
      !isAttribute && typeof jPath === 'string' && arrayPaths.has(jPath),
  });
  return {
    parse(xml) {
      const validation = XMLValidator.validate(xml);
      if (validation !== true) {
        throw new XmlParseError(validation.err.line, validation.err.col, validation.err.msg, xml);
      }
      return parser.parse(xml) as Record<string, unknown>;
    },
  };
}

export interface StrippedCharacter {
  /** Where in the built object the text was (e.g. "request.content.function.create.APBILL.DESCRIPTION"). */
  path: string;
  /** Code unit index in the original string. */
  index: number;
  codePoint: number;
}

/**
 * Remove characters XML 1.0 does not allow (W3C XML 1.0 §2.2): C0 controls other than TAB,
 * LF and CR, unpaired surrogates, U+FFFE and U+FFFF. Returns the clean text and what was removed.
 */
export function stripIllegalXmlChars(
  text: string,
  path = '',
): { text: string; stripped: StrippedCharacter[] } {
  const stripped: StrippedCharacter[] = [];
  let clean = '';
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        clean += text.slice(index, index + 2);
        index += 1;
        continue;
      }
    }
    if (isLegalXmlCodeUnit(unit)) clean += text[index];
    else stripped.push({ path, index, codePoint: unit });
  }
  return { text: clean, stripped };
}

function isLegalXmlCodeUnit(unit: number): boolean {
  if (unit === 0x9 || unit === 0xa || unit === 0xd) return true;
  if (unit < 0x20) return false;
  if (unit >= 0xd800 && unit <= 0xdfff) return false; // a surrogate not part of a valid pair
  return unit !== 0xfffe && unit !== 0xffff;
}

export interface BuiltXml {
  xml: string;
  stripped: StrippedCharacter[];
}

export interface XmlBuildOptions {
  /** Prepend `<?xml version="1.0" encoding="UTF-8"?>`. Default true. */
  declaration?: boolean;
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: ATTRIBUTE_PREFIX,
  format: false,
  processEntities: true, // escapes & < > " ' in text and attributes
  suppressEmptyNode: false,
  // Its default writes an attribute valued "true" bare (`<operation transaction>`), which is not
  // well-formed XML: Intacct's `transaction="true"` must keep its value.
  suppressBooleanAttributes: false,
});

/**
 * Build XML from a plain object (`@_name` keys become attributes, arrays repeat the element).
 * Every string value is cleaned with `stripIllegalXmlChars` first; numbers are refused as
 * values so money cannot pass through binary floating point on its way to the wire.
 */
export function buildXml(document: Record<string, unknown>, options: XmlBuildOptions = {}): BuiltXml {
  const stripped: StrippedCharacter[] = [];
  const clean = sanitise(document, '', stripped);
  const body = builder.build(clean) as string;
  const declaration = options.declaration === false ? '' : '<?xml version="1.0" encoding="UTF-8"?>';
  return { xml: `${declaration}${body}`, stripped };
}

function sanitise(value: unknown, path: string, stripped: StrippedCharacter[]): unknown {
  if (typeof value === 'string') {
    const result = stripIllegalXmlChars(value, path);
    stripped.push(...result.stripped);
    return result.text;
  }
  if (typeof value === 'number') {
    throw new TypeError(
      `buildXml: ${path || 'value'} is the number ${value}; pass amounts and ids as strings`,
    );
  }
  if (Array.isArray(value)) return value.map((item) => sanitise(item, path, stripped));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        sanitise(inner, path ? `${path}.${key}` : key, stripped),
      ]),
    );
  }
  return value;
}
