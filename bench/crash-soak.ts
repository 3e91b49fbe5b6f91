/**
 * The crash soak (issue "Nothing posted twice, for real"): the flow's sync CLI SIGKILLed at
 * seeded random moments — start-up, reads, writes, and every fourth resume during its recovery —
 * each time on a fresh data folder, resumed to the end, and the target compared with a clean
 * run's books record by record. The same harness runs a shorter version in `npm test`.
 *
 *   npm run bench -- crash-soak [--flow exact-procore] [--kills 200] [--parallel 2] [--latency-ms 20] [--rng-seed 20261203]
 *
 * Prints one JSON object: {"kills":n,"resumes_failed":0,"duplicates":0,"missing":0,"amount_diffs":0,…}.
 */
import { parseArgs } from 'node:util';
import { createRng } from '../src-main/sandbox/_common/rng';
import { cleanReference, crashSoak } from '../test/support/crash-harness';
import { CRASH_SPECS } from '../test/support/flow-crash-specs';

const { values } = parseArgs({
  options: {
    flow: { type: 'string', default: 'exact-procore' },
    kills: { type: 'string', default: '200' },
    parallel: { type: 'string', default: '2' },
    'latency-ms': { type: 'string', default: '20' },
    'rng-seed': { type: 'string', default: '20261203' },
    verbose: { type: 'boolean', default: false },
  },
});
const spec = CRASH_SPECS[values.flow as keyof typeof CRASH_SPECS];
if (!spec) {
  process.stderr.write(`crash-soak: unknown flow "${values.flow}" (known: ${Object.keys(CRASH_SPECS).join(', ')})\n`);
  process.exit(2);
}
const kills = Number(values.kills);
const parallel = Number(values.parallel);
const latencyMs = Number(values['latency-ms']);
const started = performance.now();
const clean = await cleanReference(spec, { latencyMs });
// Every fourth kill also kills the resume (during its recovery), so kills outnumber the planned
// ones by a quarter; plan enough that at least `kills` land.
const planned = Math.ceil(kills / 1.25) + 1;
const result = await crashSoak(spec, clean, {
  kills: planned,
  rng: createRng(Number(values['rng-seed'])),
  latencyMs,
  parallel,
  killResumeEvery: 4,
  ...(values.verbose ? { onKill: (line: string) => process.stderr.write(`${line}\n`) } : {}),
});
const { examples, ...figures } = result;
process.stdout.write(
  `${JSON.stringify({
    ...figures,
    flow: spec.flow,
    fresh_data_folders: planned,
    clean_run_ms: clean.runMs,
    latency_ms: latencyMs,
    parallel,
    wall_s: Math.round((performance.now() - started) / 100) / 10,
    ...(examples.length ? { examples } : {}),
  })}\n`,
);
process.exitCode = result.resumes_failed + result.duplicates + result.missing + result.amount_diffs + result.audit_double_writes === 0 ? 0 : 1;
