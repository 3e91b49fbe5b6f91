import { createServer, type Server } from 'node:http';
import { createPkcePair, createState, sameSecret, type PkcePair } from './pkce';

/**
 * OAuth 2.0 for native apps (RFC 8252): the system browser sends the user to the provider,
 * which redirects to a listener on the loopback interface. Here:
 *  - the listener binds the loopback address the registered redirect URI names (RFC 8252 §7.3):
 *    127.0.0.1 (also for `localhost`) or ::1 for `[::1]`, never a wildcard; on the port of
 *    the URI (providers such as Exact match the URI exactly, so the port is part of the
 *    registration). A `[::1]` URI on a computer without IPv6 loopback is refused before the
 *    browser opens, in words that say to register 127.0.0.1 instead;
 *  - `state` and PKCE S256 are generated per attempt; the callback must carry the same state;
 *  - the mix-up defence of RFC 9207 (recommended by RFC 9700 §4.4): an `iss` in the callback
 *    must be the expected issuer exactly, and a callback without `iss` is refused when the
 *    server says it sends one (metadata `authorization_response_iss_parameter_supported`, or
 *    the connection's setting); parameters that appear twice are refused;
 *  - exactly one valid callback is accepted, then the listener closes;
 *  - requests to other paths, with a foreign Host header or the wrong method are refused and
 *    do not end the attempt (a hostile page cannot cancel the user's login);
 *  - the attempt times out.
 * When the registered redirect URI is https (no local certificate can be trusted), or the
 * browser cannot reach the listener, the user pastes the redirected URL instead
 * (`completeFromPastedUrl`).
 */
export interface AuthorizationRequest {
  /** The provider's authorize endpoint, e.g. https://start.exactonline.nl/api/oauth2/auth */
  authorizeEndpoint: string;
  clientId: string;
  /** Registered redirect URI: http://127.0.0.1:PORT/path, http://localhost:PORT/path or https://localhost… */
  redirectUri: string;
  /** Whom the callback must come from (RFC 9207). */
  issuer: IssuerExpectation;
  extraParams?: Record<string, string>;
  timeoutMs?: number;
  /** Opens the system browser (Electron shell.openExternal in the app, a printed URL in the CLI). */
  openBrowser: (url: string) => void | Promise<void>;
}

export interface AuthorizationResult {
  code: string;
  state: string;
  pkce: PkcePair;
  redirectUri: string;
}

/** The authorization server a callback must come from (RFC 9207 §2.4). */
export interface IssuerExpectation {
  /** Its issuer identifier (RFC 8414 `issuer`), compared character for character. */
  issuer: string;
  /** It sends `iss` in every authorization response, so a response without it is refused. */
  required: boolean;
}

/**
 * The expectation a server's metadata (RFC 8414 / OpenID discovery) sets: its `issuer`, required
 * when it says `authorization_response_iss_parameter_supported: true`.
 */
export function issuerExpectationFromMetadata(metadata: unknown): IssuerExpectation {
  const m = (typeof metadata === 'object' && metadata !== null ? metadata : {}) as Record<string, unknown>;
  if (typeof m['issuer'] !== 'string' || m['issuer'] === '')
    throw new AuthorizationError('bad-redirect', 'The sign-in server\u2019s metadata names no issuer, so its answers cannot be checked.');
  return { issuer: m['issuer'], required: m['authorization_response_iss_parameter_supported'] === true };
}

export class AuthorizationError extends Error {
  constructor(
    readonly reason: 'timeout' | 'denied' | 'state-mismatch' | 'issuer-mismatch' | 'bad-redirect' | 'cancelled' | 'listen-failed',
    message: string,
  ) {
    super(message);
    this.name = 'AuthorizationError';
  }
}

export interface PendingAuthorization {
  /** The URL opened in the browser (also shown to the user to copy by hand). */
  authorizationUrl: string;
  /** Whether a loopback listener is waiting (false for https redirect URIs: paste only). */
  listening: boolean;
  result: Promise<AuthorizationResult>;
  /** Completes the attempt from the URL the browser was redirected to, pasted by the user. */
  completeFromPastedUrl(pasted: string): AuthorizationResult;
  cancel(): void;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function parseRedirectUri(redirectUri: string): URL {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    throw new AuthorizationError('bad-redirect', `The redirect URI "${redirectUri}" is not a valid URL.`);
  }
  if (!LOOPBACK_HOSTS.has(url.hostname))
    throw new AuthorizationError(
      'bad-redirect',
      `The redirect URI must point at this computer (127.0.0.1 or localhost), not ${url.hostname}.`,
    );
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new AuthorizationError('bad-redirect', `The redirect URI must be http or https, not ${url.protocol}`);
  if (url.protocol === 'http:' && !url.port)
    throw new AuthorizationError('bad-redirect', 'An http loopback redirect URI needs an explicit port.');
  return url;
}

/** The address to listen on for a redirect URI (RFC 8252 §7.3): the family the URI names. */
export function loopbackListenAddress(redirect: URL): '127.0.0.1' | '::1' {
  return redirect.hostname === '[::1]' ? '::1' : '127.0.0.1';
}

/** A failed listen in words that say what to do (the listener is not up, the browser not opened). */
export function listenFailure(error: unknown, redirect: URL): AuthorizationError {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const address = loopbackListenAddress(redirect);
  if (address === '::1' && (code === 'EADDRNOTAVAIL' || code === 'EAFNOSUPPORT')) {
    const ipv4 = new URL(redirect.href);
    ipv4.hostname = '127.0.0.1';
    return new AuthorizationError(
      'bad-redirect',
      `This computer has no IPv6 loopback address (::1), so the browser could not come back to ${redirect.origin}${redirect.pathname}. ` +
        `Register ${ipv4.origin}${ipv4.pathname} as the redirect URI with the provider and use that one here.`,
    );
  }
  const shown = address === '::1' ? `[::1]:${redirect.port}` : `127.0.0.1:${redirect.port}`;
  return new AuthorizationError(
    'listen-failed',
    `Cannot listen on ${shown} for the sign-in callback (${error instanceof Error ? error.message : String(error)}). ` +
      'Close the program using that port, or use the paste-the-URL option.',
  );
}

/** Parameters of an authorization response that must appear at most once. */
const SINGLE_PARAMS = ['state', 'code', 'iss', 'error', 'error_description'] as const;

/**
 * Checks an authorization response (the redirect's query) for the attempt with `state`:
 *  1. `state` exactly once and equal (constant time): otherwise 'state-mismatch', which the
 *     listener treats as forged and keeps waiting (a hostile page cannot cancel the sign-in);
 *  2. `iss` (RFC 9207): when present it must equal the expected issuer; when the server says it
 *     sends it, it must be present. Checked before `error` and `code`: an answer from the wrong
 *     server is neither shown nor its code spent;
 *  3. `error` → 'denied' with the provider's words; else a single `code`.
 */
export function validateAuthorizationResponse(
  params: URLSearchParams,
  expected: { state: string; issuer: IssuerExpectation },
): { code: string } | AuthorizationError {
  const states = params.getAll('state');
  if (states.length !== 1 || !sameSecret(states[0] ?? '', expected.state))
    return new AuthorizationError('state-mismatch', 'The sign-in response does not belong to this attempt.');
  for (const name of SINGLE_PARAMS)
    if (params.getAll(name).length > 1)
      return new AuthorizationError('bad-redirect', `The sign-in response carries "${name}" more than once; it was refused. Start the sign-in again.`);
  const iss = params.get('iss');
  if (iss === null && expected.issuer.required)
    return new AuthorizationError(
      'issuer-mismatch',
      `The sign-in response does not say which server sent it, although ${expected.issuer.issuer} always does; it was refused and its code not used. Start the sign-in again.`,
    );
  if (iss !== null && iss !== expected.issuer.issuer)
    return new AuthorizationError(
      'issuer-mismatch',
      `The sign-in response came from ${JSON.stringify(iss.slice(0, 200))}, not from ${expected.issuer.issuer}; it was refused and its code not used. ` +
        'Start the sign-in again; if this repeats, check the issuer configured for the connection.',
    );
  const error = params.get('error');
  if (error) {
    const description = params.get('error_description') ?? '';
    return new AuthorizationError('denied', `The provider refused the sign-in: ${error}${description ? ` (${description})` : ''}.`);
  }
  const code = params.get('code');
  if (!code) return new AuthorizationError('bad-redirect', 'The sign-in response has no authorization code.');
  return { code };
}

export async function startAuthorization(req: AuthorizationRequest): Promise<PendingAuthorization> {
  const redirect = parseRedirectUri(req.redirectUri);
  const pkce = createPkcePair();
  const state = createState();
  const authUrl = new URL(req.authorizeEndpoint);
  authUrl.searchParams.set('client_id', req.clientId);
  authUrl.searchParams.set('redirect_uri', req.redirectUri);
  authUrl.searchParams.set('response_type', 'code');
  authUrl.searchParams.set('state', state);
  authUrl.searchParams.set('code_challenge', pkce.challenge);
  authUrl.searchParams.set('code_challenge_method', pkce.method);
  for (const [k, v] of Object.entries(req.extraParams ?? {})) authUrl.searchParams.set(k, v);

  let settle!: { resolve: (r: AuthorizationResult) => void; reject: (e: Error) => void };
  const result = new Promise<AuthorizationResult>((resolve, reject) => (settle = { resolve, reject }));
  result.catch(() => {}); // the caller may only use the paste path; never an unhandled rejection
  let done = false;
  let server: Server | null = null;
  const timer = setTimeout(
    () => finish(new AuthorizationError('timeout', 'The sign-in was not completed in time. Start it again.')),
    req.timeoutMs ?? 5 * 60_000,
  );
  timer.unref();

  function finish(outcome: AuthorizationResult | Error): void {
    if (done) return;
    done = true;
    clearTimeout(timer);
    server?.close();
    server?.closeAllConnections();
    if (outcome instanceof Error) settle.reject(outcome);
    else settle.resolve(outcome);
  }

  /** Validates a callback's query; returns the result or the error to report. */
  function evaluate(params: URLSearchParams): AuthorizationResult | AuthorizationError {
    const outcome = validateAuthorizationResponse(params, { state, issuer: req.issuer });
    return outcome instanceof AuthorizationError ? outcome : { code: outcome.code, state, pkce, redirectUri: req.redirectUri };
  }

  const listening = redirect.protocol === 'http:';
  const address = loopbackListenAddress(redirect);
  // The Host header a browser sends for the redirect URI (and 127.0.0.1 for an IPv4 listener).
  const allowedHosts = new Set([`${redirect.hostname}:${redirect.port}`]);
  if (address === '127.0.0.1') allowedHosts.add(`127.0.0.1:${redirect.port}`);
  if (listening) {
    server = createServer((httpReq, res) => {
      const host = (httpReq.headers.host ?? '').toLowerCase();
      const url = new URL(httpReq.url ?? '/', 'http://127.0.0.1');
      const page = (status: number, text: string): void => {
        res.writeHead(status, {
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': "default-src 'none'",
          'cache-control': 'no-store',
          'referrer-policy': 'no-referrer',
        });
        res.end(`<!doctype html><meta charset="utf-8"><title>ml-connector</title><p>${text}</p>`);
      };
      if (!allowedHosts.has(host)) {
        page(400, 'Unexpected host.');
        return;
      }
      if (httpReq.method !== 'GET' || url.pathname !== redirect.pathname) {
        page(404, 'Not found.');
        return;
      }
      if (done) {
        page(410, 'This sign-in attempt is already finished.');
        return;
      }
      const outcome = evaluate(url.searchParams);
      if (outcome instanceof AuthorizationError && outcome.reason === 'state-mismatch') {
        // A forged or stale callback: refuse it, keep waiting for the real one.
        page(400, 'This sign-in response does not belong to the current attempt.');
        return;
      }
      page(
        outcome instanceof Error ? 400 : 200,
        outcome instanceof Error
          ? 'Sign-in failed. Return to ml-connector for details.'
          : 'Signed in. You can close this window and return to ml-connector.',
      );
      finish(outcome);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        // ipv6Only: [::1] must not also take the IPv4 port (and ::1 is never a wildcard anyway).
        server!.listen({ port: Number(redirect.port), host: address, ...(address === '::1' ? { ipv6Only: true } : {}) }, () => resolve());
      });
    } catch (err) {
      clearTimeout(timer);
      throw listenFailure(err, redirect);
    }
  }

  const authorizationUrl = authUrl.toString();
  await req.openBrowser(authorizationUrl);

  return {
    authorizationUrl,
    listening,
    result,
    completeFromPastedUrl(pasted: string): AuthorizationResult {
      let url: URL;
      try {
        url = new URL(pasted.trim());
      } catch {
        throw new AuthorizationError('bad-redirect', 'That is not a URL. Paste the full address from the browser bar.');
      }
      if (url.origin + url.pathname !== redirect.origin + redirect.pathname)
        throw new AuthorizationError(
          'bad-redirect',
          `That address does not start with the registered redirect URI ${redirect.origin}${redirect.pathname}.`,
        );
      const outcome = evaluate(url.searchParams);
      if (outcome instanceof Error) throw outcome;
      finish(outcome);
      return outcome;
    },
    cancel: () => finish(new AuthorizationError('cancelled', 'The sign-in was cancelled.')),
  };
}
