import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Folder name under the OS app-data folder; Electron's app.getPath('userData') uses the app name. */
export const APP_DATA_FOLDER_NAME = 'ml-connector';
export const DATA_DIR_ENV = 'ML_CONNECTOR_DATA_DIR';

export interface DataDirOptions {
  /** Value of --data-dir, if given. */
  flag?: string | undefined;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  homedir?: string;
}

/**
 * The folder Electron's app.getPath('userData') returns for app name "ml-connector", computed
 * without Electron so the CLI, the browser host and the app share one database:
 * Windows %APPDATA%\ml-connector, macOS ~/Library/Application Support/ml-connector,
 * Linux $XDG_CONFIG_HOME/ml-connector or ~/.config/ml-connector.
 */
export function defaultDataDir(options: Omit<DataDirOptions, 'flag'> = {}): string {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const home = options.homedir ?? os.homedir();
  if (platform === 'win32') {
    const appData = nonEmpty(env['APPDATA']) ?? path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, APP_DATA_FOLDER_NAME);
  }
  if (platform === 'darwin')
    return path.posix.join(home, 'Library', 'Application Support', APP_DATA_FOLDER_NAME);
  // Electron (via GLib) ignores a relative XDG_CONFIG_HOME, as the XDG spec requires.
  const xdgConfigHome = nonEmpty(env['XDG_CONFIG_HOME']);
  const configHome =
    xdgConfigHome && path.posix.isAbsolute(xdgConfigHome) ? xdgConfigHome : path.posix.join(home, '.config');
  return path.posix.join(configHome, APP_DATA_FOLDER_NAME);
}

/**
 * Picks the data folder (--data-dir flag > ML_CONNECTOR_DATA_DIR > OS app-data folder),
 * creates it if missing (owner-only on POSIX: it holds the books) and returns its absolute path.
 */
export function resolveDataDir(options: DataDirOptions = {}): string {
  const env = options.env ?? process.env;
  if (options.flag !== undefined && options.flag.trim() === '') {
    throw new Error('--data-dir was given without a folder; pass a path, e.g. --data-dir ./ml-data');
  }
  const chosen = nonEmpty(options.flag) ?? nonEmpty(env[DATA_DIR_ENV]);
  const dataDir = chosen ? path.resolve(chosen) : defaultDataDir(options);
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  return dataDir;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}
