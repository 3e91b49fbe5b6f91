import { SYSTEM_TITLES, type SystemId } from '../../src-shared/domain/systems';
import { createStore } from 'zustand/vanilla';
import type { ConnectionView, IpcBridge, IpcRequestInput, SigninOutcome } from '../../src-shared/ipc';
import { messageOf, unwrap } from '../ipc/call';

export type ConnectionSaveInput = IpcRequestInput<'connections.save'>;
export type ConnectExactInput = IpcRequestInput<'connections.connectExact'>;
export type ConnectMondayInput = IpcRequestInput<'connections.connectMonday'>;
/** The systems that sign in through the browser (the loopback sign-in of src-main/auth). */
export type BrowserSigninSystem = 'exact-online' | 'monday';
export type ConnectProcoreInput = IpcRequestInput<'connections.connectProcore'>;

/** Where a browser sign-in stands, and whose (the outcome arrives as the 'connection.signin' event). */
export type BrowserSignin =
  | { phase: 'idle' }
  | { phase: 'starting'; system: BrowserSigninSystem }
  | {
      phase: 'waiting';
      system: BrowserSigninSystem;
      authorizationUrl: string;
      listening: boolean;
      pasteError: string | null;
      pasting: boolean;
    }
  | { phase: 'done'; system: BrowserSigninSystem; outcome: SigninOutcome };

/** "Test connection" per connection id. */
export type ConnectionTest =
  { state: 'running' } | { state: 'ok'; text: string } | { state: 'problem'; text: string };

export interface ConnectionsState {
  connections: ConnectionView[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  /** Why the OS keychain cannot be read (the connections are listed anyway); null when it works. */
  keychainProblem: string | null;
  notice: { kind: 'success' | 'error'; text: string } | null;
  busy: boolean;

  load(): Promise<void>;
  save(input: ConnectionSaveInput): Promise<ConnectionView | null>;
  remove(id: string): Promise<void>;

  signin: BrowserSignin;
  /** Starts the sign-in; resolves with the address to open in the browser (null when it failed to start). */
  connectExact(input: ConnectExactInput): Promise<string | null>;
  /** monday.com through the user's monday app (OAuth 2.1); as connectExact. */
  connectMonday(input: ConnectMondayInput): Promise<string | null>;
  completeSignIn(pastedUrl: string): Promise<void>;
  /** The 'connection.signin' event. */
  onSignin(outcome: SigninOutcome): void;
  /** Cancel while waiting: main stops listening; the form comes back. */
  cancelSignin(): Promise<void>;
  resetSignin(): void;
  connectProcore(input: ConnectProcoreInput): Promise<boolean>;
  /** The generic "Connect <system>" form (src-shared/domain/connect-forms.ts); true when the system accepted it. */
  connectSystem(system: SystemId, values: Record<string, string>): Promise<boolean>;
  tests: Record<string, ConnectionTest>;
  test(id: string): Promise<void>;
}

export function createConnectionsStore(bridge: IpcBridge) {
  return createStore<ConnectionsState>()((set, get) => {
    /** Starts a browser sign-in of `system`; the address to open, or null (the problem is the notice). */
    const startSignin = async (
      system: BrowserSigninSystem,
      started: () => Promise<{ authorizationUrl: string; listening: boolean }>,
    ): Promise<string | null> => {
      set({ signin: { phase: 'starting', system }, notice: null });
      try {
        const { authorizationUrl, listening } = await started();
        set({ signin: { phase: 'waiting', system, authorizationUrl, listening, pasteError: null, pasting: false } });
        return authorizationUrl;
      } catch (error) {
        set({ signin: { phase: 'idle' }, notice: { kind: 'error', text: messageOf(error) } });
        return null;
      }
    };
    return {
      connections: [],
      status: 'idle',
      error: null,
      keychainProblem: null,
      notice: null,
      busy: false,

      async load() {
        if (get().status !== 'ready') set({ status: 'loading' });
        try {
          const { connections, keychainProblem } = await unwrap(bridge['connections.list']());
          set({ connections, status: 'ready', error: null, keychainProblem: keychainProblem ?? null });
        } catch (error) {
          set({ status: 'error', error: messageOf(error) });
        }
      },

      async save(input) {
        set({ busy: true, notice: null });
        try {
          const { connection, created } = await unwrap(bridge['connections.save'](input));
          set({
            busy: false,
            notice: { kind: 'success', text: `${created ? 'Added' : 'Saved'} “${connection.label}”.` },
          });
          await get().load();
          return connection;
        } catch (error) {
          set({ busy: false, notice: { kind: 'error', text: messageOf(error) } });
          return null;
        }
      },

      async remove(id) {
        set({ busy: true, notice: null });
        try {
          await unwrap(bridge['connections.delete']({ id }));
          set({ busy: false, notice: { kind: 'success', text: 'Connection removed, with its secrets.' } });
          await get().load();
        } catch (error) {
          set({ busy: false, notice: { kind: 'error', text: messageOf(error) } });
        }
      },

      signin: { phase: 'idle' },

      connectExact: (input) => startSignin('exact-online', () => unwrap(bridge['connections.connectExact'](input))),

      connectMonday: (input) => startSignin('monday', () => unwrap(bridge['connections.connectMonday'](input))),

      async completeSignIn(pastedUrl) {
        const waiting = get().signin;
        if (waiting.phase !== 'waiting') return;
        set({ signin: { ...waiting, pasting: true, pasteError: null } });
        try {
          get().onSignin(await unwrap(bridge['connections.completeSignIn']({ pastedUrl })));
        } catch (error) {
          // A wrong address keeps the sign-in waiting: the user may paste the right one.
          const current = get().signin;
          if (current.phase === 'waiting')
            set({ signin: { ...current, pasting: false, pasteError: messageOf(error) } });
        }
      },

      onSignin(outcome) {
        const current = get().signin;
        // An outcome nobody is waiting for (another window started it) only refreshes the list.
        if (current.phase === 'waiting' || current.phase === 'starting')
          set({ signin: { phase: 'done', system: current.system, outcome } });
        if (outcome.outcome === 'connected') void get().load();
      },

      async cancelSignin() {
        set({ signin: { phase: 'idle' } });
        try {
          await unwrap(bridge['connections.cancelSignIn']({}));
        } catch (error) {
          set({ notice: { kind: 'error', text: messageOf(error) } });
        }
      },

      resetSignin() {
        set({ signin: { phase: 'idle' } });
      },

      async connectProcore(input) {
        set({ busy: true, notice: null });
        try {
          const { detail } = await unwrap(bridge['connections.connectProcore'](input));
          set({ busy: false, notice: { kind: 'success', text: `Procore connected. ${detail}` } });
          await get().load();
          return true;
        } catch (error) {
          set({ busy: false, notice: { kind: 'error', text: messageOf(error) } });
          await get().load(); // the settings may be stored even when Procore refused them
          return false;
        }
      },

      async connectSystem(system, values) {
        set({ busy: true, notice: null });
        try {
          const { detail } = await unwrap(bridge['connections.connect']({ system, values }));
          set({ busy: false, notice: { kind: 'success', text: `${SYSTEM_TITLES[system]} connected. ${detail}` } });
          await get().load();
          return true;
        } catch (error) {
          set({ busy: false, notice: { kind: 'error', text: messageOf(error) } });
          await get().load();
          return false;
        }
      },

      tests: {},

      async test(id) {
        set({ tests: { ...get().tests, [id]: { state: 'running' } } });
        let result: ConnectionTest;
        try {
          const answer = await unwrap(bridge['connections.test']({ id }));
          result = answer.ok
            ? { state: 'ok', text: answer.detail }
            : { state: 'problem', text: answer.problem };
        } catch (error) {
          result = { state: 'problem', text: messageOf(error) };
        }
        set({ tests: { ...get().tests, [id]: result } });
      },
    };
  });
}

export type ConnectionsStore = ReturnType<typeof createConnectionsStore>;
