import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import type { IpcResponse } from '../../src-shared/ipc';
import { describeFileSystemProblem } from '../store/paths';
import { IpcFailure } from './errors';

/**
 * Where an export (audit log, mapping table) lands, decided by the host, not the screen: the
 * desktop app asks with a save dialog (electron/exports.ts), the browser host hands the browser
 * a one-time download (browser-host.ts), and the CLI or a host without either writes a file under
 * `<dataDir>/exports`. The handler only describes the CSV; every delivery streams it.
 */

/** A CSV export ready to be written: its file name and a function that streams it. */
export interface CsvExport {
  /** Suggested file name, e.g. "audit-2026-11-22T14-03-07-000Z.csv". */
  fileName: string;
  /** How many rows it holds, when known before writing (for the message); null when not. */
  rows: number | null;
  /** Writes the whole CSV (BOM, header, rows) into `out` and ends it; resolves with the rows written. */
  write(out: Writable): Promise<{ rows: number }>;
}

/** What the export methods answer (audit.exportCsv, mappings.exportCsv). */
export type ExportOutcome = IpcResponse<'audit.exportCsv'>;

export interface ExportDelivery {
  deliver(job: CsvExport): Promise<ExportOutcome>;
}

/** `<stem>-<UTC timestamp>.csv`, sortable and safe in every file system. */
export function exportFileName(stem: string, at: Date): string {
  return `${stem.replace(/[^A-Za-z0-9._-]+/g, '-')}-${at.toISOString().replace(/[:.]/g, '-')}.csv`;
}

/**
 * Streams the export into `path` through a temporary file next to it, renamed into place at the
 * end: a failed or interrupted export never leaves a file that looks complete.
 */
export async function writeExportFile(job: CsvExport, path: string): Promise<{ rows: number }> {
  const partial = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.partial`);
  try {
    const { rows } = await job.write(createWriteStream(partial, { flags: 'wx' }));
    renameSync(partial, path);
    return { rows };
  } catch (error) {
    rmSync(partial, { force: true });
    // Name the place the user chose, not the temporary file.
    const code = (error as { code?: unknown } | null)?.code;
    const problem = describeFileSystemProblem({ code }, code === 'EISDIR' || code === 'EEXIST' ? path : dirname(path));
    if (problem) throw new IpcFailure('unavailable', `The export could not be saved: ${problem}. Nothing was written; choose another place and export again.`);
    throw error;
  }
}

/** The default: a file under `<dataDir>/exports` (the CLI, and hosts with neither a dialog nor a browser). */
export function exportsFolderDelivery(dataDir: string): ExportDelivery {
  return {
    async deliver(job) {
      const folder = join(dataDir, 'exports');
      try {
        mkdirSync(folder, { recursive: true });
      } catch (error) {
        const problem = describeFileSystemProblem(error, folder);
        if (problem) throw new IpcFailure('unavailable', `The export folder cannot be used: ${problem}. Nothing was written.`);
        throw error;
      }
      const path = join(folder, job.fileName);
      const { rows } = await writeExportFile(job, path);
      return { delivery: 'file', fileName: job.fileName, path, rows };
    },
  };
}

/** A new file's path under `<dataDir>/exports` (created when missing), named by exportFileName. */
export function exportPath(ctx: { dataDir: string; now: () => Date }, stem: string): string {
  const folder = join(ctx.dataDir, 'exports');
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    const problem = describeFileSystemProblem(error, folder);
    if (problem) throw new IpcFailure('unavailable', `The export folder cannot be used: ${problem}. Nothing was written.`);
    throw error;
  }
  return join(folder, exportFileName(stem, ctx.now()));
}

/** The host's delivery, or a file under `<dataDir>/exports` when it has none. */
export function exportDelivery(ctx: { exports?: ExportDelivery; dataDir: string }): ExportDelivery {
  return ctx.exports ?? exportsFolderDelivery(ctx.dataDir);
}

/** Where the browser host serves one-time downloads (GET <prefix><ticket>). */
export const DOWNLOADS_PATH_PREFIX = '/downloads/';
/** A download not fetched within this time is forgotten (the user exports again). */
export const DOWNLOAD_TTL_MS = 60_000;

/**
 * The browser host's delivery: each export becomes a one-time download ticket (256 random
 * bits). The ticket is handed out only by an IPC call that carried the page's token; it works
 * once, for one minute, and the CSV is streamed from the data folder as the browser reads it.
 */
export class DownloadOffers implements ExportDelivery {
  readonly #offers = new Map<string, { job: CsvExport; expiresAt: number }>();
  readonly #now: () => number;
  readonly #ttlMs: number;

  constructor(options: { now?: () => number; ttlMs?: number } = {}) {
    this.#now = options.now ?? Date.now;
    this.#ttlMs = options.ttlMs ?? DOWNLOAD_TTL_MS;
  }

  async deliver(job: CsvExport): Promise<ExportOutcome> {
    this.#forgetExpired();
    const ticket = randomBytes(32).toString('base64url');
    this.#offers.set(ticket, { job, expiresAt: this.#now() + this.#ttlMs });
    return {
      delivery: 'download',
      fileName: job.fileName,
      path: null,
      rows: job.rows,
      downloadUrl: `${DOWNLOADS_PATH_PREFIX}${ticket}`,
    };
  }

  /** The export behind a ticket, once: a second take (or a late one) finds nothing. */
  take(ticket: string): CsvExport | null {
    this.#forgetExpired();
    const offer = this.#offers.get(ticket);
    if (!offer) return null;
    this.#offers.delete(ticket);
    return offer.job;
  }

  /** Offers not yet taken (for tests). */
  get pending(): number {
    this.#forgetExpired();
    return this.#offers.size;
  }

  #forgetExpired(): void {
    const now = this.#now();
    for (const [ticket, offer] of this.#offers) if (offer.expiresAt <= now) this.#offers.delete(ticket);
  }
}

/** `Content-Disposition` for a download: an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987). */
export function attachmentHeader(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
