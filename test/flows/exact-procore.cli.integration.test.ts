import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import { generateWorld } from '../../src-main/sandbox/seed/world';

/** Issue 4's command line, run as a user runs it: `npx ml-connector …` in a child process. */
const run = promisify(execFile);
const bin = resolve(import.meta.dirname, '../../bin/ml-connector.mjs');
let dir: string;
const cli = async (...args: string[]) => {
  const { stdout } = await run(process.execPath, [bin, ...args, '--data-dir', dir], { timeout: 120_000, maxBuffer: 32 * 1024 * 1024 });
  return stdout.trim().split('\n');
};
const lastJson = (lines: string[]) => JSON.parse(lines.at(-1)!) as Record<string, unknown>;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlc-f1-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// These runs wait out real Retry-After windows and start CLI processes: on a loaded 2-core CI
// machine (steal time included) they took over 2x their quiet-machine time.
describe('F1 command line', { timeout: 120_000 }, () => {
  it('sync exact-procore --sandbox --json ends with the summary line', async () => {
    const summary = lastJson(await cli('sync', 'exact-procore', '--sandbox', '--json'));
    expect(Object.keys(summary)).toEqual(expect.arrayContaining(['flow', 'created', 'updated', 'unchanged', 'parked', 'failed', 'apiCalls', 'durationMs']));
    expect(summary['flow']).toBe('exact-procore');
    expect(summary['created']).toBeGreaterThan(100);
    expect(summary['parked']).toBeGreaterThan(0);
    const calls = summary['apiCalls'] as { exact: number; procore: number };
    expect(calls.exact).toBeGreaterThan(0);
    expect(calls.procore).toBeGreaterThan(0);
  });

  it('fixing a mapping through CSV export/import and replaying the parked records syncs the unmapped pair', async () => {
    const pair = generateWorld(1, 1).deliberate.unmappedPair;
    const parkedBefore = lastJson(await cli('parked', 'list', '--json'))['parked'] as { reason: string }[];
    expect(parkedBefore.some((p) => p.reason === `GL ${pair.glAccountCode} / cost center ${pair.costCenterCode} has no cost code mapping`)).toBe(true);

    const file = join(dir, 'costs.csv');
    await cli('mappings', 'export', 'exact-procore', file);
    const rows = parse(readFileSync(file, 'utf8'), { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(10);
    // A cost code Procore does not have is refused with its line; nothing is saved.
    const bad = join(dir, 'costs-bad.csv');
    writeFileSync(bad, `${readFileSync(file, 'utf8')}${pair.glAccountCode},${pair.costCenterCode},,99-999,M\r\n`);
    await expect(run(process.execPath, [bin, 'mappings', 'import', 'exact-procore', bad, '--yes', '--data-dir', dir])).rejects.toMatchObject({
      code: 1,
      stdout: expect.stringContaining(`Line ${rows.length + 2}: Procore cost code 99-999 does not exist in Procore`),
    });

    appendFileSync(file, `${pair.glAccountCode},${pair.costCenterCode},,${rows[0]!['costCode']},${rows[0]!['lineItemTypeCode']}\r\n`);
    // Without --yes: the check and its impact, nothing saved.
    const preview = await cli('mappings', 'import', 'exact-procore', file);
    expect(preview).toEqual(
      expect.arrayContaining([
        '  1 added, 0 changed, 0 removed, ' + rows.length + ' unchanged',
        '  Impact: 1 parked record released, 0 written records coded differently',
        '  Every target value exists in the target system.',
        'Nothing is saved yet: run the same command with --yes to import it as Cost codes v2.',
      ]),
    );
    const imported = lastJson(await cli('mappings', 'import', 'exact-procore', file, '--yes', '--json'));
    expect(imported).toMatchObject({ rows: rows.length + 1, saved: true, versionName: 'Cost codes v2', impact: { releases: 1, recoded: 0 } });
    // The same file again makes no version.
    expect(lastJson(await cli('mappings', 'import', 'exact-procore', file, '--yes', '--json'))).toMatchObject({ saved: false, identical: true });

    const replay = lastJson(await cli('replay', '--parked', '--json'));
    expect(replay['created']).toBe(1);
    const parkedAfter = lastJson(await cli('parked', 'list', '--json'))['parked'] as { reason: string }[];
    expect(parkedAfter.length).toBe(parkedBefore.length - 1);
  });

  it('mappings export with a table name where the file goes says so and writes nothing', async () => {
    await expect(run(process.execPath, [bin, 'mappings', 'export', 'exact-procore', 'vendors', '--data-dir', dir], { cwd: dir })).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('"vendors" is one of exact-procore\'s tables, not a file. Name the file and the table: mappings export exact-procore vendors.csv --set vendors'),
    });
    expect(existsSync(join(dir, 'vendors'))).toBe(false);
  });

  it('mappings suggest exact-procore --json suggests a vendor for a supplier whose link was removed', async () => {
    const file = join(dir, 'vendors.csv');
    await cli('mappings', 'export', 'exact-procore', file, '--set', 'vendors');
    const lines = readFileSync(file, 'utf8').split('\r\n');
    const unlinked = lines.filter((line) => !line.startsWith('40001,'));
    expect(unlinked.length).toBe(lines.length - 1);
    writeFileSync(file, unlinked.join('\r\n'));
    await cli('mappings', 'import', 'exact-procore', file, '--set', 'vendors', '--yes');

    const { suggestions, apiCalls } = lastJson(await cli('mappings', 'suggest', 'exact-procore', '--json'));
    expect(suggestions).toEqual([
      {
        supplierCode: '40001',
        supplierName: 'Van den Berg Betonmortel B.V.',
        vendorId: String(generateWorld(1, 1).suppliers.find((s) => s.code === '40001')!.procoreVendorId),
        vendorName: 'Van den Berg Betonmortel B.V.',
        matchedBy: 'origin_code',
      },
    ]);
    expect(apiCalls).toMatchObject({ exact: expect.any(Number), procore: expect.any(Number) });
  });

  it('audit verify and export-audit --csv', async () => {
    expect(lastJson(await cli('audit', 'verify', '--json'))).toMatchObject({ ok: true });
    const file = join(dir, 'audit.csv');
    const exported = lastJson(await cli('export-audit', '--csv', file, '--json'));
    const text = readFileSync(file, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect((parse(text, { bom: true, columns: true }) as unknown[]).length).toBe(exported['rows']);
  });

  it('rejects a wrong flow or a bad option with exit code 2 and a clear message', async () => {
    await expect(run(process.execPath, [bin, 'sync', 'exact-nowhere', '--data-dir', dir])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('exact-procore') });
    await expect(run(process.execPath, [bin, 'sync', 'exact-procore', '--sandbox', '--scale', 'x', '--data-dir', dir])).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('--scale') });
  });
});
