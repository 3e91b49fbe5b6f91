import { parseFaultSpec } from './_common/faults';
import {
  SYSTEM_NAMES,
  isSystemName,
  type RunningSimulator,
  type SimulatorStartOptions,
  type SystemName,
} from './_common/simulator';
import { startAcumaticaSimulator } from './acumatica';
import { startCoupaSimulator } from './coupa';
import { startExactSimulator } from './exact-online';
import { startMondaySimulator } from './monday';
import { startProcoreSimulator } from './procore';
import { startIntacctSimulator } from './sage-intacct';

export { FaultSpecError, parseFaultSpec } from './_common/faults';
export {
  SYSTEM_NAMES,
  isSystemName,
  readSandboxSeed,
  sandboxStorePath,
  type RunningSimulator,
  type SimulatorStartOptions,
  type SystemName,
} from './_common/simulator';

type StartSimulator = (opts: SimulatorStartOptions) => Promise<RunningSimulator>;

/** One start function per system; a missing system is a compile error. */
const STARTERS: Record<SystemName, StartSimulator> = {
  exact: startExactSimulator,
  procore: startProcoreSimulator,
  acumatica: startAcumaticaSimulator,
  intacct: startIntacctSimulator,
  monday: startMondaySimulator,
  coupa: startCoupaSimulator,
};

/** Starts one simulator by its system name. */
export function startSimulator(system: SystemName, opts: SimulatorStartOptions): Promise<RunningSimulator> {
  return STARTERS[system](opts);
}

export interface SandboxOptions {
  /** App data directory (state in <dataDir>/sandbox/<system>.sqlite); null = in memory. */
  dataDir: string | null;
  /** Default: all six. */
  systems?: readonly SystemName[];
  seed?: number;
  scale?: number;
  latencyMs?: number;
  /** Fault SPEC for all simulators (per-system entries use the `system:` prefix). */
  faults?: string;
  /** System-specific switches, passed to that simulator as its config. */
  config?: Partial<Record<SystemName, Record<string, unknown>>>;
}

export interface Sandbox {
  systems: Partial<Record<SystemName, RunningSimulator>>;
  close(): Promise<void>;
}

/**
 * Starts the requested simulators side by side on loopback. All start or none stay running:
 * when one fails, the others are closed and the error names the system that failed.
 */
export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  const requested = opts.systems ?? SYSTEM_NAMES;
  if (requested.length === 0) throw new Error('sandbox: no systems requested');
  for (const name of requested)
    if (!isSystemName(name))
      throw new Error(`sandbox: unknown system "${String(name)}" (known: ${SYSTEM_NAMES.join(', ')})`);
  const systems = [...new Set(requested)];
  parseFaultSpec(opts.faults); // a bad spec fails here, once, not six times

  const results = await Promise.allSettled(
    systems.map((system) =>
      startSimulator(system, {
        dataDir: opts.dataDir,
        ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
        ...(opts.scale !== undefined ? { scale: opts.scale } : {}),
        ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}),
        ...(opts.faults !== undefined ? { faults: opts.faults } : {}),
        ...(opts.config?.[system] ? { config: opts.config[system] } : {}),
      }),
    ),
  );

  const running: Partial<Record<SystemName, RunningSimulator>> = {};
  const failures: string[] = [];
  let firstError: unknown;
  results.forEach((result, i) => {
    const system = systems[i] as SystemName;
    if (result.status === 'fulfilled') running[system] = result.value;
    else {
      firstError ??= result.reason;
      failures.push(
        `${system}: ${result.reason instanceof Error ? result.reason.message : String(result.reason)}`,
      );
    }
  });
  const close = async (): Promise<void> => {
    await Promise.all(Object.values(running).map((sim) => sim.close()));
  };
  if (failures.length > 0) {
    await close();
    throw new Error(`sandbox: could not start ${failures.join('; ')}`, { cause: firstError });
  }
  return { systems: running, close };
}
