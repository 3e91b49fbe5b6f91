import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { trackUnhandledRejections } from '../support/unhandled';
import { FLOW_FUZZ_SPECS } from './flow-fuzz-specs';
import { fuzzParameters } from './fuzz-kit';

/**
 * Issue 18, level (a): for every flow of the suite and each of its source streams, generated
 * malformed source pages are read through the connector's own mappers and planned by the flow's
 * own planner. Properties: nothing throws; every document is synced or parked; every parked
 * reason says what is wrong, which document, and what to do, in words (no raw JSON, no
 * JavaScript error); the money that is planned equals the money that was read, to the last
 * decimal. 150 pages per stream here (fixed seed, printed on failure; FUZZ_SEED=n to vary);
 * `npm run bench -- fuzz` runs 10,000 per flow.
 */

const unhandled = trackUnhandledRejections();

describe.each(FLOW_FUZZ_SPECS.map((s) => [s.flow, s] as const))('%s: generated source pages', (_flow, spec) => {
  it.each(spec.streams.map((s) => [s.name, s] as const))('%s: read and planned without a crash, each document synced or parked in finance words, money exact', async (_name, stream) => {
    let parked = 0;
    let synced = 0;
    await fc.assert(
      fc.asyncProperty(stream.page, async (page) => {
        const verdict = await stream.run(page);
        parked += verdict.parked.length;
        synced += verdict.synced.length;
        expect(verdict.violations).toEqual([]);
      }),
      fuzzParameters(150),
    );
    // The generators make both outcomes common; a suite that only parks (or only syncs) tests little.
    expect(synced).toBeGreaterThan(0);
    expect(parked).toBeGreaterThan(0);
    expect(unhandled).toEqual([]);
  });
});
