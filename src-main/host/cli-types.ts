/**
 * The CLI is a table of commands; each lives in src-main/host/commands/<area>.ts and is listed
 * in commands/index.ts. cli.ts parses argv (node:util parseArgs), handles --help, --json and
 * --data-dir, and dispatches.
 */
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
  /** Aborted on SIGINT/SIGTERM so long-running commands (serve) can stop cleanly. */
  signal: AbortSignal;
}

export interface CliCommand {
  /** Words that select the command, e.g. ['sandbox', 'serve'] or ['status']. */
  path: readonly string[];
  summary: string;
  /** Usage line after the command words, e.g. '[--port P] [--sandbox]'. */
  usage: string;
  options: Record<string, CliOptionSpec>;
  /** Positional arguments after the command words. */
  run(args: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] }, io: CliIo): Promise<number>;
}
