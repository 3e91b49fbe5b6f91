import type { SimStore } from '../_common/sim-store';
import { ERR, fail } from './errors';
import type { IntacctRecord, ObjectSchema, ObjectTable } from './objects';
import { intacctTimestamp } from './values';

/**
 * The company behind the gateway: its object tables and settings, and the rules every
 * document shares (entity scope, dimension values on lines). The function modules (bills,
 * payments, GL batches, purchasing, vendors, reads) all work through it.
 */
export interface CompanySettings {
  currency: string;
  /** Multi-entity company: a top-level session must give LOCATIONID on every line (2.6). */
  multiEntity: boolean;
  readByQueryMaxPageSize: number;
  queryMaxPageSize: number;
  resultIdTtlMs: number;
}

/** Who runs a function: the owner of readByQuery result sets and the session's entity. */
export interface Caller {
  /** `${userid}@${companyid}`. */
  owner: string;
  /** LOCATIONID of an entity session (login or getAPISession with locationid); '' = top level. */
  entity: string;
}

/** A line dimension: the line field, the object it names, and the line fields scoping its id
 * (PROJECTID and TASKID carry the same names on every kind of line). */
interface Dimension {
  field: string;
  object: string;
  scope: string[];
}

/** Dimension fields of AP bill and purchasing lines (fact sheet 2.6, XSD `lineitem`). */
export const LINE_DIMENSIONS: readonly Dimension[] = [
  { field: 'LOCATIONID', object: 'LOCATION', scope: [] },
  { field: 'DEPARTMENTID', object: 'DEPARTMENT', scope: [] },
  { field: 'PROJECTID', object: 'PROJECT', scope: [] },
  { field: 'TASKID', object: 'TASK', scope: ['PROJECTID'] },
  { field: 'COSTTYPEID', object: 'COSTTYPE', scope: ['PROJECTID', 'TASKID'] },
  { field: 'CUSTOMERID', object: 'CUSTOMER', scope: [] },
  { field: 'VENDORID', object: 'VENDOR', scope: [] },
  { field: 'EMPLOYEEID', object: 'EMPLOYEE', scope: [] },
  { field: 'ITEMID', object: 'ITEM', scope: [] },
  { field: 'CLASSID', object: 'CLASS', scope: [] },
  { field: 'CONTRACTID', object: 'CONTRACT', scope: [] },
  { field: 'WAREHOUSEID', object: 'WAREHOUSE', scope: [] },
];

/** GLENTRY names location and department LOCATION / DEPARTMENT (fact sheet 2.7). */
export const GL_ENTRY_DIMENSIONS: readonly Dimension[] = LINE_DIMENSIONS.map((d) =>
  d.field === 'LOCATIONID' ? { ...d, field: 'LOCATION' } : d.field === 'DEPARTMENTID' ? { ...d, field: 'DEPARTMENT' } : d,
);

export class IntacctCompany {
  constructor(
    readonly store: SimStore,
    readonly tables: Record<string, ObjectTable>,
    readonly settings: CompanySettings,
    private readonly clock: () => number,
  ) {}

  now(): number {
    return this.clock();
  }

  stamp(): string {
    return intacctTimestamp(this.clock());
  }

  table(objectName: string): ObjectTable {
    const table = this.tables[objectName.toUpperCase()];
    if (!table) {
      throw fail(ERR.QUERY, 'Query Failed', `Object definition ${objectName} not found. This sandbox serves: ${Object.keys(this.tables).join(', ')}.`);
    }
    return table;
  }

  /** An entity session sees the transactions of its own entity; top level sees all. */
  visible(schema: ObjectSchema, record: IntacctRecord, caller: Caller): boolean {
    return !schema.entityScoped || caller.entity === '' || record.fields.MEGAENTITYID === caller.entity;
  }

  /** MEGAENTITYID / MEGAENTITYNAME of a new transaction written by `caller`. */
  entityFields(caller: Caller): Record<string, string> {
    const location = caller.entity ? this.tables.LOCATION?.byBusinessId(caller.entity) : undefined;
    return { MEGAENTITYID: caller.entity, MEGAENTITYNAME: location?.fields.NAME ?? '' };
  }

  /** An active master record, or the problem with it ("Invalid …" / "… is inactive"). */
  activeRecord(object: string, label: string, id: string, ...scope: string[]): { record: IntacctRecord } | { problem: string } {
    const record = this.tables[object]?.byBusinessId(id, ...scope);
    const where = scope.length > 0 ? ` in ${scope.join(' / ')}` : '';
    if (!record) return { problem: `Invalid ${label} '${id}'${where} specified.` };
    if (record.fields.STATUS === 'inactive') return { problem: `${label} '${id}'${where} is inactive and cannot be used in a new transaction.` };
    return { record };
  }

  /** GL account on a line: must exist and be active. */
  checkAccount(accountNo: string, at: string, problem: (m: string) => void): void {
    const found = this.activeRecord('GLACCOUNT', 'GL account', accountNo);
    if ('problem' in found) problem(`${at} ${found.problem}`);
  }

  /**
   * Every dimension value on a line must exist and be active (TASKID within its PROJECTID,
   * COSTTYPEID within PROJECTID + TASKID). An entity session fills an empty location with its
   * entity and refuses another one; a multi-entity company at top level needs a location.
   */
  checkLineDimensions(line: Record<string, string>, dimensions: readonly Dimension[], at: string, caller: Caller, problem: (m: string) => void): void {
    const locationField = dimensions[0]?.field ?? 'LOCATIONID';
    if (caller.entity) {
      line[locationField] ||= caller.entity;
      if (line[locationField] !== caller.entity) problem(`${at} ${locationField} '${line[locationField] ?? ''}' is outside the entity '${caller.entity}' this session is signed in to.`);
    } else if (this.settings.multiEntity && !line[locationField]) {
      problem(`${at} ${locationField} is required in a multi-entity company.`);
    }
    for (const { field, object, scope } of dimensions) {
      const id = line[field];
      if (!id) continue;
      const scopeValues = scope.map((s) => line[s] ?? '');
      if (scopeValues.some((v) => v === '')) {
        problem(`${at} ${field} needs ${scope.join(' and ')} on the same line.`);
        continue;
      }
      const found = this.activeRecord(object, this.tables[object]?.schema.label ?? object, id, ...scopeValues);
      if ('problem' in found) problem(`${at} ${found.problem}`);
    }
  }
}
