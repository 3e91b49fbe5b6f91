import { requireCompany, requireProject, type ProcoreApp, type Route } from '../app';
import type { FieldSpec } from '../fields';
import { addFieldError, json, jsonObjectBody } from '../http';
import { commonFilters, listResponse, type FilterDefs } from '../paging-filters';
import type { CostCodeRecord, LineItemBaseType, LineItemTypeRecord, ProjectRecord } from '../records';
import {
  assertWritable,
  envelope,
  projectFromQueryOrBody,
  readWriteInput,
  recordInProject,
  syncResponse,
  writeResponse,
} from './route-kit';

const COST_CODE_FIELDS: FieldSpec = {
  code: { type: 'string' },
  name: { type: 'string' },
  parent_id: { type: 'id' },
  position: { type: 'id' },
  standard_cost_code_id: { type: 'id' },
  origin_id: { type: 'string' },
  origin_data: { type: 'string' },
};

const BASE_TYPES: readonly LineItemBaseType[] = [
  'equipment',
  'materials',
  'commitment',
  'owner_cost',
  'professional_services',
  'other',
];

const LINE_ITEM_TYPE_FIELDS: FieldSpec = {
  name: { type: 'string' },
  code: { type: 'string' },
  /** The sync body's name for the code (§2.5 LineItemTypeSyncBodyUpdatesInner). */
  csv_import_code: { type: 'string' },
  base_type: { type: 'enum', values: BASE_TYPES },
  origin_id: { type: 'string' },
  origin_data: { type: 'string' },
};

const COST_CODE_FILTERS: FilterDefs<CostCodeRecord> = {
  ...commonFilters<CostCodeRecord>(),
  full_code: { kind: 'equals', get: (c) => c.full_code },
};

const LINE_ITEM_TYPE_FILTERS: FilterDefs<LineItemTypeRecord> = {
  ...commonFilters<LineItemTypeRecord>(),
  code: { kind: 'equals', get: (t) => t.code },
};

/**
 * Validates and stores a project cost code. `code` excludes the parent's prefix; `full_code`
 * is the parent's full code + "-" + code, unique within the project (§2.5).
 */
function writeCostCode(
  app: ProcoreApp,
  project: ProjectRecord,
  input: Record<string, unknown>,
  existing: CostCodeRecord | null,
  allowedExtra: readonly string[] = [],
): CostCodeRecord {
  const { values, errors } = readWriteInput(app, COST_CODE_FIELDS, input, allowedExtra);
  const code = 'code' in values ? values['code'] : existing?.code;
  const name = 'name' in values ? values['name'] : existing?.name;
  if (typeof code !== 'string' || code.trim() === '') addFieldError(errors, 'code', "can't be blank");
  if (typeof name !== 'string' || name.trim() === '') addFieldError(errors, 'name', "can't be blank");
  const parentId = ('parent_id' in values ? values['parent_id'] : existing?.parent_id) as
    number | null | undefined;
  const parent = parentId ? app.state.costCodes.get(parentId) : undefined;
  if (parentId && (!parent || parent.project_id !== project.id))
    addFieldError(errors, 'parent_id', `cost code ${parentId} does not exist in project ${project.id}`);
  const fullCode = parent ? `${parent.full_code}-${String(code)}` : String(code);
  const twin = app.state.costCodes
    .inGroup('project', project.id)
    .find((c) => c.full_code === fullCode && !c.deleted_at);
  if (twin && twin.id !== existing?.id)
    addFieldError(errors, 'code', `has already been taken (${fullCode} exists in this project)`);
  assertWritable(app.state.costCodes, errors, values, existing);
  const now = app.nowIso();
  const base: CostCodeRecord = existing ?? {
    id: app.state.nextId(),
    project_id: project.id,
    code: '',
    full_code: '',
    name: '',
    parent_id: null,
    position: app.state.costCodes.inGroup('project', project.id).length + 1,
    budgeted: false,
    standard_cost_code_id: null,
    origin_id: null,
    origin_data: null,
    deleted_at: null,
    created_at: now,
    updated_at: now,
  };
  return app.state.costCodes.put({
    ...base,
    ...values,
    full_code: fullCode,
    updated_at: now,
  } as CostCodeRecord);
}

/** Validates and stores a company line item type (cost type). */
function writeLineItemType(
  app: ProcoreApp,
  input: Record<string, unknown>,
  existing: LineItemTypeRecord | null,
  allowedExtra: readonly string[] = [],
): LineItemTypeRecord {
  const { values, errors } = readWriteInput(app, LINE_ITEM_TYPE_FIELDS, input, allowedExtra);
  const { csv_import_code: importCode, ...rest } = values;
  if (importCode !== undefined && rest['code'] === undefined) rest['code'] = importCode;
  const merged = { ...existing, ...rest };
  if (typeof merged.name !== 'string' || merged.name.trim() === '')
    addFieldError(errors, 'name', "can't be blank");
  if (typeof merged.code !== 'string' || merged.code.trim() === '')
    addFieldError(errors, 'csv_import_code', "can't be blank");
  if (!merged.base_type) addFieldError(errors, 'base_type', `is required (${BASE_TYPES.join(', ')})`);
  const twin = app.state.lineItemTypes.all().find((t) => t.code === merged.code);
  if (twin && twin.id !== existing?.id) addFieldError(errors, 'csv_import_code', 'has already been taken');
  assertWritable(app.state.lineItemTypes, errors, rest, existing);
  const now = app.nowIso();
  const base: LineItemTypeRecord = existing ?? {
    id: app.state.nextId(),
    name: '',
    code: '',
    base_type: 'other',
    origin_id: null,
    origin_data: null,
    created_at: now,
    updated_at: now,
  };
  return app.state.lineItemTypes.put({ ...base, ...rest, updated_at: now } as LineItemTypeRecord);
}

/** §2.5 Cost codes (per project) and line item types ("cost types", per company), with their syncs. */
export function costCodeRoutes(app: ProcoreApp): Route[] {
  return [
    {
      method: 'GET',
      path: '/cost_codes',
      list: true,
      handle: (ctx) => {
        const project = projectFromQueryOrBody(app, ctx);
        return listResponse(
          ctx.req,
          app.state.costCodes.inGroup('project', project.id),
          COST_CODE_FILTERS,
          (c) => app.views.costCode(c),
          app.config,
          true,
        );
      },
    },
    {
      method: 'POST',
      path: '/cost_codes',
      handle: (ctx) => {
        const body = jsonObjectBody(ctx.req);
        const project = projectFromQueryOrBody(app, ctx, body);
        const input = envelope(body, 'cost_code');
        return writeResponse(
          app,
          201,
          () => writeCostCode(app, project, input, null),
          (c) => app.views.costCode(c),
        );
      },
    },
    {
      method: 'PATCH',
      path: '/cost_codes/sync',
      handle: (ctx) => {
        const body = jsonObjectBody(ctx.req);
        // project_id placement is unconfirmed (§2.5): query or body.
        const project = projectFromQueryOrBody(app, ctx, body);
        return syncResponse(app, body, {
          table: app.state.costCodes,
          inScope: (c) => c.project_id === project.id,
          write: (item, existing, allowedExtra) => writeCostCode(app, project, item, existing, allowedExtra),
          show: (c) => app.views.costCode(c),
        });
      },
    },
    {
      method: 'GET',
      path: '/cost_codes/:id',
      handle: (ctx) => {
        const project = projectFromQueryOrBody(app, ctx);
        // Unlike commitments and direct costs, a soft-deleted cost code is still shown by id.
        const code = recordInProject(app.state.costCodes, ctx, project, { showDeleted: true });
        return json(200, app.views.costCode(code));
      },
    },
    {
      method: 'GET',
      path: '/line_item_types',
      list: true,
      handle: (ctx) => {
        const projectId = ctx.req.query.get('project_id');
        if (projectId !== null) requireProject(app, projectId);
        else requireCompany(app, ctx.req.query.get('company_id'));
        // Line item types are company-wide: a project sees the company's list.
        return listResponse(
          ctx.req,
          app.state.lineItemTypes.all(),
          LINE_ITEM_TYPE_FILTERS,
          (t) => t,
          app.config,
        );
      },
    },
    {
      method: 'PATCH',
      path: '/line_item_types/sync',
      handle: (ctx) => {
        const body = jsonObjectBody(ctx.req);
        requireCompany(app, ctx.req.query.get('company_id') ?? body['company_id']);
        return syncResponse(app, body, {
          table: app.state.lineItemTypes,
          inScope: () => true,
          write: (item, existing, allowedExtra) => writeLineItemType(app, item, existing, allowedExtra),
          show: (t) => t,
        });
      },
    },
  ];
}
