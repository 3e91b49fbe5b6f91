import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { generateWorld } from '../../src-main/sandbox/seed/world';

/** Issue 13's command line for F4, run as a user runs it (`npx ml-connector …`) on a fresh data folder. */
const run = promisify(execFile);
const bin = resolve(import.meta.dirname, '../../bin/ml-connector.mjs');
let dir: string;
const cli = async (...args: string[]) => {
  const { stdout } = await run(process.execPath, [bin, ...args, '--data-dir', dir], { timeout: 120_000, maxBuffer: 32 * 1024 * 1024 });
  return stdout.trim().split('\n');
};
const lastJson = (lines: string[]) => JSON.parse(lines.at(-1)!) as Record<string, unknown>;
const world = generateWorld(1, 1);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlc-f4-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('F4 command line', { timeout: 120_000 }, () => {
  it('sync exact-monday --sandbox --json ends with the summary line of the issue', async () => {
    const summary = lastJson(await cli('sync', 'exact-monday', '--sandbox', '--json'));
    expect(Object.keys(summary).slice(0, 9)).toEqual(['flow', 'created', 'updated', 'unchanged', 'parked', 'flagged', 'failed', 'apiCalls', 'durationMs']);
    expect(summary).toMatchObject({
      flow: 'exact-monday',
      created: world.purchaseOrders.length + world.salesInvoices.length + world.salesOrders.length,
      updated: 0,
      parked: 0,
      flagged: 1,
      failed: 0,
      status: 'succeeded',
    });
    const calls = summary['apiCalls'] as Record<string, number>;
    expect(Object.keys(calls).sort()).toEqual(['exact', 'monday']);
    // One board read, one key lookup and one batch of creates per board.
    expect(calls['monday']).toBe(9);
  });

  it('parked list shows the flagged order as "created, needs review"', async () => {
    const po = world.purchaseOrders.find((p) => p.key === world.deliberate.unmappedPair.purchaseOrderKey)!;
    const listed = lastJson(await cli('parked', 'list', '--flow', 'exact-monday', '--json'))['parked'] as { sourceId: string; state: string; reasonCode: string; stream: string }[];
    expect(listed).toEqual([expect.objectContaining({ sourceId: po.exactId, state: 'flagged', reasonCode: 'needs-review:unmapped-gl-account', stream: 'purchase-orders' })]);
    const text = await cli('parked', 'list', '--flow', 'exact-monday');
    // Named as finance names it (decision 0022): number, supplier, project, date, amount; then why it needs review.
    const supplier = world.suppliers.find((s) => s.key === po.supplierKey)!;
    expect(text.slice(1, 3)).toEqual([
      expect.stringMatching(new RegExp(`^#\\d+ {2}PO ${po.orderNumber} · ${supplier.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} · P26-\\d+ · .+ · €[\\d,]+\\.\\d\\d$`)),
      expect.stringMatching(/^ {4}Created, needs review: GL account 4990 /),
    ]);
  });

  it('adding the GL account through CSV export/import and retrying updates the item and empties the list', async () => {
    const gap = world.deliberate.unmappedPair.glAccountCode;
    const file = join(dir, 'gl-accounts.csv');
    await cli('mappings', 'export', 'exact-monday', file);
    const rows = parse(readFileSync(file, 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0]!)).toEqual(['glAccountCode', 'label']);
    expect(rows.some((r) => r['glAccountCode'] === gap)).toBe(false);
    appendFileSync(file, `${gap},${gap} Diverse projectkosten\r\n`);
    // Checked first (the GL accounts against Exact), its impact shown, saved with --yes.
    const preview = await cli('mappings', 'import', 'exact-monday', file);
    expect(preview).toEqual(expect.arrayContaining([`  1 added, 0 changed, 0 removed, ${rows.length} unchanged`, '  Impact: 1 parked record released, 1 written record coded differently']));
    expect(lastJson(await cli('mappings', 'import', 'exact-monday', file, '--yes', '--json'))).toMatchObject({ saved: true, rows: rows.length + 1, versionName: 'GL accounts v2', impact: { releases: 1, recoded: 1 } });
    const replay = lastJson(await cli('replay', '--parked', '--flow', 'exact-monday', '--json'));
    expect(replay).toMatchObject({ flow: 'exact-monday', updated: 1, flagged: 0, created: 0 });
    expect(lastJson(await cli('parked', 'list', '--flow', 'exact-monday', '--json'))['parked']).toEqual([]);
  });

  it('a second sync writes nothing and makes no monday.com call; the runs are listed', async () => {
    const summary = lastJson(await cli('sync', 'exact-monday', '--sandbox', '--json'));
    expect(summary).toMatchObject({ created: 0, updated: 0, flagged: 0, apiCalls: { monday: 0 } });
    const runs = (lastJson(await cli('runs', '--json'))['runs'] as { flow: string; outcome: string }[]).filter((r) => r.flow === 'exact-monday');
    expect(runs.length).toBeGreaterThanOrEqual(3);
    expect(runs.every((r) => r.outcome === 'succeeded')).toBe(true);
    expect(lastJson(await cli('audit', 'verify', '--json'))).toMatchObject({ ok: true });
  });
});
