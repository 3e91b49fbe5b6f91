import type { ExportedFile } from '../../src-shared/ipc';
import { formatCount } from './format';

/**
 * What the page does with an export's answer (the host decided where it lands, see
 * src-main/host/exports.ts): in the browser host it starts the one-time download; in every case
 * it says in words where the file is.
 */
export function deliverExport(result: ExportedFile, noun: { one: string; many: string }): string {
  const count = result.rows === null ? null : `${formatCount(result.rows)} ${result.rows === 1 ? noun.one : noun.many}`;
  switch (result.delivery) {
    case 'download':
      if (result.downloadUrl) startDownload(result.downloadUrl, result.fileName);
      return `Downloading ${result.fileName}${count ? ` (${count})` : ''}: your browser saves it in its downloads folder.`;
    case 'cancelled':
      return 'Export cancelled: nothing was saved.';
    default:
      return `Saved ${count ?? 'the export'} to ${result.path ?? result.fileName}.`;
  }
}

/** Clicks a hidden same-origin link with `download`, as a user would: the browser saves the file. */
export function startDownload(url: string, fileName: string, doc: Document | undefined = globalThis.document): void {
  if (!doc) return;
  const link = doc.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  doc.body.append(link);
  link.click();
  link.remove();
}
