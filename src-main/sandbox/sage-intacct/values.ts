import { Decimal } from '../../../src-shared/domain/money';
import type { IntacctFieldType, ObjectSchema } from './objects';
import { asObject, textOf, type XmlNode } from './xml';

/**
 * Field values as Intacct takes and prints them (fact sheet 2.6, 2.9): generic objects use
 * `mm/dd/yyyy` dates and `mm/dd/yyyy HH:MM:SS` timestamps; legacy functions (create_bill,
 * create_potransaction) nest `<year><month><day>` (XSD `datecreated`); money is a decimal
 * string rounded to 2 decimals; quantities, prices and rates keep their precision.
 */
const two = (n: number): string => String(n).padStart(2, '0');

/** mm/dd/yyyy HH:MM:SS, the form Intacct prints timestamps in (UTC here). */
export function intacctTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${intacctDateOf(ms)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** mm/dd/yyyy of an instant (UTC). */
export function intacctDateOf(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getUTCMonth() + 1)}/${two(d.getUTCDate())}/${d.getUTCFullYear()}`;
}

/** "2026-10-15" → "10/15/2026". */
export function intacctDate(isoDate: string): string {
  return `${isoDate.slice(5, 7)}/${isoDate.slice(8, 10)}/${isoDate.slice(0, 4)}`;
}

/** "mm/dd/yyyy" → epoch ms at UTC midnight, or null when it is not a real calendar date. */
export function parseIntacctDate(text: string): number | null {
  const m = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(text);
  if (!m) return null;
  const [month, day, year] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(year, month - 1, day);
  const d = new Date(ms);
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day ? ms : null;
}

export function addDays(date: string, days: number): string {
  const ms = parseIntacctDate(date);
  if (ms === null) throw new Error(`not a mm/dd/yyyy date: ${date}`);
  return intacctDateOf(ms + days * 86_400_000);
}

/** Due date from a payment term named like "Net 30" (the terms this sandbox's company has). */
export function dueDateFromTerm(term: string, transactionDate: string): string | null {
  const m = /^Net (\d{1,3})$/.exec(term);
  if (term === 'Due on receipt') return transactionDate;
  return m ? addDays(transactionDate, Number(m[1])) : null;
}

/**
 * Legacy `<datecreated><year>2026</year><month>10</month><day>15</day></datecreated>` →
 * "10/15/2026", or an error message.
 */
export function legacyDate(node: XmlNode | undefined, name: string): { ok: true; value: string } | { ok: false; error: string } {
  const parts = asObject(node);
  const [year, month, day] = ['year', 'month', 'day'].map((k) => textOf(parts?.[k])?.trim() ?? '');
  if (!parts || !/^\d{4}$/.test(year ?? '') || !/^\d{1,2}$/.test(month ?? '') || !/^\d{1,2}$/.test(day ?? '')) {
    return { ok: false, error: `<${name}> needs <year>, <month> and <day> as numbers.` };
  }
  const value = `${two(Number(month))}/${two(Number(day))}/${year ?? ''}`;
  return parseIntacctDate(value) === null ? { ok: false, error: `<${name}> ${year ?? ''}-${month ?? ''}-${day ?? ''} is not a calendar date.` } : { ok: true, value };
}

/**
 * Validates a value against its field type (and the field's allowed values); money is rounded
 * to 2 decimals (2.6). An empty value means "not given" (the SDKs write empty elements).
 */
export function checkValue(field: string, type: IntacctFieldType, text: string, allowed?: readonly string[]): { ok: true; value: string } | { ok: false; error: string } {
  const value = text.trim();
  if (value === '') return { ok: true, value: '' };
  if (allowed && !allowed.includes(value)) return { ok: false, error: `${field} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got '${value}'.` };
  switch (type) {
    case 'decimal':
      try {
        return { ok: true, value: Decimal.parse(value).toMoneyString() };
      } catch (err) {
        return { ok: false, error: `${field}: ${(err as Error).message}` };
      }
    case 'number':
      try {
        Decimal.parse(value);
        return { ok: true, value };
      } catch (err) {
        return { ok: false, error: `${field}: ${(err as Error).message}` };
      }
    case 'integer':
      return /^-?\d+$/.test(value) ? { ok: true, value } : { ok: false, error: `${field} must be a whole number, got '${value}'.` };
    case 'boolean':
      return value === 'true' || value === 'false' ? { ok: true, value } : { ok: false, error: `${field} must be true or false, got '${value}'.` };
    case 'date':
      return parseIntacctDate(value) !== null ? { ok: true, value } : { ok: false, error: `${field} must be a date in mm/dd/yyyy form, got '${value}'.` };
    case 'timestamp':
      return { ok: false, error: `${field} is set by Intacct.` };
    default:
      return { ok: true, value: text };
  }
}

/** checkValue for a field of an object's schema (its type and enumerated values). */
export function checkSchemaValue(schema: ObjectSchema, field: string, text: string): { ok: true; value: string } | { ok: false; error: string } {
  const type = schema.fields[field];
  if (!type) return { ok: false, error: `${schema.name} has no field ${field}.` };
  return checkValue(field, type, text, schema.enums[field]);
}
