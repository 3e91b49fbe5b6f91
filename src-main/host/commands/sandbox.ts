import {
  FaultSpecError,
  SYSTEM_NAMES,
  isSystemName,
  parseFaultSpec,
  readSandboxSeed,
  sandboxStorePath,
  startSandbox,
  startSimulator,
  type SystemName,
} from '../../sandbox';
import type { CliCommand, CliIo } from '../cli-types';

const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

/**
 * What `sandbox serve` prints per system: exactly these credential keys, in this order, so a
 * script (or a test) can configure connections from the line without knowing each simulator.
 */
const CREDENTIAL_KEYS: Record<SystemName, readonly string[]> = {
  exact: ['clientId', 'clientSecret', 'redirectUri', 'division'],
  procore: ['clientId', 'clientSecret', 'companyId'],
  acumatica: ['username', 'password', 'tenant', 'endpointVersion', 'clientId', 'clientSecret'],
  intacct: ['senderId', 'senderPassword', 'companyId', 'userId', 'userPassword'],
  monday: ['apiToken'],
  coupa: ['clientId', 'clientSecret'],
};

class UsageError extends Error {}

type Values = Record<string, string | boolean | string[] | undefined>;

function stringOption(values: Values, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new UsageError(`--${name} needs a value`);
  return value;
}

function parseSystems(text: string | undefined): SystemName[] {
  if (text === undefined) return [...SYSTEM_NAMES];
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError(`--systems needs at least one of: ${SYSTEM_NAMES.join(', ')}`);
  const unknown = names.filter((n) => !isSystemName(n));
  if (unknown.length > 0)
    throw new UsageError(
      `--systems: unknown system ${unknown.map((n) => `"${n}"`).join(', ')} (known: ${SYSTEM_NAMES.join(', ')})`,
    );
  return [...new Set(names as SystemName[])];
}

/** A whole number in [min, max]; decimals, signs and exponents are refused. */
function parseInteger(name: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  return value;
}

function parseScale(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  if (!(value > 0) || value > 1000)
    throw new UsageError(`--scale must be a number above 0 and at most 1000 (1 = demo size), got "${text}"`);
  return value;
}

function parseFaults(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  try {
    parseFaultSpec(text);
  } catch (err) {
    if (err instanceof FaultSpecError) throw new UsageError(`--faults: ${err.message}`);
    throw err;
  }
  return text;
}

/** Runs body; a UsageError becomes exit code 2 with its message on stderr. */
async function withUsageErrors(io: CliIo, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(err.message);
      return EXIT_USAGE;
    }
    throw err;
  }
}

function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

export const sandboxServeCommand: CliCommand = {
  path: ['sandbox', 'serve'],
  summary:
    'Start the API simulators on 127.0.0.1 and print their addresses and credentials as one JSON line.',
  dataFolder: 'files',
  usage:
    '[--systems exact,procore,acumatica,intacct,monday,coupa] [--data-dir D] [--seed N] [--scale S] [--latency-ms L] [--faults SPEC]',
  options: {
    systems: {
      type: 'string',
      description: `Comma list of simulators to start (default: all of ${SYSTEM_NAMES.join(', ')}).`,
    },
    seed: {
      type: 'string',
      description: 'Seed of the demo data (default 1). A data folder keeps the seed it was created with.',
    },
    scale: { type: 'string', description: 'Size of the demo data: 1 = demo (default), 20 = benchmark size.' },
    'latency-ms': {
      type: 'string',
      description: 'Extra latency per API request in milliseconds (default 0).',
    },
    faults: {
      type: 'string',
      description:
        'Fault injection, e.g. "5xx=0.05,429=0.02,procore:drop=0.1" (see sandbox/_common/faults.ts).',
    },
  },
  run: ({ values, positionals }, io) =>
    withUsageErrors(io, async () => {
      if (positionals.length > 0)
        throw new UsageError(`sandbox serve takes no arguments, got "${positionals.join(' ')}"`);
      const systems = parseSystems(stringOption(values, 'systems'));
      const seed = parseInteger('seed', stringOption(values, 'seed'), 0, 0xffff_ffff);
      const scale = parseScale(stringOption(values, 'scale'));
      const latencyMs = parseInteger('latency-ms', stringOption(values, 'latency-ms'), 0, 60_000);
      const faults = parseFaults(stringOption(values, 'faults'));

      let sandbox;
      try {
        sandbox = await startSandbox({
          dataDir: io.dataDir,
          systems,
          ...(seed !== undefined ? { seed } : {}),
          ...(scale !== undefined ? { scale } : {}),
          ...(latencyMs !== undefined ? { latencyMs } : {}),
          ...(faults !== undefined ? { faults } : {}),
        });
      } catch (err) {
        io.err(err instanceof Error ? err.message : String(err));
        return EXIT_FAILURE;
      }
      try {
        const out: Record<string, { baseUrl: string; credentials: Record<string, string | number> }> = {};
        for (const system of systems) {
          const sim = sandbox.systems[system];
          if (!sim) throw new Error(`sandbox: ${system} did not start`);
          out[system] = { baseUrl: sim.baseUrl, credentials: pickCredentials(system, sim.credentials) };
        }
        io.out(JSON.stringify({ systems: out }));
        io.err(`Sandbox running (${systems.join(', ')}) with data in ${io.dataDir}. Stop with Ctrl+C.`);
        await untilAborted(io.signal);
        return 0;
      } finally {
        await sandbox.close();
      }
    }),
};

function pickCredentials(
  system: SystemName,
  credentials: Record<string, string | number>,
): Record<string, string | number> {
  const picked: Record<string, string | number> = {};
  for (const key of CREDENTIAL_KEYS[system]) {
    const value = credentials[key];
    if (value === undefined)
      throw new Error(`sandbox: the ${system} simulator did not provide the credential "${key}"`);
    picked[key] = value;
  }
  return picked;
}

export const sandboxDumpCommand: CliCommand = {
  path: ['sandbox', 'dump'],
  summary: "Print one simulator's stored records (as its API returns them) as one JSON object.",
  dataFolder: 'files',
  usage: '<system> [--data-dir D]',
  options: {},
  run: ({ positionals }, io) =>
    withUsageErrors(io, async () => {
      const [system, ...extra] = positionals;
      if (system === undefined)
        throw new UsageError(`sandbox dump needs a system: one of ${SYSTEM_NAMES.join(', ')}`);
      if (!isSystemName(system))
        throw new UsageError(`sandbox dump: unknown system "${system}" (known: ${SYSTEM_NAMES.join(', ')})`);
      if (extra.length > 0)
        throw new UsageError(`sandbox dump takes one system, got also "${extra.join(' ')}"`);

      // Reopen with the seed the folder was created with, so the simulator does not refuse it.
      const seeded = readSandboxSeed(io.dataDir, system);
      if (!seeded) {
        io.err(
          `No ${system} sandbox data at ${sandboxStorePath(io.dataDir, system)}. Start it once with \`ml-connector sandbox serve\`.`,
        );
        return EXIT_FAILURE;
      }
      const sim = await startSimulator(system, {
        dataDir: io.dataDir,
        port: 0,
        seed: seeded.seed,
        scale: seeded.scale,
      });
      try {
        const response = await fetch(`${sim.baseUrl}/_sandbox/state`);
        if (!response.ok)
          throw new Error(`the ${system} simulator answered ${response.status} to /_sandbox/state`);
        io.out(JSON.stringify(await response.json()));
        return 0;
      } finally {
        await sim.close();
      }
    }),
};
