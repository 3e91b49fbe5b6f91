import { createInterface, type Interface } from 'node:readline';
import { CONNECT_FORMS, type ConnectForm } from '../../../src-shared/domain/connect-forms';
import { SYSTEM_TITLES, type SystemId } from '../../../src-shared/domain/systems';
import { createLogger } from '../../connectors/_kit/log';
import type { ExactRegion } from '../../connectors/exact-online';
import { KeytarCredentialStore } from '../../credentials';
import { openStore } from '../../store';
import { createAppContext } from '../app-context';
import type { CliCommand, CliIo, CliOptionSpec } from '../cli-types';
import { connectExactOnline, connectProcore } from '../live-connections';
import { connectSystem } from '../systems/connect';
import { CONNECTABLE_SYSTEMS, openerOf } from '../systems';
import { connectMondayOAuth } from '../systems/monday';

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

/**
 * The fallback of a browser sign-in when the browser cannot reach the loopback listener: each
 * address the user pastes on stdin completes the pending sign-in, or says why it cannot.
 */
function completeFromPastedLines(lines: Interface, io: CliIo): (pending: { completeFromPastedUrl(url: string): void }) => void {
  return (pending) =>
    lines.on('line', (line) => {
      if (!line.trim()) return;
      try {
        pending.completeFromPastedUrl(line);
      } catch (err) {
        io.err((err as Error).message);
      }
    });
}

const required = (values: Record<string, unknown>, names: string[], io: CliIo): boolean => {
  const missing = names.filter((n) => typeof values[n] !== 'string' || !(values[n] as string).trim());
  if (missing.length) io.err(`connect: missing ${missing.map((m) => `--${m}`).join(', ')}`);
  return missing.length === 0;
};

/**
 * The systems connected with the generic form (monday.com, Coupa, Acumatica, Sage Intacct): one
 * option per non-secret field of CONNECT_FORMS (`apiVersion` → `--api-version`), one environment
 * variable per secret field (`ML_CONNECTOR_<SYSTEM>_<FIELD>`, e.g. ML_CONNECTOR_MONDAY_API_TOKEN),
 * then the same `connectSystem` as the Connections screen: tested, and rolled back when refused.
 */
const GENERIC: readonly { system: SystemId; form: ConnectForm }[] = CONNECTABLE_SYSTEMS.flatMap((system) => {
  const form = CONNECT_FORMS[system];
  return form && openerOf(system)?.genericConnect ? [{ system, form }] : [];
});

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Where a secret field of a generically connected system is read from: never argv. */
export function secretEnvName(system: SystemId, field: string): string {
  return `ML_CONNECTOR_${system.replace(/-/g, '_')}_${field.replace(/[A-Z]/g, (c) => `_${c}`)}`.toUpperCase();
}

const STATIC_OPTIONS: Record<string, CliOptionSpec> = {
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
    oauth: { type: 'boolean', description: 'monday.com: sign in through your monday app (OAuth 2.1, browser) instead of a personal API token' },
};

/** The monday app's client secret for `connect monday --oauth` (the personal token has its own variable). */
const MONDAY_CLIENT_SECRET_ENV = 'ML_CONNECTOR_MONDAY_CLIENT_SECRET';

/** The static options, plus each generic form's non-secret fields (a name several systems share is one option). */
const CONNECT_OPTIONS = ((): Record<string, CliOptionSpec> => {
  const options: Record<string, CliOptionSpec> = { ...STATIC_OPTIONS };
  for (const { system, form } of GENERIC)
    for (const field of form.fields) {
      if (field.kind === 'secret') continue;
      const name = kebab(field.name);
      const choices = field.options ? ` (${field.options.map((o) => o.value).join('|')})` : '';
      const text = `${SYSTEM_TITLES[system]}: ${field.label}${choices}${field.default ? `, default ${field.default}` : ''}`;
      const existing = options[name];
      options[name] = { type: 'string', description: existing ? `${existing.description}; ${text}` : text };
    }
  return options;
})();

const SECRET_ENVIRONMENT: Record<string, string> = Object.fromEntries([
  [SECRET_ENV, 'Exact Online / Procore: the client secret'],
  [MONDAY_CLIENT_SECRET_ENV, 'monday.com with --oauth: your monday app\u2019s client secret'],
  ...GENERIC.flatMap(({ system, form }) =>
    form.fields.filter((f) => f.kind === 'secret').map((f) => [secretEnvName(system, f.name), `${SYSTEM_TITLES[system]}: ${f.label}${f.required ? '' : ' (optional)'}`]),
  ),
]);

/** `connect <generic system>`: options to form values (defaults as the form prefills them), secrets from the environment. */
async function connectGeneric(system: SystemId, form: ConnectForm, values: Record<string, unknown>, io: CliIo): Promise<number> {
  const own = new Set(form.fields.filter((f) => f.kind !== 'secret').map((f) => kebab(f.name)));
  // Another system's option is a mistake worth naming (the global ones, --json and --data-dir, are not in CONNECT_OPTIONS).
  const stray = Object.keys(values).filter((name) => name in CONNECT_OPTIONS && !own.has(name) && values[name] !== undefined);
  if (stray.length) {
    io.err(`connect ${system}: ${stray.map((n) => `--${n}`).join(', ')} ${stray.length === 1 ? 'is not an option' : 'are not options'} of ${SYSTEM_TITLES[system]}; see ml-connector connect --help`);
    return 2;
  }
  const formValues: Record<string, string> = {};
  const missing: string[] = [];
  for (const field of form.fields) {
    if (field.kind === 'secret') {
      const env = secretEnvName(system, field.name);
      const secret = process.env[env]?.trim();
      if (secret) formValues[field.name] = secret;
      else if (field.required) missing.push(`the ${field.label} in the ${env} environment variable (it goes to the OS keychain, never on disk or the command line)`);
      continue;
    }
    const given = values[kebab(field.name)];
    const value = typeof given === 'string' && given.trim() ? given.trim() : field.default;
    if (value !== undefined) formValues[field.name] = value;
    else if (field.required) missing.push(`--${kebab(field.name)} (${field.label})`);
  }
  if (missing.length) {
    io.err(`connect ${system}: missing ${missing.join('; ')}`);
    return 2;
  }
  const ctx = createAppContext({ dataDir: io.dataDir, credentials: new KeytarCredentialStore(), log: createLogger({ sink: (l) => io.err(l), level: 'warn' }) });
  try {
    const { connectionId, detail } = await connectSystem(ctx, system, formValues);
    io.out(io.json ? JSON.stringify({ connected: system, connectionId, detail }) : `${SYSTEM_TITLES[system]} connected: ${detail}`);
    return 0;
  } catch (err) {
    io.err(`connect ${system}: ${(err as Error).message}`);
    return 1;
  } finally {
    ctx.close();
  }
}

/** `connect monday --oauth`: the browser sign-in through the user's monday app; the address can be pasted back. */
async function connectMondayWithOAuth(values: Record<string, unknown>, io: CliIo): Promise<number> {
  const stray = Object.keys(values).filter((n) => n in CONNECT_OPTIONS && !['oauth', 'client-id', 'redirect-uri'].includes(n) && values[n] !== undefined);
  if (stray.length) {
    io.err(`connect monday --oauth: ${stray.map((n) => `--${n}`).join(', ')} ${stray.length === 1 ? 'is not an option' : 'are not options'} of a monday.com sign-in`);
    return 2;
  }
  if (!required(values, ['client-id', 'redirect-uri'], io)) return 2;
  const clientSecret = process.env[MONDAY_CLIENT_SECRET_ENV]?.trim();
  if (!clientSecret) {
    io.err(`connect monday: put your monday app's client secret in the ${MONDAY_CLIENT_SECRET_ENV} environment variable (it goes to the OS keychain, never on disk or the command line).`);
    return 2;
  }
  const store = openStore(io.dataDir);
  const deps = { store, credentials: new KeytarCredentialStore(), log: createLogger({ sink: (l) => io.err(l), level: 'warn' }), dataDir: io.dataDir };
  const lines = createInterface({ input: process.stdin });
  try {
    const { detail } = await connectMondayOAuth(deps, {
      clientId: String(values['client-id']),
      clientSecret,
      redirectUri: String(values['redirect-uri']),
      openBrowser: (url) => io.err(`Open this address in your browser and approve the app in monday.com:\n${url}\nIf the browser then shows an error page, copy its address here and press Enter.`),
      onPending: completeFromPastedLines(lines, io),
    });
    io.out(io.json ? JSON.stringify({ connected: 'monday', auth: 'oauth', detail }) : `monday.com connected (OAuth): ${detail}`);
    return 0;
  } catch (err) {
    io.err(`connect monday: ${(err as Error).message}`);
    return 1;
  } finally {
    lines.close();
    store.close();
  }
}

export const connectCommand: CliCommand = {
  path: ['connect'],
  summary: `Connect your own account: Exact Online (browser sign-in), Procore (client credentials), ${GENERIC.map((g) => SYSTEM_TITLES[g.system]).join(', ')} (the Connections screen's fields).`,
  usage: [
    'exact-online --region nl --client-id ID --redirect-uri http://127.0.0.1:PORT/callback [--division N] [--issuer URL] [--require-iss]',
    'procore --company-id ID --client-id ID [--environment production|developerSandbox|onDemandSandbox|monthlySandbox] [--write-concurrency 1-16]',
    'monday --oauth --client-id ID --redirect-uri http://127.0.0.1:PORT/callback',
    ...GENERIC.map(({ system, form }) =>
      [system, ...form.fields.filter((f) => f.kind !== 'secret').map((f) => (f.required && !f.default ? `--${kebab(f.name)} V` : `[--${kebab(f.name)} V]`))].join(' '),
    ),
  ].join('\n       ml-connector connect '),
  environment: SECRET_ENVIRONMENT,
  options: CONNECT_OPTIONS,
  async run({ values, positionals }, io) {
    const system = positionals[0];
    if (system === 'monday' && values['oauth'] === true) return connectMondayWithOAuth(values, io);
    const generic = GENERIC.find((g) => g.system === system);
    if (generic) return connectGeneric(generic.system, generic.form, values, io);
    if (system !== 'exact-online' && system !== 'procore') {
      io.err(`connect: name the system: exact-online, procore, ${GENERIC.map((g) => g.system).join(', ')}`);
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
          onPending: completeFromPastedLines(lines, io),
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
