import { BrowserWindow, ipcMain } from 'electron';
import type { IpcMethodName } from '../../src-shared/ipc';
import type { AppContext } from '../host/context';
import { dispatch } from '../host/handlers';
import { forwardEventsToRenderers, registerIpcHandlers } from '../host/ipc-registration';

/**
 * ipcMain.handle for every contract method (sender checked before dispatch) and event
 * forwarding to every window. Returns a function that undoes both (used at quit).
 */
export function registerIpc(ctx: AppContext, appPageUrl: string): () => void {
  const unregister = registerIpcHandlers(ipcMain, {
    call: (method, request) => dispatch(method, request, ctx),
    appPageUrl,
    onRefusedSender: (method: IpcMethodName, senderUrl) =>
      ctx.log.warn('refused IPC call from an untrusted frame', { method, senderUrl }),
  });
  const stopForwarding = forwardEventsToRenderers(ctx.events, () =>
    BrowserWindow.getAllWindows().map((w) => w.webContents),
  );
  return () => {
    stopForwarding();
    unregister();
  };
}
