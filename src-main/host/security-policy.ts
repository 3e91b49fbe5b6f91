import { timingSafeEqual } from 'node:crypto';

/**
 * Every security decision of the Electron shell and the browser host that can be made without
 * Electron lives here, so it is unit-tested under Node. src-main/electron/* only wires these
 * functions to Electron's hooks.
 */

/**
 * Content-Security-Policy of the renderer page, identical in Electron and the browser host: only
 * the app's own bundle runs, no inline script, no eval, no plugins, no framing, no forms posting
 * elsewhere. The page talks to main through the preload (Electron) or same-origin fetch
 * (browser host), so `connect-src 'self'` is all it needs.
 */
export const RENDERER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/**
 * Links the app may open in the user's browser (help pages, the vendors' consent pages).
 * Exact host names: a subdomain is a different host and must be listed on its own.
 */
export const DEFAULT_EXTERNAL_ALLOW_LIST: readonly string[] = [
  // Exact Online's sign-in pages, one per country host (see connectors/exact-online).
  'start.exactonline.nl',
  'start.exactonline.be',
  'start.exactonline.de',
  'start.exactonline.co.uk',
  'start.exactonline.fr',
  'start.exactonline.es',
  'start.exactonline.com',
  'app.procore.com',
  'developers.procore.com',
  'www.intacct.com',
  'developer.intacct.com',
  'monday.com',
  'developer.monday.com',
  // monday.com's OAuth 2.1 consent page (connectors/monday/oauth.ts): the sign-in only.
  'auth.monday.com',
  'compass.coupa.com',
  'help.acumatica.com',
];

/**
 * True only for an absolute https URL on the default port whose host is exactly one of
 * `allowList` (case-insensitive) and that carries no user:password part.
 */
export function isAllowedExternalUrl(
  rawUrl: string,
  allowList: readonly string[] = DEFAULT_EXTERNAL_ALLOW_LIST,
): boolean {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:') return false;
  if (url.username !== '' || url.password !== '') return false;
  // URL normalises :443 away for https; any port left is a non-default one.
  if (url.port !== '') return false;
  const host = url.hostname.toLowerCase();
  return allowList.some((allowed) => allowed.toLowerCase() === host);
}

/**
 * True when an IPC message comes from the app's own page: same scheme, host and path as
 * `appPageUrl` (query and fragment may differ: the renderer routes with them). Anything else
 * (a navigated-away frame, an iframe, a devtools-injected page, an unparsable URL) is refused.
 */
export function isTrustedSender(senderUrl: string | null | undefined, appPageUrl: string): boolean {
  if (!senderUrl) return false;
  let sender: URL;
  let app: URL;
  try {
    sender = new URL(senderUrl);
    app = new URL(appPageUrl);
  } catch {
    return false;
  }
  return sender.protocol === app.protocol && sender.host === app.host && sender.pathname === app.pathname;
}

/** Constant-time string comparison for the browser-host token (length leak only). */
export function tokensMatch(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

/** The only address the browser host may listen on. */
export const LOOPBACK_HOST = '127.0.0.1';

/**
 * DNS-rebinding defence: a page on evil.example that re-points its name to 127.0.0.1 still
 * sends `Host: evil.example:port`, so only our own loopback names are accepted.
 */
export function isAllowedHostHeader(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  const value = hostHeader.toLowerCase();
  return value === `127.0.0.1:${port}` || value === `localhost:${port}`;
}
