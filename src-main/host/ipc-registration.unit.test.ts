import { describe, expect, it } from 'vitest';
import { eventChannel, methodChannel, type IpcMethodName } from '../../src-shared/ipc';
import { createEventBus } from './event-bus';
import {
  forwardEventsToRenderers,
  registerIpcHandlers,
  type InvokeEventLike,
  type IpcMainLike,
} from './ipc-registration';

const APP_PAGE = 'file:///opt/ml-connector/resources/app.asar/renderer/index.html';

/** A stand-in for ipcMain that records handlers so a test can invoke them like Electron does. */
function fakeIpcMain() {
  const handlers = new Map<string, (event: InvokeEventLike, request: unknown) => Promise<unknown>>();
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => void handlers.set(channel, listener),
    removeHandler: (channel) => void handlers.delete(channel),
  };
  return { ipcMain, handlers };
}

describe('registerIpcHandlers', () => {
  it('dispatches calls from the app page and refuses every other sender before dispatch', async () => {
    const { ipcMain, handlers } = fakeIpcMain();
    const dispatched: [IpcMethodName, unknown][] = [];
    const refused: [IpcMethodName, string | null][] = [];
    registerIpcHandlers(ipcMain, {
      appPageUrl: APP_PAGE,
      call: async (method, request) => {
        dispatched.push([method, request]);
        return { ok: true, value: 'done' };
      },
      onRefusedSender: (method, url) => void refused.push([method, url]),
    });
    const invoke = handlers.get(methodChannel('connections.list'))!;

    await expect(invoke({ senderFrame: { url: `${APP_PAGE}#/connections` } }, { a: 1 })).resolves.toEqual({
      ok: true,
      value: 'done',
    });
    await expect(invoke({ senderFrame: { url: 'https://evil.example/' } }, {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'unauthorized-sender' },
    });
    await expect(invoke({ senderFrame: null }, {})).resolves.toMatchObject({
      ok: false,
      error: { code: 'unauthorized-sender' },
    });

    expect(dispatched).toEqual([['connections.list', { a: 1 }]]);
    expect(refused).toEqual([
      ['connections.list', 'https://evil.example/'],
      ['connections.list', null],
    ]);
  });

  it('the returned function removes every handler', () => {
    const { ipcMain, handlers } = fakeIpcMain();
    const unregister = registerIpcHandlers(ipcMain, {
      appPageUrl: APP_PAGE,
      call: async () => ({ ok: true, value: null }),
    });
    expect(handlers.size).toBeGreaterThan(0);
    unregister();
    expect(handlers.size).toBe(0);
  });
});

describe('forwardEventsToRenderers', () => {
  it('sends each event on its channel to live windows only, and stops when unsubscribed', () => {
    const bus = createEventBus();
    const sent: [string, string, unknown][] = [];
    const target = (name: string, destroyed: boolean) => ({
      isDestroyed: () => destroyed,
      send: (channel: string, payload: unknown) => void sent.push([name, channel, payload]),
    });
    const stop = forwardEventsToRenderers(bus, () => [target('open', false), target('closed', true)]);
    bus.emit('connection.changed', { id: 'c1', change: 'deleted' });
    expect(sent).toEqual([['open', eventChannel('connection.changed'), { id: 'c1', change: 'deleted' }]]);
    stop();
    bus.emit('connection.changed', { id: 'c2', change: 'saved' });
    expect(sent).toHaveLength(1);
  });
});
