import type { SimResponse } from '../../_common/sim-server';
import type { ProcoreApp, Route, RouteCtx } from '../app';
import type { FieldSpec } from '../fields';
import {
  addFieldError,
  badRequest,
  isPlainObject,
  json,
  jsonObjectBody,
  ProcoreHttpError,
  type FieldErrors,
  throwIfErrors,
} from '../http';
import { commonFilters, listResponse, type FilterDefs } from '../paging-filters';
import type { DirectCostLineRecord, DirectCostRecord, ProjectRecord } from '../records';
import { runSync, syncUpdates } from '../sync-actions';
import { CODED_LINE_FIELDS, codedLine, lineOrigin } from './coded-lines';
import {
  assertWritable,
  envelope,
  projectFromPath,
  readWriteInput,
  recordInProject,
  softDelete,
  syncResponse,
  writeResponse,
} from './route-kit';

const FIELDS: FieldSpec = {
  direct_cost_type: { type: 'enum', values: ['invoice', 'expense', 'payroll'] },
  status: { type: 'enum', values: ['draft', 'pending', 'revise_and_resubmit', 'approved'] },
  vendor_id: { type: 'id' },
  employee_id: { type: 'id' },
  invoice_number: { type: 'string' },
  description: { type: 'string' },
  direct_cost_date: { type: 'date' },
  received_date: { type: 'date' },
  payment_date: { type: 'date' },
  terms: { type: 'string' },
  origin_id: { type: 'string' },
  origin_data: { type: 'string' },
};

const FILTERS: FilterDefs<DirectCostRecord> = {
  ...commonFilters<DirectCostRecord>(),
  invoice_number: { kind: 'equals', get: (d) => d.invoice_number },
  payment_date: { kind: 'range', get: (d) => d.payment_date },
  received_date: { kind: 'range', get: (d) => d.received_date },
  vendor_id: { kind: 'ids', get: (d) => d.vendor_id },
  status: { kind: 'equals', get: (d) => d.status },
};

const LINE_FILTERS: FilterDefs<DirectCostLineRecord> = {
  ...commonFilters<DirectCostLineRecord>(),
  direct_cost_id: { kind: 'ids', get: (l) => l.direct_cost_id },
  cost_code_id: { kind: 'ids', get: (l) => l.cost_code_id },
};

/** Validates and stores a direct cost header (create when `existing` is null). */
function writeDirectCost(
  app: ProcoreApp,
  project: ProjectRecord,
  input: Record<string, unknown>,
  existing: DirectCostRecord | null,
  allowedExtra: readonly string[],
): DirectCostRecord {
  const { values, errors } = readWriteInput(app, FIELDS, input, allowedExtra);
  const type = (values['direct_cost_type'] as string | undefined) ?? existing?.direct_cost_type;
  if (existing && 'direct_cost_type' in values && values['direct_cost_type'] !== existing.direct_cost_type)
    addFieldError(errors, 'direct_cost_type', 'can only be set when the direct cost is created');
  if (!type) addFieldError(errors, 'direct_cost_type', 'is required (invoice, expense or payroll)');
  const invoiceNumber = 'invoice_number' in values ? values['invoice_number'] : existing?.invoice_number;
  if (type === 'invoice' && (typeof invoiceNumber !== 'string' || invoiceNumber.trim() === ''))
    addFieldError(errors, 'invoice_number', "can't be blank when direct_cost_type is invoice");
  const date = 'direct_cost_date' in values ? values['direct_cost_date'] : existing?.direct_cost_date;
  if (!date) addFieldError(errors, 'direct_cost_date', "can't be blank");
  const vendorId = values['vendor_id'];
  if (typeof vendorId === 'number' && !app.state.vendors.get(vendorId))
    addFieldError(errors, 'vendor_id', `vendor ${vendorId} does not exist in this company`);
  assertWritable(app.state.directCosts, errors, values, existing);
  const now = app.nowIso();
  const base: DirectCostRecord = existing ?? {
    id: app.state.nextId(),
    project_id: project.id,
    direct_cost_type: type as DirectCostRecord['direct_cost_type'],
    status: 'draft',
    vendor_id: null,
    employee_id: null,
    invoice_number: null,
    description: null,
    direct_cost_date: null,
    received_date: null,
    payment_date: null,
    terms: null,
    origin_id: null,
    origin_data: null,
    deleted_at: null,
    created_at: now,
    updated_at: now,
  };
  return app.state.directCosts.put({ ...base, ...values, updated_at: now } as DirectCostRecord);
}

/** Validates and stores one line of `directCost` (create when `existing` is null). */
function writeDirectCostLine(
  app: ProcoreApp,
  directCost: DirectCostRecord,
  input: Record<string, unknown>,
  existing: DirectCostLineRecord | null,
  allowedExtra: readonly string[] = [],
): DirectCostLineRecord {
  const { values, errors } = readWriteInput(app, CODED_LINE_FIELDS, input, allowedExtra);
  const siblings = app.state.directCostLines.inGroup('directCost', directCost.id);
  const coded = codedLine(app, directCost.project_id, values, existing, errors, siblings.length + 1);
  assertWritable(app.state.directCostLines, errors, values, existing);
  const now = app.nowIso();
  const record: DirectCostLineRecord = {
    id: existing?.id ?? app.state.nextId(),
    direct_cost_id: directCost.id,
    ...coded,
    ...lineOrigin(values, existing),
    created_at: existing?.created_at ?? now,
    updated_at: now,
  };
  app.state.directCostLines.put(record);
  // The header's amount is the sum of its lines: a line change is a change of the direct cost.
  app.state.directCosts.touch(directCost, now);
  return record;
}

/** Prefixes each nested line's field errors with its position: `line_items[2].cost_code_id`. */
function nestedErrors(err: unknown, index: number): FieldErrors {
  if (!(err instanceof ProcoreHttpError)) throw err;
  const errors = typeof err.errors === 'string' ? { base: [err.errors] } : err.errors;
  return Object.fromEntries(
    Object.entries(errors).map(([field, messages]) => [`line_items[${index}].${field}`, messages]),
  );
}

/** §2.5 Direct costs with their line items, v1.0 (`item`) and v1.1 (`direct_cost` + nested lines). */
export function directCostRoutes(app: ProcoreApp): Route[] {
  const base = '/projects/:projectId/direct_costs';
  const projectOf = (ctx: RouteCtx): ProjectRecord => projectFromPath(app, ctx);
  const directCostOf = (ctx: RouteCtx, project: ProjectRecord): DirectCostRecord =>
    recordInProject(app.state.directCosts, ctx, project);
  // The project-wide and the per-direct-cost line lists filter and show lines alike.
  const listLines = (ctx: RouteCtx, lines: DirectCostLineRecord[]): SimResponse =>
    listResponse(ctx.req, lines, LINE_FILTERS, (l) => app.views.directCostLine(l), app.config);
  const both = ['v1.0', 'v1.1'] as const;

  return [
    {
      method: 'GET',
      path: base,
      versions: both,
      list: true,
      handle: (ctx) => {
        const project = projectOf(ctx);
        return listResponse(
          ctx.req,
          app.state.directCosts.inGroup('project', project.id),
          FILTERS,
          (d) => app.views.directCost(d),
          app.config,
          true,
        );
      },
    },
    {
      method: 'POST',
      path: base,
      versions: both,
      handle: (ctx) => {
        const project = projectOf(ctx);
        const body = jsonObjectBody(ctx.req);
        const input = envelope(body, ctx.version === 'v1.1' ? 'direct_cost' : 'item');
        const nested = ctx.version === 'v1.1' ? input['line_items'] : undefined;
        if (nested !== undefined && !Array.isArray(nested))
          throw badRequest({ line_items: ['must be a list of line items'] });
        const created = app.store.transaction(() => {
          const header = writeDirectCost(
            app,
            project,
            input,
            null,
            ctx.version === 'v1.1' ? ['line_items'] : [],
          );
          const lineErrors: FieldErrors = {};
          (nested ?? []).forEach((line: unknown, i: number) => {
            try {
              writeDirectCostLine(app, header, isPlainObject(line) ? line : {}, null);
            } catch (err) {
              Object.assign(lineErrors, nestedErrors(err, i));
            }
          });
          throwIfErrors(lineErrors); // one bad line rolls the whole direct cost back
          return app.state.directCosts.get(header.id) ?? header;
        });
        return json(201, app.views.directCost(created));
      },
    },
    {
      method: 'PATCH',
      path: `${base}/sync`,
      handle: (ctx) => {
        const project = projectOf(ctx);
        const body = jsonObjectBody(ctx.req);
        return syncResponse(app, body, {
          table: app.state.directCosts,
          inScope: (d) => d.project_id === project.id,
          write: (item, existing, allowedExtra) =>
            writeDirectCost(app, project, item, existing, allowedExtra),
          show: (d) => app.views.directCost(d),
        });
      },
    },
    {
      method: 'GET',
      path: `${base}/line_items`,
      versions: both,
      list: true,
      handle: (ctx) => {
        const project = projectOf(ctx);
        return listLines(ctx, app.state.directCostLines.inGroup('project', project.id));
      },
    },
    {
      method: 'PATCH',
      path: `${base}/line_items/sync`,
      handle: (ctx) => {
        const project = projectOf(ctx);
        const body = jsonObjectBody(ctx.req);
        const parentOf = (
          item: Record<string, unknown>,
          existing: DirectCostLineRecord | null,
        ): DirectCostRecord => {
          const id = existing?.direct_cost_id ?? item['direct_cost_id'];
          const parent =
            typeof id === 'number' || typeof id === 'string'
              ? app.state.directCosts.get(Number(id))
              : undefined;
          if (!parent || parent.deleted_at || parent.project_id !== project.id)
            throw new ProcoreHttpError(422, {
              direct_cost_id: [
                id === undefined
                  ? 'is required'
                  : `direct cost ${String(id)} does not exist in project ${project.id}`,
              ],
            });
          return parent;
        };
        return runSync(app, syncUpdates(app, body), {
          table: app.state.directCostLines,
          inScope: (l) => l.project_id === project.id,
          create: (item) =>
            writeDirectCostLine(app, parentOf(item, null), item, null, ['id', 'direct_cost_id']),
          update: (existing, item) => {
            if (
              item['direct_cost_id'] !== undefined &&
              Number(item['direct_cost_id']) !== existing.direct_cost_id
            )
              throw new ProcoreHttpError(422, {
                direct_cost_id: ['a line cannot move to another direct cost'],
              });
            return writeDirectCostLine(app, parentOf(item, existing), item, existing, [
              'id',
              'direct_cost_id',
            ]);
          },
          show: (l) => app.views.directCostLine(l),
        });
      },
    },
    {
      method: 'GET',
      path: `${base}/:id/line_items`,
      versions: both,
      list: true,
      handle: (ctx) => {
        const d = directCostOf(ctx, projectOf(ctx));
        return listLines(ctx, app.state.directCostLines.inGroup('directCost', d.id));
      },
    },
    {
      method: 'POST',
      path: `${base}/:id/line_items`,
      versions: both,
      handle: (ctx) => {
        const d = directCostOf(ctx, projectOf(ctx));
        const input = envelope(jsonObjectBody(ctx.req), 'line_item');
        return writeResponse(
          app,
          201,
          () => writeDirectCostLine(app, d, input, null),
          (l) => app.views.directCostLine(l),
        );
      },
    },
    {
      method: 'GET',
      path: `${base}/:id`,
      versions: both,
      handle: (ctx) => json(200, app.views.directCost(directCostOf(ctx, projectOf(ctx)))),
    },
    {
      method: 'PATCH',
      path: `${base}/:id`,
      versions: both,
      handle: (ctx) => {
        const project = projectOf(ctx);
        const existing = directCostOf(ctx, project);
        const input = envelope(jsonObjectBody(ctx.req), ctx.version === 'v1.1' ? 'direct_cost' : 'item');
        return writeResponse(
          app,
          200,
          () => writeDirectCost(app, project, input, existing, []),
          (d) => app.views.directCost(d),
        );
      },
    },
    {
      method: 'DELETE',
      path: `${base}/:id`,
      versions: both,
      handle: (ctx) => {
        return softDelete(app, app.state.directCosts, directCostOf(ctx, projectOf(ctx)));
      },
    },
  ];
}
