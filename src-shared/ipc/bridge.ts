import type { IpcEventPayload, IpcRequestInput, IpcResponse } from './contract';
import { IPC_METHOD_NAMES, type IpcEventName, type IpcMethodName } from './names';
import type { IpcResult } from './result';

/** Transport half that carries one call (Electron ipcRenderer.invoke, or HTTP POST). */
export type IpcInvoke = (method: IpcMethodName, request: unknown) => Promise<IpcResult<unknown>>;
/** Transport half that delivers events (ipcRenderer.on, or server-sent events). Returns an unsubscribe. */
export type IpcSubscribe = (event: IpcEventName, listener: (payload: unknown) => void) => () => void;

type MethodFn<M extends IpcMethodName> =
  undefined extends IpcRequestInput<M>
    ? (request?: IpcRequestInput<M>) => Promise<IpcResult<IpcResponse<M>>>
    : (request: IpcRequestInput<M>) => Promise<IpcResult<IpcResponse<M>>>;

/**
 * What the renderer sees as `window.mlConnector` (Electron) or gets from the browser-host
 * client: one function per contract method, keyed by the method name, plus `on` for events.
 */
export type IpcBridge = { readonly [M in IpcMethodName]: MethodFn<M> } & {
  on<E extends IpcEventName>(event: E, listener: (payload: IpcEventPayload<E>) => void): () => void;
};

/**
 * Builds the bridge from the method list, so a method added to the contract appears in the
 * preload and in the browser client with no hand-written wrapper. The request is passed through
 * unvalidated: main validates it (the renderer is not trusted).
 */
export function createBridge(invoke: IpcInvoke, subscribe: IpcSubscribe): IpcBridge {
  const bridge: Record<string, unknown> = {};
  for (const method of IPC_METHOD_NAMES) {
    bridge[method] = (request?: unknown) => invoke(method, request);
  }
  bridge['on'] = (event: IpcEventName, listener: (payload: unknown) => void) => subscribe(event, listener);
  // One cast at the boundary: the loop above builds exactly the mapped type (checked in tests).
  return Object.freeze(bridge) as unknown as IpcBridge;
}
