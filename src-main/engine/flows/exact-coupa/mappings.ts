import type { JsonValue } from '../../../../src-shared/domain/audit';
import type { MappingSetDefinition } from '../../../../src-shared/ipc/mapping-sets';
import type { World } from '../../../sandbox/seed/world-types';
import type { Store } from '../../../store/db';
import { parsePolicy, SETTING_NAMES, settingRowsOf } from './policy';
import { DEFAULT_POLICY, F5_FLOW, f5Key, type AccountMapping, type F5Mappings } from './model';
import { currentMappingTables, InvalidMappingError } from '../shared/mapping-tables';
export { InvalidMappingError } from '../shared/mapping-tables';

export const F5_MAPPING_SETS = {
  settings: 'settings',
  accounts: 'accounts',
  suppliers: 'supplier-links',
  remitTos: 'remit-tos',
  creditNotes: 'credit-notes',
} as const;

/** The lists behind F5's pickers (FlowRuntime.referenceData; reference.ts reads them). */
export const F5_REFERENCE_LISTS = {
  exactGlAccounts: 'exact-gl-accounts',
  exactCostCenters: 'exact-cost-centers',
  exactSuppliers: 'exact-suppliers',
  coupaSuppliers: 'coupa-suppliers',
  coupaRemitTos: 'coupa-remit-tos',
  coupaGlSegments: 'coupa-gl-segments',
  coupaCostCenterSegments: 'coupa-cost-center-segments',
  /** GL + cost-center segment pairs: the accounts of the chart (the row check of the accounts table). */
  coupaAccounts: 'coupa-accounts',
  settings: 'f5-settings',
} as const;

const pick = (list: string, system: 'exact-online' | 'coupa') => ({ reference: { list, system } });
const exactSupplier = { name: 'supplierCode', label: 'Exact supplier code', ...pick(F5_REFERENCE_LISTS.exactSuppliers, 'exact-online') };

/** The tables a finance team maintains for F5, as the Mappings screen and CSV files show them. */
export const F5_MAPPING_SET_DEFINITIONS: readonly MappingSetDefinition[] = [
  {
    flow: F5_FLOW,
    set: F5_MAPPING_SETS.accounts,
    title: 'Coupa accounts',
    description: 'GL account + cost center → Coupa account (its GL and cost-center segments in the chart of accounts)',
    keyPrefix: 'account',
    sourceFields: [
      { name: 'glAccountCode', label: 'GL account', ...pick(F5_REFERENCE_LISTS.exactGlAccounts, 'exact-online') },
      { name: 'costCenterCode', label: 'Cost center (empty = none)', optional: true, ...pick(F5_REFERENCE_LISTS.exactCostCenters, 'exact-online') },
    ],
    // Picked from the accounts of the configured chart (Coupa's Accounts API); the segment values are what is stored.
    targetFields: [
      { name: 'coupaGlAccount', label: 'Coupa GL segment', ...pick(F5_REFERENCE_LISTS.coupaGlSegments, 'coupa') },
      { name: 'coupaCostCenter', label: 'Coupa cost-center segment ("none" = none)', ...pick(F5_REFERENCE_LISTS.coupaCostCenterSegments, 'coupa') },
    ],
    // Each segment may exist while the pair does not: Coupa takes a line only for an active account of the chart.
    rowReference: { list: F5_REFERENCE_LISTS.coupaAccounts, system: 'coupa', fields: ['coupaGlAccount', 'coupaCostCenter'], noun: 'account', joiner: '-', emptyValue: 'none' },
  },
  {
    flow: F5_FLOW,
    set: F5_MAPPING_SETS.suppliers,
    title: 'Supplier links',
    description: 'Exact Online supplier → Coupa supplier number (only where they differ, or to confirm a supplier Coupa has under the same name)',
    keyPrefix: 'supplier',
    sourceFields: [exactSupplier],
    targetFields: [{ name: 'coupaSupplierNumber', label: 'Coupa supplier number', ...pick(F5_REFERENCE_LISTS.coupaSuppliers, 'coupa') }],
    suggestsCounterpartyLinks: true,
    counterpartyNouns: { source: 'supplier', target: 'supplier' },
  },
  {
    flow: F5_FLOW,
    set: F5_MAPPING_SETS.settings,
    title: 'Coupa settings',
    description: `Chart of accounts, PO numbers, ship-to and bill-to, issuing, cancellations, supplier alignment (settings: ${SETTING_NAMES.join(', ')})`,
    keyPrefix: 'setting',
    sourceFields: [{ name: 'setting', label: 'Setting', ...pick(F5_REFERENCE_LISTS.settings, 'coupa') }],
    targetFields: [{ name: 'value', label: 'Value' }],
  },
  {
    flow: F5_FLOW,
    set: F5_MAPPING_SETS.remitTos,
    title: 'Remit-to addresses',
    description: 'Exact Online supplier → the Coupa remit-to code its invoices use (needed when Coupa has several)',
    keyPrefix: 'remit-to',
    sourceFields: [exactSupplier],
    targetFields: [{ name: 'remitToCode', label: 'Coupa remit-to code', ...pick(F5_REFERENCE_LISTS.coupaRemitTos, 'coupa') }],
  },
  {
    flow: F5_FLOW,
    set: F5_MAPPING_SETS.creditNotes,
    title: 'Credit notes',
    description: 'Exact purchase credit note → the invoice it corrects (Exact does not record it)',
    keyPrefix: 'credit-note',
    sourceFields: [
      exactSupplier,
      { name: 'creditNoteNumber', label: 'Credit note number (supplier)' },
    ],
    targetFields: [{ name: 'originalInvoiceNumber', label: 'Corrected invoice number' }],
  },
];

type Row = { sourceKey: JsonValue; target: JsonValue };

function text(value: JsonValue | undefined): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function field(row: Row, part: 'sourceKey' | 'target', name: string): string | null {
  const obj = row[part];
  return obj && typeof obj === 'object' && !Array.isArray(obj) ? text(obj[name]) : null;
}

/** Reads `part.name` of every row, refusing a row without it. */
function required(set: string, rows: readonly Row[], index: number, part: 'sourceKey' | 'target', name: string): string {
  const value = field(rows[index]!, part, name);
  if (value === null) throw new InvalidMappingError(set, index, `${name} is empty`);
  return value;
}

export const accountKey = (gl: string, costCenter: string | null): string => `${gl}|${costCenter ?? ''}`;
export const creditNoteKey = (supplierCode: string, creditNoteNumber: string): string => `${supplierCode}|${creditNoteNumber}`;

/** The current version of F5's tables, validated (the settings become the policy), plus the version ids used. */
export function loadF5Mappings(store: Store): { mappings: F5Mappings; versions: Record<string, number | null> } {
  const tables = currentMappingTables(store, F5_FLOW);
  const settingRows = tables.rows(F5_MAPPING_SETS.settings);
  const settings = settingRows.map((_, i) => ({
    name: required(F5_MAPPING_SETS.settings, settingRows, i, 'sourceKey', 'setting'),
    value: required(F5_MAPPING_SETS.settings, settingRows, i, 'target', 'value'),
  }));
  const policy = parsePolicy(settings);

  const accountRows = tables.rows(F5_MAPPING_SETS.accounts);
  const accounts = new Map<string, AccountMapping>();
  accountRows.forEach((row, i) => {
    const gl = required(F5_MAPPING_SETS.accounts, accountRows, i, 'sourceKey', 'glAccountCode');
    const costCenter = field(row, 'sourceKey', 'costCenterCode');
    const coupaCc = required(F5_MAPPING_SETS.accounts, accountRows, i, 'target', 'coupaCostCenter');
    accounts.set(accountKey(gl, costCenter), {
      glAccount: required(F5_MAPPING_SETS.accounts, accountRows, i, 'target', 'coupaGlAccount'),
      costCenter: coupaCc.toLowerCase() === 'none' ? null : coupaCc,
    });
  });
  const pairs = (set: string, source: string, target: string): Map<string, string> => {
    const rows = tables.rows(set);
    return new Map(rows.map((_, i) => [required(set, rows, i, 'sourceKey', source), required(set, rows, i, 'target', target)]));
  };
  const supplierLinks = pairs(F5_MAPPING_SETS.suppliers, 'supplierCode', 'coupaSupplierNumber');
  const remitTos = pairs(F5_MAPPING_SETS.remitTos, 'supplierCode', 'remitToCode');
  const creditNoteRows = tables.rows(F5_MAPPING_SETS.creditNotes);
  const creditNotes = new Map(
    creditNoteRows.map((_, i) => [
      creditNoteKey(
        required(F5_MAPPING_SETS.creditNotes, creditNoteRows, i, 'sourceKey', 'supplierCode'),
        required(F5_MAPPING_SETS.creditNotes, creditNoteRows, i, 'sourceKey', 'creditNoteNumber'),
      ),
      required(F5_MAPPING_SETS.creditNotes, creditNoteRows, i, 'target', 'originalInvoiceNumber'),
    ]),
  );
  return {
    mappings: { version: tables.version(), policy, accounts, supplierLinks, remitTos, creditNotes },
    versions: tables.versions,
  };
}

/**
 * First start of a sandbox: the tables a finance team would have set up, from the demo world —
 * the settings (the sandbox instance's values), and every GL + cost center pair the demo uses,
 * coded identically in Coupa, minus the deliberate unmapped pair the user fixes in Mappings.
 * Suppliers need no rows: Coupa numbers its suppliers with the Exact codes.
 */
export function seedF5SandboxMappings(store: Store, worldOf: () => World): void {
  if (store.mappings.getSet(F5_FLOW, F5_MAPPING_SETS.accounts)) return;
  const world = worldOf();
  const definition = (set: string): MappingSetDefinition => F5_MAPPING_SET_DEFINITIONS.find((d) => d.set === set)!;
  const pairs = new Map<string, { gl: string; cc: string }>();
  for (const m of world.costMappings) pairs.set(accountKey(m.glAccountCode, m.costCenterCode), { gl: m.glAccountCode, cc: m.costCenterCode });
  const unmapped = world.deliberate.unmappedPair;
  pairs.delete(accountKey(unmapped.glAccountCode, unmapped.costCenterCode));
  store.transaction(() => {
    const settings = store.mappings.ensureSet(F5_FLOW, F5_MAPPING_SETS.settings, definition(F5_MAPPING_SETS.settings).description);
    store.mappings.createVersion(
      settings.id,
      settingRowsOf(DEFAULT_POLICY).map((s) => ({ sourceKey: { setting: s.name }, target: { value: s.value } })),
      'sandbox defaults',
    );
    const accounts = store.mappings.ensureSet(F5_FLOW, F5_MAPPING_SETS.accounts, definition(F5_MAPPING_SETS.accounts).description);
    store.mappings.createVersion(
      accounts.id,
      [...pairs.values()].map((p) => ({ sourceKey: { glAccountCode: p.gl, costCenterCode: p.cc }, target: { coupaGlAccount: p.gl, coupaCostCenter: p.cc } })),
      'sandbox defaults',
    );
  });
}

/**
 * The mapping keys a stored source record is coded by (FlowPlugin.codingKeys), one group per
 * thing coded: the supplier's link, its remit-to (invoices), a credit note's corrected invoice,
 * and each line's Coupa account. Lets a mapping import say how many written records it recodes.
 */
export function f5CodingKeys(stream: string, payload: JsonValue): string[][] {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return [];
  const record = payload as { code?: unknown; supplier?: { code?: unknown }; lines?: unknown; documentType?: unknown; invoiceNumber?: unknown };
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  // A supplier record is its own code; documents name theirs.
  const supplier = stream === 'suppliers' ? str(record.code) : str(record.supplier?.code);
  const groups: string[][] = [];
  if (supplier) groups.push([f5Key.supplier(supplier)]);
  if (stream !== 'purchase-invoices' && stream !== 'purchase-orders') return groups;
  if (supplier && stream === 'purchase-invoices') groups.push([f5Key.remitTo(supplier)]);
  const invoiceNumber = str(record.invoiceNumber);
  if (supplier && invoiceNumber && record.documentType === 'credit-note') groups.push([f5Key.creditNote(supplier, invoiceNumber)]);
  for (const line of Array.isArray(record.lines) ? (record.lines as Record<string, unknown>[]) : []) {
    const gl = str(line['glAccountCode']);
    if (gl) groups.push([f5Key.account(gl, str(line['costCenterCode']))]);
  }
  return groups;
}
