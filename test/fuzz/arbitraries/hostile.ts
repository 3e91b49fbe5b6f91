import fc from 'fast-check';

/**
 * Hostile values every source field may carry (issue 18): missing and null, the wrong JSON type,
 * huge strings, XML control characters, emoji and right-to-left text, amounts with 0–6 decimals,
 * negative and zero quantities, extreme numbers, unknown currencies, dates out of range and in
 * every wire format the six APIs use. `corrupt` applies a few of them to a valid wire row.
 */

export type Json = Record<string, unknown>;

/** A marker the corrupter replaces with "delete the field". */
export const MISSING = Symbol('missing');

export const controlText = fc.constantFrom('\u0000', '\u0001\u0002', '\u0008tab\u000b', '\u001f', '\ufffe', '\ud800', 'a\u0000b');
export const emojiText = fc.constantFrom('🏗️ Bouw', '👷‍♀️', '💶💶💶', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', 'e\u0301');
export const rtlText = fc.constantFrom('شركة البناء', 'בנייה בע"מ', '\u202eredro\u202c', '\u200f123\u200e');
export const xmlText = fc.constantFrom('<a>&amp;</a>', ']]>', '<![CDATA[x]]>', '&lt;', '"\'<>&', '</control>');
export const hugeText = fc.integer({ min: 5_000, max: 70_000 }).map((n) => 'W'.repeat(n));
export const whitespaceText = fc.constantFrom('', ' ', '   ', '\t', '\n', '\u00a0');
export const injectionText = fc.constantFrom('=SUM(A1:A9)', '+cmd', '@x', '-1+1', '${x}', '{"raw":"json"}', 'undefined', 'null', 'NaN', 'constructor', 'toString', '__proto__');

export const hostileText = fc.oneof(controlText, emojiText, rtlText, xmlText, hugeText, whitespaceText, injectionText, fc.string({ maxLength: 40 }));

/** An amount with `decimals` places, as digits (the wire may carry it as a number or a string). */
export const decimalText = (opts: { decimals?: fc.Arbitrary<number>; negative?: boolean } = {}) =>
  fc
    .tuple(fc.integer({ min: 0, max: 9_999_999 }), opts.decimals ?? fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 999_999 }), fc.boolean())
    .map(([whole, places, fraction, minus]) => {
      const frac = places === 0 ? '' : `.${String(fraction).padStart(6, '0').slice(0, places)}`;
      return `${opts.negative && minus ? '-' : ''}${whole}${frac}`;
    });

/** Whole cents: what a valid amount is. */
export const centsText = (negative = false) => decimalText({ decimals: fc.constantFrom(0, 1, 2), negative });

export const extremeNumber = fc.constantFrom(
  0,
  -0,
  1e21,
  -1e21,
  1e-7,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  123456789012345.67,
  0.1 + 0.2,
  -0.005,
  9.995,
);

export const unknownCurrency = fc.constantFrom('XXX', 'eur', 'EURO', '€', '', 'BTC', 'ZWL', '123');

/** Dates as the six APIs send them, valid or not. */
export const anyWireDate = fc.oneof(
  fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms) => `/Date(${ms})/`),
  fc.constantFrom('/Date(8640000000001)/'.replace('8640000000001', '86400000000000001'), '/Date(99999999999999999999)/', '/Date(-99999999999999999)/', '/Date(1641034800000+0100)/', '/Date()/', '/Date(abc)/'),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom('2024-02-30', '2024-13-01', '0000-00-00', '9999-12-31T23:59:59Z', '+275760-09-13T00:00:00.001Z', '12/31/2024', '31/12/2024', '2024-01-15T10:00:00+05:30', '20240115', 'yesterday'),
);

/** A value of the wrong JSON type for any field. */
export const wrongType = fc.oneof(
  fc.constant(null),
  fc.constant(MISSING),
  fc.boolean(),
  fc.constantFrom({}, [], [1, 2], { results: 'x' }, { value: 1 }, { __deferred: { uri: 'x' } }),
  fc.integer(),
  fc.double(),
  hostileText,
);

/** Replaces up to `max` fields of some of `rows` with hostile values (MISSING deletes the field). */
export function corruptRows(rows: readonly Json[], fields: readonly string[], values: fc.Arbitrary<unknown>, max = 3): fc.Arbitrary<{ rows: Json[]; corrupted: string[] }> {
  if (rows.length === 0) return fc.constant({ rows: [], corrupted: [] });
  const edit = fc.record({ row: fc.nat({ max: rows.length - 1 }), field: fc.constantFrom(...fields), value: values });
  return fc.array(edit, { maxLength: max }).map((edits) => {
    const copy = rows.map((r) => ({ ...r }));
    for (const e of edits) {
      if (e.value === MISSING) delete copy[e.row]![e.field];
      else copy[e.row]![e.field] = e.value;
    }
    return { rows: copy, corrupted: edits.map((e) => e.field) };
  });
}

/**
 * What a parked reason must never show a finance user: JavaScript's own words, raw JSON, a stack
 * trace, or pages of text. A word the source data itself holds (an invoice numbered "NaN") is
 * the user's data, not a leak: `source` is the record as the source sent it.
 */
export function rawLeaks(text: string, source = ''): string[] {
  const leaks: string[] = [];
  const check = (name: string, pattern: RegExp) => {
    const hit = pattern.exec(text);
    if (hit && !source.includes(hit[0])) leaks.push(name);
  };
  check('[object Object]', /\[object Object\]/);
  check('undefined', /\bundefined\b/);
  check('NaN', /\bNaN\b/);
  check('raw JSON', /\{"[A-Za-z_]+":/);
  check('a stack trace', /\n\s+at /);
  check('a JavaScript error', /TypeError|RangeError|ReferenceError|SyntaxError|is not a function|Cannot read propert|Unexpected end of JSON input|Unexpected token|is not valid JSON/);
  if (text.length > 2_000) leaks.push(`${text.length} characters`);
  return leaks;
}

export const FUZZ_SEED = Number(process.env['FUZZ_SEED'] ?? 18_2026);
