import { BrowserWindow, session, shell } from 'electron';
import { pathToFileURL } from 'node:url';
import { DEFAULT_EXTERNAL_ALLOW_LIST, isAllowedExternalUrl, RENDERER_CSP } from '../host/security-policy';

export interface MainWindowOptions {
  /** Absolute path of the bundled preload (dist/.../preload.cjs). */
  preloadPath: string;
  /** Absolute path of the built renderer's index.html. */
  indexHtmlPath: string;
  externalAllowList?: readonly string[];
}

/** file:// URL of the renderer page: the only page the window shows and the only trusted IPC sender. */
export function appPageUrl(indexHtmlPath: string): string {
  return pathToFileURL(indexHtmlPath).href;
}

/**
 * The one app window, hardened: the renderer is an untrusted web page that reaches the app only
 * through the preload's contract functions (docs: ARCHITECTURE §4). Every decision is in
 * host/security-policy.ts (tested under Node); test/electron checks these flags stay set.
 */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const allowList = options.externalAllowList ?? DEFAULT_EXTERNAL_ALLOW_LIST;
  applyContentSecurityPolicy();

  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'ml-connector',
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });

  // A single-page app never navigates; a link click or a script redirect is refused.
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  window.webContents.on('will-redirect', (event) => event.preventDefault());
  // No new windows, ever. Allow-listed https links open in the user's browser instead.
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url, allowList)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  // <webview> is disabled above; refuse attachment too in case a future option re-enables it.
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());

  window.once('ready-to-show', () => window.show());
  void window.loadURL(appPageUrl(options.indexHtmlPath));
  return window;
}

let cspInstalled = false;

/** Adds the strict CSP header to every response the default session loads (file:// included). */
function applyContentSecurityPolicy(): void {
  if (cspInstalled) return;
  cspInstalled = true;
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] },
    });
  });
  // The renderer needs no camera, notifications, geolocation…: deny every permission request.
  session.defaultSession.setPermissionRequestHandler((_webContents, _permission, callback) =>
    callback(false),
  );
}
