import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetch as nodeFetch } from 'undici';
import { afterAll, beforeAll } from 'vitest';
import { silentLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { createFakeTimers } from '../../src-main/engine/scheduler/timers';
import { findFlow } from '../../src-main/engine/flows/registry';
import type { AnyFlowPlugin } from '../../src-main/engine/flows/types';
import { createAppContext } from '../../src-main/host/app-context';
import type { AppContext } from '../../src-main/host/context';
import { startEngineHost, type EngineHost } from '../../src-main/host/engine-host';
import { startSandboxFor } from '../../src-main/host/systems';
import type { Sandbox } from '../../src-main/sandbox';
import { SANDBOX } from './sandbox-engine';

/** The engine startSandboxEngineFor attached, with its simulators. */
export interface FlowSandboxEngine {
  sandbox: Sandbox;
  host: EngineHost;
  close(): Promise<void>;
}

/**
 * The engine attached to `ctx` as `serve --sandbox` attaches it, with the simulators of the given
 * flows' systems on loopback (startSandboxEngine starts F1's two). The keep-alive's clock is a
 * fake one, so nothing runs in the background of a test.
 */
export async function startSandboxEngineFor(ctx: AppContext, flows: readonly AnyFlowPlugin[]): Promise<FlowSandboxEngine> {
  const sandbox = await startSandboxFor(flows, ctx.dataDir, SANDBOX);
  const host = await startEngineHost(ctx, { sandbox: SANDBOX, runningSandbox: sandbox, timers: createFakeTimers(Date.now()) });
  return {
    sandbox,
    host,
    close: async () => {
      await host.close();
      await sandbox.close();
    },
  };
}

/** An app context of a test, on its own data folder. */
export type TestAppContext = ReturnType<typeof createAppContext>;

/** Steps of sandboxEngineForScreens around the engine's start. */
export interface ScreensEngineSteps {
  /** Before the engine starts (e.g. a sandbox connection's settings). */
  prepare?(ctx: TestAppContext): void;
  /** Once the engine runs, before the tests (e.g. a first sync). */
  ready?(ctx: TestAppContext, engine: FlowSandboxEngine): Promise<unknown>;
}

/**
 * For screen tests in happy-dom: registers, in the calling file or describe, a beforeAll that
 * starts the engine of flow `flowId` on its sandbox (startSandboxEngineFor) on a fresh data folder
 * named `dirPrefix`…, with Node's fetch in place of the page's meanwhile (the engine's sandbox
 * sign-in runs in main), and an afterAll that restores fetch, closes it all and deletes the
 * folder. Returns the app context the screens dispatch to, to be read once beforeAll has run.
 */
export function sandboxEngineForScreens(flowId: string, dirPrefix: string, steps: ScreensEngineSteps = {}): () => TestAppContext {
  let ctx: TestAppContext | undefined;
  let engine: FlowSandboxEngine | undefined;
  const pageFetch = globalThis.fetch;
  beforeAll(async () => {
    const flow = findFlow(flowId);
    if (!flow) throw new Error(`no flow ${flowId}`);
    globalThis.fetch = nodeFetch as unknown as typeof globalThis.fetch;
    ctx = createAppContext({ dataDir: mkdtempSync(join(tmpdir(), dirPrefix)), credentials: new InMemoryCredentialStore(), log: silentLogger, appVersion: '0.0.0-test' });
    steps.prepare?.(ctx);
    engine = await startSandboxEngineFor(ctx, [flow]);
    await steps.ready?.(ctx, engine);
  }, 120_000);
  afterAll(async () => {
    globalThis.fetch = pageFetch;
    await engine?.close();
    ctx?.close();
    if (ctx) rmSync(ctx.dataDir, { recursive: true, force: true });
  });
  return () => {
    if (!ctx) throw new Error(`the ${flowId} sandbox engine has not started (read the context in a test or hook)`);
    return ctx;
  };
}
