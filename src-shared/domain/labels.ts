import { Decimal } from './money';

/**
 * How finance names a record (issue 17, decision 0022): the document's type and number, the
 * counterparty, the project, the date and the amount with its currency — "PO 20010 ·
 * Bouwmaterialen Groothandel Koster B.V. · € 39.854,50" — and, once written, the target
 * document's own number and id ("Procore commitment 562949953421312"). Each flow supplies them
 * through its plugin; the store keeps them on parked records, audit entries and target records,
 * so every screen, command, export and notification names a record the same way without
 * reading its snapshot.
 */
export interface RecordLabel {
  /** As finance says it: "Purchase order", "Purchase invoice", "Credit note". */
  documentType: string;
  /** The short form in one-line names: "PO", "Invoice". */
  shortType: string;
  /** The document's own number: "20010", "F2026-00089"; null when it has none. */
  number: string | null;
  /** Supplier or customer, by name. */
  counterparty: string | null;
  /** Its code in the source system ("40030"). */
  counterpartyCode: string | null;
  /** The project(s) it is booked on: "P26-005 Woontoren Kop van Zuid" (several joined by ", "). */
  project: string | null;
  /** Document date, yyyy-mm-dd. */
  date: string | null;
  /** Exact decimal string (never a binary float), with its currency. */
  amount: string | null;
  currency: string | null;
}

/** What a target document is called once written (or what it would be, before). */
export interface TargetLabel {
  /** "Procore". */
  system: string;
  /** "Commitment", "Direct cost". */
  documentType: string;
  /** The target's own number for it (commitment number, invoice number), when it has one. */
  number: string | null;
  /** The target's id of the document once written ("562949953421312"); null before. */
  id: string | null;
  /** The counterparty as the target knows it (Procore vendor name). */
  counterparty: string | null;
  /** The project as the target knows it (Procore project name). */
  project: string | null;
  amount: string | null;
  currency: string | null;
  /** The target's codes for the ids the document uses (cost code id → "01-100"), so the record view shows codes, not ids. */
  codes?: Record<string, string> | undefined;
}

/** A money figure and its currency; totals of several currencies are listed, never added up. */
export interface MoneyTotal {
  currency: string;
  /** Exact decimal string, two decimals. */
  amount: string;
}

/** "PO 20010 · Bouwmaterialen Groothandel Koster B.V." (no amount: its format depends on the locale). */
export function recordName(label: RecordLabel): string {
  const document = label.number ? `${label.shortType} ${label.number}` : label.documentType;
  return label.counterparty ? `${document} · ${label.counterparty}` : document;
}

/** "PO 20010 · Bouwmaterialen Groothandel Koster B.V. · € 39.854,50" in the given locale. */
export function recordTitle(label: RecordLabel, locale?: string): string {
  const amount = formatMoney(label.amount, label.currency, locale);
  return amount ? `${recordName(label)} · ${amount}` : recordName(label);
}

/** "commitment 562949953421312" (or its number before it has an id): how a message names it. */
export function targetReference(label: TargetLabel): string {
  const type = label.documentType.toLowerCase();
  if (label.id) return `${type} ${label.id}`;
  return label.number ? `${type} ${label.number}` : type;
}

/** "Procore commitment 20001 (id 562949953421312)": the target document in full. */
export function targetName(label: TargetLabel): string {
  const number = label.number ? ` ${label.number}` : '';
  const id = label.id ? (label.number ? ` (id ${label.id})` : ` ${label.id}`) : '';
  return `${label.system} ${label.documentType.toLowerCase()}${number}${id}`;
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/**
 * "39854.5" + "EUR" → "€ 39.854,50" (nl-NL) or "€39,854.50" (en-US), from the exact decimal
 * string (Intl formats a numeric string without a binary float). '' when there is no amount.
 */
export function formatMoney(amount: string | null, currency: string | null, locale?: string): string {
  if (amount === null || amount === '') return '';
  if (currency === null || currency === '') return amount;
  const key = `${locale ?? ''}|${currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    moneyFormats.set(key, format);
  }
  return format.format(amount as Intl.StringNumericLiteral);
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** "2026-06-12" → "12 Jun 2026" (en-GB) / "Jun 12, 2026" (en-US): a calendar day, in no time zone. */
export function formatDay(day: string | null, locale?: string): string {
  if (day === null || !/^\d{4}-\d{2}-\d{2}/.test(day)) return day ?? '';
  const key = locale ?? '';
  let format = dayFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
    dayFormats.set(key, format);
  }
  return format.format(new Date(`${day.slice(0, 10)}T00:00:00Z`));
}

/** Whole days from `sinceIso` to `nowMs` (0 the same day): how long a record has waited. */
export function daysSince(sinceIso: string, nowMs: number): number {
  return Math.max(0, Math.floor((nowMs - Date.parse(sinceIso)) / 86_400_000));
}

/** "€ 1.200,00 + US$ 35,00": totals in several currencies, each in its own. */
export function formatMoneyTotals(totals: readonly MoneyTotal[], locale?: string): string {
  return totals.map((t) => formatMoney(t.amount, t.currency, locale)).join(' + ');
}

/** Adds amounts per currency, to the cent; currencies in first-seen order. */
export function sumByCurrency(items: Iterable<{ amount: string | null; currency: string | null }>): MoneyTotal[] {
  const sums = new Map<string, Decimal>();
  for (const item of items) {
    if (item.amount === null || item.currency === null) continue;
    sums.set(item.currency, (sums.get(item.currency) ?? Decimal.ZERO).plus(Decimal.parse(item.amount)));
  }
  return [...sums].map(([currency, sum]) => ({ currency, amount: sum.toMoneyString() }));
}

// -----------------------------------------------------------------------------------------------
// The record view: source and target side by side

/** How a value is shown and compared: amounts as decimals ("100" = "100.00"), dates as days. */
export type ValueKind = 'text' | 'amount' | 'quantity' | 'date';

export interface ComparedField {
  label: string;
  kind: ValueKind;
  source: string | null;
  target: string | null;
  /** For amounts. */
  currency: string | null;
  /** False when the two sides hold different kinds of key (supplier code vs vendor id): shown, not compared. */
  compared: boolean;
  /** True when compared and different: the screen highlights it. */
  differs: boolean;
}

export interface ComparedLine {
  /** The line's key on both sides (source line id = target line origin id). */
  key: string;
  /** Cells by column id; null when the line is on one side only. */
  source: Record<string, string | null> | null;
  target: Record<string, string | null> | null;
  /** Column ids whose values differ (every column when the line is on one side only). */
  differs: string[];
}

export interface RecordComparison {
  /** Column headings: "Exact Online", "Procore". */
  sourceTitle: string;
  targetTitle: string;
  fields: ComparedField[];
  lineColumns: { id: string; label: string; kind: ValueKind; compared: boolean }[];
  lines: ComparedLine[];
  /** Line amounts' currency. */
  currency: string | null;
}

/** True when two values of a kind are the same ("1250" and "1250.00" are). */
export function sameValue(kind: ValueKind, a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  if (kind === 'amount' || kind === 'quantity') {
    try {
      return Decimal.parse(a).equals(Decimal.parse(b));
    } catch {
      return a.trim() === b.trim();
    }
  }
  if (kind === 'date') return a.slice(0, 10) === b.slice(0, 10);
  return a.trim() === b.trim();
}

/** One compared field (set `compared` false for values that are different kinds of key). */
export function comparedField(
  label: string,
  kind: ValueKind,
  source: string | null,
  target: string | null,
  options: { currency?: string | null; compared?: boolean } = {},
): ComparedField {
  const compared = options.compared ?? true;
  return {
    label,
    kind,
    source,
    target,
    currency: options.currency ?? null,
    compared,
    differs: compared && source !== null && target !== null && !sameValue(kind, source, target),
  };
}

/**
 * Lines of both sides paired by key (source order first, then lines only the target has), with
 * the compared columns that differ. A line on one side only differs in every column.
 */
export function compareLines(
  columns: RecordComparison['lineColumns'],
  source: readonly { key: string; cells: Record<string, string | null> }[],
  target: readonly { key: string; cells: Record<string, string | null> }[],
): ComparedLine[] {
  const targetByKey = new Map(target.map((l) => [l.key, l.cells]));
  const seen = new Set<string>();
  const all = columns.map((c) => c.id);
  const lines: ComparedLine[] = source.map((line) => {
    seen.add(line.key);
    const other = targetByKey.get(line.key) ?? null;
    const differs =
      other === null
        ? all
        : columns.filter((c) => c.compared && !sameValue(c.kind, line.cells[c.id] ?? null, other[c.id] ?? null)).map((c) => c.id);
    return { key: line.key, source: line.cells, target: other, differs };
  });
  for (const line of target) if (!seen.has(line.key)) lines.push({ key: line.key, source: null, target: line.cells, differs: all });
  return lines;
}
