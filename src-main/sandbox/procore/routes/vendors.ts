import { pathId, requireCompany, type ProcoreApp, type Route, type RouteCtx } from '../app';
import type { FieldSpec } from '../fields';
import { addFieldError, json, jsonObjectBody, notFound } from '../http';
import { commonFilters, listResponse, type FilterDefs } from '../paging-filters';
import type { VendorRecord } from '../records';
import { assertWritable, envelope, readWriteInput, syncResponse, writeResponse } from './route-kit';

const FIELDS: FieldSpec = {
  name: { type: 'string' },
  abbreviated_name: { type: 'string' },
  trade_name: { type: 'string' },
  legal_name: { type: 'string' },
  is_active: { type: 'boolean' },
  address: { type: 'string' },
  city: { type: 'string' },
  state_code: { type: 'string' },
  country_code: { type: 'string' },
  zip: { type: 'string' },
  business_phone: { type: 'string' },
  mobile_phone: { type: 'string' },
  fax_number: { type: 'string' },
  email_address: { type: 'string' },
  website: { type: 'string' },
  license_number: { type: 'string' },
  origin_id: { type: 'string' },
  origin_code: { type: 'string' },
  origin_data: { type: 'string' },
};

/**
 * §2.5 vendor list filters. `GET /vendors` lists the active company vendors; inactive ones are
 * listed at `/companies/{company_id}/vendors/inactive` (same filters).
 */
const FILTERS: FilterDefs<VendorRecord> = {
  ...commonFilters<VendorRecord>(),
  search: { kind: 'search', get: (v) => [v.name, v.legal_name, v.trade_name, v.abbreviated_name] },
  origin_code: { kind: 'equals', get: (v) => v.origin_code },
};

/** Validates and stores a company vendor (create when `existing` is null). */
export function writeVendor(
  app: ProcoreApp,
  input: Record<string, unknown>,
  existing: VendorRecord | null,
  allowedExtra: readonly string[] = [],
): VendorRecord {
  const { values, errors } = readWriteInput(app, FIELDS, input, allowedExtra);
  const name = 'name' in values ? values['name'] : existing?.name;
  if (typeof name !== 'string' || name.trim() === '') addFieldError(errors, 'name', "can't be blank");
  const country = values['country_code'];
  if (typeof country === 'string' && !/^[A-Z]{2}$/.test(country))
    addFieldError(errors, 'country_code', `must be an ISO-3166 alpha-2 code such as NL, got "${country}"`);
  assertWritable(app.state.vendors, errors, values, existing);
  const now = app.nowIso();
  const base: VendorRecord = existing ?? {
    id: app.state.nextId(),
    name: '',
    abbreviated_name: null,
    trade_name: null,
    legal_name: null,
    is_active: true,
    address: null,
    city: null,
    state_code: null,
    country_code: null,
    zip: null,
    business_phone: null,
    mobile_phone: null,
    fax_number: null,
    email_address: null,
    website: null,
    license_number: null,
    origin_id: null,
    origin_code: null,
    origin_data: null,
    synced_to_erp: false,
    created_at: now,
    updated_at: now,
  };
  const merged = { ...base, ...values, updated_at: now } as VendorRecord;
  return app.state.vendors.put({ ...merged, synced_to_erp: merged.origin_id !== null });
}

/** §2.5 Vendors: company directory list, show, create, update and sync. */
export function vendorRoutes(app: ProcoreApp): Route[] {
  const companyOf = (ctx: RouteCtx, body?: Record<string, unknown>): void =>
    requireCompany(app, ctx.req.query.get('company_id') ?? body?.['company_id']);
  const vendorOf = (ctx: RouteCtx): VendorRecord => {
    const v = app.state.vendors.get(pathId(ctx, 'id'));
    if (!v) throw notFound();
    return v;
  };
  return [
    {
      method: 'GET',
      path: '/vendors',
      list: true,
      handle: (ctx) => {
        companyOf(ctx);
        return listResponse(
          ctx.req,
          app.state.vendors.all().filter((v) => v.is_active),
          FILTERS,
          (v) => app.views.vendor(v),
          app.config,
        );
      },
    },
    {
      method: 'GET',
      path: '/companies/:companyId/vendors/inactive',
      list: true,
      handle: (ctx) => {
        requireCompany(app, ctx.params['companyId']);
        return listResponse(
          ctx.req,
          app.state.vendors.all().filter((v) => !v.is_active),
          FILTERS,
          (v) => app.views.vendor(v),
          app.config,
        );
      },
    },
    {
      method: 'PATCH',
      path: '/vendors/sync',
      handle: (ctx) => {
        const body = jsonObjectBody(ctx.req);
        companyOf(ctx, body);
        return syncResponse(app, body, {
          table: app.state.vendors,
          inScope: () => true,
          write: (item, existing, allowedExtra) => writeVendor(app, item, existing, allowedExtra),
          show: (v) => app.views.vendor(v),
        });
      },
    },
    {
      method: 'POST',
      path: '/vendors',
      handle: (ctx) => {
        const body = jsonObjectBody(ctx.req);
        companyOf(ctx, body);
        return writeResponse(
          app,
          201,
          () => writeVendor(app, envelope(body, 'vendor'), null),
          (v) => app.views.vendor(v),
        );
      },
    },
    {
      method: 'GET',
      path: '/vendors/:id',
      handle: (ctx) => {
        companyOf(ctx);
        return json(200, app.views.vendor(vendorOf(ctx)));
      },
    },
    {
      method: 'PATCH',
      path: '/vendors/:id',
      handle: (ctx) => {
        const body = jsonObjectBody(ctx.req);
        companyOf(ctx, body);
        const existing = vendorOf(ctx);
        return writeResponse(
          app,
          200,
          () => writeVendor(app, envelope(body, 'vendor'), existing),
          (v) => app.views.vendor(v),
        );
      },
    },
  ];
}
