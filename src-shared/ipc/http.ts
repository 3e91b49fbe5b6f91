import type { IpcMethodName } from './names';

/**
 * Wire constants of the browser-host transport (src-main/host/browser-host.ts serves them,
 * src-renderer/ipc/client.ts calls them). Kept here so the two halves cannot drift apart.
 */
export const BROWSER_HOST_TOKEN_HEADER = 'x-ml-connector-token';
/** Query parameter that carries the token on the index page URL (and optionally on /events). */
export const BROWSER_HOST_TOKEN_PARAM = 'token';
export const BROWSER_HOST_EVENTS_PATH = '/events';
export const BROWSER_HOST_IPC_PREFIX = '/ipc/';
export const ipcHttpPath = (method: IpcMethodName): string => `${BROWSER_HOST_IPC_PREFIX}${method}`;
