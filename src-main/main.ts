import { app, BrowserWindow, dialog, Notification } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { KeytarCredentialStore } from './credentials';
import { saveDialogDelivery } from './electron/exports';
import { registerIpc } from './electron/ipc';
import { startBackgroundSync, type BackgroundSync } from './electron/tray';
import { quitWhenAllWindowsClosed } from './engine/scheduler/tray-menu';

/** Set once the tray and schedule are up; decides what closing the last window does. */
let backgroundSyncRunning = false;
import { appPageUrl, createMainWindow } from './electron/window';
import { createAppContext } from './host/app-context';
import { startEngineHost } from './host/engine-host';
import { DATA_DIR_ENV, resolveDataDir } from './store/paths';

/**
 * Electron composition root: wiring only. Everything it wires is tested under Node
 * (host/handlers, host/ipc-registration, host/security-policy, store, credentials).
 * Bundled with the preload and renderer into dist/electron-app by build/stage-electron-app.mjs.
 */
const here = dirname(fileURLToPath(import.meta.url));
const preloadPath = join(here, 'preload.cjs');
const indexHtmlPath = join(here, 'renderer', 'index.html');

/** `--data-dir D` on the command line wins, then ML_CONNECTOR_DATA_DIR, then Electron's userData. */
function dataDirFlag(): string | undefined {
  const { values } = parseArgs({
    args: process.argv.slice(1),
    options: { 'data-dir': { type: 'string' } },
    strict: false,
    allowPositionals: true,
  });
  const flag = values['data-dir'];
  return typeof flag === 'string' ? flag : undefined;
}

function start(): void {
  const flag = dataDirFlag() ?? (process.env[DATA_DIR_ENV] ? undefined : app.getPath('userData'));
  const dataDir = resolveDataDir({ flag, env: process.env });
  let ctx: ReturnType<typeof createAppContext>;
  try {
    ctx = createAppContext({
      dataDir,
      credentials: new KeytarCredentialStore(),
      appVersion: app.getVersion(),
      // Exports open a save dialog instead of landing in the data folder.
      exports: saveDialogDelivery(),
    });
  } catch (error) {
    // E.g. a database from a newer version: the message says what to do; nothing was changed.
    dialog.showErrorBox(
      'ml-connector cannot open its data',
      error instanceof Error ? error.message : String(error),
    );
    app.exit(1);
    return;
  }
  const pageUrl = appPageUrl(indexHtmlPath);
  const unregisterIpc = registerIpc(ctx, pageUrl);
  if (!process.argv.includes('--hidden')) createMainWindow({ preloadPath, indexHtmlPath });
  // Tray + schedule + wake-from-sleep (issue 6). Login items exist on macOS and Windows only;
  // a login start passes --hidden so the app comes up in the tray without a window.
  const loginItems = process.platform === 'darwin' || process.platform === 'win32';
  let background: BackgroundSync | null = null;
  // The engine comes up behind the window: its simulators or sign-ins must not delay the UI. The
  // host keeps live sign-ins alive even while the flow cannot run, and attaches the engine once
  // a connection made in the window completes the flow; the tray schedule starts with it.
  const engine = startEngineHost(ctx, {
    // Sign-in keep-alive notices (about to expire, sign in again) as desktop notifications.
    onNotice: (notice) => {
      if (Notification.isSupported()) new Notification(notice).show();
    },
    onAttached: () => {
      background = startBackgroundSync(ctx.engine, {
        onOpen: () => (BrowserWindow.getAllWindows()[0] ?? createMainWindow({ preloadPath, indexHtmlPath })).show(),
        onQuit: () => app.quit(),
        ...(loginItems
          ? {
              startAtLogin: {
                get: () => app.getLoginItemSettings().openAtLogin,
                set: (on: boolean) => app.setLoginItemSettings({ openAtLogin: on, args: ['--hidden'] }),
              },
            }
          : {}),
      });
      backgroundSyncRunning = background !== null;
    },
  }).catch((error: unknown) => {
    ctx.log.error('the sync engine host failed to start', { error });
    return null;
  });

  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow({ preloadPath, indexHtmlPath });
  });
  // Quit (tray menu, window close without background sync, OS shutdown) stops the engine first:
  // a run in progress stops at its next safe point and is recorded 'cancelled'. A second Quit
  // while that happens leaves at once; nothing is lost (unconfirmed writes are looked up later).
  let quitting: 'no' | 'stopping' | 'stopped' = 'no';
  app.on('before-quit', (event) => {
    if (quitting === 'stopped') return;
    event.preventDefault();
    if (quitting === 'stopping') {
      app.exit(0);
      return;
    }
    quitting = 'stopping';
    unregisterIpc();
    void engine
      .then(async (host) => {
        await host?.attachSettled();
        await host?.close('because the app is quitting');
        await background?.stop();
      })
      .catch((error: unknown) => ctx.log.error('the sync engine did not stop cleanly', { error }))
      .finally(() => {
        ctx.close();
        quitting = 'stopped';
        app.quit();
      });
  });
}

// One instance per user: two would fight over the schedule and the database.
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (!window) return;
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  // With background sync on, closing the window leaves the app in the tray (Quit is in its menu).
  app.on('window-all-closed', () => {
    if (quitWhenAllWindowsClosed(process.platform, backgroundSyncRunning)) app.quit();
  });
  void app.whenReady().then(start);
}
