/**
 * Structured JSON-lines logger with redaction on every line.
 *
 * Secrets are removed in two ways: by shape (sensitive header names, bearer tokens, known
 * credential field names in JSON, query strings, form bodies and XML) and by value
 * (`registerSecret`, for tokens whose surrounding shape we cannot predict). Error messages
 * built by the kit go through `redactString` too, so a secret cannot leak through them.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export const REDACTED = '[REDACTED]';

/** Header names whose values are always secret. */
const SECRET_HEADER_NAMES = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key'];
/** Field names whose values are secret wherever they appear (JSON, query, form, XML, object keys). */
const SECRET_FIELD_NAMES = [
  'access_token',
  'refresh_token',
  'id_token',
  'client_secret',
  'password',
  'code_verifier',
  'senderpassword',
  'userpassword',
  'sessionid',
];
/**
 * Secret only in query strings and form bodies: the OAuth authorization `code` travels in the
 * callback URL and the token request body. In JSON and XML, `code` is the vendor's error code
 * (monday extensions.code, Exact error.code), which support needs to see.
 */
const URL_ONLY_FIELD_NAMES = ['code'];
const SECRET_KEYS = new Set([...SECRET_HEADER_NAMES, ...SECRET_FIELD_NAMES]);

const fieldAlternation = SECRET_FIELD_NAMES.join('|');
const urlFieldAlternation = [...SECRET_FIELD_NAMES, ...URL_ONLY_FIELD_NAMES].join('|');
const headerAlternation = SECRET_HEADER_NAMES.join('|');
const anyKeyAlternation = [...SECRET_KEYS].join('|');
const STRING_RULES: ReadonlyArray<[RegExp, string]> = [
  // "Authorization: Bearer x" header lines inside free text (until end of line).
  [new RegExp(`\\b(${headerAlternation})(\\s*:\\s*)[^\\r\\n]+`, 'gi'), `$1$2${REDACTED}`],
  // Bearer tokens anywhere (any case); Basic credentials (base64, so at least a few chars).
  [/\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi, `$1 ${REDACTED}`],
  [/\b(Basic)\s+[A-Za-z0-9+/]{8,}=*/g, `$1 ${REDACTED}`],
  // JSON "field": "value" (also unquoted scalar values).
  [
    new RegExp(`("(?:${anyKeyAlternation})"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"|[^,}\\]\\s]+)`, 'gi'),
    `$1"${REDACTED}"`,
  ],
  // XML <field ...>value</field>.
  [new RegExp(`<(${fieldAlternation})(\\s[^>]*)?>[\\s\\S]*?</\\1\\s*>`, 'gi'), `<$1$2>${REDACTED}</$1>`],
  // Query strings and form bodies: field=value.
  [new RegExp(`(^|[?&;\\s"'])(${urlFieldAlternation})=([^&\\s#"']*)`, 'gi'), `$1$2=${REDACTED}`],
];

const registeredSecrets = new Set<string>();
/** Shorter values would mask ordinary words; real tokens and passwords are longer. */
const MIN_SECRET_LENGTH = 4;

/**
 * Mask this exact value wherever it appears in anything logged or put in a kit error message.
 * Call it as soon as a token, password or client secret is loaded.
 */
export function registerSecret(value: string): void {
  if (value.length < MIN_SECRET_LENGTH) return;
  registeredSecrets.add(value);
  const encoded = encodeURIComponent(value);
  if (encoded !== value) registeredSecrets.add(encoded);
}

export function redactString(text: string): string {
  let result = text;
  for (const secret of registeredSecrets) {
    if (result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  for (const [pattern, replacement] of STRING_RULES) result = result.replace(pattern, replacement);
  return result;
}

/** Deep copy of `value` with secret fields masked and every string redacted. */
export function redactValue(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') {
    return typeof value === 'bigint' ? value.toString() : value;
  }
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (value instanceof Error) {
    const copy: Record<string, unknown> = { name: value.name, message: redactString(value.message) };
    for (const [key, inner] of Object.entries(value)) copy[key] = redactEntry(key, inner, seen);
    return copy;
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, seen));
  const copy: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) copy[key] = redactEntry(key, inner, seen);
  return copy;
}

function redactEntry(key: string, value: unknown, seen: WeakSet<object>): unknown {
  return SECRET_KEYS.has(key.toLowerCase()) && value !== undefined && value !== null
    ? REDACTED
    : redactValue(value, seen);
}

export type LogSink = (line: string) => void;

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` to every line. */
  child(fields: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  sink: LogSink;
  level?: LogLevel;
  fields?: Record<string, unknown>;
  now?: () => number;
}

export function createLogger(options: LoggerOptions): Logger {
  const minLevel = LEVEL_ORDER[options.level ?? 'info'];
  const now = options.now ?? Date.now;
  const baseFields = options.fields ?? {};
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (LEVEL_ORDER[level] < minLevel) return;
    const line = redactValue({
      ...baseFields,
      ...fields,
      time: new Date(now()).toISOString(),
      level,
      msg: message,
    });
    options.sink(JSON.stringify(line));
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    child: (fields) => createLogger({ ...options, fields: { ...baseFields, ...fields } }),
  };
}

/** For callers that do not care about logs (tests of other modules). */
export const silentLogger: Logger = createLogger({ sink: () => undefined, level: 'error' });
