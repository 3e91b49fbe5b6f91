import type { SimResponse } from '../../_common/sim-server';
import { pathId, requireProject, type ProcoreApp, type RouteCtx } from '../app';
import { readFields, rejectUnknownFields, type FieldSpec } from '../fields';
import { badRequest, isPlainObject, json, notFound, throwIfErrors, type FieldErrors } from '../http';
import type { ProjectRecord, Stamped } from '../records';
import type { Table } from '../state';
import { runSync, syncUpdates } from '../sync-actions';

/**
 * The plumbing every Procore route file repeats: finding the project and the path record,
 * unwrapping the JSON envelope, validating a write, answering it, and the sync action.
 * What differs per resource (fields, rules, defaults) stays in the route files.
 */

type OriginTable<T extends Stamped> = Table<T & { origin_id?: string | null; deleted_at?: string | null }>;

/** The project of a `?project_id=` call; body `project_id` also counts (placement unconfirmed, §2.5). */
export function projectFromQueryOrBody(
  app: ProcoreApp,
  ctx: RouteCtx,
  body?: Record<string, unknown>,
): ProjectRecord {
  return requireProject(app, ctx.req.query.get('project_id') ?? body?.['project_id']);
}

/** The project of a `/projects/:projectId/…` path. */
export function projectFromPath(app: ProcoreApp, ctx: RouteCtx): ProjectRecord {
  return requireProject(app, ctx.params['projectId']);
}

/**
 * The record named by the path's `:id` when it belongs to `project`: 404 when it does not
 * exist, is in another project, or (unless `showDeleted`) is soft-deleted.
 */
export function recordInProject<T extends { project_id: number; deleted_at?: string | null }>(
  table: { get(id: number): T | undefined },
  ctx: RouteCtx,
  project: ProjectRecord,
  options: { showDeleted?: boolean } = {},
): T {
  const record = table.get(pathId(ctx, 'id'));
  if (!record || record.project_id !== project.id || (record.deleted_at && !options.showDeleted))
    throw notFound();
  return record;
}

/** The object under `key` of a write body, e.g. `{"vendor": {…}}`; 400 naming the key otherwise. */
export function envelope(body: Record<string, unknown>, key: string): Record<string, unknown> {
  const value = body[key];
  if (!isPlainObject(value)) throw badRequest({ [key]: ['is missing or not an object'] });
  return value;
}

/**
 * The first step of every writer: the attributes of `spec` found in `input` (type errors
 * collected in `errors`), and 406 for unknown attributes when the config rejects them.
 */
export function readWriteInput(
  app: ProcoreApp,
  spec: FieldSpec,
  input: Record<string, unknown>,
  allowedExtra: readonly string[] = [],
): { values: Record<string, unknown>; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const { values, unknown } = readFields(spec, input, errors, allowedExtra);
  rejectUnknownFields(app, unknown);
  return { values, errors };
}

/**
 * The last check before a writer stores: 422 with every field error collected, then 409 when
 * another live record of this type already owns the origin_id being written.
 */
export function assertWritable<T extends Stamped>(
  table: OriginTable<T>,
  errors: FieldErrors,
  values: Record<string, unknown>,
  existing: { id: number } | null,
): void {
  throwIfErrors(errors);
  table.assertOriginFree(values['origin_id'], existing?.id ?? null);
}

/** Runs a create/update in one SQLite transaction and answers `status` with the shown record. */
export function writeResponse<T>(
  app: ProcoreApp,
  status: 200 | 201,
  write: () => T,
  show: (record: T) => unknown,
): SimResponse {
  return json(status, show(app.store.transaction(write)));
}

/**
 * A `PATCH …/sync` answer where create and update use the same writer (`existing` null on
 * create) and sync items may carry their `id`.
 */
export function syncResponse<T extends Stamped>(
  app: ProcoreApp,
  body: Record<string, unknown>,
  target: {
    table: OriginTable<T>;
    inScope: (record: T) => boolean;
    write: (item: Record<string, unknown>, existing: T | null, allowedExtra: readonly string[]) => T;
    show: (record: T) => unknown;
  },
): SimResponse {
  const allowedExtra = ['id'];
  return runSync(app, syncUpdates(app, body), {
    table: target.table,
    inScope: target.inScope,
    create: (item) => target.write(item, null, allowedExtra),
    update: (existing, item) => target.write(item, existing, allowedExtra),
    show: target.show,
  });
}

/** Procore soft-deletes (deleted_at): the record leaves lists but `include_deleted` still finds it. */
export function softDelete<T extends Stamped & { deleted_at: string | null }>(
  app: ProcoreApp,
  table: OriginTable<T>,
  record: T,
): SimResponse {
  const now = app.nowIso();
  table.put({ ...record, deleted_at: now, updated_at: now });
  return { status: 204 };
}
