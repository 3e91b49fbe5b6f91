import { app, BrowserWindow, dialog, type SaveDialogOptions } from 'electron';
import { basename, join } from 'node:path';
import { writeExportFile, type ExportDelivery } from '../host/exports';

/**
 * The desktop app's exports: a save dialog (in the Downloads folder, named by the export), then
 * the CSV streamed into the chosen file through a temporary file renamed into place. Closing the
 * dialog writes nothing. Wiring only: writeExportFile is tested under Node.
 */
export function saveDialogDelivery(): ExportDelivery {
  return {
    async deliver(job) {
      const options: SaveDialogOptions = {
        title: 'Save the CSV export',
        defaultPath: join(app.getPath('downloads'), job.fileName),
        buttonLabel: 'Save',
        filters: [{ name: 'CSV for Excel', extensions: ['csv'] }],
        properties: ['createDirectory', 'showOverwriteConfirmation'],
      };
      const window = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
      const choice = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
      if (choice.canceled || !choice.filePath) return { delivery: 'cancelled', fileName: job.fileName, path: null, rows: null };
      const path = choice.filePath.toLowerCase().endsWith('.csv') ? choice.filePath : `${choice.filePath}.csv`;
      const { rows } = await writeExportFile(job, path);
      return { delivery: 'saved', fileName: basename(path), path, rows };
    },
  };
}
