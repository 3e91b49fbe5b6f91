import { afterAll, beforeAll } from 'vitest';

/**
 * Collects every unhandled promise rejection while the calling file's (or describe's) tests run:
 * registers the listener in a beforeAll and removes it in an afterAll. Tests assert the returned
 * list is still empty.
 */
export function trackUnhandledRejections(): readonly unknown[] {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeAll(() => {
    process.on('unhandledRejection', onUnhandled);
  });
  afterAll(() => {
    process.off('unhandledRejection', onUnhandled);
  });
  return unhandled;
}
