import { createServer } from 'node:net';
import { expect } from 'vitest';
import type { IpcEventPayload } from '../../src-shared/ipc';
import type { AppContext } from '../../src-main/host/context';

/** A port nothing listens on now (for a loopback redirect URI). */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** The system browser at a simulator's consent page, which approves at once: where it is sent next. */
export async function approve(authorizationUrl: string): Promise<string> {
  const approved = await fetch(authorizationUrl, { redirect: 'manual' });
  expect(approved.status).toBe(302);
  return approved.headers.get('location')!;
}

/** The 'connection.signin' and 'connection.changed' events of a context, as they arrive. */
export function signinEvents(ctx: AppContext) {
  const signins: IpcEventPayload<'connection.signin'>[] = [];
  const changed: string[] = [];
  ctx.events.subscribe((message) => {
    if (message.event === 'connection.signin') signins.push(message.payload);
    if (message.event === 'connection.changed') changed.push(message.payload.id);
  });
  return {
    signins,
    changed,
    /** The `count`th sign-in outcome, once it has arrived. */
    async nth(count: number): Promise<IpcEventPayload<'connection.signin'>> {
      await expect.poll(() => signins.length, { timeout: 10_000 }).toBe(count);
      return signins[count - 1]!;
    },
  };
}
