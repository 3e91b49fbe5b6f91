/**
 * Display formats in the user's locale: amounts with currency and thousands separators (from
 * the exact decimal string, never through a binary float), dates readable with the time zone.
 */

const amountFormats = new Map<string, Intl.NumberFormat>();

/** "1234567.8" + "EUR" -> "€1,234,567.80" (en-US) or "€ 1.234.567,80" (nl-NL). */
export function formatAmount(amount: string | null, currency: string | null, locale?: string): string {
  if (amount === null) return '';
  if (currency === null) return amount;
  const cacheKey = `${locale ?? ''}|${currency}`;
  let format = amountFormats.get(cacheKey);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    amountFormats.set(cacheKey, format);
  }
  // Intl formats a decimal string exactly (no float conversion); the contract guarantees the shape.
  return format.format(amount as Intl.StringNumericLiteral);
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * ISO instant -> "22 Nov 2026, 14:03:07" in the user's locale and time zone; 'short' for dense
 * table cells ("22/11/2026, 14:03:07").
 */
export function formatDateTime(
  iso: string | null,
  locale?: string,
  dateStyle: 'medium' | 'short' = 'medium',
): string {
  if (iso === null) return '—';
  const key = `${locale ?? ''}|${dateStyle}`;
  let format = dateTimeFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle, timeStyle: 'medium' });
    dateTimeFormats.set(key, format);
  }
  return format.format(new Date(iso));
}

const integerFormat = new Intl.NumberFormat();
export function formatCount(value: number): string {
  return integerFormat.format(value);
}

export { daysSince, formatDay, formatMoneyTotals, recordName, recordTitle, targetName, targetReference } from '../../src-shared/domain/labels';

/** "3 days", "1 day", "today": how long something has waited. */
export function formatAge(days: number): string {
  return days === 0 ? 'today' : days === 1 ? '1 day' : `${formatCount(days)} days`;
}

/** Pretty JSON for the detail panels. */
export function formatJson(value: unknown): string {
  return value === null || value === undefined ? '' : JSON.stringify(value, null, 2);
}
