import { pathId, requireProject, type ProcoreApp, type Route, type RouteCtx } from '../app';
import type { FieldSpec } from '../fields';
import { addFieldError, json, jsonObjectBody, notFound } from '../http';
import { commonFilters, listResponse, type FilterDefs } from '../paging-filters';
import type { ChangeOrderItemRecord, ContractItemRecord, RequisitionRecord } from '../records';
import { assertWritable, envelope, readWriteInput, writeResponse } from './route-kit';

/** §2.5 requisition (subcontractor invoice) status enum. */
export const REQUISITION_STATUSES = [
  'draft',
  'under_review',
  'revise_and_resubmit',
  'approved',
  'approved_as_noted',
  'pending_owner_approval',
] as const;

/** What an ERP integration writes back after posting the bill: allowed on any invoice. */
const ERP_FIELDS = new Set(['erp_status', 'origin_id', 'origin_data', 'payment_date']);

const FIELDS: FieldSpec = {
  invoice_number: { type: 'string' },
  status: { type: 'enum', values: REQUISITION_STATUSES },
  erp_status: { type: 'string' },
  period_id: { type: 'id' },
  requisition_start: { type: 'date' },
  requisition_end: { type: 'date' },
  billing_date: { type: 'date' },
  payment_date: { type: 'date' },
  final: { type: 'boolean' },
  comment: { type: 'string' },
  origin_id: { type: 'string' },
  origin_data: { type: 'string' },
};

const FILTERS: FilterDefs<RequisitionRecord> = {
  ...commonFilters<RequisitionRecord>(),
  commitment_id: { kind: 'ids', get: (r) => r.commitment_id },
  period_id: { kind: 'ids', get: (r) => r.period_id },
  status: { kind: 'equals', get: (r) => r.status },
};

const ITEM_FILTERS: FilterDefs<ContractItemRecord> = {
  id: { kind: 'ids', get: (i) => i.id },
  cost_code_id: { kind: 'ids', get: (i) => i.cost_code_id },
};

const CHANGE_ORDER_ITEM_FILTERS: FilterDefs<ChangeOrderItemRecord> = {
  id: { kind: 'ids', get: (i) => i.id },
  cost_code_id: { kind: 'ids', get: (i) => i.cost_code_id },
};

function writeRequisition(
  app: ProcoreApp,
  existing: RequisitionRecord,
  input: Record<string, unknown>,
): RequisitionRecord {
  const { values, errors } = readWriteInput(app, FIELDS, input);
  const erpStatus = values['erp_status'];
  const accepted = app.config.requisitionErpStatuses;
  if (typeof erpStatus === 'string' && (erpStatus === '' || (accepted && !accepted.includes(erpStatus))))
    addFieldError(
      errors,
      'erp_status',
      accepted ? `must be one of ${accepted.join(', ')}` : "can't be blank",
    );
  const changesInvoice = Object.keys(values).some((k) => !ERP_FIELDS.has(k));
  if (changesInvoice) {
    const latest = Math.max(
      ...app.state.requisitions.inGroup('commitment', existing.commitment_id).map((r) => r.number),
    );
    if (existing.number !== latest)
      addFieldError(
        errors,
        'base',
        'only the latest subcontractor invoice of a commitment can be updated (ERP fields excepted)',
      );
  }
  assertWritable(app.state.requisitions, errors, values, existing);
  return app.state.requisitions.put({
    ...existing,
    ...values,
    updated_at: app.nowIso(),
  } as RequisitionRecord);
}

/** §2.5 Requisitions (subcontractor invoices): list, show, ERP write-back, contract items. */
export function requisitionRoutes(app: ProcoreApp): Route[] {
  const requisitionOf = (ctx: RouteCtx, projectId: unknown): RequisitionRecord => {
    const r = app.state.requisitions.get(pathId(ctx, 'id'));
    if (!r) throw notFound();
    if (projectId !== null && projectId !== undefined && requireProject(app, projectId).id !== r.project_id)
      throw notFound();
    return r;
  };
  return [
    {
      method: 'GET',
      path: '/requisitions',
      versions: ['v1.0', 'v1.1'],
      list: true,
      handle: (ctx) => {
        const project = requireProject(app, ctx.req.query.get('project_id'));
        return listResponse(
          ctx.req,
          app.state.requisitions.inGroup('project', project.id),
          FILTERS,
          (r) => app.views.requisition(r),
          app.config,
        );
      },
    },
    {
      method: 'GET',
      path: '/requisitions/:id/contract_items',
      list: true,
      handle: (ctx) => {
        const r = requisitionOf(ctx, ctx.req.query.get('project_id'));
        return listResponse(
          ctx.req,
          app.state.contractItems.inGroup('requisition', r.id),
          ITEM_FILTERS,
          (i) => app.views.contractItem(i),
          app.config,
        );
      },
    },
    {
      // G703 lines billed against approved commitment change orders (SDK
      // RequisitionSubcontractorInvoiceChangeOrderItemsApi; project_id in the query).
      method: 'GET',
      path: '/requisitions/:id/change_order_items',
      list: true,
      handle: (ctx) => {
        const r = requisitionOf(ctx, ctx.req.query.get('project_id'));
        return listResponse(
          ctx.req,
          app.state.changeOrderItems.inGroup('requisition', r.id),
          CHANGE_ORDER_ITEM_FILTERS,
          (i) => app.views.changeOrderItem(i),
          app.config,
        );
      },
    },
    {
      method: 'GET',
      path: '/requisitions/:id/change_order_items/:itemId',
      handle: (ctx) => {
        const r = requisitionOf(ctx, ctx.req.query.get('project_id'));
        const item = app.state.changeOrderItems.get(pathId(ctx, 'itemId'));
        if (!item || item.requisition_id !== r.id) throw notFound();
        return json(200, app.views.changeOrderItem(item));
      },
    },
    {
      method: 'GET',
      path: '/requisitions/:id',
      versions: ['v1.0', 'v1.1'],
      handle: (ctx) => json(200, app.views.requisition(requisitionOf(ctx, ctx.req.query.get('project_id')))),
    },
    {
      method: 'PATCH',
      path: '/requisitions/:id',
      handle: (ctx) => {
        const body = jsonObjectBody(ctx.req);
        const existing = requisitionOf(ctx, ctx.req.query.get('project_id') ?? body['project_id']);
        const input = envelope(body, 'requisition');
        return writeResponse(
          app,
          200,
          () => writeRequisition(app, existing, input),
          (r) => app.views.requisition(r),
        );
      },
    },
  ];
}
