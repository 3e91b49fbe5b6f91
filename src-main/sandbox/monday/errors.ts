/**
 * An application-level monday.com error (fact sheet §4.7): thrown by resolvers, it reaches the
 * client inside HTTP 200 as `errors[].extensions` (graphql-js copies `extensions` of the
 * original error onto the located GraphQLError). monday puts `status_code: 200` in these
 * extensions (changelog "column value exception error column_type update"), so that is the
 * default here.
 */
export class MondayError extends Error {
  readonly extensions: Record<string, unknown>;

  constructor(code: string, message: string, extra: Record<string, unknown> = {}) {
    super(message);
    this.name = 'MondayError';
    this.extensions = { code, status_code: 200, ...extra };
  }
}

/**
 * One entry of the response `errors` array for errors raised outside graphql execution
 * (auth, rate limits, budget): monday's examples carry no `locations` for these.
 */
export function errorEntry(message: string, extensions: Record<string, unknown>): Record<string, unknown> {
  return { message, extensions };
}
