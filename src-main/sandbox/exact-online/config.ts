import { z } from 'zod';

/**
 * Switches of the Exact simulator (SimulatorStartOptions.config). Defaults are the documented
 * values of the fact sheet; the "unconfirmed" behaviours are switches rather than guesses.
 */
const ExactConfigSchema = z
  .object({
    clientId: z.string().min(1).optional(),
    clientSecret: z.string().min(1).optional(),
    /** Registered redirect URI; must match exactly (§1.2). */
    redirectUri: z.string().url().default('http://127.0.0.1:47913/callback'),
    /** Accept any port on 127.0.0.1 with the registered scheme and path (for tests with port 0). */
    allowAnyLoopbackPort: z.boolean().default(false),
    /** Serve an HTML consent page instead of approving the authorize request at once. */
    consentPage: z.boolean().default(false),
    /**
     * RFC 9207: add `iss` (the issuer) to every authorization response, like a server that
     * supports the mix-up defence (unconfirmed for Exact itself; on so clients check it).
     */
    issParameter: z.boolean().default(true),
    /** The issuer named in `iss`; default: the origin the request reached (http://127.0.0.1:PORT). */
    issuer: z.string().url().optional(),
    /** PKCE handling (unconfirmed upstream): verify when sent, demand it, or ignore it. */
    pkce: z.enum(['optional', 'required', 'ignored']).default('optional'),
    codeTtlMs: z.number().int().positive().default(180_000),
    accessTokenTtlMs: z.number().int().positive().default(600_000),
    /** A refresh is allowed only in the last N ms of the current access token's life. */
    refreshWindowMs: z.number().int().nonnegative().default(30_000),
    /** An unused refresh token dies after this long (30 days). */
    refreshTokenTtlMs: z.number().int().positive().default(30 * 86_400_000),
    tokenCallsPerDay: z.number().int().positive().default(200),
    minutelyLimit: z.number().int().positive().default(60),
    dailyLimit: z.number().int().positive().default(5000),
    errorsPerHour: z.number().int().nonnegative().default(10),
    /** Status while an endpoint is blocked by the error budget (unconfirmed which one Exact uses). */
    errorBlockStatus: z.union([z.literal(429), z.literal(403)]).default(429),
    pageSize: z.number().int().positive().default(60),
    syncPageSize: z.number().int().positive().default(1000),
    /** Division (administration) number the sandbox user works in. */
    division: z.number().int().positive().default(1234567),
    /** A refresh token the simulator accepts on first use (lets a CLI skip the browser). */
    initialRefreshToken: z.string().min(16).optional(),
    /** Me.ServerUtcOffset in seconds (dates on the wire are always true UTC here). */
    serverUtcOffset: z.number().default(3600),
    /**
     * How sync/CRM/Accounts rows carry `BankAccounts` (unconfirmed upstream): `inline` as
     * {"results": [...]}, or `deferred` as {"__deferred": {"uri": …}} like a standard GET.
     */
    syncAccountBankAccounts: z.enum(['inline', 'deferred']).default('inline'),
  })
  .strict();

export type ExactConfig = z.infer<typeof ExactConfigSchema>;

export function parseExactConfig(raw: Record<string, unknown>): ExactConfig {
  const result = ExactConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`).join('; ');
    throw new Error(`Invalid Exact sandbox config: ${problems}`);
  }
  return result.data;
}
