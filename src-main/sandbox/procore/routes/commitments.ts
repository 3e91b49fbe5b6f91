import type { SimResponse } from '../../_common/sim-server';
import { pathId, type ProcoreApp, type Route, type RouteCtx } from '../app';
import type { FieldSpec } from '../fields';
import { addFieldError, json, jsonObjectBody, notFound, unprocessable } from '../http';
import { commonFilters, listResponse, type FilterDefs } from '../paging-filters';
import type { CommitmentKind, CommitmentLineRecord, CommitmentRecord, ProjectRecord } from '../records';
import { CODED_LINE_FIELDS, codedLine, lineOrigin } from './coded-lines';
import {
  assertWritable,
  envelope,
  projectFromQueryOrBody,
  readWriteInput,
  recordInProject,
  softDelete,
  syncResponse,
  writeResponse,
} from './route-kit';

/** §2.5 status enums per kind. */
const STATUSES: Record<CommitmentKind, readonly string[]> = {
  purchase_order_contract: [
    'Draft',
    'Processing',
    'Submitted',
    'Partially Received',
    'Received',
    'Approved',
    'Closed',
  ],
  work_order_contract: [
    'Draft',
    'Out For Bid',
    'Out For Signature',
    'Approved',
    'Complete',
    'Terminated',
    'Void',
  ],
};

const BASE_FIELDS: FieldSpec = {
  title: { type: 'string' },
  number: { type: 'string' },
  description: { type: 'string' },
  vendor_id: { type: 'id' },
  assignee_id: { type: 'id' },
  contract_date: { type: 'date' },
  delivery_date: { type: 'date' },
  issued_on_date: { type: 'date' },
  execution_date: { type: 'date' },
  executed: { type: 'boolean' },
  private: { type: 'boolean' },
  retainage_percent: { type: 'decimal' },
  payment_terms: { type: 'string' },
  bill_to_address: { type: 'string' },
  ship_to_address: { type: 'string' },
  ship_via: { type: 'string' },
  accounting_method: { type: 'enum', values: ['amount', 'unit'] },
  origin_id: { type: 'string' },
  origin_code: { type: 'string' },
  origin_data: { type: 'string' },
  invoice_contact_user_ids: { type: 'ids' },
};

const FIELDS: Record<CommitmentKind, FieldSpec> = {
  purchase_order_contract: {
    ...BASE_FIELDS,
    status: { type: 'enum', values: STATUSES.purchase_order_contract },
  },
  work_order_contract: {
    ...BASE_FIELDS,
    status: { type: 'enum', values: STATUSES.work_order_contract },
    inclusions: { type: 'string' },
    exclusions: { type: 'string' },
    contract_start_date: { type: 'date' },
    contract_estimated_completion_date: { type: 'date' },
    actual_completion_date: { type: 'date' },
    signed_contract_received_date: { type: 'date' },
  },
};

const LINE_FIELDS: FieldSpec = { ...CODED_LINE_FIELDS, tax_code_id: { type: 'id' } };

const FILTERS: FilterDefs<CommitmentRecord> = {
  ...commonFilters<CommitmentRecord>(),
  status: { kind: 'equals', get: (r) => r.status },
  vendor_id: { kind: 'ids', get: (r) => r.vendor_id },
};

const LINE_FILTERS: FilterDefs<CommitmentLineRecord> = {
  ...commonFilters<CommitmentLineRecord>(),
  cost_code_id: { kind: 'ids', get: (r) => r.cost_code_id },
};

export function isLocked(app: ProcoreApp, c: CommitmentRecord): boolean {
  return app.config.lockedCommitmentStatuses.includes(c.status);
}

/** Validates and stores a commitment (create when `existing` is null). */
export function writeCommitment(
  app: ProcoreApp,
  kind: CommitmentKind,
  project: ProjectRecord,
  input: Record<string, unknown>,
  existing: CommitmentRecord | null,
  allowedExtra: readonly string[] = [],
): CommitmentRecord {
  const { values, errors } = readWriteInput(app, FIELDS[kind], input, allowedExtra);
  const vendorId = values['vendor_id'];
  if (typeof vendorId === 'number' && !app.state.vendors.get(vendorId))
    addFieldError(errors, 'vendor_id', `vendor ${vendorId} does not exist in this company`);
  if (
    existing &&
    isLocked(app, existing) &&
    'vendor_id' in values &&
    values['vendor_id'] !== existing.vendor_id
  )
    addFieldError(
      errors,
      'vendor_id',
      `cannot be changed: the commitment is ${existing.status} and its vendor is locked`,
    );
  if (values['status'] === null) addFieldError(errors, 'status', 'cannot be blank');
  assertWritable(app.state.commitments[kind], errors, values, existing);
  const now = app.nowIso();
  const base: CommitmentRecord = existing ?? {
    id: app.state.nextId(),
    kind,
    project_id: project.id,
    vendor_id: null,
    number: null,
    title: null,
    description: null,
    status: 'Draft',
    assignee_id: null,
    contract_date: null,
    delivery_date: null,
    issued_on_date: null,
    execution_date: null,
    executed: false,
    private: false,
    retainage_percent: null,
    payment_terms: null,
    bill_to_address: null,
    ship_to_address: null,
    ship_via: null,
    accounting_method: 'amount',
    origin_id: null,
    origin_code: null,
    origin_data: null,
    invoice_contact_user_ids: [],
    inclusions: null,
    exclusions: null,
    contract_start_date: null,
    contract_estimated_completion_date: null,
    actual_completion_date: null,
    signed_contract_received_date: null,
    deleted_at: null,
    created_at: now,
    updated_at: now,
  };
  return app.state.commitments[kind].put({ ...base, ...values, updated_at: now } as CommitmentRecord);
}

/** Validates and stores one SOV line of `contract` (create when `existing` is null). */
export function writeCommitmentLine(
  app: ProcoreApp,
  contract: CommitmentRecord,
  input: Record<string, unknown>,
  existing: CommitmentLineRecord | null,
  allowedExtra: readonly string[] = [],
): CommitmentLineRecord {
  assertSovUnlocked(app, contract);
  const { values, errors } = readWriteInput(app, LINE_FIELDS, input, allowedExtra);
  const siblings = app.state.commitmentLines.inGroup('contract', contract.id);
  const coded = codedLine(app, contract.project_id, values, existing, errors, siblings.length + 1);
  assertWritable(app.state.commitmentLines, errors, values, existing);
  const now = app.nowIso();
  const record: CommitmentLineRecord = {
    id: existing?.id ?? app.state.nextId(),
    contract_id: contract.id,
    ...coded,
    tax_code_id:
      'tax_code_id' in values ? (values['tax_code_id'] as number | null) : (existing?.tax_code_id ?? null),
    ...lineOrigin(values, existing),
    created_at: existing?.created_at ?? now,
    updated_at: now,
  };
  app.state.commitmentLines.put(record);
  touch(app, contract);
  return record;
}

/** A change to the SOV changes the commitment's totals: its updated_at moves too. */
function touch(app: ProcoreApp, contract: CommitmentRecord): void {
  app.state.commitments[contract.kind].touch(contract, app.nowIso());
}

function assertSovUnlocked(app: ProcoreApp, contract: CommitmentRecord): void {
  if (isLocked(app, contract))
    throw unprocessable({
      base: [`the schedule of values of a commitment with status ${contract.status} is locked`],
    });
}

export function commitmentRoutes(app: ProcoreApp): Route[] {
  const routes: Route[] = [];
  const projectOf = (ctx: RouteCtx, body?: Record<string, unknown>): ProjectRecord =>
    projectFromQueryOrBody(app, ctx, body);
  // Per-kind lists and the combined /commitments list filter and show commitments alike.
  const listCommitments = (ctx: RouteCtx, commitments: CommitmentRecord[]): SimResponse =>
    listResponse(ctx.req, commitments, FILTERS, (c) => app.views.commitment(c), app.config, true);

  for (const kind of ['purchase_order_contract', 'work_order_contract'] as const) {
    const base = `/${kind}s`;
    const table = app.state.commitments[kind];
    const contractOf = (ctx: RouteCtx, project: ProjectRecord): CommitmentRecord =>
      recordInProject(table, ctx, project);
    const lineOf = (ctx: RouteCtx, contract: CommitmentRecord): CommitmentLineRecord => {
      const line = app.state.commitmentLines.get(pathId(ctx, 'lineId'));
      if (!line || line.contract_id !== contract.id) throw notFound();
      return line;
    };

    routes.push(
      {
        method: 'GET',
        path: base,
        list: true,
        handle: (ctx) => {
          const project = projectOf(ctx);
          return listCommitments(ctx, table.inGroup('project', project.id));
        },
      },
      {
        method: 'PATCH',
        path: `${base}/sync`,
        handle: (ctx) => {
          const body = jsonObjectBody(ctx.req);
          const project = projectOf(ctx, body);
          return syncResponse(app, body, {
            table,
            inScope: (c) => c.project_id === project.id,
            write: (item, existing, allowedExtra) =>
              writeCommitment(app, kind, project, item, existing, allowedExtra),
            show: (c) => app.views.commitment(c),
          });
        },
      },
      {
        method: 'POST',
        path: base,
        handle: (ctx) => {
          const body = jsonObjectBody(ctx.req);
          const project = projectOf(ctx, body);
          return writeResponse(
            app,
            201,
            () => writeCommitment(app, kind, project, envelope(body, kind), null),
            (c) => app.views.commitment(c),
          );
        },
      },
      {
        method: 'GET',
        path: `${base}/:id/line_items`,
        list: true,
        handle: (ctx) => {
          const contract = contractOf(ctx, projectOf(ctx));
          return listResponse(
            ctx.req,
            app.state.commitmentLines.inGroup('contract', contract.id),
            LINE_FILTERS,
            (l) => app.views.commitmentLine(l),
            app.config,
          );
        },
      },
      {
        method: 'PATCH',
        path: `${base}/:id/line_items/sync`,
        handle: (ctx) => {
          const body = jsonObjectBody(ctx.req);
          const contract = contractOf(ctx, projectOf(ctx, body));
          return syncResponse(app, body, {
            table: app.state.commitmentLines,
            inScope: (l) => l.contract_id === contract.id,
            write: (item, existing, allowedExtra) =>
              writeCommitmentLine(app, currentContract(app, contract), item, existing, allowedExtra),
            show: (l) => app.views.commitmentLine(l),
          });
        },
      },
      {
        method: 'POST',
        path: `${base}/:id/line_items`,
        handle: (ctx) => {
          const body = jsonObjectBody(ctx.req);
          const contract = contractOf(ctx, projectOf(ctx, body));
          return writeResponse(
            app,
            201,
            () => writeCommitmentLine(app, contract, envelope(body, 'line_item'), null),
            (l) => app.views.commitmentLine(l),
          );
        },
      },
      {
        method: 'GET',
        path: `${base}/:id/line_items/:lineId`,
        handle: (ctx) => json(200, app.views.commitmentLine(lineOf(ctx, contractOf(ctx, projectOf(ctx))))),
      },
      {
        method: 'PATCH',
        path: `${base}/:id/line_items/:lineId`,
        handle: (ctx) => {
          const body = jsonObjectBody(ctx.req);
          const contract = contractOf(ctx, projectOf(ctx, body));
          const line = lineOf(ctx, contract);
          return writeResponse(
            app,
            200,
            () => writeCommitmentLine(app, contract, envelope(body, 'line_item'), line),
            (l) => app.views.commitmentLine(l),
          );
        },
      },
      {
        method: 'DELETE',
        path: `${base}/:id/line_items/:lineId`,
        handle: (ctx) => {
          const contract = contractOf(ctx, projectOf(ctx));
          const line = lineOf(ctx, contract);
          assertSovUnlocked(app, contract);
          app.store.transaction(() => {
            app.state.commitmentLines.delete(line.id);
            touch(app, contract);
          });
          return { status: 204 };
        },
      },
      {
        method: 'GET',
        path: `${base}/:id`,
        handle: (ctx) => json(200, app.views.commitment(contractOf(ctx, projectOf(ctx)))),
      },
      {
        method: 'PATCH',
        path: `${base}/:id`,
        handle: (ctx) => {
          const body = jsonObjectBody(ctx.req);
          const project = projectOf(ctx, body);
          const contract = contractOf(ctx, project);
          return writeResponse(
            app,
            200,
            () => writeCommitment(app, kind, project, envelope(body, kind), contract),
            (c) => app.views.commitment(c),
          );
        },
      },
      {
        method: 'DELETE',
        path: `${base}/:id`,
        handle: (ctx) => {
          const contract = contractOf(ctx, projectOf(ctx));
          if (isLocked(app, contract))
            throw unprocessable({ base: [`a commitment with status ${contract.status} cannot be deleted`] });
          return softDelete(app, table, contract);
        },
      },
    );
  }

  routes.push({
    method: 'GET',
    path: '/commitments',
    list: true,
    handle: (ctx) => {
      const project = projectOf(ctx);
      const all = [
        ...app.state.commitments.purchase_order_contract.inGroup('project', project.id),
        ...app.state.commitments.work_order_contract.inGroup('project', project.id),
      ];
      return listCommitments(ctx, all);
    },
  });
  return routes;
}

/** Within one sync call, earlier items may have changed the contract (updated_at). */
function currentContract(app: ProcoreApp, contract: CommitmentRecord): CommitmentRecord {
  return app.state.commitment(contract.id) ?? contract;
}
