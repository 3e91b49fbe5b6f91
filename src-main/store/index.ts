export {
  APPLICATION_ID,
  DATABASE_FILE_NAME,
  DatabaseFromNewerVersionError,
  DatabaseNeedsUpgradeError,
  NoDatabaseError,
  NotAnMlConnectorDatabaseError,
  openStore,
} from './db';
export type { OpenStoreOptions, Store } from './db';
export {
  APP_DATA_FOLDER_NAME,
  DATA_DIR_ENV,
  DataDirError,
  defaultDataDir,
  describeFileSystemProblem,
  resolveDataDir,
  type DataDirOptions,
} from './paths';
export { exportAuditCsv } from './audit-csv';
export { canonicalJson, sha256Hex } from './canonical-json';
export { SecretInStoreError } from './secret-guard';
export { CanonicalJson, type JsonInput } from './repos/json';
export {
  GENESIS_HASH,
  InvalidAuditEntryError,
  type AuditAppendInput,
  MAX_AUDIT_PAGE_SIZE,
  type AuditChainProblem,
  type AuditChainVerdict,
  type AuditPage,
  type AuditPageOptions,
} from './repos/audit';
export {
  CONNECTION_SYSTEMS,
  ConnectionNotFoundError,
  type Connection,
  type ConnectionChanges,
  type ConnectionMode,
  type ConnectionSettings,
  type ConnectionStatus,
  type ConnectionSystem,
  type NewConnection,
} from './repos/connections';
export type { Cursor } from './repos/cursors';
export type { FlowLease, LockHolder } from './repos/flow-locks';
export {
  DuplicateMappingKeyError,
  type MappingRow,
  type MappingSet,
  type MappingVersion,
} from './repos/mappings';
export {
  OutboxTransitionError,
  type NewOutboxIntent,
  type OutboxIntent,
  type OutboxStatus,
} from './repos/outbox';
export type { ParkInput, ParkedReasonGroup, ParkedRecord } from './repos/parked';
export {
  RunNotFoundError,
  type FinishedRunStatus,
  type Run,
  type RunCounts,
  type RunStatus,
  type RunTrigger,
} from './repos/runs';
export type { RecordedSnapshot, SourceSnapshot } from './repos/snapshots';
export type { TargetRecord, TargetRecordInput } from './repos/target-records';
