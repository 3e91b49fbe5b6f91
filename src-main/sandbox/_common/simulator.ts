import { join } from 'node:path';
import { createSimClock, type SimClock } from './clock';
import { FaultController, parseFaultSpec } from './faults';
import { SimStore, StaleSimStoreError } from './sim-store';
import { startSimServer, type RequestLog, type SimRequest, type SimResponse, type SimSystem } from './sim-server';
import { generateWorld } from '../seed/world';
import type { World } from '../seed/world-types';
import type { SystemName } from './systems';

export { SYSTEM_NAMES, isSystemName, type SystemName } from './systems';

export interface SimulatorStartOptions {
  /** App data directory; state goes to <dataDir>/sandbox/<system>.sqlite. null = in memory. */
  dataDir: string | null;
  seed?: number;
  scale?: number;
  port?: number;
  latencyMs?: number;
  /** Fault SPEC (see faults.ts). */
  faults?: string;
  clock?: SimClock;
  /** System-specific switches (e.g. Exact consent page, Acumatica versions, Coupa version header). */
  config?: Record<string, unknown>;
}

export interface RunningSimulator {
  system: SystemName;
  baseUrl: string;
  /** The sandbox's own credentials (not secrets), keys as `sandbox serve` prints them. */
  credentials: Record<string, string | number>;
  faults: FaultController;
  clock: SimClock;
  requests: RequestLog;
  store: SimStore;
  close(): Promise<void>;
}

export interface SimulatorContext {
  store: SimStore;
  clock: SimClock;
  world: World;
  /** True when the store was empty and the system must project the world into it now. */
  freshStore: boolean;
  seed: number;
  config: Record<string, unknown>;
  faults: FaultController;
}

/** What a system folder provides: its SimSystem plus the credentials it accepts. */
export type SimulatorFactory = (
  ctx: SimulatorContext,
) => SimSystem & { credentials(): Record<string, string | number> };

/** Store meta entry recording the (seed, scale) a simulator's store was seeded with. */
const SEEDED_META_KEY = 'seeded';

/** Where a simulator keeps its state inside an app data directory. */
export function sandboxStorePath(dataDir: string, system: SystemName): string {
  return join(dataDir, 'sandbox', `${system}.sqlite`);
}

/** The seed and scale a data directory's simulator was created with (undefined: never started). */
export function readSandboxSeed(
  dataDir: string,
  system: SystemName,
): { seed: number; scale: number } | undefined {
  return SimStore.readMeta<{ seed: number; scale: number }>(
    sandboxStorePath(dataDir, system),
    SEEDED_META_KEY,
  );
}

/**
 * The world of the last (seed, scale) asked for, shared by the simulators of one sandbox (six
 * simulators starting together generate it once). Deep-frozen: it is read by all of them, so a
 * simulator that changed it would silently change the others' seed data.
 */
let lastWorld: { seed: number; scale: number; world: World } | undefined;
function sharedWorld(seed: number, scale: number): World {
  if (lastWorld?.seed !== seed || lastWorld.scale !== scale)
    lastWorld = { seed, scale, world: deepFreeze(generateWorld(seed, scale)) };
  return lastWorld.world;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Shared wiring for every simulator: open its durable store, seed it from the world on first
 * start, apply faults, start the HTTP server. Each system's `start<System>Simulator` is a
 * one-line call to this with its factory.
 */
export async function launchSimulator(
  system: SystemName,
  factory: SimulatorFactory,
  opts: SimulatorStartOptions,
): Promise<RunningSimulator> {
  const seed = opts.seed ?? 1;
  const scale = opts.scale ?? 1;
  const clock = opts.clock ?? createSimClock();
  // Parsed first: a bad spec must fail before anything is opened.
  const faultSpec = parseFaultSpec(opts.faults);
  const store = new SimStore(opts.dataDir === null ? ':memory:' : sandboxStorePath(opts.dataDir, system));
  const stored = store.getMeta<{ seed: number; scale: number }>(SEEDED_META_KEY);
  if (stored && (stored.seed !== seed || stored.scale !== scale)) {
    store.close();
    throw new Error(
      `The ${system} sandbox in this data folder was seeded with seed ${stored.seed} / scale ${stored.scale}, ` +
        `not ${seed} / ${scale}. Use the same values, or a new --data-dir.`,
    );
  }
  const faults = new FaultController(system, () => clock.now(), seed);
  const build = (freshStore: boolean): ReturnType<SimulatorFactory> =>
    factory({
      store,
      clock,
      // Lazy: a restart over a seeded store may never need the world.
      get world() {
        return sharedWorld(seed, scale);
      },
      freshStore,
      seed,
      config: opts.config ?? {},
      faults,
    });
  let sim: CoherentSystem;
  let server: Awaited<ReturnType<typeof startSimServer>>;
  try {
    sim = new CoherentSystem(store, build, { seed, scale });
    server = await startSimServer(sim, {
      faults,
      clock,
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      ...(opts.latencyMs !== undefined ? { latencyMs: opts.latencyMs } : {}),
    });
  } catch (err) {
    store.close();
    throw err;
  }
  faults.apply(faultSpec);
  return {
    system,
    baseUrl: server.baseUrl,
    credentials: sim.credentials(),
    faults,
    clock,
    requests: server.requests,
    store,
    close: async () => {
      await server.close();
      store.close();
    },
  };
}

/** How often a request is tried again after another process's commit made it stale. */
const STALE_RETRIES = 5;

/**
 * A system kept coherent with its store file when several processes serve the same data
 * folder's sandbox (each with its own simulator and in-memory mirror): before each request,
 * and whenever a write finds the file changed by another process, the mirror is reloaded and
 * the system rebuilt over it (its indexes are built from the store, as after a restart), and
 * the request is handled again. A simulator alone on its file never reloads.
 */
class CoherentSystem implements SimSystem {
  readonly name: string;
  #system: ReturnType<SimulatorFactory>;

  constructor(
    private readonly store: SimStore,
    private readonly build: (freshStore: boolean) => ReturnType<SimulatorFactory>,
    private readonly seeded: { seed: number; scale: number },
  ) {
    let built: ReturnType<SimulatorFactory> | undefined;
    for (let attempt = 0; built === undefined; attempt += 1) {
      if (store.changedElsewhere()) store.reloadAll();
      try {
        built = this.#buildOverStore();
      } catch (err) {
        if (!(err instanceof StaleSimStoreError) || attempt >= STALE_RETRIES) throw err;
      }
    }
    this.#system = built;
    this.name = built.name;
  }

  /**
   * A fresh store is seeded and marked seeded in one transaction: a second process starting the
   * same folder's sandbox at the same moment either finds the whole seed or seeds it itself.
   */
  #buildOverStore(): ReturnType<SimulatorFactory> {
    if (this.store.getMeta(SEEDED_META_KEY) !== undefined) return this.build(false);
    return this.store.transaction(() => {
      const system = this.build(true);
      this.store.setMeta(SEEDED_META_KEY, this.seeded);
      return system;
    });
  }

  async handle(req: SimRequest): Promise<SimResponse> {
    for (let attempt = 0; ; attempt += 1) {
      if (this.store.changedElsewhere()) this.#reload();
      this.store.takeStaleSeen();
      let response: SimResponse;
      try {
        response = await this.#system.handle(req);
      } catch (err) {
        if (!(err instanceof StaleSimStoreError) || attempt >= STALE_RETRIES) throw err;
        this.#reload();
        continue;
      }
      // A handler may have caught the StaleSimStoreError and answered 500: nothing was written
      // (it is thrown before any write), so the request is handled again on the fresh mirror.
      if (!this.store.takeStaleSeen() || attempt >= STALE_RETRIES) return response;
      this.#reload();
    }
  }

  #reload(): void {
    this.store.reloadAll();
    this.#system = this.build(false);
  }

  credentials(): Record<string, string | number> {
    return this.#system.credentials();
  }
  isWrite(req: SimRequest): boolean {
    return this.#system.isWrite?.(req) ?? (req.method !== 'GET' && req.method !== 'HEAD');
  }
  rateLimitedResponse(): SimResponse {
    return this.#system.rateLimitedResponse();
  }
  serverErrorResponse(status: 500 | 502 | 503): SimResponse {
    return this.#system.serverErrorResponse(status);
  }
  expireTokens(): void {
    this.#system.expireTokens();
  }
  inspect(): Record<string, unknown[]> {
    if (this.store.changedElsewhere()) this.#reload();
    return this.#system.inspect();
  }
}
