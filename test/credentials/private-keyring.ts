/**
 * A private, throw-away Linux keychain for tests: its own D-Bus session bus and its own
 * gnome-keyring-daemon, with HOME and XDG_* pointed into a temp dir, so the developer's real
 * keychain is never touched. Equivalent shell (what .ci/run can mirror):
 *
 *   export HOME=$(mktemp -d) XDG_RUNTIME_DIR=$(mktemp -d) XDG_DATA_HOME=$HOME/.local/share XDG_CONFIG_HOME=$HOME/.config
 *   chmod 700 "$XDG_RUNTIME_DIR"
 *   dbus-daemon --session --nofork --nopidfile --print-address=1 > bus-address &     # first line = address
 *   export DBUS_SESSION_BUS_ADDRESS=$(head -n1 bus-address)
 *   printf '%s' "$PASSWORD" | gnome-keyring-daemon --foreground --components=secrets --unlock &
 *   # ready when org.freedesktop.secrets has an owner on the bus:
 *   dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
 *     org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets      # -> "boolean true"
 *
 * Packages (Debian): dbus (dbus-daemon, dbus-send), gnome-keyring, libsecret-1-0
 * (+ libsecret-1-dev to build keytar). Both daemons are direct children, stopped by pid.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
const REQUIRED_PACKAGES = 'apt-get install -y dbus gnome-keyring libsecret-1-0 libsecret-1-dev';
const STARTUP_TIMEOUT_MS = 15_000;

export interface PrivateKeyringSession {
  busAddress: string;
  /** Environment for child processes that should use this keychain. */
  env: NodeJS.ProcessEnv;
  /** Starts gnome-keyring-daemon; unlocked (and created on first start) when a password is given. */
  startKeyring(unlockPassword?: string): Promise<void>;
  stopKeyring(): Promise<void>;
  /** Stops both daemons and removes the temp dir. */
  stop(): Promise<void>;
}

/** Fails (never skips) with the packages to install when a daemon is missing. */
export function requireExecutable(name: string): string {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not in this PATH entry
    }
  }
  throw new Error(
    `${name} is not installed, so the real-keychain test cannot run. Install it with: ${REQUIRED_PACKAGES}`,
  );
}

export async function startPrivateKeyringSession(): Promise<PrivateKeyringSession> {
  const dbusDaemon = requireExecutable('dbus-daemon');
  const keyringDaemon = requireExecutable('gnome-keyring-daemon');
  requireExecutable('dbus-send');

  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ml-connector-keyring-'));
  const home = path.join(tmpDir, 'home');
  const runtimeDir = path.join(tmpDir, 'run');
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(runtimeDir, { mode: 0o700 });
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_RUNTIME_DIR: runtimeDir,
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CONFIG_HOME: path.join(home, '.config'),
  };
  delete baseEnv['DBUS_SESSION_BUS_ADDRESS'];
  delete baseEnv['DISPLAY'];

  const bus = spawn(dbusDaemon, ['--session', '--nofork', '--nopidfile', '--print-address=1'], {
    env: baseEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let busAddress: string;
  try {
    busAddress = await firstLine(bus, 'dbus-daemon');
  } catch (error) {
    bus.kill('SIGKILL');
    fs.rmSync(tmpDir, { recursive: true, force: true });
    throw error;
  }
  const env: NodeJS.ProcessEnv = { ...baseEnv, DBUS_SESSION_BUS_ADDRESS: busAddress };
  let keyring: ChildProcess | undefined;

  const secretServiceOwned = async (): Promise<boolean> => {
    const { stdout } = await execFileAsync(
      'dbus-send',
      [
        '--session',
        '--print-reply',
        '--dest=org.freedesktop.DBus',
        '/org/freedesktop/DBus',
        'org.freedesktop.DBus.NameHasOwner',
        'string:org.freedesktop.secrets',
      ],
      { env },
    );
    return stdout.includes('boolean true');
  };

  const session: PrivateKeyringSession = {
    busAddress,
    env,
    async startKeyring(unlockPassword) {
      const args = [
        '--foreground',
        '--components=secrets',
        ...(unlockPassword === undefined ? [] : ['--unlock']),
      ];
      const child = spawn(keyringDaemon, args, { env, stdio: ['pipe', 'ignore', 'pipe'] });
      keyring = child;
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdin?.end(unlockPassword ?? '');
      await waitFor(secretServiceOwned, true, () =>
        child.exitCode !== null
          ? `gnome-keyring-daemon exited with ${child.exitCode}: ${stderr.trim()}`
          : null,
      );
    },
    async stopKeyring() {
      if (!keyring) return;
      await stopChild(keyring);
      keyring = undefined;
      await waitFor(secretServiceOwned, false, () => null);
    },
    async stop() {
      if (keyring) await stopChild(keyring);
      await stopChild(bus);
      fs.rmSync(tmpDir, { recursive: true, force: true });
    },
  };
  return session;
}

function firstLine(child: ChildProcess, name: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`${name} did not print its address within ${STARTUP_TIMEOUT_MS} ms: ${err}`)),
      STARTUP_TIMEOUT_MS,
    );
    child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const newline = out.indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, newline).trim());
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready: ${err.trim()}`));
    });
  });
}

async function waitFor(
  check: () => Promise<boolean>,
  wanted: boolean,
  failure: () => string | null,
): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    const failed = failure();
    if (failed) throw new Error(failed);
    if ((await check()) === wanted) return;
    if (Date.now() > deadline)
      throw new Error(
        `org.freedesktop.secrets was not ${wanted ? 'claimed' : 'released'} within ${STARTUP_TIMEOUT_MS} ms`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * A private, unlocked keychain for this process's own keytar calls: DBUS_SESSION_BUS_ADDRESS
 * points at it until `restore()`, which puts the previous address back and stops the daemons.
 */
export async function usePrivateKeychain(unlockPassword: string): Promise<{ restore(): Promise<void> }> {
  const saved = process.env['DBUS_SESSION_BUS_ADDRESS'];
  const session = await startPrivateKeyringSession();
  await session.startKeyring(unlockPassword);
  process.env['DBUS_SESSION_BUS_ADDRESS'] = session.busAddress;
  return {
    async restore() {
      if (saved === undefined) delete process.env['DBUS_SESSION_BUS_ADDRESS'];
      else process.env['DBUS_SESSION_BUS_ADDRESS'] = saved;
      await session.stop();
    },
  };
}
