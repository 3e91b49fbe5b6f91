// Public surface of the connector kit. Connectors import from here, not from the files.
export type { KitClock, ManualClock } from './clock';
export { createManualClock, systemClock } from './clock';
export type { ApiRequestCounts, StatusClass } from './counters';
export { RequestCounters, requestCounters, statusClassOf } from './counters';
export type { TimeoutPhase } from './errors';
export {
  BudgetExhaustedError,
  SERVER_WAIT,
  ErrorBudgetExceededError,
  HostNotAllowedError,
  HttpNetworkError,
  HttpStatusError,
  HttpTimeoutError,
  KitError,
  PaginationError,
  ResponseParseError,
  ResponseTooLargeError,
  UnauthorizedError,
  XmlParseError,
  quoteSnippet,
} from './errors';
export type {
  HttpClientOptions,
  HttpMethod,
  HttpRequest,
  HttpResponse,
  HttpTimeouts,
  QueryParams,
  QueryScalar,
  QueryValue,
  RequestBody,
} from './http';
export { HttpClient, appendQuery, defaultMaxResponseBytes, defaultTimeouts } from './http';
export type { Outcome, RetryDecision, RetryEvent, RetryPolicy } from './retry';
export { backoffDelayMs, defaultRetryPolicy, resolveRetryPolicy, retry } from './retry';
export type { ParsedRateLimits, RateLimitParser, RateLimitWindow, ResponseHeaders } from './rate-limits';
export {
  parseExactRateLimits,
  parseProcoreRateLimits,
  parseRetryAfter,
  serverSuggestedDelayMs,
} from './rate-limits';
export type {
  BudgetConfig,
  BudgetLease,
  BudgetSnapshot,
  BudgetWindowConfig,
  BudgetWindowSnapshot,
  ErrorBudgetConfig,
} from './budget';
export { RequestBudget, getBudget, nextUtcMidnight } from './budget';
export { forEachConcurrently } from './pool';
export type { LogLevel, LogSink, Logger, LoggerOptions } from './log';
export { REDACTED, createLogger, redactString, redactValue, registerSecret, silentLogger } from './log';
export type { DedupeOptions, PaginateOptions } from './paginate';
export {
  MAX_REPEATED_PAGES,
  followNextLinks,
  freshRecords,
  inLookupWindows,
  paginateByCursor,
  paginateByOffset,
  paginateByPageNumber,
  parseLinkHeader,
  recordIdOf,
} from './paginate';
export type { BuiltXml, StrippedCharacter, XmlBuildOptions, XmlDocumentParser, XmlParserPreset } from './xml';
export { ATTRIBUTE_PREFIX, buildXml, createXmlParser, stripIllegalXmlChars } from './xml';
export type { GraphQLErrorItem, GraphQLOptions, GraphQLRequest } from './graphql';
export { GraphQLRequestError, defaultRateLimitCodes, graphqlRequest, isReadOnlyDocument } from './graphql';
