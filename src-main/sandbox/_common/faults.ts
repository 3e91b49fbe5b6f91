import { createRng, type Rng } from './rng';
import { SYSTEM_NAMES, isSystemName } from './systems';

/**
 * Faults a simulator injects on demand, set at start (`--faults SPEC`) or while running
 * (`PUT /_sandbox/faults`). Rates are probabilities per request in [0, 1].
 *
 * SPEC is a comma list of `key=value`, optionally prefixed by a system name to target one
 * simulator: `5xx=0.05,429=0.02,procore:drop=0.1,exact:expire=1`.
 *   5xx=R       answer 500/502/503 (the system's own error body) instead of handling
 *   429=R       answer the system's own rate-limit response
 *   reset=R     destroy the connection without an answer
 *   drop=R      for writes (non-GET): commit the write, then destroy the connection (the
 *               response is lost although the target changed)
 *   cut=R       for writes: commit the write, lose its answer, then reset every later request
 *               until the faults are set again (the line goes down mid-write: no look-up in the
 *               same run can settle what was sent)
 *   storm=MS    every request gets the rate-limit response for the next MS milliseconds
 *   expire=1    invalidate every issued access token now (once)
 *   latency=MS  extra latency per request (adds to --latency-ms)
 * Response faults: the request is handled (a write commits), then its answer is spoiled:
 *   truncate=R  the body cut in half (truncated JSON or XML)
 *   html=R      HTTP 200 with an HTML error page (a proxy or login page in front of the API)
 *   ctype=R     the body as it was, labelled text/html (the wrong content type)
 *   empty=R     HTTP 200 with an empty body
 *   dupes=R     every record of a list page sent twice: a GET's JSON array (Procore) or OData
 *               d.results (Exact); Intacct, monday, Coupa, Acumatica in their own page shapes. A
 *               single record's answer or a write's answer is left alone (no page to spoil)
 *   repeat=R    the "next page" link (OData __next, Link rel="next") points at the page itself;
 *               Intacct, Coupa, Acumatica answer an offset with the page before, monday's
 *               next_items_page answers with the cursor it was given (sim-server SimRequest.responseFault)
 *   envelope=R  HTTP 200 carrying the system's own error envelope (Intacct's failure, monday's
 *               errors, an OData error)
 *   oversize=R  a (valid JSON) body larger than the client kit's 32 MiB response limit
 */
export interface FaultSettings {
  serverErrorRate: number;
  rateLimitRate: number;
  resetRate: number;
  dropAfterCommitRate: number;
  cutAfterWriteRate: number;
  latencyMs: number;
  /** Epoch ms until which every request is answered with a 429 (0 = no storm). */
  stormUntil: number;
  truncateRate: number;
  htmlRate: number;
  contentTypeRate: number;
  emptyRate: number;
  duplicateRate: number;
  repeatCursorRate: number;
  envelopeRate: number;
  oversizeRate: number;
}

export const NO_FAULTS: FaultSettings = {
  serverErrorRate: 0,
  rateLimitRate: 0,
  resetRate: 0,
  dropAfterCommitRate: 0,
  cutAfterWriteRate: 0,
  latencyMs: 0,
  stormUntil: 0,
  truncateRate: 0,
  htmlRate: 0,
  contentTypeRate: 0,
  emptyRate: 0,
  duplicateRate: 0,
  repeatCursorRate: 0,
  envelopeRate: 0,
  oversizeRate: 0,
};

export interface ParsedFaultSpec {
  /** Per system name, or '*' for all. */
  bySystem: Map<string, Partial<FaultSettings> & { stormMs?: number; expireTokens?: boolean }>;
}

const KEYS: Record<string, keyof FaultSettings | 'storm' | 'expire'> = {
  '5xx': 'serverErrorRate',
  '429': 'rateLimitRate',
  reset: 'resetRate',
  drop: 'dropAfterCommitRate',
  cut: 'cutAfterWriteRate',
  latency: 'latencyMs',
  storm: 'storm',
  expire: 'expire',
  truncate: 'truncateRate',
  html: 'htmlRate',
  ctype: 'contentTypeRate',
  empty: 'emptyRate',
  dupes: 'duplicateRate',
  repeat: 'repeatCursorRate',
  envelope: 'envelopeRate',
  oversize: 'oversizeRate',
};

export class FaultSpecError extends Error {}

export function parseFaultSpec(spec: string | undefined): ParsedFaultSpec {
  const bySystem: ParsedFaultSpec['bySystem'] = new Map();
  if (!spec || !spec.trim()) return { bySystem };
  for (const rawPart of spec.split(',')) {
    const part = rawPart.trim();
    if (!part) continue;
    const eq = part.indexOf('=');
    if (eq < 0) throw new FaultSpecError(`fault "${part}" needs the form key=value`);
    let key = part.slice(0, eq).trim();
    const valueText = part.slice(eq + 1).trim();
    let system = '*';
    const colon = key.indexOf(':');
    if (colon >= 0) {
      system = key.slice(0, colon).trim();
      key = key.slice(colon + 1).trim();
      if (!isSystemName(system))
        throw new FaultSpecError(
          `fault "${part}" names unknown system "${system}" (known: ${SYSTEM_NAMES.join(', ')})`,
        );
    }
    const target = KEYS[key];
    if (!target) throw new FaultSpecError(`unknown fault "${key}" (known: ${Object.keys(KEYS).join(', ')})`);
    // Plain decimals only: Number() would also take "", "0x10" or "1e3".
    const value = /^\d+(\.\d+)?$/.test(valueText) ? Number(valueText) : Number.NaN;
    if (!Number.isFinite(value))
      throw new FaultSpecError(`fault "${key}" needs a number >= 0, got "${valueText}"`);
    if (target.endsWith('Rate') && value > 1)
      throw new FaultSpecError(`fault "${key}" is a rate in [0, 1], got ${value}`);
    const entry = bySystem.get(system) ?? {};
    if (target === 'storm') entry.stormMs = value;
    else if (target === 'expire') entry.expireTokens = value > 0;
    else entry[target] = value;
    bySystem.set(system, entry);
  }
  return { bySystem };
}

export type FaultDecision = 'none' | 'server-error' | 'rate-limit' | 'reset' | 'drop-after-commit';

/** How a handled request's answer is spoiled (faults.ts header). */
export type ResponseFault = 'truncate' | 'html' | 'content-type' | 'empty' | 'duplicates' | 'repeat-cursor' | 'envelope' | 'oversize';

const RESPONSE_FAULTS: readonly [keyof FaultSettings, ResponseFault][] = [
  ['truncateRate', 'truncate'],
  ['htmlRate', 'html'],
  ['contentTypeRate', 'content-type'],
  ['emptyRate', 'empty'],
  ['duplicateRate', 'duplicates'],
  ['repeatCursorRate', 'repeat-cursor'],
  ['envelopeRate', 'envelope'],
  ['oversizeRate', 'oversize'],
];

/** Holds the live fault settings of one simulator and draws decisions from a seeded RNG. */
export class FaultController {
  private settings: FaultSettings = { ...NO_FAULTS };
  private readonly rng: Rng;
  /** A `cut` fault fired: every request is reset until the settings change. */
  private cutOff = false;
  /** Called when a spec asks for token expiry; the simulator registers its own hook. */
  onExpireTokens: () => void = () => {};

  constructor(
    readonly system: string,
    private readonly now: () => number,
    seed = 1,
  ) {
    this.rng = createRng(seed ^ 0x5eed);
  }

  current(): FaultSettings {
    return { ...this.settings };
  }

  /** Applies the entries of a parsed spec that target this system ('*' first, then its own). */
  apply(spec: ParsedFaultSpec): void {
    for (const key of ['*', this.system]) {
      const entry = spec.bySystem.get(key);
      if (!entry) continue;
      const { stormMs, expireTokens, ...rest } = entry;
      this.cutOff = false;
      this.settings = { ...this.settings, ...rest };
      if (stormMs !== undefined) this.settings.stormUntil = stormMs > 0 ? this.now() + stormMs : 0;
      if (expireTokens) this.onExpireTokens();
    }
  }

  set(partial: Partial<FaultSettings>): void {
    this.cutOff = false;
    this.settings = { ...this.settings, ...partial };
  }

  clear(): void {
    this.cutOff = false;
    this.settings = { ...NO_FAULTS };
  }

  /** Decision for one request, drawn before the handler runs (drop is applied after it). */
  decide(isWrite: boolean): FaultDecision {
    const s = this.settings;
    if (this.cutOff) return 'reset';
    if (s.stormUntil > this.now()) return 'rate-limit';
    if (s.resetRate > 0 && this.rng.chance(s.resetRate)) return 'reset';
    if (s.rateLimitRate > 0 && this.rng.chance(s.rateLimitRate)) return 'rate-limit';
    if (s.serverErrorRate > 0 && this.rng.chance(s.serverErrorRate)) return 'server-error';
    if (isWrite && s.dropAfterCommitRate > 0 && this.rng.chance(s.dropAfterCommitRate))
      return 'drop-after-commit';
    if (isWrite && s.cutAfterWriteRate > 0 && this.rng.chance(s.cutAfterWriteRate)) {
      this.cutOff = true;
      return 'drop-after-commit';
    }
    return 'none';
  }

  /** Whether the answer of a handled request is spoiled, and how (drawn only for faults set). */
  decideResponse(): ResponseFault | null {
    for (const [rate, fault] of RESPONSE_FAULTS) {
      const r = this.settings[rate];
      if (r > 0 && this.rng.chance(r)) return fault;
    }
    return null;
  }
}
