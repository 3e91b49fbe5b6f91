import {
  eventChannel,
  fail,
  IPC_METHOD_NAMES,
  methodChannel,
  type IpcMethodName,
  type IpcResult,
} from '../../src-shared/ipc';
import type { AnyIpcEvent, EventBus } from './event-bus';
import { isTrustedSender } from './security-policy';

/**
 * The Electron IPC wiring, written against the few members of ipcMain / webContents it uses so
 * it runs (and is tested) under plain Node. src-main/electron/ipc.ts passes the real objects.
 */
export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, request: unknown) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface InvokeEventLike {
  /** Electron: null once the frame has navigated away or been destroyed. */
  senderFrame: { url: string } | null;
}

export interface RendererTarget {
  isDestroyed(): boolean;
  send(channel: string, payload: unknown): void;
}

export interface IpcRegistrationOptions {
  call(method: IpcMethodName, rawRequest: unknown): Promise<IpcResult<unknown>>;
  /** file:// URL of the app's index.html: the only page allowed to call. */
  appPageUrl: string;
  /** Told about refused senders (for the log; the URL is not secret). */
  onRefusedSender?(method: IpcMethodName, senderUrl: string | null): void;
}

/** Registers one handler per contract method; returns a function that removes them all. */
export function registerIpcHandlers(ipcMain: IpcMainLike, options: IpcRegistrationOptions): () => void {
  for (const method of IPC_METHOD_NAMES) {
    ipcMain.handle(methodChannel(method), async (event, request) => {
      const senderUrl = event.senderFrame?.url ?? null;
      if (!isTrustedSender(senderUrl, options.appPageUrl)) {
        options.onRefusedSender?.(method, senderUrl);
        return fail('unauthorized-sender', 'This call did not come from the ml-connector window.');
      }
      return options.call(method, request);
    });
  }
  return () => {
    for (const method of IPC_METHOD_NAMES) ipcMain.removeHandler(methodChannel(method));
  };
}

/** Forwards every bus event to the live renderer windows; returns the unsubscribe. */
export function forwardEventsToRenderers(
  events: EventBus,
  targets: () => readonly RendererTarget[],
): () => void {
  return events.subscribe((message: AnyIpcEvent) => {
    for (const target of targets()) {
      if (!target.isDestroyed()) target.send(eventChannel(message.event), message.payload);
    }
  });
}
