import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
// Deliberately not the ipc index: the preload needs the names and the bridge, not zod.
import { createBridge } from '../../src-shared/ipc/bridge';
import { eventChannel, methodChannel } from '../../src-shared/ipc/names';
import type { IpcResult } from '../../src-shared/ipc/result';

/**
 * Exposes `window.mlConnector`: one function per contract method (generated from the method
 * list) plus `on(event, listener)`. Nothing else of Electron or Node reaches the page.
 * Bundled to CommonJS (sandboxed preloads cannot be ES modules) by build/stage-electron-app.mjs.
 */
const bridge = createBridge(
  (method, request) => ipcRenderer.invoke(methodChannel(method), request) as Promise<IpcResult<unknown>>,
  (event, listener) => {
    const channel = eventChannel(event);
    const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
);

contextBridge.exposeInMainWorld('mlConnector', bridge);
