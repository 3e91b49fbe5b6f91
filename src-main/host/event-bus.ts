import type { IpcEventName, IpcEventPayload } from '../../src-shared/ipc';

export type AnyIpcEvent = { [E in IpcEventName]: { event: E; payload: IpcEventPayload<E> } }[IpcEventName];

/**
 * Main-side fan-out of IPC events. Handlers and (later) the engine emit; each transport
 * (Electron webContents, browser-host SSE) subscribes once and forwards everything.
 */
export interface EventBus {
  emit<E extends IpcEventName>(event: E, payload: IpcEventPayload<E>): void;
  /** Returns an unsubscribe function. */
  subscribe(listener: (message: AnyIpcEvent) => void): () => void;
}

export function createEventBus(onListenerError: (error: unknown) => void = () => undefined): EventBus {
  const listeners = new Set<(message: AnyIpcEvent) => void>();
  return {
    emit(event, payload) {
      const message = { event, payload } as AnyIpcEvent;
      for (const listener of [...listeners]) {
        // One broken transport (a closed window, a dropped SSE socket) must not stop the others.
        try {
          listener(message);
        } catch (error) {
          onListenerError(error);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
