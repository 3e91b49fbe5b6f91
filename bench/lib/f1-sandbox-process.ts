/**
 * The F1 sandbox (Exact Online and Procore simulators) in a process of its own, for
 * `bench/exact-procore`'s "engine alone" measurement: the simulators' CPU then runs on the other
 * core and is not counted in the engine's main-thread time.
 *
 *   node --import tsx bench/lib/f1-sandbox-process.ts DATA_DIR SEED SCALE
 *
 * Prints one JSON line (each system's base URL and sandbox credentials, which are not secrets)
 * once both listen on loopback, and closes them when stdin ends.
 */
import { startF1Sandbox } from '../../test/support/f1-runtime';

const [dataDir, seed, scale] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
if (!dataDir || !Number.isSafeInteger(seed) || !Number.isSafeInteger(scale)) {
  process.stderr.write('usage: f1-sandbox-process.ts DATA_DIR SEED SCALE\n');
  process.exit(2);
}
const sandbox = await startF1Sandbox(dataDir, { seed, scale, latencyMs: 0 });
const listening: Record<string, { baseUrl: string; credentials: Record<string, string | number> }> = {};
for (const system of ['exact', 'procore'] as const) {
  const sim = sandbox.systems[system]!;
  listening[system] = { baseUrl: sim.baseUrl, credentials: sim.credentials };
}
process.stdout.write(`${JSON.stringify(listening)}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void sandbox.close().then(() => process.exit(0));
});
