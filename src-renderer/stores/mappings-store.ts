import { createStore, type StoreApi } from 'zustand/vanilla';
import {
  mappingKeyOf,
  mappingVersionName,
  type IpcBridge,
  type IpcResponse,
  type MappingImportPreview,
  type MappingRowView,
  type MappingSetDefinition,
  type MappingSourceKey,
  type ReferenceFieldView,
  type VendorLinkSuggestion,
} from '../../src-shared/ipc';
import { messageOf, unwrap } from '../ipc/call';
import { deliverExport } from '../ui/exports';
import { mappingSetsIn, type CatalogState } from './catalog-store';

/** Shown until the first table is opened (the definitions come from main's flow catalog). */
const NO_TABLE: MappingSetDefinition = { flow: '', set: '', title: '', description: '', keyPrefix: '', sourceFields: [], targetFields: [] };

/** A row being edited; `key` keeps React rows stable while values change. */
export interface DraftRow {
  key: number;
  /** Form values: '' for an empty field (saved as null for optional source fields). */
  values: Record<string, string>;
  /** Added from the unmapped list or by "Add row" in this edit session. */
  isNew: boolean;
}

/** "Suggest links from Procore" on the vendors table: the last request and what it found. */
export interface VendorSuggestionsState {
  busy: boolean;
  suggestions: VendorLinkSuggestion[];
  apiCalls: IpcResponse<'mappings.suggestVendors'>['apiCalls'];
  error: string | null;
}

/** The picker lists of the open table (read through the engine; typed by hand when they cannot be read). */
export interface ReferenceState {
  status: 'idle' | 'loading' | 'ready' | 'error';
  /** Per field name with a list. */
  fields: Record<string, ReferenceFieldView>;
  /** Why no list could be read at all (no engine here, the flow cannot run…). */
  error: string | null;
  readAt: string | null;
}

/** "Import CSV": the file read, what importing it would do, and the user's go-ahead. */
export interface ImportState {
  fileName: string;
  csv: string;
  busy: boolean;
  preview: MappingImportPreview | null;
  /** The file could not be checked at all (not CSV, wrong header…). */
  error: string | null;
}

export interface MappingsState {
  definition: MappingSetDefinition;
  table: IpcResponse<'mappings.get'> | null;
  draft: DraftRow[];
  dirty: boolean;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  /**
   * Outcome of the last save / import / export, shown next to the control that caused it: `at`
   * 'save' next to "Save mapping" (below the table), otherwise next to the file buttons above it.
   */
  notice: { kind: 'success' | 'error'; text: string; at?: 'save' | 'file'; warnings?: string[] } | null;
  busy: boolean;
  search: string;
  /** null until the user asks for suggestions (and again after dismissing them). */
  vendorSuggestions: VendorSuggestionsState | null;
  reference: ReferenceState;
  /** null unless a file is being imported. */
  importing: ImportState | null;

  open(flow: string, set: string, version?: number): Promise<void>;
  setSearch(search: string): void;
  editCell(key: number, field: string, value: string): void;
  /** Adds a row (optionally prefilled with an unmapped source value and a target); returns its key. */
  addRow(sourceKey?: MappingSourceKey, target?: Record<string, string>): number;
  removeRow(key: number): void;
  discard(): void;
  save(note: string): Promise<boolean>;
  exportCsv(): Promise<void>;
  importCsv(csv: string): Promise<void>;
  /** Reads the pickers' lists of the open table (again from the systems with `refresh`). */
  loadReference(refresh?: boolean): Promise<void>;
  /** Checks a file (nothing is saved) and shows what importing it would do. */
  previewImport(csv: string, fileName: string): Promise<void>;
  /** Imports the previewed file; true when it was imported (or needed no new version). */
  confirmImport(): Promise<boolean>;
  cancelImport(): void;
  /** Reads Exact's suppliers and Procore's vendors (through main) and lists suggested links. */
  suggestVendorLinks(): Promise<void>;
  /** Adds each suggestion as a row, as "Add row" would; the links exist once the table is saved. Returns the top row's key. */
  acceptVendorSuggestions(suggestions: readonly VendorLinkSuggestion[]): number | null;
  dismissVendorSuggestions(): void;
}

let nextRowKey = 1;

function toDraft(definition: MappingSetDefinition, row: MappingRowView): DraftRow {
  const values: Record<string, string> = {};
  for (const field of definition.sourceFields) values[field.name] = row.sourceKey[field.name] ?? '';
  for (const field of definition.targetFields) values[field.name] = row.target[field.name] ?? '';
  return { key: nextRowKey++, values, isNew: false };
}

function toRow(definition: MappingSetDefinition, draft: DraftRow): MappingRowView {
  return {
    sourceKey: Object.fromEntries(
      definition.sourceFields.map((f) => [
        f.name,
        draft.values[f.name] === '' ? null : (draft.values[f.name] ?? null),
      ]),
    ),
    target: Object.fromEntries(definition.targetFields.map((f) => [f.name, draft.values[f.name] ?? ''])),
  };
}

/**
 * The two columns a suggested link fills: the table's source field (the source counterparty)
 * and its target field (the target's), by the names its flow gave them.
 */
export function linkColumns(definition: Pick<MappingSetDefinition, 'sourceFields' | 'targetFields'>): { source: string; target: string } | null {
  const [source] = definition.sourceFields;
  const [target] = definition.targetFields;
  return source && target ? { source: source.name, target: target.name } : null;
}

/** The mapping key of a draft row (to tell which unmapped values it already covers). */
export function draftKey(definition: MappingSetDefinition, draft: DraftRow): string {
  return mappingKeyOf(definition, toRow(definition, draft).sourceKey);
}

export function createMappingsStore(bridge: IpcBridge, catalog: StoreApi<CatalogState>) {
  return createStore<MappingsState>()((set, get) => {
    const reload = async () => {
      const { definition, table } = get();
      await get().open(
        definition.flow,
        definition.set,
        table?.current?.version === table?.shown?.version ? undefined : table?.shown?.version,
      );
    };

    return {
      definition: NO_TABLE,
      table: null,
      draft: [],
      dirty: false,
      status: 'idle',
      error: null,
      notice: null,
      busy: false,
      search: '',
      vendorSuggestions: null,
      reference: { status: 'idle', fields: {}, error: null, readAt: null },
      importing: null,

      async open(flow, setName, version) {
        await catalog.getState().load();
        const definition = mappingSetsIn(catalog.getState().flows).find((d) => d.flow === flow && d.set === setName);
        if (!definition) {
          if (catalog.getState().status === 'error') {
            set({ status: 'error', error: catalog.getState().error });
            return;
          }
          set({ status: 'error', error: `There is no mapping table "${setName}" for ${flow}.` });
          return;
        }
        const switching = definition !== get().definition;
        set({
          definition,
          status: 'loading',
          error: null,
          ...(switching
            ? {
                table: null,
                draft: [],
                notice: null,
                vendorSuggestions: null,
                importing: null,
                reference: { status: 'idle', fields: {}, error: null, readAt: null },
              }
            : {}),
        });
        if (switching) void get().loadReference();
        try {
          const table = await unwrap(
            bridge['mappings.get']({ flow, set: setName, ...(version ? { version } : {}) }),
          );
          if (get().definition !== definition) return;
          set({
            table,
            draft: table.rows.map((row) => toDraft(definition, row)),
            dirty: false,
            status: 'ready',
          });
        } catch (error) {
          set({ status: 'error', error: messageOf(error) });
        }
      },

      setSearch: (search) => set({ search }),

      editCell(key, field, value) {
        set({
          draft: get().draft.map((row) =>
            row.key === key ? { ...row, values: { ...row.values, [field]: value } } : row,
          ),
          dirty: true,
        });
      },

      addRow(sourceKey, target) {
        const { definition } = get();
        const values: Record<string, string> = {};
        for (const field of definition.sourceFields) values[field.name] = sourceKey?.[field.name] ?? '';
        for (const field of definition.targetFields) values[field.name] = target?.[field.name] ?? '';
        const row: DraftRow = { key: nextRowKey++, values, isNew: true };
        set({ draft: [row, ...get().draft], dirty: true, search: '' });
        return row.key;
      },

      removeRow(key) {
        set({ draft: get().draft.filter((row) => row.key !== key), dirty: true });
      },

      discard() {
        const { table, definition } = get();
        set({
          draft: (table?.rows ?? []).map((row) => toDraft(definition, row)),
          dirty: false,
          notice: null,
        });
      },

      async save(note) {
        const { definition, draft, table } = get();
        set({ busy: true, notice: null });
        try {
          const saved = await unwrap(
            bridge['mappings.save']({
              flow: definition.flow,
              set: definition.set,
              rows: draft.map((row) => toRow(definition, row)),
              note,
              baseVersion: table?.current?.version ?? null,
            }),
          );
          await get().open(definition.flow, definition.set);
          set({
            busy: false,
            notice: {
              kind: 'success',
              text:
                saved.created === false
                  ? saved.requeueMessage
                  : `${saved.versionName ?? mappingVersionName(definition, saved.version.version)} saved. ${saved.requeueMessage}`,
              at: 'save',
              ...(saved.warnings?.length ? { warnings: saved.warnings } : {}),
            },
          });
          return true;
        } catch (error) {
          set({ busy: false, notice: { kind: 'error', text: messageOf(error), at: 'save' } });
          return false;
        }
      },

      async exportCsv() {
        const { definition, table } = get();
        set({ busy: true, notice: null });
        try {
          const shown = table?.shown?.version;
          const result = await unwrap(
            bridge['mappings.exportCsv']({
              flow: definition.flow,
              set: definition.set,
              ...(shown ? { version: shown } : {}),
            }),
          );
          set({
            busy: false,
            notice: { kind: 'success', text: deliverExport(result, { one: 'row', many: 'rows' }) },
          });
        } catch (error) {
          set({ busy: false, notice: { kind: 'error', text: messageOf(error) } });
        }
      },

      async importCsv(csv) {
        const { definition } = get();
        set({ busy: true, notice: null });
        try {
          const result = await unwrap(
            bridge['mappings.importCsv']({ flow: definition.flow, set: definition.set, csv, note: '' }),
          );
          await reload();
          set({
            busy: false,
            notice: {
              kind: 'success',
              text:
                result.created === false
                  ? result.requeueMessage
                  : `Imported ${result.rows} rows as ${result.versionName ?? mappingVersionName(definition, result.version.version)}. ${result.requeueMessage}`,
              ...(result.warnings?.length ? { warnings: result.warnings } : {}),
            },
          });
        } catch (error) {
          set({ busy: false, notice: { kind: 'error', text: messageOf(error) } });
        }
      },

      async loadReference(refresh = false) {
        const { definition } = get();
        if (![...definition.sourceFields, ...definition.targetFields].some((f) => f.reference)) {
          set({ reference: { status: 'ready', fields: {}, error: null, readAt: null } });
          return;
        }
        set({ reference: { ...get().reference, status: 'loading', error: null } });
        try {
          const answer = await unwrap(
            bridge['mappings.reference']({ flow: definition.flow, set: definition.set, ...(refresh ? { refresh } : {}) }),
          );
          if (get().definition !== definition) return;
          set({ reference: { status: 'ready', fields: answer.fields, error: null, readAt: answer.readAt } });
        } catch (error) {
          if (get().definition !== definition) return;
          set({ reference: { status: 'error', fields: {}, error: messageOf(error), readAt: null } });
        }
      },

      async previewImport(csv, fileName) {
        const { definition } = get();
        set({ importing: { fileName, csv, busy: true, preview: null, error: null }, notice: null });
        let next: ImportState;
        try {
          const preview = await unwrap(
            bridge['mappings.previewImport']({ flow: definition.flow, set: definition.set, csv }),
          );
          next = { fileName, csv, busy: false, preview, error: null };
        } catch (error) {
          next = { fileName, csv, busy: false, preview: null, error: messageOf(error) };
        }
        if (get().definition === definition && get().importing?.csv === csv) set({ importing: next });
      },

      async confirmImport() {
        const { definition, importing } = get();
        if (!importing?.preview) return false;
        set({ importing: { ...importing, busy: true } });
        try {
          const result = await unwrap(
            bridge['mappings.importCsv']({
              flow: definition.flow,
              set: definition.set,
              csv: importing.csv,
              note: `Imported from ${importing.fileName}`,
            }),
          );
          await reload();
          set({
            importing: null,
            notice: {
              kind: 'success',
              text:
                result.created === false
                  ? result.requeueMessage
                  : `Imported ${result.rows} rows from ${importing.fileName} as ${result.versionName ?? mappingVersionName(definition, result.version.version)}. ${result.requeueMessage}`,
              ...(result.warnings?.length ? { warnings: result.warnings } : {}),
            },
          });
          return true;
        } catch (error) {
          set({ importing: { ...importing, busy: false, error: messageOf(error) } });
          return false;
        }
      },

      cancelImport: () => set({ importing: null }),

      async suggestVendorLinks() {
        const { definition } = get();
        set({ vendorSuggestions: { busy: true, suggestions: [], apiCalls: null, error: null } });
        let outcome: VendorSuggestionsState;
        try {
          const found = await unwrap(bridge['mappings.suggestVendors']({ flow: definition.flow }));
          outcome = { busy: false, suggestions: found.suggestions, apiCalls: found.apiCalls, error: null };
        } catch (error) {
          outcome = { busy: false, suggestions: [], apiCalls: null, error: messageOf(error) };
        }
        // The user may have switched tables (or dismissed) while the systems were read.
        if (get().definition === definition && get().vendorSuggestions !== null)
          set({ vendorSuggestions: outcome });
      },

      acceptVendorSuggestions(suggestions) {
        const columns = linkColumns(get().definition);
        if (!columns) return null;
        const { source, target } = columns;
        let topRow: number | null = null;
        for (const suggestion of suggestions) {
          topRow = get().addRow({ [source]: suggestion.supplierCode }, { [target]: suggestion.vendorId });
        }
        return topRow;
      },

      dismissVendorSuggestions: () => set({ vendorSuggestions: null }),
    };
  });
}

export type MappingsStore = ReturnType<typeof createMappingsStore>;
