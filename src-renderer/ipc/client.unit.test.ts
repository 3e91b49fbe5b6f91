import { describe, expect, it, vi } from 'vitest';
import { createBridge, type IpcBridge } from '../../src-shared/ipc';
import { connectBridge } from './client';

const fakeWindow = (init: { mlConnector?: IpcBridge; search?: string }) =>
  ({
    mlConnector: init.mlConnector,
    location: { search: init.search ?? '', origin: 'http://127.0.0.1:5555' },
  }) as unknown as Window;

describe('connectBridge', () => {
  it('uses the Electron preload bridge when present', () => {
    const preload = createBridge(
      async () => ({ ok: true, value: null }),
      () => () => undefined,
    );
    expect(connectBridge(fakeWindow({ mlConnector: preload, search: '?token=ignored' }))).toBe(preload);
  });

  it('falls back to the browser host: same origin, token from the page URL sent as a header', async () => {
    const requests: [string, RequestInit | undefined][] = [];
    vi.stubGlobal('fetch', async (url: string, init?: RequestInit) => {
      requests.push([url, init]);
      return new Response(JSON.stringify({ ok: true, value: { fine: true } }), {
        headers: { 'content-type': 'application/json' },
      });
    });
    try {
      const bridge = connectBridge(fakeWindow({ search: '?token=abc' }));
      await expect(bridge['runs.list']({ limit: 5 })).resolves.toEqual({ ok: true, value: { fine: true } });
      expect(requests).toHaveLength(1);
      const [url, init] = requests[0]!;
      expect(url).toBe('http://127.0.0.1:5555/ipc/runs.list');
      expect(init?.method).toBe('POST');
      expect(init?.headers).toMatchObject({
        'x-ml-connector-token': 'abc',
        'content-type': 'application/json',
      });
      expect(init?.body).toBe('{"limit":5}');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('explains what to do when the page was opened without its token', () => {
    expect(() => connectBridge(fakeWindow({ search: '' }))).toThrow(
      /Open the exact URL that `ml-connector serve` printed/,
    );
  });
});
