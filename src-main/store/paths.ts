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
 * With `create: false` nothing is created (read-only commands); a path that is a file is refused
 * either way. Failures are DataDirError, in words.
 */
export function resolveDataDir(options: DataDirOptions & { create?: boolean } = {}): string {
  const env = options.env ?? process.env;
  if (options.flag !== undefined && options.flag.trim() === '') {
    throw new DataDirError('--data-dir was given without a folder; pass a path, e.g. --data-dir ./ml-data');
  }
  const chosen = nonEmpty(options.flag) ?? nonEmpty(env[DATA_DIR_ENV]);
  const dataDir = chosen ? path.resolve(chosen) : defaultDataDir(options);
  try {
    if (options.create === false) {
      if (fs.existsSync(dataDir) && !fs.statSync(dataDir).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'EEXIST' });
    } else fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const problem = describeFileSystemProblem(error, dataDir);
    if (!problem) throw error;
    throw new DataDirError(`The data folder cannot be used: ${problem}. Choose another folder with --data-dir (or ML_CONNECTOR_DATA_DIR).`);
  }
  return dataDir;
}

/** The data folder cannot be used; the message says why and what to do. */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

/**
 * A file-system failure (EEXIST, EACCES, ENOSPC…) in words a user can act on, naming the path;
 * null for anything else (the caller keeps the original error).
 */
export function describeFileSystemProblem(error: unknown, target: string): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  const where = (error as { path?: unknown } | null)?.path;
  const at = typeof where === 'string' ? where : target;
  switch (code) {
    case 'EEXIST':
      return `"${at}" is a file, not a folder`;
    case 'ENOTDIR':
      return `part of the path "${at}" is a file, not a folder`;
    case 'EACCES':
    case 'EPERM':
      return `you do not have permission to write "${at}"`;
    case 'EROFS':
      return `"${at}" is on a read-only drive`;
    case 'ENOSPC':
      return `the disk holding "${at}" is full`;
    case 'ENOENT':
      return `"${at}" does not exist`;
    case 'EISDIR':
      return `"${at}" is a folder, not a file`;
    default:
      return null;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value : undefined;
}
