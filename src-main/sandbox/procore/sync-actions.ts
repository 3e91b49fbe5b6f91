import type { SimResponse } from '../_common/sim-server';
import type { ProcoreApp } from './app';
import { type FieldErrors, isPlainObject, json, ProcoreHttpError } from './http';
import type { Stamped } from './records';
import type { Table } from './state';

/**
 * §2.5 "Sync (bulk upsert) actions": `PATCH …/sync` with `{"updates": [...]}`, at most
 * `syncMaxUpdates` (1000) items, always HTTP 200 with
 * `{"entities": [Show-shaped], "errors": [input + "errors": {"field": ["msg"]}]}`.
 * Matching per item: id → update (unknown id → "Entity with this ID not found"); else
 * origin_id → update when found, create when not; neither → create; id + origin_id → match on
 * id and set origin_id. The call is one SQLite transaction, committed before the answer, and
 * each item a savepoint in it: a failing item is undone alone and never stops the others.
 */
export interface SyncTarget<T extends Stamped> {
  table: Table<T & { origin_id?: string | null; deleted_at?: string | null }>;
  /** Records outside the call's scope (another project / contract) are not matched by id. */
  inScope(record: T): boolean;
  /** Creates from one update item; throws ProcoreHttpError for a validation problem. */
  create(item: Record<string, unknown>): T;
  /** Applies one update item (id and origin_id included) to an existing record. */
  update(existing: T, item: Record<string, unknown>): T;
  show(record: T): unknown;
}

/** The `updates` array of a sync body, checked against the cap. */
export function syncUpdates(app: ProcoreApp, body: Record<string, unknown>): unknown[] {
  const updates = body['updates'];
  if (!Array.isArray(updates)) throw new ProcoreHttpError(400, { updates: ['must be a list of objects'] });
  if (updates.length > app.config.syncMaxUpdates)
    throw new ProcoreHttpError(app.config.syncOverCapStatus, {
      updates: [`at most ${app.config.syncMaxUpdates} updates per call, got ${updates.length}`],
    });
  return updates;
}

function fieldErrorsOf(err: ProcoreHttpError): FieldErrors {
  return typeof err.errors === 'string' ? { base: [err.errors] } : err.errors;
}

export function runSync<T extends Stamped>(
  app: ProcoreApp,
  updates: unknown[],
  target: SyncTarget<T>,
): SimResponse {
  const entities: unknown[] = [];
  const errors: unknown[] = [];
  // A bug (not a validation problem) stops the call with a 500 after the items before it are
  // committed, as if each item had its own transaction.
  let bug: { error: unknown } | undefined;
  app.store.transaction(() => {
    for (const raw of updates) {
      if (!isPlainObject(raw)) {
        errors.push({ input: raw, errors: { base: ['each update must be a JSON object'] } });
        continue;
      }
      try {
        const record = app.store.transaction(() => applyOne(raw, target));
        entities.push(target.show(record));
      } catch (err) {
        if (!(err instanceof ProcoreHttpError)) {
          bug = { error: err };
          return;
        }
        errors.push({ ...raw, errors: fieldErrorsOf(err) });
      }
    }
  });
  if (bug) throw bug.error;
  return json(200, { entities, errors });
}

function applyOne<T extends Stamped>(item: Record<string, unknown>, target: SyncTarget<T>): T {
  const notFound = (): ProcoreHttpError =>
    new ProcoreHttpError(404, { id: ['Entity with this ID not found'] });
  if (item['id'] !== undefined && item['id'] !== null) {
    const id =
      typeof item['id'] === 'number'
        ? item['id']
        : typeof item['id'] === 'string' && /^\d+$/.test(item['id'])
          ? Number(item['id'])
          : NaN;
    const existing = Number.isSafeInteger(id) ? (target.table.get(id) as T | undefined) : undefined;
    if (!existing || (existing as { deleted_at?: string | null }).deleted_at || !target.inScope(existing))
      throw notFound();
    return target.update(existing, item);
  }
  const originId = item['origin_id'];
  if (typeof originId === 'string' && originId !== '') {
    const matchedId = target.table.idByOrigin(originId);
    const existing = matchedId === undefined ? undefined : (target.table.get(matchedId) as T | undefined);
    if (existing) {
      if (!target.inScope(existing))
        throw new ProcoreHttpError(422, {
          origin_id: ['has already been taken by a record outside this scope'],
        });
      return target.update(existing, item);
    }
  }
  return target.create(item);
}
