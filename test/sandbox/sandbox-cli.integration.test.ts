import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CliCommand, CliIo } from '../../src-main/host/cli-types';
import { commands } from '../../src-main/host/commands';
import { sandboxDumpCommand, sandboxServeCommand } from '../../src-main/host/commands/sandbox';
import { SYSTEM_NAMES, startSandbox, startSimulator } from '../../src-main/sandbox';
import { useTempDirs } from './support';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

const CREDENTIAL_KEYS = {
  exact: ['clientId', 'clientSecret', 'redirectUri', 'division'],
  procore: ['clientId', 'clientSecret', 'companyId'],
  acumatica: ['username', 'password', 'tenant', 'endpointVersion', 'clientId', 'clientSecret'],
  intacct: ['senderId', 'senderPassword', 'companyId', 'userId', 'userPassword'],
  monday: ['apiToken'],
  coupa: ['clientId', 'clientSecret'],
};

type ServeLine = {
  systems: Record<string, { baseUrl: string; credentials: Record<string, string | number> }>;
};

const tempDir = useTempDirs('ml-sandbox-cli-');

function fakeIo(dataDir: string, signal = new AbortController().signal) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (l) => out.push(l), err: (l) => err.push(l), dataDir, json: false, signal, stoppedBy: () => null };
  return { io, out, err };
}

function run(
  command: CliCommand,
  values: Record<string, string>,
  positionals: string[],
  io: CliIo,
): Promise<number> {
  return command.run({ values, positionals }, io);
}

async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function listeningServers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
}

describe('sandbox commands: input validation (exit code 2)', () => {
  it.each([
    [
      { systems: 'exact,sap' },
      /--systems: unknown system "sap" \(known: exact, procore, acumatica, intacct, monday, coupa\)/,
    ],
    [{ systems: ' , ' }, /--systems needs at least one of/],
    [{ seed: 'abc' }, /--seed must be a whole number from 0 to 4294967295, got "abc"/],
    [{ seed: '1.5' }, /--seed must be a whole number/],
    [{ scale: 'big' }, /--scale must be a number above 0/],
    [{ scale: '0' }, /--scale must be a number above 0/],
    [{ 'latency-ms': '-3' }, /--latency-ms must be a whole number from 0 to 60000/],
    [{ faults: '5xx=7' }, /--faults: fault "5xx" is a rate in \[0, 1\], got 7/],
    [{ faults: 'jira:5xx=0.1' }, /--faults: .*unknown system "jira"/],
  ])('serve %j', async (values, message) => {
    const { io, out, err } = fakeIo(tempDir());
    expect(await run(sandboxServeCommand, values, [], io)).toBe(2);
    expect(err.join('\n')).toMatch(message);
    expect(out).toEqual([]);
  });

  it('serve takes no positional arguments', async () => {
    const { io, err } = fakeIo(tempDir());
    expect(await run(sandboxServeCommand, {}, ['now'], io)).toBe(2);
    expect(err[0]).toMatch(/takes no arguments/);
  });

  it.each([
    [[], /sandbox dump needs a system: one of exact, procore/],
    [['sap'], /unknown system "sap"/],
    [['exact', 'procore'], /takes one system/],
  ])('dump %j', async (positionals, message) => {
    const { io, err } = fakeIo(tempDir());
    expect(await run(sandboxDumpCommand, {}, positionals, io)).toBe(2);
    expect(err.join('\n')).toMatch(message);
  });

  it('dump of a data folder that never ran the sandbox says so (exit 1)', async () => {
    const dir = tempDir();
    const { io, err, out } = fakeIo(dir);
    expect(await run(sandboxDumpCommand, {}, ['procore'], io)).toBe(1);
    expect(err[0]).toContain(`No procore sandbox data at ${join(dir, 'sandbox', 'procore.sqlite')}`);
    expect(out).toEqual([]);
  });

  it('both commands are registered in the CLI command list', () => {
    expect(commands).toContain(sandboxServeCommand);
    expect(commands).toContain(sandboxDumpCommand);
  });
});

describe('sandbox serve / dump (run in-process)', () => {
  it('serve prints one JSON line with each system and exactly its credential keys, runs until aborted, and dump reads the same folder', async () => {
    const dataDir = tempDir();
    const stop = new AbortController();
    const { io, out } = fakeIo(dataDir, stop.signal);
    const exit = run(
      sandboxServeCommand,
      { systems: 'monday,procore', seed: '5', 'latency-ms': '0' },
      [],
      io,
    );
    const line = await waitFor(() => out[0], 'the serve line');
    const parsed = JSON.parse(line) as ServeLine;
    expect(Object.keys(parsed.systems)).toEqual(['monday', 'procore']);
    for (const [system, entry] of Object.entries(parsed.systems)) {
      expect(entry.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(Object.keys(entry.credentials)).toEqual(CREDENTIAL_KEYS[system as keyof typeof CREDENTIAL_KEYS]);
      expect((await fetch(`${entry.baseUrl}/_sandbox/state`)).status).toBe(200);
    }
    stop.abort();
    expect(await exit).toBe(0);
    expect(out).toHaveLength(1);
    await expect(fetch(`${parsed.systems.procore?.baseUrl}/_sandbox/state`)).rejects.toThrow();

    // dump reopens the folder with the seed it was created with (5, not the default 1).
    const dump = fakeIo(dataDir);
    expect(await run(sandboxDumpCommand, {}, ['procore'], dump.io)).toBe(0);
    expect(dump.out).toHaveLength(1);
    const records = JSON.parse(dump.out[0] as string) as Record<string, unknown[]>;
    expect(Object.keys(records).length).toBeGreaterThan(0);
    for (const list of Object.values(records)) expect(Array.isArray(list)).toBe(true);
    expect(Object.values(records).some((list) => list.length > 0)).toBe(true);
  });

  it('startSandbox closes the simulators that started when one fails, and names the one that failed', async () => {
    const dataDir = tempDir();
    // Every server of the earlier tests in this file (own process) is closed by now.
    const noServers = () => (listeningServers() === 0 ? true : undefined);
    await waitFor(noServers, 'earlier servers to close', 3_000);
    const coupa = await startSimulator('coupa', { dataDir, seed: 2 });
    await coupa.close();
    await expect(startSandbox({ dataDir, systems: ['monday', 'coupa'], seed: 1 })).rejects.toThrow(
      /sandbox: could not start coupa: The coupa sandbox in this data folder was seeded with seed 2/,
    );
    // A closed server's handle disappears a tick after close() resolves; a leaked one never does.
    await waitFor(noServers, 'the started simulators to close', 3_000);
  });

  it('startSandbox refuses unknown systems and bad fault specs before starting anything', async () => {
    await expect(startSandbox({ dataDir: null, systems: ['exact', 'sap' as never] })).rejects.toThrow(
      /unknown system "sap"/,
    );
    await expect(startSandbox({ dataDir: null, systems: ['exact'], faults: 'x=1' })).rejects.toThrow(
      /unknown fault "x"/,
    );
  });
});

describe('npx ml-connector sandbox (spawned process)', () => {
  function spawnCli(args: string[]) {
    const child = spawn(process.execPath, ['bin/ml-connector.mjs', ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, exited, stdout: () => stdout, stderr: () => stderr };
  }

  it('serve starts all six simulators, prints one JSON line, and exits 0 on SIGTERM; dump prints the records', async () => {
    const dataDir = tempDir();
    const serve = spawnCli(['sandbox', 'serve', '--data-dir', dataDir]);
    try {
      const line = await waitFor(
        () => (serve.stdout().includes('\n') ? serve.stdout().split('\n')[0] : undefined),
        'the serve line',
        60_000,
      );
      const parsed = JSON.parse(line as string) as ServeLine;
      expect(Object.keys(parsed.systems)).toEqual([...SYSTEM_NAMES]);
      for (const system of SYSTEM_NAMES) {
        const entry = parsed.systems[system];
        expect(Object.keys(entry?.credentials ?? {})).toEqual(CREDENTIAL_KEYS[system]);
        expect((await fetch(`${entry?.baseUrl}/_sandbox/state`)).status).toBe(200);
      }
      serve.child.kill('SIGTERM');
      expect(await serve.exited).toBe(0);
      expect(serve.stdout().trim().split('\n')).toHaveLength(1);
    } finally {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }

    const dump = spawnCli(['sandbox', 'dump', 'coupa', '--data-dir', dataDir]);
    expect(await dump.exited).toBe(0);
    const records = JSON.parse(dump.stdout()) as { suppliers?: { name: string }[] };
    expect(dump.stdout().trim().split('\n')).toHaveLength(1);
    expect(records.suppliers?.length).toBeGreaterThan(20);
    expect(records.suppliers?.map((s) => s.name)).toContain('Bouwbedrijf Ærø & Söhne');
  }, 120_000);

  it('bad input exits 2 with a clear message on stderr', async () => {
    const bad = spawnCli(['sandbox', 'serve', '--seed', 'abc', '--data-dir', tempDir()]);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toMatch(/--seed must be a whole number/);
    expect(bad.stdout()).toBe('');
  }, 60_000);
});
