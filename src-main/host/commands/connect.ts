import { createInterface } from 'node:readline';
import { createLogger } from '../../connectors/_kit/log';
import type { ExactRegion } from '../../connectors/exact-online';
import { KeytarCredentialStore } from '../../credentials';
import { openStore } from '../../store';
import type { CliCommand, CliIo } from '../cli-types';
import { connectExactOnline, connectProcore } from '../live-connections';

/**
 * `connect exact-online` / `connect procore`: the user's own accounts. Client secrets are read
 * from the environment (ML_CONNECTOR_CLIENT_SECRET) so they never appear in the shell history
 * or in a process list, and go straight to the OS keychain.
 */
const REGIONS: readonly ExactRegion[] = ['nl', 'be', 'de', 'co.uk', 'fr', 'es', 'com'];
const SECRET_ENV = 'ML_CONNECTOR_CLIENT_SECRET';

function secretFromEnv(io: CliIo): string | null {
  const secret = process.env[SECRET_ENV];
  if (!secret) {
    io.err(`connect: put the client secret in the ${SECRET_ENV} environment variable (it is stored in the OS keychain, never on disk).`);
    return null;
  }
  return secret;
}

const required = (values: Record<string, unknown>, names: string[], io: CliIo): boolean => {
  const missing = names.filter((n) => typeof values[n] !== 'string' || !(values[n] as string).trim());
  if (missing.length) io.err(`connect: missing ${missing.map((m) => `--${m}`).join(', ')}`);
  return missing.length === 0;
};

export const connectCommand: CliCommand = {
  path: ['connect'],
  summary: 'Connect your own Exact Online (browser sign-in) or Procore (client credentials) account.',
  usage:
    'exact-online --region nl --client-id ID --redirect-uri http://127.0.0.1:PORT/callback [--division N] [--issuer URL] [--require-iss]  |  procore --company-id ID --client-id ID [--environment production|developerSandbox|onDemandSandbox|monthlySandbox] [--write-concurrency 1-16]',
  options: {
    region: { type: 'string', description: `Exact Online country host: ${REGIONS.join(', ')}` },
    'client-id': { type: 'string', description: 'the app’s client id' },
    'redirect-uri': { type: 'string', description: 'the redirect URI registered for the app (http loopback, or https localhost: paste mode)' },
    division: { type: 'string', description: 'Exact division (default: the one you last had open)' },
    issuer: { type: 'string', description: 'the issuer a sign-in response must name in iss (RFC 9207; default: the Exact host of the region)' },
    'require-iss': { type: 'boolean', description: 'refuse a sign-in response without iss (when Exact says it always sends one)' },
    'base-url': { type: 'string', description: 'API host override (testing)' },
    'company-id': { type: 'string', description: 'Procore company id' },
    environment: { type: 'string', description: 'Procore environment (default production)' },
    'write-concurrency': { type: 'string', description: 'Procore line-item writes at once, 1 to 16 (default 4; kept when reconnecting)' },
  },
  async run({ values, positionals }, io) {
    const system = positionals[0];
    if (system !== 'exact-online' && system !== 'procore') {
      io.err('connect: name the system: exact-online or procore');
      return 2;
    }
    const secret = secretFromEnv(io);
    if (!secret) return 2;
    const store = openStore(io.dataDir);
    const deps = { store, credentials: new KeytarCredentialStore(), log: createLogger({ sink: (l) => io.err(l), level: 'warn' }), dataDir: io.dataDir };
    try {
      if (system === 'procore') {
        if (!required(values, ['company-id', 'client-id'], io)) return 2;
        const writeConcurrency = values['write-concurrency'] === undefined ? undefined : Number(values['write-concurrency']);
        if (writeConcurrency !== undefined && !Number.isSafeInteger(writeConcurrency)) {
          io.err('connect: --write-concurrency must be a whole number from 1 to 16');
          return 2;
        }
        const { detail } = await connectProcore(deps, {
          companyId: String(values['company-id']),
          clientId: String(values['client-id']),
          clientSecret: secret,
          ...(typeof values['environment'] === 'string' ? { environment: values['environment'] as 'production' } : {}),
          ...(typeof values['base-url'] === 'string' ? { apiBaseUrl: values['base-url'], authBaseUrl: values['base-url'] } : {}),
          ...(writeConcurrency !== undefined ? { writeConcurrency } : {}),
        });
        io.out(io.json ? JSON.stringify({ connected: 'procore', detail }) : `Procore connected: ${detail}`);
        return 0;
      }
      if (!required(values, ['region', 'client-id', 'redirect-uri'], io)) return 2;
      const region = String(values['region']) as ExactRegion;
      if (!REGIONS.includes(region)) {
        io.err(`connect: --region must be one of ${REGIONS.join(', ')}`);
        return 2;
      }
      const division = values['division'] === undefined ? undefined : Number(values['division']);
      if (division !== undefined && !Number.isSafeInteger(division)) {
        io.err('connect: --division must be a whole number');
        return 2;
      }
      const issuer = typeof values['issuer'] === 'string' ? values['issuer'].trim() : undefined;
      if (issuer !== undefined && !/^https?:\/\/[^\s]+$/.test(issuer)) {
        io.err('connect: --issuer must be the sign-in server\u2019s address, e.g. https://start.exactonline.nl');
        return 2;
      }
      // The pasted address is the fallback when the browser cannot reach the loopback listener.
      const lines = createInterface({ input: process.stdin });
      try {
        const { me, connection } = await connectExactOnline(deps, {
          region,
          clientId: String(values['client-id']),
          clientSecret: secret,
          redirectUri: String(values['redirect-uri']),
          ...(division !== undefined ? { division } : {}),
          ...(typeof values['base-url'] === 'string' ? { baseUrl: values['base-url'] } : {}),
          ...(issuer !== undefined ? { issuer } : {}),
          ...(values['require-iss'] === true ? { issParameterSupported: true } : {}),
          openBrowser: (url) => io.err(`Open this address in your browser and sign in to Exact Online:\n${url}\nIf the browser then shows an error page, copy its address here and press Enter.`),
          onPending: (pending) =>
            lines.on('line', (line) => {
              if (!line.trim()) return;
              try {
                pending.completeFromPastedUrl(line);
              } catch (err) {
                io.err((err as Error).message);
              }
            }),
        });
        const chosen = connection.settings['division'];
        io.out(io.json ? JSON.stringify({ connected: 'exact-online', user: me.fullName, division: chosen, divisions: me.divisions }) : `Exact Online connected as ${me.fullName}, division ${String(chosen)}.`);
        return 0;
      } finally {
        lines.close();
      }
    } catch (err) {
      io.err(`connect ${system}: ${(err as Error).message}`);
      return 1;
    } finally {
      store.close();
    }
  },
};
