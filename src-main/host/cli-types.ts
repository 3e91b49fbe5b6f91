/**
 * The CLI is a table of commands; each lives in src-main/host/commands/<area>.ts and is listed
 * in commands/index.ts. cli.ts parses argv (node:util parseArgs), handles --help, --json and
 * --data-dir, and dispatches.
 */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Another process runs the same flow in this data folder; nothing was done (see cli.ts for all codes). */
export const EXIT_BUSY = 3;
/** Stopped by a signal: the shell's convention, 128 + the signal's number. */
export const exitCodeOfSignal = (signal: StopSignal): number => (signal === 'SIGINT' ? 130 : 143);

export interface CliOptionSpec {
  type: 'string' | 'boolean';
  description: string;
  /** Repeatable string option. */
  multiple?: boolean;
}

export interface CliIo {
  /** One line to stdout (JSON lines in --json mode). */
  out(line: string): void;
  /** One line to stderr (progress, warnings, errors: never secrets). */
  err(line: string): void;
  /** Resolved data directory (--data-dir, ML_CONNECTOR_DATA_DIR, or the OS app-data folder). */
  dataDir: string;
  json: boolean;
  /**
   * Aborted on the first SIGINT/SIGTERM so long-running commands stop at a safe point; its
   * reason says how ("by Ctrl-C", "by SIGTERM"). A second signal exits the process at once.
   */
  signal: AbortSignal;
  /** Which signal stopped the command (for its exit code: 130 / 143), or null. */
  stoppedBy(): StopSignal | null;
}

export interface CliCommand {
  /** Words that select the command, e.g. ['sandbox', 'serve'] or ['status']. */
  path: readonly string[];
  summary: string;
  /** Usage line after the command words, e.g. '[--port P] [--sandbox]'. */
  usage: string;
  options: Record<string, CliOptionSpec>;
  /** Environment variables it reads (secrets are never options), shown by `--help`: name → what it holds. */
  environment?: Record<string, string>;
  /** The command stops at a safe point on the first Ctrl-C (syncs, schedules, servers); it says so when asked. */
  stopsGracefully?: boolean;
  /**
   * What it does with the data folder. 'read': never creates or changes it (works on a read-only
   * folder; a folder without a database is an error that names the default folder). 'write'
   * (the default): creates it when needed and says so. 'files': its own files only (the
   * sandbox), created by the command when it needs them.
   */
  dataFolder?: 'read' | 'write' | 'files';
  /** Positional arguments after the command words. */
  run(args: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] }, io: CliIo): Promise<number>;
}
