/**
 * The method and event names of the IPC contract, kept free of zod so the Electron preload
 * (and anything else that only needs the names) stays small. contract.ts checks at compile
 * time that its schema map has exactly these keys.
 */
export const IPC_METHOD_NAMES = [
  'app.status',
  'connections.list',
  'connections.save',
  'connections.delete',
  'runs.list',
  'audit.query',
  'audit.verify',
  'parked.list',
  'audit.get',
  'audit.exportCsv',
  'parked.groups',
  'parked.retry',
  'mappings.get',
  'mappings.save',
  'mappings.exportCsv',
  'mappings.importCsv',
  'mappings.suggestVendors',
  'flows.catalog',
  'flows.overview',
  'reconcile.run',
  'reconcile.exportCsv',
  'sync.start',
  'replay.audit',
  'connections.connectExact',
  'connections.connectMonday',
  'connections.completeSignIn',
  'connections.cancelSignIn',
  'connections.connectProcore',
  'connections.connect',
  'connections.test',
  'schedules.get',
  'schedules.save',
  'money.summary',
  'mappings.previewImport',
  'mappings.reference',
  'mappings.previewCounterparty',
  'mappings.createCounterparty',
] as const;

export type IpcMethodName = (typeof IPC_METHOD_NAMES)[number];

export const IPC_EVENT_NAMES = ['connection.changed', 'run.progress', 'connection.signin'] as const;

export type IpcEventName = (typeof IPC_EVENT_NAMES)[number];

export function isIpcMethodName(value: unknown): value is IpcMethodName {
  return typeof value === 'string' && (IPC_METHOD_NAMES as readonly string[]).includes(value);
}

export function isIpcEventName(value: unknown): value is IpcEventName {
  return typeof value === 'string' && (IPC_EVENT_NAMES as readonly string[]).includes(value);
}

/** Electron channel names: a prefix keeps app channels apart from anything Electron uses. */
export const methodChannel = (method: IpcMethodName): string => `ml-connector:invoke:${method}`;
export const eventChannel = (event: IpcEventName): string => `ml-connector:event:${event}`;
