import type { ProcoreApp, Route, RouteCtx } from '../app';
import { readFields, type FieldSpec } from '../fields';
import { addFieldError, isPlainObject, json, jsonObjectBody, type FieldErrors } from '../http';
import { listResponse, type FilterDefs } from '../paging-filters';
import type { ChangeOrderRecord, ProjectRecord } from '../records';
import {
  assertWritable,
  envelope,
  projectFromPath,
  readWriteInput,
  recordInProject,
  writeResponse,
} from './route-kit';

/**
 * §2.5: the CCO list documents filters id, batch_id, legacy_package_id and contract_id only
 * (no updated_at, origin_id or status: a client reads a project's list and filters itself).
 * The sandbox has no legacy change order packages, so legacy_package_id matches nothing.
 */
const FILTERS: FilterDefs<ChangeOrderRecord> = {
  id: { kind: 'ids', get: (c) => c.id },
  batch_id: { kind: 'ids', get: (c) => c.batch_id },
  legacy_package_id: { kind: 'ids', get: () => null },
  contract_id: { kind: 'ids', get: (c) => c.contract_id },
};

const LINE_FIELDS: FieldSpec = {
  amount: { type: 'money' },
  description: { type: 'string' },
  cost_code_id: { type: 'id' },
  line_item_type_id: { type: 'id' },
};

/** Validates and stores a commitment change order (create when `existing` is null). */
function writeChangeOrder(
  app: ProcoreApp,
  project: ProjectRecord,
  input: Record<string, unknown>,
  existing: ChangeOrderRecord | null,
): ChangeOrderRecord {
  const spec: FieldSpec = {
    contract_id: { type: 'id' },
    title: { type: 'string' },
    number: { type: 'string' },
    description: { type: 'string' },
    status: { type: 'enum', values: app.config.changeOrderStatuses },
    due_date: { type: 'date' },
    invoiced_date: { type: 'date' },
    paid_date: { type: 'date' },
    executed: { type: 'boolean' },
    private: { type: 'boolean' },
    reference: { type: 'string' },
    revision: { type: 'id' },
    origin_id: { type: 'string' },
    origin_code: { type: 'string' },
    origin_data: { type: 'string' },
  };
  const { values, errors } = readWriteInput(app, spec, input, ['line_items']);
  const contractId = (values['contract_id'] as number | undefined) ?? existing?.contract_id;
  const contract = contractId === undefined ? undefined : app.state.commitment(contractId);
  if (contractId === undefined) addFieldError(errors, 'contract_id', 'is required');
  else if (!contract || contract.deleted_at || contract.project_id !== project.id)
    addFieldError(errors, 'contract_id', `commitment ${contractId} does not exist in project ${project.id}`);
  else if (existing && contractId !== existing.contract_id)
    addFieldError(errors, 'contract_id', 'cannot be changed');
  let lines = existing?.line_items ?? [];
  if (input['line_items'] !== undefined) {
    if (!Array.isArray(input['line_items'])) addFieldError(errors, 'line_items', 'must be a list');
    else
      lines = input['line_items'].map((raw, i) => {
        const lineErrors: FieldErrors = {};
        const line = readFields(LINE_FIELDS, isPlainObject(raw) ? raw : {}, lineErrors).values;
        const code =
          typeof line['cost_code_id'] === 'number'
            ? app.state.costCodes.get(line['cost_code_id'])
            : undefined;
        if (typeof line['amount'] !== 'string') addFieldError(lineErrors, 'amount', 'is required');
        if (!code || code.project_id !== project.id)
          addFieldError(lineErrors, 'cost_code_id', `must be a cost code of project ${project.id}`);
        if (
          typeof line['line_item_type_id'] !== 'number' ||
          !app.state.lineItemTypes.get(line['line_item_type_id'])
        )
          addFieldError(lineErrors, 'line_item_type_id', 'must be an existing line item type');
        for (const [field, messages] of Object.entries(lineErrors))
          for (const m of messages) addFieldError(errors, `line_items[${i}].${field}`, m);
        return {
          id: app.state.nextId(),
          description: (line['description'] as string | null | undefined) ?? null,
          amount: (line['amount'] as string | undefined) ?? '0.00',
          cost_code_id: (line['cost_code_id'] as number | undefined) ?? 0,
          line_item_type_id: (line['line_item_type_id'] as number | undefined) ?? 0,
        };
      });
  }
  assertWritable(app.state.changeOrders, errors, values, existing);
  const now = app.nowIso();
  const base: ChangeOrderRecord = existing ?? {
    id: app.state.nextId(),
    project_id: project.id,
    contract_id: contractId as number,
    batch_id: null,
    number: null,
    title: null,
    description: null,
    status: 'draft',
    due_date: null,
    invoiced_date: null,
    paid_date: null,
    executed: false,
    private: false,
    reference: null,
    revision: 0,
    origin_id: null,
    origin_code: null,
    origin_data: null,
    reviewed_at: null,
    line_items: [],
    created_at: now,
    updated_at: now,
  };
  const status = (values['status'] as string | undefined) ?? base.status;
  return app.state.changeOrders.put({
    ...base,
    ...values,
    line_items: lines,
    reviewed_at:
      status !== base.status && status !== 'draft' && !status.startsWith('pending') ? now : base.reviewed_at,
    updated_at: now,
  } as ChangeOrderRecord);
}

/** §2.5 Commitment change orders: `/projects/{project_id}/commitment_change_orders`. */
export function changeOrderRoutes(app: ProcoreApp): Route[] {
  const base = '/projects/:projectId/commitment_change_orders';
  const projectOf = (ctx: RouteCtx): ProjectRecord => projectFromPath(app, ctx);
  const changeOrderOf = (ctx: RouteCtx, project: ProjectRecord): ChangeOrderRecord =>
    recordInProject(app.state.changeOrders, ctx, project);
  const body = (ctx: RouteCtx): Record<string, unknown> => envelope(jsonObjectBody(ctx.req), 'change_order');
  return [
    {
      method: 'GET',
      path: base,
      list: true,
      handle: (ctx) => {
        const project = projectOf(ctx);
        return listResponse(
          ctx.req,
          app.state.changeOrders.inGroup('project', project.id),
          FILTERS,
          (c) => app.views.changeOrder(c),
          app.config,
        );
      },
    },
    {
      method: 'POST',
      path: base,
      handle: (ctx) => {
        const project = projectOf(ctx);
        const input = body(ctx);
        return writeResponse(
          app,
          201,
          () => writeChangeOrder(app, project, input, null),
          (c) => app.views.changeOrder(c),
        );
      },
    },
    {
      method: 'GET',
      path: `${base}/:id`,
      handle: (ctx) => json(200, app.views.changeOrder(changeOrderOf(ctx, projectOf(ctx)))),
    },
    {
      method: 'PATCH',
      path: `${base}/:id`,
      handle: (ctx) => {
        const project = projectOf(ctx);
        const existing = changeOrderOf(ctx, project);
        const input = body(ctx);
        return writeResponse(
          app,
          200,
          () => writeChangeOrder(app, project, input, existing),
          (c) => app.views.changeOrder(c),
        );
      },
    },
  ];
}
