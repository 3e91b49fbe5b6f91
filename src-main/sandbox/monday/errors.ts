/**
 * An application-level monday.com error (fact sheet §4.7): thrown by resolvers, it reaches the
 * client inside HTTP 200 as `errors[].extensions.code` (graphql-js copies `extensions` of the
 * original error onto the located GraphQLError).
 */
export class MondayError extends Error {
  readonly extensions: Record<string, unknown>;

  constructor(code: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'MondayError';
    this.extensions = { code, ...extra };
  }
}

/** One entry of the response `errors` array, for errors raised outside graphql execution. */
export function errorEntry(message: string, extensions: Record<string, unknown>): Record<string, unknown> {
  return { message, locations: [], extensions };
}
