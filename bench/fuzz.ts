/**
 * `npm run bench -- fuzz [--flow id] [--inputs n] [--seed s]` — issue 18's compass: n generated,
 * malformed source documents per flow (default 10,000), read through the connector's own mappers
 * and planned by the flow's own planner (test/fuzz/flow-fuzz-specs.ts, the suite `npm test` runs
 * 150 pages of). Prints one JSON object:
 *   {"flows":{"exact-procore":{"inputs":n,"crashes":0,"unhandled":0,"parked":n,"synced":n,"violations":0},…}}
 * `crashes` counts documents on pages whose read or plan threw; `violations` the broken promises
 * (a document lost, money rounded, a reason with raw JSON or no way to fix it), with examples.
 */
import fc from 'fast-check';
import { parseArgs } from 'node:util';
import { FLOW_FUZZ_SPECS } from '../test/fuzz/flow-fuzz-specs';

const { values } = parseArgs({
  options: { flow: { type: 'string' }, inputs: { type: 'string', default: '10000' }, seed: { type: 'string', default: '182026' } },
});
const inputs = Number(values.inputs);
const seed = Number(values.seed);
if (!Number.isSafeInteger(inputs) || inputs <= 0) throw new Error(`--inputs must be a positive whole number, got ${values.inputs}`);
const specs = FLOW_FUZZ_SPECS.filter((s) => !values.flow || s.flow === values.flow);
if (specs.length === 0) throw new Error(`no flow "${values.flow}" in the fuzz suite (${FLOW_FUZZ_SPECS.map((s) => s.flow).join(', ')})`);

let unhandled = 0;
process.on('unhandledRejection', () => {
  unhandled += 1;
});

interface FlowFigures {
  inputs: number;
  crashes: number;
  unhandled: number;
  parked: number;
  synced: number;
  violations: number;
  pages: number;
  wallMs: number;
  examples: string[];
}

const flows: Record<string, FlowFigures> = {};
for (const spec of specs) {
  const started = performance.now();
  const unhandledBefore = unhandled;
  const f: FlowFigures = { inputs: 0, crashes: 0, unhandled: 0, parked: 0, synced: 0, violations: 0, pages: 0, wallMs: 0, examples: [] };
  for (let batch = 0; f.inputs < inputs; batch += 1) {
    for (const stream of spec.streams) {
      for (const page of fc.sample(stream.page as fc.Arbitrary<never>, { numRuns: 20, seed: seed + batch })) {
        if (f.inputs >= inputs) break;
        f.pages += 1;
        try {
          const verdict = await stream.run(page);
          f.inputs += verdict.expected.size;
          f.parked += verdict.parked.length;
          f.synced += verdict.synced.length;
          f.violations += verdict.violations.length;
          for (const v of verdict.violations) if (f.examples.length < 5) f.examples.push(`${stream.name}: ${v.slice(0, 300)}`);
        } catch (error) {
          const documents = Array.isArray(page) ? (page as unknown[]).length : 1;
          f.inputs += documents;
          f.crashes += documents;
          if (f.examples.length < 5) f.examples.push(`${stream.name}: CRASH ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`.slice(0, 300));
        }
      }
    }
  }
  // Let rejections of this flow's pages surface before counting them.
  await new Promise((resolve) => setTimeout(resolve, 10));
  f.unhandled = unhandled - unhandledBefore;
  f.wallMs = Math.round(performance.now() - started);
  flows[spec.flow] = f;
}

process.stdout.write(`${JSON.stringify({ seed, flows })}\n`);
