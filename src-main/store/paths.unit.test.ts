import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultDataDir, resolveDataDir } from './paths';

const temps: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-connector-paths-'));
  temps.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('defaultDataDir (same folder as Electron app.getPath("userData"))', () => {
  it('Windows: %APPDATA%\\ml-connector', () => {
    expect(
      defaultDataDir({
        platform: 'win32',
        env: { APPDATA: 'C:\\Users\\Ann\\AppData\\Roaming' },
        homedir: 'C:\\Users\\Ann',
      }),
    ).toBe('C:\\Users\\Ann\\AppData\\Roaming\\ml-connector');
  });

  it('Windows without APPDATA: the roaming folder under the profile', () => {
    expect(defaultDataDir({ platform: 'win32', env: {}, homedir: 'C:\\Users\\Ann' })).toBe(
      'C:\\Users\\Ann\\AppData\\Roaming\\ml-connector',
    );
  });

  it('macOS: ~/Library/Application Support/ml-connector (XDG is ignored)', () => {
    expect(
      defaultDataDir({ platform: 'darwin', env: { XDG_CONFIG_HOME: '/x' }, homedir: '/Users/ann' }),
    ).toBe('/Users/ann/Library/Application Support/ml-connector');
  });

  it('Linux: $XDG_CONFIG_HOME/ml-connector', () => {
    expect(
      defaultDataDir({ platform: 'linux', env: { XDG_CONFIG_HOME: '/home/ann/cfg' }, homedir: '/home/ann' }),
    ).toBe('/home/ann/cfg/ml-connector');
  });

  it('Linux: ~/.config/ml-connector without XDG_CONFIG_HOME, or when it is relative', () => {
    expect(defaultDataDir({ platform: 'linux', env: {}, homedir: '/home/ann' })).toBe(
      '/home/ann/.config/ml-connector',
    );
    expect(defaultDataDir({ platform: 'linux', env: { XDG_CONFIG_HOME: 'cfg' }, homedir: '/home/ann' })).toBe(
      '/home/ann/.config/ml-connector',
    );
  });
});

describe('resolveDataDir', () => {
  it('prefers --data-dir over ML_CONNECTOR_DATA_DIR and creates it recursively', () => {
    const base = tempDir();
    const flag = path.join(base, 'from-flag', 'nested');
    const dir = resolveDataDir({ flag, env: { ML_CONNECTOR_DATA_DIR: path.join(base, 'from-env') } });
    expect(dir).toBe(flag);
    expect(fs.statSync(flag).isDirectory()).toBe(true);
    expect(fs.existsSync(path.join(base, 'from-env'))).toBe(false);
  });

  it('uses ML_CONNECTOR_DATA_DIR when there is no flag, made absolute', () => {
    const base = tempDir();
    const relative = path.relative(process.cwd(), path.join(base, 'env-dir'));
    const dir = resolveDataDir({ env: { ML_CONNECTOR_DATA_DIR: relative } });
    expect(dir).toBe(path.join(base, 'env-dir'));
    expect(fs.statSync(dir).isDirectory()).toBe(true);
  });

  it('falls back to the OS folder and creates it owner-only', () => {
    const home = tempDir();
    const dir = resolveDataDir({ env: { ML_CONNECTOR_DATA_DIR: '' }, platform: 'linux', homedir: home });
    expect(dir).toBe(path.join(home, '.config', 'ml-connector'));
    expect(fs.statSync(dir).mode & 0o077).toBe(0);
  });

  it('refuses an empty --data-dir instead of silently using another folder', () => {
    expect(() => resolveDataDir({ flag: ' ', env: {} })).toThrow(/--data-dir was given without a folder/);
  });
});
