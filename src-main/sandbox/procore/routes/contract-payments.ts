import { pathId, requireProject, type ProcoreApp, type Route, type RouteCtx } from '../app';
import type { FieldSpec } from '../fields';
import { addFieldError, json, jsonObjectBody, notFound, requireId } from '../http';
import { listResponse, type FilterDefs } from '../paging-filters';
import type { CommitmentRecord, ContractPaymentRecord } from '../records';
import { assertWritable, envelope, readWriteInput, writeResponse } from './route-kit';

/**
 * Payments issued against a commitment (§2.5 "Payments issued against a commitment:
 * `/rest/v1.0/contract_payments?project_id=…&contract_id=…`"; shapes from Procore's generated
 * SDK: ContractPayment / Body109 / RestV10ContractPaymentsGet200ResponseInner).
 *
 * - Every call names the project and the contract (query, or body on create).
 * - The list documents no filters: any `filters[…]` is a 400 (look payments up by reading the
 *   contract's list).
 * - "All attributes other than 'attachments', 'origin_id', and 'origin_data' will be locked if
 *   the contract payment is synced with an ERP system" (SDK, Update Contract Payment): a payment
 *   with an origin_id only takes those on PATCH (422 otherwise). Deleting it is allowed.
 * - `draw_request_number` names the subcontractor invoice paid; the answer's `requisition_id`
 *   is that invoice of the same commitment (422 when the commitment has no such invoice).
 */
const FIELDS: FieldSpec = {
  date: { type: 'date' },
  invoice_number: { type: 'string' },
  check_number: { type: 'string' },
  invoice_date: { type: 'date' },
  draw_request_number: { type: 'id' },
  notes: { type: 'string' },
  payment_number: { type: 'id' },
  payment_method: { type: 'string' },
  amount: { type: 'money' },
  origin_id: { type: 'string' },
  origin_data: { type: 'string' },
};

/** What stays writable on a payment that is synced with an ERP (has an origin_id). */
const ERP_WRITABLE = new Set(['origin_id', 'origin_data']);

const NO_FILTERS: FilterDefs<ContractPaymentRecord> = {};

function writePayment(
  app: ProcoreApp,
  contract: CommitmentRecord,
  input: Record<string, unknown>,
  existing: ContractPaymentRecord | null,
): ContractPaymentRecord {
  const { values, errors } = readWriteInput(app, FIELDS, input);
  if (existing?.origin_id) {
    const locked = Object.keys(values).filter((k) => !ERP_WRITABLE.has(k));
    for (const field of locked)
      addFieldError(errors, field, 'is locked: the contract payment is synced with an ERP system');
  }
  const amount = 'amount' in values ? values['amount'] : existing?.amount;
  if (typeof amount !== 'string') addFieldError(errors, 'amount', "can't be blank");
  const date = 'date' in values ? values['date'] : existing?.date;
  if (typeof date !== 'string') addFieldError(errors, 'date', "can't be blank");
  let requisitionId = existing?.requisition_id ?? null;
  if ('draw_request_number' in values) {
    const drawNumber = values['draw_request_number'] as number | null;
    const invoice =
      drawNumber === null
        ? undefined
        : app.state.requisitions.inGroup('commitment', contract.id).find((r) => r.number === drawNumber);
    if (drawNumber !== null && !invoice)
      addFieldError(
        errors,
        'draw_request_number',
        `commitment ${contract.id} has no subcontractor invoice number ${drawNumber}`,
      );
    requisitionId = invoice?.id ?? null;
  }
  assertWritable(app.state.contractPayments, errors, values, existing);
  const now = app.nowIso();
  const siblings = app.state.contractPayments.inGroup('contract', contract.id);
  const base: ContractPaymentRecord = existing ?? {
    id: app.state.nextId(),
    project_id: contract.project_id,
    contract_id: contract.id,
    requisition_id: null,
    amount: '0.00',
    date: null,
    check_number: null,
    invoice_number: null,
    invoice_date: null,
    draw_request_number: null,
    payment_number: Math.max(0, ...siblings.map((p) => p.payment_number)) + 1,
    payment_method: null,
    notes: null,
    origin_id: null,
    origin_code: null,
    origin_data: null,
    created_at: now,
    updated_at: now,
  };
  return app.state.contractPayments.put({
    ...base,
    ...values,
    requisition_id: requisitionId,
    updated_at: now,
  } as ContractPaymentRecord);
}

export function contractPaymentRoutes(app: ProcoreApp): Route[] {
  /** The live commitment (either kind) named by `contract_id`, in the project named by `project_id`. */
  const contractOf = (projectId: unknown, contractId: unknown): CommitmentRecord => {
    const project = requireProject(app, projectId);
    const id = requireId(contractId, 'contract_id');
    const contract = app.state.commitment(id);
    if (!contract || contract.deleted_at || contract.project_id !== project.id)
      throw notFound(`Contract ${id} not found in project ${project.id}`);
    return contract;
  };
  const paymentOf = (ctx: RouteCtx, contract: CommitmentRecord): ContractPaymentRecord => {
    const payment = app.state.contractPayments.get(pathId(ctx, 'id'));
    if (!payment || payment.contract_id !== contract.id) throw notFound();
    return payment;
  };
  const fromQuery = (ctx: RouteCtx, body?: Record<string, unknown>): CommitmentRecord =>
    contractOf(
      ctx.req.query.get('project_id') ?? body?.['project_id'],
      ctx.req.query.get('contract_id') ?? body?.['contract_id'],
    );
  return [
    {
      method: 'GET',
      path: '/contract_payments',
      list: true,
      handle: (ctx) => {
        const contract = fromQuery(ctx);
        return listResponse(
          ctx.req,
          app.state.contractPayments.inGroup('contract', contract.id),
          NO_FILTERS,
          (p) => app.views.contractPayment(p),
          app.config,
        );
      },
    },
    {
      method: 'POST',
      path: '/contract_payments',
      handle: (ctx) => {
        const body = jsonObjectBody(ctx.req);
        const contract = fromQuery(ctx, body);
        const input = envelope(body, 'contract_payment');
        return writeResponse(
          app,
          201,
          () => writePayment(app, contract, input, null),
          (p) => app.views.contractPayment(p),
        );
      },
    },
    {
      method: 'GET',
      path: '/contract_payments/:id',
      handle: (ctx) => json(200, app.views.contractPayment(paymentOf(ctx, fromQuery(ctx)))),
    },
    {
      method: 'PATCH',
      path: '/contract_payments/:id',
      handle: (ctx) => {
        const body = jsonObjectBody(ctx.req);
        const contract = fromQuery(ctx, body);
        const existing = paymentOf(ctx, contract);
        const input = envelope(body, 'contract_payment');
        return writeResponse(
          app,
          200,
          () => writePayment(app, contract, input, existing),
          (p) => app.views.contractPayment(p),
        );
      },
    },
    {
      method: 'DELETE',
      path: '/contract_payments/:id',
      handle: (ctx) => {
        const payment = paymentOf(ctx, fromQuery(ctx));
        app.store.transaction(() => app.state.contractPayments.delete(payment.id));
        return { status: 200 };
      },
    },
  ];
}
