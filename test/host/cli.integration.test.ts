import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_HOST_TOKEN_HEADER } from '../../src-shared/ipc';
import { main, type CliProcess } from '../../src-main/host/cli';
import { openStore } from '../../src-main/store';

/** The real CLI, as a user runs it: `node bin/ml-connector.mjs …` in a child process. */
const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'bin', 'ml-connector.mjs');
let home: string;

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'mlc-cli-'));
});
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

function start(args: string[]): ChildProcessWithoutNullStreams {
  // HOME/XDG point into the temp folder so nothing can touch the real app-data folder.
  const env = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    ML_CONNECTOR_DATA_DIR: '',
  };
  return spawn(process.execPath, [bin, ...args], { cwd: root, env });
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = start(args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `serve`, waits for its first stdout line and returns it with the child's handles. */
async function startServe(args: string[]) {
  const child = start(['serve', ...args]);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const stdoutLines: string[] = [];
  const firstLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      stdoutLines.push(line);
      resolve(line);
    });
    child.on('close', () => reject(new Error(`serve exited early: ${stderr}`)));
  });
  const { url } = JSON.parse(firstLine) as { url: string };
  return { child, exited, stdoutLines, url, stderr: () => stderr };
}

describe('ml-connector CLI as a child process', () => {
  it('--help lists the commands and global options, exit 0', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: ml-connector <command> [options]');
    expect(stdout).toMatch(/^ {2}status\s+Show the data folder/m);
    expect(stdout).toMatch(/^ {2}serve\s+/m);
    expect(stdout).toContain('--data-dir');
    expect(stdout).toContain('--json');
  });

  it('status --json prints one JSON object for a new data folder', async () => {
    const dataDir = join(home, 'status-data');
    openStore(dataDir).close(); // what the first sync or `serve` leaves: an empty database
    const { code, stdout, stderr } = await run(['status', '--json', '--data-dir', dataDir]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const status = JSON.parse(lines[0]!);
    expect(status).toMatchObject({
      dataDir,
      connections: [],
      recentRuns: [],
      counts: { connections: 0, auditEntries: 0, openParked: 0 },
    });
    expect(status.schemaVersion).toBeGreaterThanOrEqual(2);
  });

  it('serve prints exactly one {"url"} line, answers with the token only, and exits 0 on SIGTERM', async () => {
    const { child, exited, stdoutLines, url } = await startServe(['--data-dir', join(home, 'serve-data')]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
    const parsed = new URL(url);
    const token = parsed.searchParams.get('token')!;

    const call = (headers: Record<string, string>) =>
      fetch(`${parsed.origin}/ipc/app.status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{}',
      });
    expect((await call({})).status).toBe(401);
    const answer = await call({ [BROWSER_HOST_TOKEN_HEADER]: token });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ ok: true, value: { dataDir: join(home, 'serve-data') } });

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stdoutLines).toHaveLength(1);
    // The port is closed after shutdown.
    await expect(fetch(url)).rejects.toThrow();
  });

  it('serve --sandbox also starts the six simulators, which answer on loopback, and stops them on SIGINT', async () => {
    const { child, exited, url, stderr } = await startServe([
      '--sandbox',
      '--data-dir',
      join(home, 'serve-sandbox'),
    ]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    // stderr and stdout are separate pipes: give the simulator lines a moment to arrive.
    const sandboxLines = () => [...stderr().matchAll(/^sandbox \w+: /gm)].length;
    for (let i = 0; i < 100 && sandboxLines() < 6; i++) await new Promise((r) => setTimeout(r, 20));
    const simulators = [...stderr().matchAll(/^sandbox (\w+): (http:\/\/127\.0\.0\.1:\d+)/gm)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(simulators.map(([system]) => system).sort()).toEqual([
      'acumatica',
      'coupa',
      'exact',
      'intacct',
      'monday',
      'procore',
    ]);
    // A simulator is a real HTTP server: any answer (even 401/404) proves it is up.
    const answer = await fetch(simulators[0]![1]!);
    expect(answer.status).toBeGreaterThanOrEqual(200);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await expect(fetch(simulators[0]![1]!)).rejects.toThrow();
  });
});

/** The same `main`, in-process, for the cases that need no separate process (faster). */
function inProcess() {
  const out: string[] = [];
  const err: string[] = [];
  let stop: ((signal: 'SIGINT' | 'SIGTERM') => void) | undefined;
  const proc: CliProcess = {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env: { HOME: home, XDG_CONFIG_HOME: join(home, '.config') },
    onStopSignal: (listener) => {
      stop = listener;
      return () => (stop = undefined);
    },
  };
  return { proc, out, err, stop: () => stop?.('SIGINT') };
}

describe('ml-connector CLI usage and errors (in-process)', () => {
  it.each([
    [['frobnicate'], 'Unknown command "frobnicate".', 'Usage: ml-connector <command>'],
    [[], 'No command given.', 'Usage: ml-connector <command>'],
    [['status', '--verbose'], "Unknown option '--verbose'", 'Usage: ml-connector status'],
    [['serve', '--port'], "Option '--port <value>' argument missing", 'Usage: ml-connector serve'],
    [['serve', '--port', 'eighty'], '--port must be a whole number', ''],
    [['serve', '--port', '70000'], '--port must be a whole number', ''],
    [['status', '--data-dir', ' '], '--data-dir was given without a folder', ''],
  ])('%j → exit 2 with a clear message', async (argv, message, usage) => {
    const { proc, out, err } = inProcess();
    expect(await main(argv, proc)).toBe(2);
    const stderr = err.join('\n');
    expect(stderr).toContain(message);
    expect(stderr).toContain(usage);
    expect(out).toEqual([]);
  });

  it('connect procore refuses a --write-concurrency that is not a whole number before touching the keychain', async () => {
    const { proc, out, err } = inProcess();
    const previous = process.env['ML_CONNECTOR_CLIENT_SECRET'];
    process.env['ML_CONNECTOR_CLIENT_SECRET'] = 'not-used';
    try {
      const argv = ['connect', 'procore', '--company-id', '7', '--client-id', 'c', '--write-concurrency', 'many', '--data-dir', join(home, 'connect-wc')];
      expect(await main(argv, proc)).toBe(2);
    } finally {
      if (previous === undefined) delete process.env['ML_CONNECTOR_CLIENT_SECRET'];
      else process.env['ML_CONNECTOR_CLIENT_SECRET'] = previous;
    }
    expect(err.join('\n')).toContain('connect: --write-concurrency must be a whole number from 1 to 16');
    expect(out).toEqual([]);
  });

  it('`<command> --help` prints that command’s usage and options, exit 0', async () => {
    const { proc, out } = inProcess();
    expect(await main(['serve', '--help'], proc)).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('Usage: ml-connector serve [--data-dir D] [--port P] [--sandbox]');
    expect(text).toContain('--sandbox');
    expect(text).toContain('Global options:');
  });

  it('status without --json is readable text; the data dir also comes from ML_CONNECTOR_DATA_DIR', async () => {
    const dataDir = join(home, 'status-text');
    openStore(dataDir).close();
    const { proc, out } = inProcess();
    proc.env['ML_CONNECTOR_DATA_DIR'] = dataDir;
    expect(await main(['status'], proc)).toBe(0);
    expect(out).toContain(`Data folder:     ${dataDir}`);
    expect(out).toContain('Connections:     none yet');
    expect(out).toContain('Recent runs:     none yet');
  });

  it('serve on a port that is taken fails with a clear message and exit 1', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { proc, out, err } = inProcess();
      expect(await main(['serve', '--port', String(port), '--data-dir', join(home, 'taken')], proc)).toBe(1);
      expect(err.join('\n')).toContain(`Could not listen on 127.0.0.1:${port}`);
      expect(out).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('serve stops cleanly when the stop signal arrives', async () => {
    const { proc, out, stop } = inProcess();
    const exit = main(['serve', '--data-dir', join(home, 'in-process-serve')], proc);
    for (let i = 0; i < 200 && out.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    const { url } = JSON.parse(out[0]!) as { url: string };
    expect((await fetch(url)).status).toBe(200);
    stop();
    expect(await exit).toBe(0);
    await expect(fetch(url)).rejects.toThrow();
  });
});
