import { mkdtempSync, rmSync } from 'node:fs';
import { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src-main/connectors/_kit';
import { F2_FLOW } from '../../src-main/engine/flows/procore-acumatica/mappings';
import { openFlowHost } from '../../src-main/host/flow-host';
import { APP_SANDBOX_CONFIG } from '../../src-main/host/systems';
import { startSimulator, type Sandbox } from '../../src-main/sandbox';
import { openStore } from '../../src-main/store';

/**
 * Closing the app while a system is unreachable: F2 ran on the sandbox (signed in to Acumatica),
 * then Acumatica's line went down. Acumatica's sign-out fails; closing must still finish, say
 * which connection could not close cleanly, and stop the simulators the host started.
 */
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** Ports this process listens on (the simulators), from Node's list of active handles. */
function listeningPorts(): number[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  return handles.flatMap((h) => {
    const address = h instanceof Server ? h.address() : null;
    return address && typeof address === 'object' ? [address.port] : [];
  });
}

/** Whether anything still answers on a loopback port. */
const answers = (port: number) => fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false);

describe('closing with a system unreachable', () => {
  it('closes every other connection and the simulators it started, and logs the one that could not sign out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlc-close-offline-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const store = openStore(dir);
    cleanups.push(() => store.close());
    // Acumatica runs beside the app (so the test can cut its line); the host starts Procore's simulator itself.
    const acumaticaSim = await startSimulator('acumatica', { dataDir: dir, seed: 1, scale: 1, config: APP_SANDBOX_CONFIG.acumatica ?? {} });
    cleanups.push(() => void acumaticaSim.close());
    const before = listeningPorts();
    const warnings: { message: string; fields: Record<string, unknown> }[] = [];
    const log = createLogger({
      sink: (line) => {
        const { msg, ...fields } = JSON.parse(line) as { msg: string } & Record<string, unknown>;
        warnings.push({ message: msg, fields });
      },
      level: 'warn',
    });
    const host = await openFlowHost({ store, dataDir: dir, log, sandbox: { seed: 1, scale: 1 }, runningSandbox: { systems: { acumatica: acumaticaSim } } as unknown as Sandbox, only: [F2_FLOW] });
    const summary = await host.flows.get(F2_FLOW)!.runtime.run({ trigger: 'manual' });
    expect(summary.status).toBe('succeeded');
    const procorePorts = listeningPorts().filter((port) => !before.includes(port));
    expect(procorePorts).toHaveLength(1); // Procore's simulator, started by the host
    expect(await answers(procorePorts[0]!)).toBe(true);

    // Acumatica's line goes down: every request is reset from now on (its sign-out too).
    const put = await fetch(`${acumaticaSim.baseUrl.replace(/\/$/, '')}/_sandbox/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ spec: 'reset=1' }) });
    expect(put.status).toBe(200);

    await expect(host.close()).resolves.toBeUndefined();
    const closing = warnings.filter((w) => w.message.startsWith('Could not close'));
    expect(closing.map((w) => w.message)).toEqual(['Could not close the Acumatica (sandbox) connection cleanly; it is closed anyway']);
    expect(closing[0]!.fields['connection']).toBe('sandbox-acumatica');
    expect(await answers(procorePorts[0]!)).toBe(false); // the host's Procore simulator is closed
  });
});
