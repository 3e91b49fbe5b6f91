import { createStore } from 'zustand/vanilla';
import type {
  AuditEntryDetail,
  AuditEntryView,
  AuditFilterRequest,
  IpcBridge,
  IpcResponse,
} from '../../src-shared/ipc';
import { messageOf, unwrap } from '../ipc/call';
import { deliverExport } from '../ui/exports';

/** Rows per audit.query call: one screenful and a half; the next page loads as the user scrolls. */
export const AUDIT_PAGE_SIZE = 100;

/** What the filter bar edits: plain strings ('' = no filter); dates are local calendar days. */
export interface AuditFilterForm {
  flow: string;
  entity: string;
  status: string;
  /** yyyy-mm-dd, inclusive. */
  fromDate: string;
  /** yyyy-mm-dd, inclusive (sent as the start of the next day, exclusive). */
  toDate: string;
  text: string;
}

export const EMPTY_AUDIT_FILTER: AuditFilterForm = {
  flow: '',
  entity: '',
  status: '',
  fromDate: '',
  toDate: '',
  text: '',
};

export interface AuditState {
  filter: AuditFilterForm;
  entries: AuditEntryView[];
  hasMore: boolean;
  /** 'first' while the first page of the current filter loads; 'more' while an older page loads. */
  loading: 'idle' | 'first' | 'more';
  error: string | null;
  /** Bumped per filter change: the grid exposes it so tests can wait for the page of a given filter. */
  generation: number;
  selectedSeq: number | null;
  detail: { seq: number; entry: AuditEntryDetail | null; error: string | null } | null;
  replay: {
    seq: number;
    busy: boolean;
    outcome: IpcResponse<'replay.audit'> | null;
    error: string | null;
  } | null;
  /** The last "Export CSV": where it landed (`text`, in words) or why it failed. */
  exported: { busy: boolean; result: IpcResponse<'audit.exportCsv'> | null; error: string | null; text?: string } | null;

  setFilter(changes: Partial<AuditFilterForm>): Promise<void>;
  loadFirstPage(): Promise<void>;
  loadMore(): Promise<void>;
  select(seq: number | null): Promise<void>;
  replaySelected(): Promise<void>;
  exportCsv(): Promise<void>;
}

/** The request filter for a form: empty fields dropped, calendar days turned into instants. */
export function toRequestFilter(form: AuditFilterForm): AuditFilterRequest {
  const filter: AuditFilterRequest = {};
  if (form.flow) filter.flow = form.flow;
  if (form.entity) filter.entity = form.entity;
  if (form.status) filter.status = form.status as NonNullable<AuditFilterRequest['status']>;
  if (form.fromDate) filter.from = localDayStart(form.fromDate, 0);
  if (form.toDate) filter.to = localDayStart(form.toDate, 1);
  const text = form.text.trim();
  if (text) filter.text = text;
  return filter;
}

/** Midnight (user's time zone) of yyyy-mm-dd plus `addDays`, as an ISO instant. */
function localDayStart(day: string, addDays: number): string {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  return new Date(year, month - 1, date + addDays).toISOString();
}

export function createAuditStore(bridge: IpcBridge) {
  return createStore<AuditState>()((set, get) => {
    /** Answers to an older filter or selection are dropped (the user has moved on). */
    const isCurrent = (generation: number) => get().generation === generation;

    return {
      filter: EMPTY_AUDIT_FILTER,
      entries: [],
      hasMore: false,
      // Nothing is loaded yet: show "loading", not "no entries", until the first answer.
      loading: 'first',
      error: null,
      generation: 0,
      selectedSeq: null,
      detail: null,
      replay: null,
      exported: null,

      async setFilter(changes) {
        set({ filter: { ...get().filter, ...changes } });
        await get().loadFirstPage();
      },

      async loadFirstPage() {
        const generation = get().generation + 1;
        // The previous rows stay on screen (marked busy) until the new page replaces them in one render.
        set({ generation, loading: 'first', error: null });
        try {
          const page = await unwrap(
            bridge['audit.query']({ filter: toRequestFilter(get().filter), limit: AUDIT_PAGE_SIZE }),
          );
          if (isCurrent(generation)) set({ entries: page.entries, hasMore: page.hasMore, loading: 'idle' });
        } catch (error) {
          if (isCurrent(generation))
            set({ error: messageOf(error), loading: 'idle', entries: [], hasMore: false });
        }
      },

      async loadMore() {
        const { entries, hasMore, loading, generation } = get();
        const last = entries[entries.length - 1];
        if (!hasMore || loading !== 'idle' || !last) return;
        set({ loading: 'more' });
        try {
          const page = await unwrap(
            bridge['audit.query']({
              filter: toRequestFilter(get().filter),
              limit: AUDIT_PAGE_SIZE,
              beforeSeq: last.seq,
            }),
          );
          if (isCurrent(generation))
            set({ entries: [...get().entries, ...page.entries], hasMore: page.hasMore, loading: 'idle' });
        } catch (error) {
          if (isCurrent(generation)) set({ error: messageOf(error), loading: 'idle' });
        }
      },

      async select(seq) {
        set({
          selectedSeq: seq,
          detail: seq === null ? null : { seq, entry: null, error: null },
          replay: null,
        });
        if (seq === null) return;
        try {
          const { entry } = await unwrap(bridge['audit.get']({ seq }));
          if (get().selectedSeq === seq) set({ detail: { seq, entry, error: null } });
        } catch (error) {
          if (get().selectedSeq === seq) set({ detail: { seq, entry: null, error: messageOf(error) } });
        }
      },

      async replaySelected() {
        const seq = get().selectedSeq;
        if (seq === null) return;
        set({ replay: { seq, busy: true, outcome: null, error: null } });
        try {
          const outcome = await unwrap(bridge['replay.audit']({ seq }));
          set({ replay: { seq, busy: false, outcome, error: null } });
        } catch (error) {
          set({ replay: { seq, busy: false, outcome: null, error: messageOf(error) } });
        }
      },

      async exportCsv() {
        set({ exported: { busy: true, result: null, error: null } });
        try {
          const result = await unwrap(bridge['audit.exportCsv']({ filter: toRequestFilter(get().filter) }));
          // In the browser this starts the download; the text says where the file is.
          const text = deliverExport(result, { one: 'entry', many: 'entries' });
          set({ exported: { busy: false, result, error: null, text } });
        } catch (error) {
          set({ exported: { busy: false, result: null, error: messageOf(error) } });
        }
      },
    };
  });
}

export type AuditStore = ReturnType<typeof createAuditStore>;
