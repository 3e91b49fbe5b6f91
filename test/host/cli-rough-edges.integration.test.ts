import { spawn, type SpawnOptions } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src-main/store';
import { seedDemo } from '../e2e/support/seed';

/**
 * The CLI's rough edges a new user hits, run as a user runs it (`node bin/ml-connector.mjs …` in
 * a child process): help per command group, `status | head`, read-only data folders, and a
 * `--data-dir` that points at the wrong place.
 */
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'ml-connector.mjs');
/** Root can write anywhere, so a read-only folder is tried as an ordinary user (nobody) when the tests run as root. */
const AS_ORDINARY_USER: Pick<SpawnOptions, 'uid' | 'gid'> = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
let home: string;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'mlc-cli-edges-'));
  chmodSync(home, 0o755); // the ordinary user must reach the folders inside
});
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], options: { shell?: string; as?: Pick<SpawnOptions, 'uid' | 'gid'> } = {}): Promise<Ran> {
  // HOME/XDG point into the temp folder so nothing can touch the real app-data folder.
  const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), ML_CONNECTOR_DATA_DIR: '' };
  return new Promise((resolve, reject) => {
    const child = options.shell
      ? spawn('bash', ['-c', options.shell], { cwd: root, env })
      : spawn(process.execPath, [bin, ...args], { cwd: root, env, ...(options.as ?? {}) });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A data folder with the demo's books: runs, parked records, 300 audit entries. */
function seededDataDir(name: string): string {
  const dir = join(home, name);
  const store = openStore(dir);
  seedDemo(store);
  store.close();
  return dir;
}

/** Everything in a folder with its bytes, to show nothing was created or changed. */
function contents(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name)).toString('base64')]));
}

function makeReadOnly(dir: string): void {
  for (const name of readdirSync(dir)) chmodSync(join(dir, name), 0o444);
  chmodSync(dir, 0o555);
}

describe('help per command and per command group', () => {
  it.each([
    [['parked', '--help'], 'Usage: ml-connector parked <command>', /parked list\s+List records waiting/],
    [['sandbox', '--help'], 'Usage: ml-connector sandbox <command>', /sandbox dump\s+Print one simulator/],
    [['audit', '--help'], 'Usage: ml-connector audit <command>', /audit verify\s+Check the audit log/],
    [['mappings', '--help'], 'Usage: ml-connector mappings export|import', /Options:\n\s+--set/],
    [['help', 'parked', 'list'], 'Usage: ml-connector parked list', /--flow <value>/],
    [['help'], 'Usage: ml-connector <command> [options]', /parked list/],
  ])('%j prints its usage, exit 0', async (argv, usage, listed) => {
    const { code, stdout, stderr } = await run(argv);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(usage);
    expect(stdout).toMatch(listed);
  });

  it('a group word alone names its commands (exit 2), not "Unknown command"', async () => {
    const { code, stdout, stderr } = await run(['parked']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('"parked" needs one of its commands: list.');
    expect(stderr).not.toContain('Unknown command');
  });
});

describe('output into a pipe that closes early', () => {
  it('`status | head -1` prints the first line and exits 0, with no EPIPE stack', async () => {
    const dir = seededDataDir('piped');
    const cli = `node ${JSON.stringify(bin)} status --data-dir ${JSON.stringify(dir)}`;
    const head = await run([], { shell: `${cli} | head -1; exit \${PIPESTATUS[0]}` });
    expect(head.stdout).toBe(`Data folder:     ${dir}\n`);
    expect(head.stderr).toBe('');
    expect(head.code).toBe(0);
    // A reader that never reads: every write meets a closed pipe.
    const closed = await run([], { shell: `${cli} | true; exit \${PIPESTATUS[0]}` });
    expect(closed.stderr).toBe('');
    expect(closed.code).toBe(0);
  });
});

describe('a read-only data folder', () => {
  it('status, runs, parked list, export-audit and audit verify read it; nothing in it changes', async () => {
    const dir = seededDataDir('read-only');
    makeReadOnly(dir);
    const before = contents(dir);
    const exports = join(home, 'exports-of-read-only');
    mkdirSync(exports, { mode: 0o777 });
    chmodSync(exports, 0o777);
    const as = AS_ORDINARY_USER;

    const status = await run(['status', '--json', '--data-dir', dir], { as });
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ counts: { auditEntries: 300, openParked: 2 }, recentRuns: [{ status: 'partial' }] });

    const runs = await run(['runs', '--data-dir', dir], { as });
    expect(runs.code, runs.stderr).toBe(0);
    expect(runs.stdout).toContain('partial');

    const parked = await run(['parked', 'list', '--json', '--data-dir', dir], { as });
    expect(parked.code, parked.stderr).toBe(0);
    expect((JSON.parse(parked.stdout) as { parked: unknown[] }).parked).toHaveLength(2);

    const csv = join(exports, 'audit.csv');
    const exported = await run(['export-audit', '--csv', csv, '--data-dir', dir], { as });
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toBe(`Wrote 300 audit entries to ${csv}\n`);
    expect(readFileSync(csv, 'utf8').split('\r\n').filter(Boolean)).toHaveLength(301); // header + 300

    const verify = await run(['audit', 'verify', '--data-dir', dir], { as });
    expect(verify.code, verify.stderr).toBe(0);
    expect(verify.stdout).toBe('Audit chain intact (300 entries).\n');

    expect(contents(dir)).toEqual(before);
  }, 60_000);

  it('also reads the entries still in the write-ahead log of an app that had it open', async () => {
    const source = join(home, 'open-elsewhere');
    const store = openStore(source);
    seedDemo(store); // committed, but still in the -wal file: the store is open
    const dir = join(home, 'copied-while-open');
    mkdirSync(dir);
    for (const name of readdirSync(source)) copyFileSync(join(source, name), join(dir, name));
    store.close();
    expect(existsSync(join(dir, 'ml-connector.sqlite-wal'))).toBe(true);
    makeReadOnly(dir);
    const before = contents(dir);

    const status = await run(['status', '--json', '--data-dir', dir], { as: AS_ORDINARY_USER });
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ counts: { auditEntries: 300, openParked: 2 } });
    expect(contents(dir)).toEqual(before);
  }, 30_000);
});

describe('a --data-dir that points at the wrong place', () => {
  it('read-only commands say there is no data there, name the default folder, and create nothing', async () => {
    const missing = join(home, 'typo', 'ml-dat');
    for (const argv of [['status'], ['parked', 'list'], ['runs'], ['audit', 'verify'], ['export-audit', '--csv', join(home, 'x.csv')]]) {
      const { code, stdout, stderr } = await run([...argv, '--data-dir', missing]);
      expect(code, argv.join(' ')).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toBe(
        `There is no ml-connector data in ${missing} (the folder does not exist). Nothing was created. ` +
          `Check the folder given with --data-dir; the default data folder is ${join(home, '.config', 'ml-connector')}.\n`,
      );
    }
    expect(existsSync(join(home, 'typo'))).toBe(false);
    expect(existsSync(join(home, 'x.csv'))).toBe(false);

    const empty = join(home, 'empty-folder');
    mkdirSync(empty);
    const inEmpty = await run(['status', '--data-dir', empty]);
    expect(inEmpty.code).toBe(1);
    expect(inEmpty.stderr).toContain(`There is no ml-connector data in ${empty} (the folder holds no database). Nothing was created.`);
    expect(readdirSync(empty)).toEqual([]);

    // No --data-dir and nothing in the default folder yet: say so, and how to start.
    const fresh = await run(['status']);
    expect(fresh.code).toBe(1);
    expect(fresh.stderr).toContain(`There is no ml-connector data yet in the default data folder ${join(home, '.config', 'ml-connector')}`);
    expect(fresh.stderr).toContain('`npx ml-connector serve --sandbox`');
    expect(existsSync(join(home, '.config', 'ml-connector'))).toBe(false);
  }, 60_000);

  it('a command that writes says it is creating a new data folder (and where the default is)', async () => {
    const fresh = join(home, 'new-books');
    const { code, stdout, stderr } = await run(['replay', '--parked', '--data-dir', fresh]);
    expect(code, stderr).toBe(0);
    expect(stderr).toBe(
      `Creating a new data folder at ${fresh} (given with --data-dir; the default data folder is ${join(home, '.config', 'ml-connector')}).\n`,
    );
    expect(stdout).toBe('Nothing is waiting.\n');
    expect(existsSync(join(fresh, 'ml-connector.sqlite'))).toBe(true);
    // The second time there is nothing to announce.
    expect((await run(['replay', '--parked', '--data-dir', fresh])).stderr).toBe('');
  }, 30_000);

  it('a file where the folder should be is named as such (no EEXIST), exit 2', async () => {
    const file = join(home, 'a-file');
    writeFileSync(file, 'not a folder');
    for (const argv of [['status'], ['replay', '--parked']]) {
      const { code, stderr } = await run([...argv, '--data-dir', file]);
      expect(code).toBe(2);
      expect(stderr).toBe(`The data folder cannot be used: "${file}" is a file, not a folder. Choose another folder with --data-dir (or ML_CONNECTOR_DATA_DIR).\n`);
    }
  });
});
