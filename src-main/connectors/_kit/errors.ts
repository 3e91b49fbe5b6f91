/**
 * Typed errors thrown by the kit. Messages name the host/endpoint and phase so a finance user's
 * support ticket is actionable, and every message is redacted (no token, password or secret).
 */
import type { HttpResponse } from './http';
import { redactString } from './log';

export class KitError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(redactString(message), options);
    this.name = new.target.name;
  }
}

/** At most `maxChars` of `text`, redacted, for quoting a body in an error message. */
export function quoteSnippet(text: string, maxChars = 200): string {
  // Redact a generous prefix before cutting, so a secret straddling the cut is still caught.
  const redacted = redactString(text.slice(0, maxChars * 10));
  return redacted.length > maxChars ? `${redacted.slice(0, maxChars)}… (${text.length} chars)` : redacted;
}

export class HostNotAllowedError extends KitError {
  constructor(
    readonly host: string,
    readonly allowedHosts: readonly string[],
    reason = 'is not on this client\u2019s allow-list',
  ) {
    super(`Refused request to ${host}: host ${reason} (allowed: ${allowedHosts.join(', ') || 'none'})`);
  }
}

export type TimeoutPhase = 'connect' | 'headers' | 'body';

export class HttpTimeoutError extends KitError {
  constructor(
    readonly host: string,
    readonly phase: TimeoutPhase,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super(`Timed out after ${timeoutMs} ms waiting for ${phaseDescription[phase]} from ${host}`, options);
  }
}

const phaseDescription: Record<TimeoutPhase, string> = {
  connect: 'a connection',
  headers: 'response headers',
  body: 'the response body',
};

/** The connection failed or broke before a complete response arrived. */
export class HttpNetworkError extends KitError {
  constructor(
    readonly host: string,
    readonly errorCode: string,
    /** True when the failure happened before the request could reach the server. */
    readonly beforeRequestSent: boolean,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Network error talking to ${host}: ${errorCode} (${detail})`, options);
  }
}

export class ResponseTooLargeError extends KitError {
  constructor(
    readonly host: string,
    readonly limitBytes: number,
  ) {
    // In words a controller can act on: nothing from the answer was used, and the run says so.
    super(
      `The answer from ${host} is larger than ${formatBytes(limitBytes)} (the most the app reads in one answer), so none of it was used. If this repeats, the service is sending far more than a page of records: try again later or ask its administrator.`,
    );
  }
}

export class ResponseParseError extends KitError {
  constructor(
    readonly status: number,
    readonly url: string,
    format: string,
    body: string,
    options?: { cause?: unknown },
  ) {
    const quoted = body.length === 0 ? '(empty body)' : `body starts: ${JSON.stringify(quoteSnippet(body))}`;
    // The path only: a full URL with its query string is hundreds of characters of noise.
    super(`The answer to ${pathOf(url)} (HTTP ${status}) is not readable ${format}; ${quoted}`, options);
  }
}

/** A non-2xx response the kit did not (or could no longer) retry. The response stays readable. */
export class HttpStatusError extends KitError {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly response: HttpResponse,
    readonly attempt: number,
    /** Server-suggested wait (Retry-After or rate-limit reset), when it gave one. */
    readonly retryAfterMs: number | null,
  ) {
    super(
      `${method} ${url} failed with HTTP ${response.status} (attempt ${attempt}): ${JSON.stringify(quoteSnippet(response.text))}`,
    );
  }

  get status(): number {
    return this.response.status;
  }
}

/** HTTP 401: never retried by the kit; the caller's auth layer refreshes or asks to reconnect. */
export class UnauthorizedError extends HttpStatusError {}

/** BudgetExhaustedError's `window` when the wait is the server's Retry-After, not a window. */
export const SERVER_WAIT = 'retry-after';

export class BudgetExhaustedError extends KitError {
  constructor(
    readonly budgetKey: string,
    readonly window: string,
    /** Epoch ms when a call will be allowed again (the scheduler's next safe run). */
    readonly resumeAt: number,
  ) {
    const next = new Date(resumeAt).toISOString();
    super(
      window === SERVER_WAIT
        ? `Request budget ${budgetKey} is paused: the server asked to wait (Retry-After) until ${next}`
        : `Request budget ${budgetKey} has no ${window} calls left; next call allowed at ${next}`,
    );
  }
}

export class ErrorBudgetExceededError extends KitError {
  constructor(
    readonly budgetKey: string,
    readonly endpoint: string,
    readonly errorsInWindow: number,
    readonly resumeAt: number,
  ) {
    super(
      `Stopped before calling ${endpoint}: ${errorsInWindow} errors in the current window for ${budgetKey}; ` +
        `one more could get the API key blocked. Next call allowed at ${new Date(resumeAt).toISOString()}`,
    );
  }
}

/** A paginated read that would never end (repeated link/cursor, runaway page count). */
export class PaginationError extends KitError {}

export class XmlParseError extends KitError {
  constructor(
    readonly line: number,
    readonly column: number,
    detail: string,
    xml: string,
  ) {
    super(
      `Malformed XML at line ${line}, column ${column}: ${detail}; document starts: ${JSON.stringify(quoteSnippet(xml))}`,
    );
  }
}

/** "32 MB", "256 KB": a byte limit as people read it. */
function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KB`;
  return `${bytes} bytes`;
}

/** A URL's host and path, without its query (or the text itself when it is no URL). */
function pathOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return url;
  }
}
