import type { MappingFieldReference, MappingSetDefinition, ReferenceFieldView, ReferenceOption } from '../../src-shared/ipc';
import { ReadFailedError } from '../engine/sync/explain-read-failure';
import type { FlowRuntime } from '../engine/flows/types';
import { redactString } from '../connectors/_kit/log';

/**
 * The reference data behind the Mappings pickers and the checks of saves and imports: each
 * flow's lists (FlowRuntime.referenceData), read through the engine and kept for a short while,
 * so opening a table, typing in a picker and importing a file a minute later cost one read.
 * A list is read once at a time (callers asking meanwhile share the read); a failed read is not
 * kept.
 */
export const REFERENCE_TTL_MS = 120_000;

type ReferenceList = ReferenceOption[] | { options: ReferenceOption[]; scope: string };

export class ReferenceCache {
  private readonly entries = new Map<string, { at: number; options: Promise<ReferenceList> }>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = REFERENCE_TTL_MS,
  ) {}

  get(flow: string, list: string, read: () => Promise<ReferenceList>, refresh = false): Promise<ReferenceList> {
    const key = `${flow}\u0000${list}`;
    const kept = this.entries.get(key);
    if (kept && !refresh && this.now() - kept.at < this.ttlMs) return kept.options;
    const options = read();
    this.entries.set(key, { at: this.now(), options });
    options.catch(() => {
      if (this.entries.get(key)?.options === options) this.entries.delete(key);
    });
    return options;
  }

  /** Forget a flow's lists (all, or one): after the app itself changed the target (a vendor created). */
  invalidate(flow: string, list?: string): void {
    for (const key of [...this.entries.keys()])
      if (key === `${flow}\u0000${list}` || (list === undefined && key.startsWith(`${flow}\u0000`))) this.entries.delete(key);
  }
}

/**
 * The options of every field of a table that names a reference list, and of its rowReference
 * list (the target fields together); a list that cannot be read says why. All are asked at once,
 * so lists a flow answers from one read (a chart's accounts) share it.
 */
export async function readTableReference(
  runtime: Pick<FlowRuntime, 'referenceData'>,
  definition: MappingSetDefinition,
  cache: ReferenceCache,
  refresh = false,
): Promise<{ fields: Record<string, ReferenceFieldView>; row?: ReferenceFieldView }> {
  const fields = [...definition.sourceFields, ...definition.targetFields].filter((f) => f.reference);
  const read = runtime.referenceData?.bind(runtime);
  const one = async (reference: MappingFieldReference): Promise<ReferenceFieldView> => {
    if (!read) return { system: reference.system, options: [], error: 'This flow offers no lists to pick from.' };
    try {
      const list = await cache.get(definition.flow, reference.list, () => read(reference.list), refresh);
      return Array.isArray(list) ? { system: reference.system, options: list, error: null } : { system: reference.system, options: list.options, error: null, scope: list.scope };
    } catch (error) {
      const message = error instanceof ReadFailedError ? error.message : redactString(`Could not read the list: ${(error as Error).message}`);
      return { system: reference.system, options: [], error: message };
    }
  };
  const [row, ...entries] = await Promise.all([
    definition.rowReference ? one(definition.rowReference) : null,
    ...fields.map(async (field): Promise<[string, ReferenceFieldView]> => [field.name, await one(field.reference!)]),
  ]);
  return { fields: Object.fromEntries(entries as [string, ReferenceFieldView][]), ...(row ? { row } : {}) };
}
