import { Decimal } from '../../../../src-shared/domain/money';
import type { ProcoreApp } from '../app';
import type { FieldSpec } from '../fields';
import { addFieldError, type FieldErrors } from '../http';
import type { CodedLineFields, OriginFields } from '../records';

/**
 * What commitment SOV lines and direct cost lines share (§2.5): amount / quantity × unit_cost,
 * and the budget code as cost_code_id + line_item_type_id (wbs_code_id is not simulated).
 */
export const CODED_LINE_FIELDS: FieldSpec = {
  amount: { type: 'money' },
  description: { type: 'string' },
  quantity: { type: 'decimal' },
  unit_cost: { type: 'decimal' },
  uom: { type: 'string' },
  extended_type: { type: 'enum', values: ['manual', 'calculated'] },
  cost_code_id: { type: 'id' },
  line_item_type_id: { type: 'id' },
  wbs_code_id: { type: 'id' },
  origin_id: { type: 'string' },
  origin_data: { type: 'string' },
};

/**
 * Merges validated line attributes over `existing` (null on create) and checks the rules:
 * amount (or quantity + unit_cost) on create, a budget code whose cost code belongs to
 * `projectId`, a known line item type. Returns the coded-line part of the record.
 */
export function codedLine(
  app: ProcoreApp,
  projectId: number,
  values: Record<string, unknown>,
  existing: CodedLineFields | null,
  errors: FieldErrors,
  position: number,
): CodedLineFields {
  if (values['wbs_code_id'] !== undefined && values['wbs_code_id'] !== null)
    addFieldError(
      errors,
      'wbs_code_id',
      'WBS codes are not simulated by the sandbox; send cost_code_id and line_item_type_id',
    );
  const pick = <K extends keyof CodedLineFields>(key: K, fallback: CodedLineFields[K]): CodedLineFields[K] =>
    key in values ? (values[key] as CodedLineFields[K]) : existing ? existing[key] : fallback;
  const quantity = pick('quantity', null);
  const unitCost = pick('unit_cost', null);
  let amount = values['amount'] as string | null | undefined;
  if (
    (amount === undefined || amount === null) &&
    ('quantity' in values || 'unit_cost' in values || !existing) &&
    quantity !== null &&
    unitCost !== null
  )
    amount = Decimal.parse(quantity).times(Decimal.parse(unitCost), 2).toMoneyString();
  if (amount === null || (amount === undefined && !existing)) {
    addFieldError(errors, 'amount', 'is required (or send quantity and unit_cost)');
    amount = '0.00';
  }
  const costCodeId = pick('cost_code_id', 0);
  const lineItemTypeId = pick('line_item_type_id', 0);
  if (!costCodeId && !lineItemTypeId && !errors['wbs_code_id']) {
    addFieldError(errors, 'base', 'either wbs_code_id, or cost_code_id and line_item_type_id, is required');
  } else {
    const costCode = costCodeId ? app.state.costCodes.get(costCodeId) : undefined;
    if (!costCodeId) addFieldError(errors, 'cost_code_id', 'is required with line_item_type_id');
    else if (!costCode || costCode.deleted_at)
      addFieldError(errors, 'cost_code_id', `cost code ${costCodeId} does not exist`);
    else if (costCode.project_id !== projectId)
      addFieldError(
        errors,
        'cost_code_id',
        `cost code ${costCodeId} belongs to another project, not project ${projectId}`,
      );
    if (!lineItemTypeId) addFieldError(errors, 'line_item_type_id', 'is required with cost_code_id');
    else if (!app.state.lineItemTypes.get(lineItemTypeId))
      addFieldError(errors, 'line_item_type_id', `line item type ${lineItemTypeId} does not exist`);
  }
  return {
    project_id: projectId,
    description: pick('description', null),
    amount: amount ?? (existing as CodedLineFields).amount,
    quantity,
    unit_cost: unitCost,
    uom: pick('uom', null),
    extended_type: pick('extended_type', 'manual'),
    cost_code_id: costCodeId,
    line_item_type_id: lineItemTypeId,
    position: existing ? existing.position : position,
  };
}

/** origin_id / origin_data of a line write: the sent value (null clears it), else the stored one. */
export function lineOrigin(values: Record<string, unknown>, existing: OriginFields | null): OriginFields {
  return {
    origin_id: 'origin_id' in values ? (values['origin_id'] as string | null) : (existing?.origin_id ?? null),
    origin_data:
      'origin_data' in values ? (values['origin_data'] as string | null) : (existing?.origin_data ?? null),
  };
}
