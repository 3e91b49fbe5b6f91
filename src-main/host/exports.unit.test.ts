import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attachmentHeader, DownloadOffers, exportFileName, exportsFolderDelivery, writeExportFile, type CsvExport } from './exports';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlc-exports-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const job = (lines: string[], failAfter?: number): CsvExport => ({
  fileName: 'audit-x.csv',
  rows: lines.length,
  write: async (out) => {
    let sent = 0;
    await pipeline(
      Readable.from(
        (function* () {
          for (const line of lines) {
            if (failAfter !== undefined && sent === failAfter) throw new Error('the database went away');
            sent += 1;
            yield `${line}\r\n`;
          }
        })(),
      ),
      out,
    );
    return { rows: sent };
  },
});

describe('writeExportFile', () => {
  it('streams into a temporary file and renames it into place', async () => {
    const path = join(dir, 'out.csv');
    await expect(writeExportFile(job(['a', 'b']), path)).resolves.toEqual({ rows: 2 });
    expect(readFileSync(path, 'utf8')).toBe('a\r\nb\r\n');
    expect(readdirSync(dir)).toEqual(['out.csv']);
  });

  it('leaves nothing that looks complete when the export fails halfway, and keeps an older file', async () => {
    const path = join(dir, 'out.csv');
    writeFileSync(path, 'the previous export');
    await expect(writeExportFile(job(['a', 'b', 'c'], 1), path)).rejects.toThrow('the database went away');
    expect(readdirSync(dir)).toEqual(['out.csv']);
    expect(readFileSync(path, 'utf8')).toBe('the previous export');
  });

  it('says in words why a place cannot take the file', async () => {
    await expect(writeExportFile(job(['a']), join(dir, 'missing', 'out.csv'))).rejects.toThrow(
      `The export could not be saved: "${join(dir, 'missing')}" does not exist. Nothing was written; choose another place and export again.`,
    );
  });
});

describe('exportsFolderDelivery', () => {
  it('writes under <dataDir>/exports and says where', async () => {
    const outcome = await exportsFolderDelivery(dir).deliver(job(['x']));
    expect(outcome).toEqual({ delivery: 'file', fileName: 'audit-x.csv', path: join(dir, 'exports', 'audit-x.csv'), rows: 1 });
  });

  it('a file named "exports" in the way is named as such, not as EEXIST', async () => {
    writeFileSync(join(dir, 'exports'), 'in the way');
    const failure = await exportsFolderDelivery(dir).deliver(job(['x'])).catch((error: unknown) => error as Error);
    expect(failure).toMatchObject({ code: 'unavailable', message: `The export folder cannot be used: "${join(dir, 'exports')}" is a file, not a folder. Nothing was written.` });
    expect(String(failure)).not.toContain('EEXIST');
  });
});

describe('DownloadOffers', () => {
  it('hands out unguessable one-time addresses that expire after a minute', async () => {
    let now = 1_000;
    const offers = new DownloadOffers({ now: () => now });
    const first = await offers.deliver(job(['a']));
    const second = await offers.deliver(job(['b']));
    expect(first).toMatchObject({ delivery: 'download', path: null, rows: 1, fileName: 'audit-x.csv' });
    const ticket = (url: string | undefined) => url!.replace('/downloads/', '');
    expect(ticket(first.downloadUrl)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(ticket(first.downloadUrl)).not.toBe(ticket(second.downloadUrl));
    expect(offers.take(ticket(first.downloadUrl))).not.toBeNull();
    expect(offers.take(ticket(first.downloadUrl))).toBeNull();
    now += 60_000;
    expect(offers.take(ticket(second.downloadUrl))).toBeNull();
    expect(offers.pending).toBe(0);
  });
});

describe('file names', () => {
  it('are sortable and safe in every file system; the download header keeps the exact name', () => {
    expect(exportFileName('mappings-f/1 x', new Date('2026-11-22T14:03:07.123Z'))).toBe('mappings-f-1-x-2026-11-22T14-03-07-123Z.csv');
    expect(attachmentHeader('grootboek-€.csv')).toBe(`attachment; filename="grootboek-_.csv"; filename*=UTF-8''grootboek-%E2%82%AC.csv`);
  });
});
