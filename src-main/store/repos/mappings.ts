import type { Database, Statement, Transaction } from 'better-sqlite3';
import type { JsonValue } from '../../../src-shared/domain/audit';
import { canonicalJson } from '../canonical-json';
import { isoNow, type Clock } from './clock';
import { jsonColumn, parseJsonColumn } from './json';

/** A named mapping of one flow, e.g. F1 'cost-codes' (GL account + cost center -> cost code). */
export interface MappingSet {
  id: number;
  flow: string;
  name: string;
  description: string;
  createdAt: string;
}

/**
 * An immutable version of a set. `id` is unique across all sets: it is what audit entries and
 * parked records store as their mapping version. `version` counts 1, 2, 3… within the set.
 */
export interface MappingVersion {
  id: number;
  setId: number;
  version: number;
  note: string;
  createdAt: string;
  rowCount: number;
}

export interface MappingRow {
  /** E.g. {"glAccount":"4000","costCenter":"100"}; compared by canonical JSON. */
  sourceKey: JsonValue;
  target: JsonValue;
}

interface SetRecord {
  id: number;
  flow: string;
  name: string;
  description: string;
  created_at: string;
}

interface VersionRecord {
  id: number;
  set_id: number;
  version: number;
  note: string;
  created_at: string;
  row_count: number;
}

export class DuplicateMappingKeyError extends Error {
  override readonly name = 'DuplicateMappingKeyError';
  constructor(readonly sourceKey: string) {
    super(
      `The mapping lists source ${sourceKey} more than once; each source value may map to one target only.`,
    );
  }
}

const VERSION_COLUMNS = `v.id, v.set_id, v.version, v.note, v.created_at,
  (SELECT count(*) FROM mapping_rows r WHERE r.version_id = v.id) AS row_count`;

export class MappingsRepo {
  private readonly insertSet: Statement<[string, string, string, string]>;
  private readonly setByName: Statement<[string, string], SetRecord>;
  private readonly allSets: Statement<[], SetRecord>;
  private readonly setsOfFlow: Statement<[string], SetRecord>;
  private readonly insertVersion: Statement<[number, number, string, string]>;
  private readonly insertRow: Statement<[number, string, string]>;
  private readonly latestVersion: Statement<[number], VersionRecord>;
  private readonly versionByNumber: Statement<[number, number], VersionRecord>;
  private readonly versionById: Statement<[number], VersionRecord>;
  private readonly versionsOfSet: Statement<[number], VersionRecord>;
  private readonly rowsOfVersion: Statement<[number], { source_key: string; target: string }>;
  private readonly rowByKey: Statement<[number, string], { target: string }>;
  private readonly createVersionTransaction: Transaction<
    (setId: number, rows: readonly MappingRow[], note: string) => number
  >;

  constructor(
    private readonly db: Database,
    private readonly now: Clock,
  ) {
    this.insertSet = db.prepare(
      'INSERT INTO mapping_sets (flow, name, description, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (flow, name) DO NOTHING',
    );
    this.setByName = db.prepare('SELECT * FROM mapping_sets WHERE flow = ? AND name = ?');
    this.allSets = db.prepare('SELECT * FROM mapping_sets ORDER BY flow, name');
    this.setsOfFlow = db.prepare('SELECT * FROM mapping_sets WHERE flow = ? ORDER BY name');
    this.insertVersion = db.prepare(
      'INSERT INTO mapping_versions (set_id, version, note, created_at) VALUES (?, ?, ?, ?)',
    );
    this.insertRow = db.prepare('INSERT INTO mapping_rows (version_id, source_key, target) VALUES (?, ?, ?)');
    this.latestVersion = db.prepare(
      `SELECT ${VERSION_COLUMNS} FROM mapping_versions v WHERE v.set_id = ? ORDER BY v.version DESC LIMIT 1`,
    );
    this.versionByNumber = db.prepare(
      `SELECT ${VERSION_COLUMNS} FROM mapping_versions v WHERE v.set_id = ? AND v.version = ?`,
    );
    this.versionById = db.prepare(`SELECT ${VERSION_COLUMNS} FROM mapping_versions v WHERE v.id = ?`);
    this.versionsOfSet = db.prepare(
      `SELECT ${VERSION_COLUMNS} FROM mapping_versions v WHERE v.set_id = ? ORDER BY v.version DESC`,
    );
    this.rowsOfVersion = db.prepare(
      'SELECT source_key, target FROM mapping_rows WHERE version_id = ? ORDER BY source_key',
    );
    this.rowByKey = db.prepare('SELECT target FROM mapping_rows WHERE version_id = ? AND source_key = ?');

    this.createVersionTransaction = db.transaction(
      (setId: number, rows: readonly MappingRow[], note: string) => {
        const next = (this.latestVersion.get(setId)?.version ?? 0) + 1;
        const versionId = Number(this.insertVersion.run(setId, next, note, isoNow(this.now)).lastInsertRowid);
        for (const [sourceKey, target] of keyedRows(rows)) this.insertRow.run(versionId, sourceKey, target);
        return versionId;
      },
    );
  }

  /** Returns the set, creating it on first use. */
  ensureSet(flow: string, name: string, description = ''): MappingSet {
    this.insertSet.run(flow, name, description, isoNow(this.now));
    return toSet(this.setByName.get(flow, name)!);
  }

  getSet(flow: string, name: string): MappingSet | undefined {
    const record = this.setByName.get(flow, name);
    return record && toSet(record);
  }

  listSets(flow?: string): MappingSet[] {
    return (flow === undefined ? this.allSets.all() : this.setsOfFlow.all(flow)).map(toSet);
  }

  /** Saves the complete new contents of a set as its next version (earlier versions stay as they were). */
  createVersion(setId: number, rows: readonly MappingRow[], note = ''): MappingVersion {
    const versionId = this.createVersionTransaction.immediate(setId, rows, note);
    return toVersion(this.versionById.get(versionId)!);
  }

  currentVersion(setId: number): MappingVersion | undefined {
    const record = this.latestVersion.get(setId);
    return record && toVersion(record);
  }

  getVersion(setId: number, version: number): MappingVersion | undefined {
    const record = this.versionByNumber.get(setId, version);
    return record && toVersion(record);
  }

  getVersionById(versionId: number): MappingVersion | undefined {
    const record = this.versionById.get(versionId);
    return record && toVersion(record);
  }

  /**
   * The set's version that was current when `versionId` (of any set) was the newest version
   * stored: version ids grow across all sets, so a run's mapping version (the highest id it
   * used) names one version of every set. Undefined when the set had no version then.
   */
  versionCurrentAt(setId: number, versionId: number): MappingVersion | undefined {
    this.versionAtOrBefore ??= this.db.prepare(
      `SELECT ${VERSION_COLUMNS} FROM mapping_versions v WHERE v.set_id = ? AND v.id <= ? ORDER BY v.id DESC LIMIT 1`,
    );
    const record = this.versionAtOrBefore.get(setId, versionId);
    return record && toVersion(record);
  }

  private versionAtOrBefore?: Statement<[number, number], VersionRecord>;

  /** Newest first. */
  listVersions(setId: number): MappingVersion[] {
    return this.versionsOfSet.all(setId).map(toVersion);
  }

  rows(versionId: number): MappingRow[] {
    return this.rowsOfVersion.all(versionId).map((record) => ({
      sourceKey: parseJsonColumn(record.source_key),
      target: parseJsonColumn(record.target),
    }));
  }

  /** The target for a source key in one version, or undefined when the key is not mapped. */
  lookup(versionId: number, sourceKey: JsonValue): JsonValue | undefined {
    const record = this.rowByKey.get(versionId, canonicalJson(sourceKey));
    return record && parseJsonColumn(record.target);
  }
}

function keyedRows(rows: readonly MappingRow[]): Map<string, string> {
  const byKey = new Map<string, string>();
  for (const row of rows) {
    const key = jsonColumn(row.sourceKey, 'mapping source key');
    if (byKey.has(key)) throw new DuplicateMappingKeyError(key);
    byKey.set(key, jsonColumn(row.target, `mapping target for ${key}`));
  }
  return byKey;
}

function toSet(record: SetRecord): MappingSet {
  return {
    id: record.id,
    flow: record.flow,
    name: record.name,
    description: record.description,
    createdAt: record.created_at,
  };
}

function toVersion(record: VersionRecord): MappingVersion {
  return {
    id: record.id,
    setId: record.set_id,
    version: record.version,
    note: record.note,
    createdAt: record.created_at,
    rowCount: record.row_count,
  };
}
