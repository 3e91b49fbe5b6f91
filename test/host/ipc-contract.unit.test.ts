import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBridge,
  eventChannel,
  IPC_EVENT_NAMES,
  IPC_METHOD_NAMES,
  ipcContract,
  ipcEvents,
  methodChannel,
  type IpcEventName,
  type IpcMethodName,
} from '../../src-shared/ipc';
import { createLogger } from '../../src-main/connectors/_kit/log';
import { InMemoryCredentialStore } from '../../src-main/credentials';
import { createAppContext } from '../../src-main/host/app-context';
import { dispatch, handlers } from '../../src-main/host/handlers';
import { registerIpcHandlers, type IpcMainLike } from '../../src-main/host/ipc-registration';

const sorted = (values: Iterable<string>) => [...values].sort();

describe('the IPC contract is one set of names everywhere', () => {
  const methods = sorted(IPC_METHOD_NAMES);

  it('has no duplicate method or event names', () => {
    expect(new Set(IPC_METHOD_NAMES).size).toBe(IPC_METHOD_NAMES.length);
    expect(new Set(IPC_EVENT_NAMES).size).toBe(IPC_EVENT_NAMES.length);
  });

  it('validators (request/response schemas) exist for exactly the method list', () => {
    expect(sorted(Object.keys(ipcContract))).toEqual(methods);
    for (const method of IPC_METHOD_NAMES) {
      expect(typeof ipcContract[method].request.safeParse).toBe('function');
      expect(typeof ipcContract[method].response.safeParse).toBe('function');
    }
  });

  it('the handler map has exactly the method list', () => {
    expect(sorted(Object.keys(handlers))).toEqual(methods);
  });

  it('the bridge (preload and browser client) exposes exactly the methods plus `on`', async () => {
    const calls: [IpcMethodName, unknown][] = [];
    const bridge = createBridge(
      async (method, request) => {
        calls.push([method, request]);
        return { ok: true, value: method };
      },
      () => () => undefined,
    );
    expect(sorted(Object.keys(bridge))).toEqual(sorted([...methods, 'on']));
    // Each function calls the transport with its own name and passes the request through.
    for (const method of IPC_METHOD_NAMES) {
      const fn = bridge[method] as (request?: unknown) => Promise<unknown>;
      await expect(fn({ probe: method })).resolves.toEqual({ ok: true, value: method });
    }
    expect(calls).toEqual(IPC_METHOD_NAMES.map((method) => [method, { probe: method }]));
    expect(Object.isFrozen(bridge)).toBe(true);
  });

  it('the bridge subscribes per event and hands back the unsubscribe', () => {
    const subscribed: IpcEventName[] = [];
    let unsubscribed = 0;
    const bridge = createBridge(
      async () => ({ ok: true, value: null }),
      (event, listener) => {
        subscribed.push(event);
        listener({ id: 'c1', change: 'saved' });
        return () => {
          unsubscribed += 1;
        };
      },
    );
    const received: unknown[] = [];
    const off = bridge.on('connection.changed', (payload) => received.push(payload));
    expect(subscribed).toEqual(['connection.changed']);
    expect(received).toEqual([{ id: 'c1', change: 'saved' }]);
    off();
    expect(unsubscribed).toBe(1);
  });

  it('Electron registration handles exactly one channel per method', () => {
    const channels: string[] = [];
    const fakeIpcMain: IpcMainLike = {
      handle: (channel) => void channels.push(channel),
      removeHandler: () => undefined,
    };
    registerIpcHandlers(fakeIpcMain, {
      call: async () => ({ ok: true, value: null }),
      appPageUrl: 'file:///app/index.html',
    });
    expect(sorted(channels)).toEqual(sorted(IPC_METHOD_NAMES.map(methodChannel)));
  });

  it('events have a payload schema for exactly the event list, on distinct channels', () => {
    expect(sorted(Object.keys(ipcEvents))).toEqual(sorted(IPC_EVENT_NAMES));
    const allChannels = [...IPC_METHOD_NAMES.map(methodChannel), ...IPC_EVENT_NAMES.map(eventChannel)];
    expect(new Set(allChannels).size).toBe(allChannels.length);
  });
});

describe('dispatch validates before anything runs', () => {
  let dataDir: string;
  let ctx: ReturnType<typeof createAppContext>;
  const logLines: string[] = [];

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mlc-contract-'));
    ctx = createAppContext({
      dataDir,
      credentials: new InMemoryCredentialStore(),
      appVersion: '9.9.9',
      log: createLogger({ sink: (line) => logLines.push(line) }),
    });
  });
  afterAll(() => {
    ctx.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each(IPC_METHOD_NAMES)('%s refuses an unknown field with invalid-request', async (method) => {
    const result = await dispatch(method, { notInTheContract: true }, ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    if (!result.ok) expect(result.error.message).toContain('notInTheContract');
  });

  it.each(IPC_METHOD_NAMES)('%s refuses a non-object request with invalid-request', async (method) => {
    const result = await dispatch(method, 'DROP TABLE audit_log', ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
  });

  it('names the bad fields in plain words', async () => {
    const result = await dispatch('connections.save', { system: 'sap', label: '', mode: 'live' }, ctx);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('invalid-request');
    // The labels of the Connections form, not the request's field names or the method.
    expect(result.error.message).toBe(
      'System: must be one of exact-online, procore, acumatica, sage-intacct, monday, coupa. A connection needs a name.',
    );
  });

  it('refuses a secret placed in settings, without echoing its value', async () => {
    const secret = 'monday-token-Zq8w1';
    const result = await dispatch(
      'connections.save',
      { system: 'monday', label: 'Board', mode: 'live', settings: { apiToken: secret } },
      ctx,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(JSON.stringify(result)).toContain('OS keychain');
    // Names of secrets are refused too, even if not a declared field of the system.
    for (const name of ['webhook_password', 'client-secret', 'CSRF.Token', 'privateKey']) {
      const other = await dispatch(
        'connections.save',
        { system: 'procore', label: 'P', mode: 'live', settings: { [name]: 'x' } },
        ctx,
      );
      expect(other, name).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    }
  });

  it('refuses a secret field the system does not have', async () => {
    const result = await dispatch(
      'connections.save',
      { system: 'monday', label: 'B', mode: 'live', secrets: { password: 'p' } },
      ctx,
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    if (!result.ok) expect(result.error.message).toContain('apiToken');
  });

  it('refuses beforeSeq and afterSeq together, and out-of-range page sizes', async () => {
    expect(await dispatch('audit.query', { beforeSeq: 5, afterSeq: 1 }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(await dispatch('audit.query', { limit: 0 }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
    expect(await dispatch('audit.query', { limit: 1001 }, ctx)).toMatchObject({
      ok: false,
      error: { code: 'invalid-request' },
    });
  });

  it('answers an unknown method with unknown-method', async () => {
    expect(await dispatch('connections.dropAll', {}, ctx)).toMatchObject({
      ok: false,
      error: { code: 'unknown-method' },
    });
  });

  it('accepts a missing request for methods without parameters', async () => {
    const result = await dispatch('app.status', undefined, ctx);
    expect(result).toMatchObject({ ok: true, value: { appVersion: '9.9.9', dataDir } });
  });

  it('turns an unexpected failure into internal, with a reference and no stack trace', async () => {
    const brokenCtx = {
      ...ctx,
      store: {
        ...ctx.store,
        audit: {
          ...ctx.store.audit,
          verifyAuditChain: () => {
            throw new Error('disk exploded at /secret/path');
          },
        },
      },
    };
    const result = await dispatch('audit.verify', {}, brokenCtx as unknown as typeof ctx);
    expect(result).toMatchObject({ ok: false, error: { code: 'internal' } });
    if (result.ok) return;
    expect(result.error.message).not.toContain('disk exploded');
    expect(result.error.message).not.toMatch(/\bat .*:\d+:\d+/);
    const ref = /reference ([0-9a-f]{8})/.exec(result.error.message)?.[1];
    expect(ref).toBeDefined();
    expect(logLines.some((line) => line.includes(ref!) && line.includes('disk exploded'))).toBe(true);
  });
});
