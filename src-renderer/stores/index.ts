import type { IpcBridge } from '../../src-shared/ipc';
import { createAuditStore } from './audit-store';
import { createCatalogStore } from './catalog-store';
import { createConnectionsStore } from './connections-store';
import { createCounterpartyStore } from './counterparty-store';
import { createDashboardStore } from './dashboard-store';
import { createMappingsStore } from './mappings-store';
import { createParkedStore } from './parked-store';
import { createReconcileStore } from './reconcile-store';

/** One store per screen, all talking to the same bridge (created once per window). */
export function createAppStores(bridge: IpcBridge) {
  const catalog = createCatalogStore(bridge);
  const stores = {
    bridge,
    catalog,
    audit: createAuditStore(bridge),
    parked: createParkedStore(bridge),
    mappings: createMappingsStore(bridge, catalog),
    dashboard: createDashboardStore(bridge),
    connections: createConnectionsStore(bridge),
    counterparty: createCounterpartyStore(bridge),
    reconcile: createReconcileStore(bridge),
  };
  return stores;
}

export type AppStores = ReturnType<typeof createAppStores>;

/** Live updates from main: progress of runs, and connection changes made elsewhere (tray, CLI). */
export function subscribeToEvents(stores: AppStores): () => void {
  const offProgress = stores.bridge.on('run.progress', (progress) =>
    stores.dashboard.getState().onProgress(progress),
  );
  const offConnections = stores.bridge.on(
    'connection.changed',
    () => void stores.connections.getState().load(),
  );
  const offSignin = stores.bridge.on('connection.signin', (outcome) =>
    stores.connections.getState().onSignin(outcome),
  );
  return () => {
    offProgress();
    offConnections();
    offSignin();
  };
}
