import {
  BROWSER_HOST_EVENTS_PATH,
  BROWSER_HOST_TOKEN_HEADER,
  BROWSER_HOST_TOKEN_PARAM,
  createBridge,
  fail,
  ipcHttpPath,
  isIpcErrorCode,
  type IpcBridge,
  type IpcEventName,
  type IpcResult,
} from '../../src-shared/ipc';

declare global {
  interface Window {
    /** Set by the Electron preload (src-main/electron/preload.ts); absent in the browser host. */
    mlConnector?: IpcBridge;
  }
}

/**
 * The renderer's one way to reach the app: `window.mlConnector` under Electron, otherwise the
 * browser host over HTTP + server-sent events with the token from the page URL.
 */
export function connectBridge(win: Window = window): IpcBridge {
  if (win.mlConnector) return win.mlConnector;
  const token = new URLSearchParams(win.location.search).get(BROWSER_HOST_TOKEN_PARAM);
  if (!token) {
    throw new Error(
      'This page was opened without its access token. Open the exact URL that `ml-connector serve` printed.',
    );
  }
  return createHttpBridge({ baseUrl: win.location.origin, token });
}

export interface HttpBridgeOptions {
  /** Origin of the browser host, e.g. http://127.0.0.1:4173 */
  baseUrl: string;
  token: string;
  fetch?: typeof fetch;
  /** Wait before reconnecting a dropped event stream. */
  reconnectDelayMs?: number;
}

/** The browser-host transport. Exported separately so it can be tested against the real server. */
export function createHttpBridge(options: HttpBridgeOptions): IpcBridge {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const headers = { [BROWSER_HOST_TOKEN_HEADER]: options.token };
  const events = createEventStream(
    doFetch,
    `${options.baseUrl}${BROWSER_HOST_EVENTS_PATH}`,
    headers,
    options.reconnectDelayMs ?? 1_000,
  );

  return createBridge(async (method, request) => {
    let response: Response;
    try {
      response = await doFetch(`${options.baseUrl}${ipcHttpPath(method)}`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: request === undefined ? '' : JSON.stringify(request),
      });
    } catch {
      return fail('unavailable', 'The app is not reachable. Is `ml-connector serve` still running?');
    }
    return readEnvelope(response);
  }, events.subscribe);
}

async function readEnvelope(response: Response): Promise<IpcResult<unknown>> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return fail('unavailable', `The app answered with HTTP ${response.status} and no readable result.`);
  }
  if (isEnvelope(body)) return body;
  return fail('internal', `The app answered with HTTP ${response.status} and an unexpected body.`);
}

function isEnvelope(body: unknown): body is IpcResult<unknown> {
  if (typeof body !== 'object' || body === null || !('ok' in body)) return false;
  if (body.ok === true) return 'value' in body;
  if (body.ok !== false || !('error' in body)) return false;
  const error = body.error;
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    isIpcErrorCode(error.code) &&
    'message' in error
  );
}

type Listener = (payload: unknown) => void;

/**
 * One server-sent-events connection shared by all listeners, opened with the first and closed
 * with the last. Read with fetch (not EventSource) so the token travels in a header, not in a
 * URL that could end up in a log.
 */
function createEventStream(
  doFetch: typeof fetch,
  url: string,
  headers: Record<string, string>,
  reconnectDelayMs: number,
) {
  const listeners = new Map<IpcEventName, Set<Listener>>();
  let abort: AbortController | null = null;

  const deliver = (event: string, data: string) => {
    const forEvent = listeners.get(event as IpcEventName);
    if (!forEvent) return;
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      return; // Not ours to interpret: the server only sends JSON data lines.
    }
    for (const listener of [...forEvent]) listener(payload);
  };

  const run = async (controller: AbortController) => {
    while (!controller.signal.aborted) {
      try {
        const response = await doFetch(url, { headers, signal: controller.signal });
        if (response.ok && response.body) await readSse(response.body, deliver);
      } catch {
        // Dropped connection or abort: fall through to the reconnect wait.
      }
      if (controller.signal.aborted) return;
      await new Promise((resolveWait) => setTimeout(resolveWait, reconnectDelayMs));
    }
  };

  const subscribe = (event: IpcEventName, listener: Listener) => {
    const forEvent = listeners.get(event) ?? new Set<Listener>();
    forEvent.add(listener);
    listeners.set(event, forEvent);
    if (!abort) {
      abort = new AbortController();
      void run(abort);
    }
    return () => {
      forEvent.delete(listener);
      if (forEvent.size === 0) listeners.delete(event);
      if (listeners.size === 0 && abort) {
        abort.abort();
        abort = null;
      }
    };
  };

  return { subscribe };
}

/** Minimal text/event-stream reader: `event:` + `data:` lines, blank line ends a message. */
async function readSse(
  body: ReadableStream<Uint8Array>,
  deliver: (event: string, data: string) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let boundary = buffer.indexOf('\n\n');
    while (boundary !== -1) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
      }
      if (data.length > 0) deliver(event, data.join('\n'));
      boundary = buffer.indexOf('\n\n');
    }
  }
}
