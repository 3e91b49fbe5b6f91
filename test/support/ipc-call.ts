import type { IpcError, IpcMethodName, IpcRequestInput, IpcResponse } from '../../src-shared/ipc';
import type { AppContext } from '../../src-main/host/context';
import { dispatch } from '../../src-main/host/handlers';

/** Contract methods called the way the renderer calls them (`dispatch`), unwrapped for tests. */
export function ipcOn(ctx: AppContext) {
  return {
    /** The answer of a call that must succeed. */
    async value<M extends IpcMethodName>(method: M, request: IpcRequestInput<M>): Promise<IpcResponse<M>> {
      const result = await dispatch(method, request, ctx);
      if (result.ok) return result.value as IpcResponse<M>;
      throw new Error(`${method}: ${result.error.code}: ${result.error.message}`);
    },
    /** The error of a call that must fail. */
    async error(method: IpcMethodName, request: unknown): Promise<IpcError> {
      const result = await dispatch(method, request, ctx);
      if (!result.ok) return result.error;
      throw new Error(`${method} succeeded where it should fail: ${JSON.stringify(result.value)}`);
    },
  };
}
