/**
 * Links back to Exact Online's own screens, for people (a board item's "open in Exact" column,
 * a supplier's card); the app never calls them. Exact documents none of these URLs in its API;
 * the fact sheet does not list them either. The account card form
 * `/docs/CRMAccountCard.aspx?_Division_=…&AccountID=%7b<guid>%7d` appears in two public
 * integrations (README "Links back to Exact"); the document screens below are a best guess
 * (**unconfirmed**), so every pattern can be replaced per connection (`settings.webLinks`).
 */
export type ExactWebLinkKind = 'purchaseOrder' | 'salesInvoice' | 'salesOrder' | 'account';

/** Placeholders: {host} (regional host), {division}, {id} (the record's guid), {number}. */
export const DEFAULT_WEB_LINKS: Readonly<Record<ExactWebLinkKind, string>> = {
  account: '{host}/docs/CRMAccountCard.aspx?_Division_={division}&AccountID=%7b{id}%7d',
  purchaseOrder: '{host}/docs/PurPurchaseOrder.aspx?_Division_={division}&PurchaseOrderID=%7b{id}%7d',
  salesInvoice: '{host}/docs/SlsInvoice.aspx?_Division_={division}&InvoiceID=%7b{id}%7d',
  salesOrder: '{host}/docs/SlsSalesOrder.aspx?_Division_={division}&OrderID=%7b{id}%7d',
};

const PLACEHOLDER = /\{([a-z]+)\}/g;
const KNOWN = new Set(['host', 'division', 'id', 'number']);

export type WebLinkBuilder = (kind: ExactWebLinkKind, id: string, number: string) => string;

/**
 * Checks the patterns once (a mistyped placeholder or a non-http link fails the connection's
 * set-up, not a sync) and returns the builder. Values are URL-encoded; the host is the
 * connection's regional host without a trailing slash.
 */
export function webLinkBuilder(
  host: string,
  division: number,
  overrides: Partial<Record<ExactWebLinkKind, string>> = {},
): WebLinkBuilder {
  const templates = { ...DEFAULT_WEB_LINKS, ...overrides };
  const origin = host.replace(/\/+$/, '');
  const fill = (template: string, values: Record<string, string>): string =>
    template.replace(PLACEHOLDER, (_, name: string) => values[name] ?? `{${name}}`);
  for (const [kind, template] of Object.entries(templates)) {
    const unknown = [...template.matchAll(PLACEHOLDER)].map((m) => m[1]).filter((name) => !KNOWN.has(name ?? ''));
    if (unknown.length > 0)
      throw new RangeError(`Exact Online link pattern for ${kind} uses unknown placeholder(s) ${unknown.map((n) => `{${n}}`).join(', ')}; use {host}, {division}, {id} and {number}.`);
    const sample = fill(template, { host: origin, division: String(division), id: 'id', number: '1' });
    let url: URL;
    try {
      url = new URL(sample);
    } catch {
      throw new RangeError(`Exact Online link pattern for ${kind} does not make a web address: ${JSON.stringify(template)}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new RangeError(`Exact Online link pattern for ${kind} must make an http(s) address: ${JSON.stringify(template)}`);
  }
  return (kind, id, number) =>
    fill(templates[kind], {
      host: origin,
      division: String(division),
      id: encodeURIComponent(id),
      number: encodeURIComponent(number),
    });
}
