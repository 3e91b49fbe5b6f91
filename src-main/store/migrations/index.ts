import type { Migration } from './migration';
import { migration0001 } from './0001-initial-schema';
import { migration0002 } from './0002-audit-log';
import { migration0003 } from './0003-target-records';
import { migration0004 } from './0004-settings';
import { migration0005 } from './0005-audit-search';
import { migration0006 } from './0006-flow-locks';
import { migration0007 } from './0007-record-labels';
import { migration0008 } from './0008-connection-secret-refused';

/** Every migration, in order. Versions are 1..n without gaps (checked when the store opens). */
export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004, migration0005, migration0006, migration0007, migration0008];

export type { Migration } from './migration';
