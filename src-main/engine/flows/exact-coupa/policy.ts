import type { CoupaChartOfAccounts, PurchaseOrderIssueMode } from '../../../connectors/coupa';
import { DEFAULT_POLICY, SUPPLIER_FIELDS, type CoupaFlowPolicy, type FieldDirection, type SupplierField } from './model';

/**
 * F5's policy as rows of its "Coupa settings" table (setting → value), so a finance team sets it
 * where it sets mappings: versioned, in CSV, and every audit entry names the version it used.
 * A setting without a row keeps its default (the sandbox instance's value). Pure.
 */
export class InvalidSettingError extends Error {
  override readonly name = 'InvalidSettingError';
}

const YES_NO: Readonly<Record<string, boolean>> = { yes: true, on: true, true: true, no: false, off: false, false: false };
const DIRECTIONS: readonly FieldDirection[] = ['exact-to-coupa', 'coupa-to-exact', 'both', 'none'];
const ISSUE_MODES: readonly PurchaseOrderIssueMode[] = ['off', 'issue', 'issue-without-send'];

type Setter = (policy: CoupaFlowPolicy, value: string) => CoupaFlowPolicy;

function flag(name: string, value: string): boolean {
  const parsed = YES_NO[value.toLowerCase()];
  if (parsed === undefined) throw new InvalidSettingError(`Setting ${name} must be yes or no, not "${value}".`);
  return parsed;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new InvalidSettingError(`Setting ${name} must be ${allowed.join(', ')}; not "${value}".`);
  return value as T;
}

function segment(name: string, value: string, noneAllowed: boolean): number | null {
  if (noneAllowed && value.toLowerCase() === 'none') return null;
  const n = /^\d{1,2}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= 20)) throw new InvalidSettingError(`Setting ${name} must be a segment number from 1 to 20${noneAllowed ? ' or none' : ''}, not "${value}".`);
  return n;
}

const chart = (p: CoupaFlowPolicy, change: Partial<CoupaChartOfAccounts>): CoupaFlowPolicy => ({ ...p, chartOfAccounts: { ...p.chartOfAccounts, ...change } });

const SETTERS: Readonly<Record<string, Setter>> = {
  poNumberPrefix: (p, v) => ({ ...p, poNumberPrefix: v.toLowerCase() === 'none' ? '' : v }),
  accountType: (p, v) => chart(p, { accountType: /^\d+$/.test(v) ? { id: v } : { name: v } }),
  glAccountSegment: (p, v) => chart(p, { glAccountSegment: segment('glAccountSegment', v, false)! }),
  costCenterSegment: (p, v) => chart(p, { costCenterSegment: segment('costCenterSegment', v, true) }),
  accountCodeSeparator: (p, v) => chart(p, { codeSeparator: v }),
  shipToUser: (p, v) => ({ ...p, shipToUserLogin: v }),
  shipToAddress: (p, v) => ({ ...p, shipToAddress: v }),
  billToAddress: (p, v) => ({ ...p, billToLocationCode: v }),
  issuePurchaseOrders: (p, v) => ({ ...p, issuePurchaseOrders: oneOf('issuePurchaseOrders', v, ISSUE_MODES) }),
  markExported: (p, v) => ({ ...p, markExported: flag('markExported', v) }),
  cancelledPurchaseOrders: (p, v) => ({ ...p, cancelledPurchaseOrders: oneOf('cancelledPurchaseOrders', v, ['cancel', 'leave'] as const) }),
  createSuppliersInCoupa: (p, v) => ({ ...p, createSuppliersInCoupa: flag('createSuppliersInCoupa', v) }),
  suppliersFromCoupa: (p, v) => ({ ...p, suppliersFromCoupa: flag('suppliersFromCoupa', v) }),
  creditNoteReference: (p, v) => {
    let groups: number;
    try {
      groups = new RegExp(`${v}|`).exec('')!.length - 1;
    } catch (error) {
      throw new InvalidSettingError(`Setting creditNoteReference is not a valid pattern: ${(error as Error).message}.`);
    }
    if (groups < 1) throw new InvalidSettingError('Setting creditNoteReference needs a group (…) around the invoice number.');
    return { ...p, creditNoteReference: v };
  },
  ...Object.fromEntries(
    SUPPLIER_FIELDS.map((f): [string, Setter] => [
      `supplierField.${f}`,
      (p, v) => ({ ...p, supplierFields: { ...p.supplierFields, [f]: oneOf(`supplierField.${f}`, v, DIRECTIONS) } }),
    ]),
  ),
};

export const SETTING_NAMES: readonly string[] = Object.keys(SETTERS);

/** The policy the rows say (defaults for settings without a row); a wrong row throws in words. */
export function parsePolicy(rows: readonly { name: string; value: string }[]): CoupaFlowPolicy {
  let policy = DEFAULT_POLICY;
  const seen = new Set<string>();
  for (const { name, value } of rows) {
    const set = SETTERS[name];
    if (!set) throw new InvalidSettingError(`"${name}" is not a Coupa setting (the settings are: ${SETTING_NAMES.join(', ')}).`);
    if (seen.has(name)) throw new InvalidSettingError(`Setting ${name} is given twice.`);
    seen.add(name);
    policy = set(policy, value.trim());
  }
  const { glAccountSegment, costCenterSegment } = policy.chartOfAccounts;
  if (glAccountSegment === costCenterSegment) throw new InvalidSettingError('glAccountSegment and costCenterSegment cannot be the same segment.');
  return policy;
}

/** The rows that say `policy` (what the sandbox seeds, so the settings are visible and editable). */
export function settingRowsOf(policy: CoupaFlowPolicy): { name: string; value: string }[] {
  const c = policy.chartOfAccounts;
  const yes = (b: boolean): string => (b ? 'yes' : 'no');
  return [
    { name: 'poNumberPrefix', value: policy.poNumberPrefix === '' ? 'none' : policy.poNumberPrefix },
    { name: 'accountType', value: 'id' in c.accountType ? c.accountType.id : c.accountType.name },
    { name: 'glAccountSegment', value: String(c.glAccountSegment ?? 1) },
    { name: 'costCenterSegment', value: c.costCenterSegment === null ? 'none' : String(c.costCenterSegment ?? 2) },
    { name: 'accountCodeSeparator', value: c.codeSeparator ?? '-' },
    { name: 'shipToUser', value: policy.shipToUserLogin },
    { name: 'shipToAddress', value: policy.shipToAddress },
    { name: 'billToAddress', value: policy.billToLocationCode },
    { name: 'issuePurchaseOrders', value: policy.issuePurchaseOrders },
    { name: 'markExported', value: yes(policy.markExported) },
    { name: 'cancelledPurchaseOrders', value: policy.cancelledPurchaseOrders },
    { name: 'createSuppliersInCoupa', value: yes(policy.createSuppliersInCoupa) },
    { name: 'suppliersFromCoupa', value: yes(policy.suppliersFromCoupa) },
    ...SUPPLIER_FIELDS.map((f: SupplierField) => ({ name: `supplierField.${f}`, value: policy.supplierFields[f] })),
    { name: 'creditNoteReference', value: policy.creditNoteReference },
  ];
}

/** The code Coupa gives an account: its segments in segment order, joined (as the connector builds it). */
export function coupaAccountCode(chart: CoupaChartOfAccounts, glAccount: string, costCenter: string | null): string {
  const gl = chart.glAccountSegment ?? 1;
  const cc = chart.costCenterSegment === undefined ? 2 : chart.costCenterSegment;
  const segments: [number, string][] = [[gl, glAccount.trim()]];
  if (costCenter !== null && cc !== null) segments.push([cc, costCenter.trim()]);
  return segments
    .sort(([a], [b]) => a - b)
    .map(([, v]) => v)
    .join(chart.codeSeparator ?? '-');
}
