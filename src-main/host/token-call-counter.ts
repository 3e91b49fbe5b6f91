import type { TokenCallCounter } from '../auth/custody';
import type { Store } from '../store/db';

/** Token-endpoint calls per UTC day, kept in the connection's settings (shared by app and CLI). */
export function settingsCounter(store: Store, connectionId: string): TokenCallCounter {
  const read = (day: string): number => {
    const calls = store.connections.require(connectionId).settings['tokenCalls'] as { day?: string; count?: number } | undefined;
    return calls?.day === day ? (calls.count ?? 0) : 0;
  };
  return {
    get: read,
    increment: (day) => {
      const count = read(day) + 1;
      const c = store.connections.require(connectionId);
      store.connections.update(connectionId, { settings: { ...c.settings, tokenCalls: { day, count } } });
      return count;
    },
  };
}

