import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DATABASE_FILE_NAME } from '../store/db';
import { DATA_DIR_ENV, defaultDataDir, resolveDataDir } from '../store/paths';
import { exitCodeOfSignal, type CliCommand, type CliIo, type CliOptionSpec, type StopSignal } from './cli-types';
import { commands } from './commands';

/** Options every command accepts. */
const GLOBAL_OPTIONS: Record<string, CliOptionSpec> = {
  help: { type: 'boolean', description: 'Show help (for one command: `ml-connector <command> --help`).' },
  'data-dir': {
    type: 'string',
    description: 'App data folder (default: $ML_CONNECTOR_DATA_DIR, then the OS app-data folder).',
  },
  json: { type: 'boolean', description: 'Machine-readable output: JSON lines on stdout.' },
};

/**
 * Exit codes: 0 ok, 1 the command failed, 2 bad usage, 3 another process is running the same
 * flow in this data folder (nothing was done), 130 / 143 stopped by Ctrl-C / SIGTERM.
 */
const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;

export interface CliProcess {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  /** Subscribes to SIGINT/SIGTERM; returns an unsubscribe. */
  onStopSignal(listener: (signal: StopSignal) => void): () => void;
  /** Leaves at once (a second Ctrl-C): what is committed stays, the next run resolves the rest. */
  exitNow?(code: number): never;
}

/**
 * Lines to a standard stream that stops quietly when its reader goes away (`status | head`):
 * no EPIPE stack, the command still finishes its work (a sync is never cut short by a pager).
 */
function lineWriter(stream: NodeJS.WriteStream): (line: string) => void {
  let open = true;
  stream.on('error', () => {
    open = false; // EPIPE (the reader closed the pipe) or the terminal went away: nobody reads any more
  });
  return (line) => {
    if (open) stream.write(`${line}\n`);
  };
}

/** What a second Ctrl-C says, whenever it lands. */
const QUIT_AT_ONCE = 'Quitting at once. Nothing is lost: the next run checks the target for anything left unconfirmed.';

const realProcess: CliProcess = {
  out: lineWriter(process.stdout),
  err: lineWriter(process.stderr),
  env: process.env,
  onStopSignal(listener) {
    let stopping = false;
    const onInt = () => {
      stopping = true;
      listener('SIGINT');
    };
    const onTerm = () => {
      stopping = true;
      listener('SIGTERM');
    };
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    return () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      // A stopped command is on its way out: a second signal between here and the process's exit
      // must still quit as a second Ctrl-C does (exit 130/143), not fall to Node's default.
      if (stopping) {
        const quit = (signal: StopSignal) => () => {
          process.stderr.write(`${QUIT_AT_ONCE}\n`);
          process.exit(exitCodeOfSignal(signal));
        };
        process.once('SIGINT', quit('SIGINT'));
        process.once('SIGTERM', quit('SIGTERM'));
      }
    };
  },
  exitNow: (code) => process.exit(code),
};

export async function main(rawArgv: readonly string[], proc: CliProcess = realProcess): Promise<number> {
  const argv = helpWordAsOption(rawArgv);
  const command = findCommand(argv);
  if (!command) {
    const [firstWord, secondWord] = leadingWords(argv);
    const wantsHelp = argv.includes('--help') || argv.includes('-h');
    if (firstWord === undefined && wantsHelp) {
      proc.out(generalUsage());
      return 0;
    }
    // A group's first word alone (`parked`, `sandbox --help`): its commands.
    const group = commands.filter((c) => c.path.length > 1 && c.path[0] === firstWord);
    if (firstWord !== undefined && group.length > 0) {
      if (wantsHelp && secondWord === undefined) {
        proc.out(groupUsage(firstWord, group));
        return 0;
      }
      proc.err(
        secondWord === undefined
          ? `"${firstWord}" needs one of its commands: ${group.map((c) => c.path.slice(1).join(' ')).join(', ')}.`
          : `Unknown command "${firstWord} ${secondWord}".`,
      );
      proc.err(groupUsage(firstWord, group));
      return EXIT_USAGE;
    }
    proc.err(firstWord === undefined ? 'No command given.' : `Unknown command "${firstWord}".`);
    proc.err(generalUsage());
    return EXIT_USAGE;
  }

  const options = { ...GLOBAL_OPTIONS, ...command.options };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: toParseArgsOptions(options),
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    proc.err(error instanceof Error ? error.message : String(error));
    proc.err(commandUsage(command));
    return EXIT_USAGE;
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  if (values['help'] === true) {
    proc.out(commandUsage(command));
    return 0;
  }
  // The command words are the first positionals (findCommand matched them); the rest are arguments.
  const positionals = parsed.positionals.slice(command.path.length);

  const dataDirFlag = typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined;
  const access = command.dataFolder ?? 'write';
  let dataDir: string;
  try {
    // Nothing is created yet: a reader must not leave an empty folder behind a mistyped path.
    dataDir = resolveDataDir({ flag: dataDirFlag, env: proc.env, create: false });
    const chosenBy = dataDirFlag !== undefined ? '--data-dir' : proc.env[DATA_DIR_ENV]?.trim() ? DATA_DIR_ENV : null;
    const hasDatabase = existsSync(join(dataDir, DATABASE_FILE_NAME));
    if (access === 'read' && !hasDatabase) {
      proc.err(noDatabaseMessage(dataDir, chosenBy, defaultDataDir({ env: proc.env })));
      return EXIT_FAILURE;
    }
    if (access === 'write' && !hasDatabase) {
      const folderExisted = existsSync(dataDir);
      resolveDataDir({ flag: dataDirFlag, env: proc.env });
      proc.err(creatingMessage(dataDir, folderExisted, chosenBy, defaultDataDir({ env: proc.env })));
    }
  } catch (error) {
    // A blank --data-dir, or a folder that cannot be created: the user has to pick another.
    proc.err(error instanceof Error ? error.message : String(error));
    return EXIT_USAGE;
  }

  // The first Ctrl-C (or SIGTERM) asks the command to stop at its next safe point; the reason
  // completes "Stopped …" in the run's record. A second one leaves at once: every write is
  // either committed or an unconfirmed intent the next run looks up, so nothing is lost.
  const stop = new AbortController();
  let stoppedBy: StopSignal | null = null;
  const unsubscribe = proc.onStopSignal((signal) => {
    if (!stop.signal.aborted) {
      stoppedBy = signal;
      stop.abort(signal === 'SIGINT' ? 'by Ctrl-C' : 'by SIGTERM');
      if (command.stopsGracefully) proc.err(`Stopping at the next safe point… (${signal === 'SIGINT' ? 'press Ctrl-C again' : 'send the signal again'} to quit at once)`);
      return;
    }
    proc.err(QUIT_AT_ONCE);
    if (proc.exitNow) proc.exitNow(exitCodeOfSignal(signal));
  });
  const io: CliIo = {
    out: proc.out,
    err: proc.err,
    dataDir,
    json: values['json'] === true,
    signal: stop.signal,
    stoppedBy: () => stoppedBy,
  };
  try {
    return await command.run({ values, positionals }, io);
  } catch (error) {
    // Commands report their own failures; this catches the unexpected, without a stack trace.
    proc.err(`${command.path.join(' ')} failed: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_FAILURE;
  } finally {
    unsubscribe();
  }
}

/** The words before and between options (`--data-dir D status` → ["status"]). */
function leadingWords(argv: readonly string[]): string[] {
  return parseArgs({ args: [...argv], options: toParseArgsOptions(GLOBAL_OPTIONS), strict: false, allowPositionals: true }).positionals;
}

/** `help parked list` is `parked list --help`; `help` alone is `--help`. */
function helpWordAsOption(argv: readonly string[]): readonly string[] {
  const { tokens } = parseArgs({ args: [...argv], options: toParseArgsOptions(GLOBAL_OPTIONS), strict: false, allowPositionals: true, tokens: true });
  const first = tokens.find((t) => t.kind === 'positional');
  if (!first || first.kind !== 'positional' || first.value !== 'help') return argv;
  return [...argv.slice(0, first.index), ...argv.slice(first.index + 1), '--help'];
}

/** A read-only command found no database: say where it looked, that nothing was created, and where the default is. */
function noDatabaseMessage(dataDir: string, chosenBy: string | null, defaultDir: string): string {
  if (chosenBy === null || dataDir === defaultDir) {
    return (
      `There is no ml-connector data yet in the default data folder ${dataDir} (${existsSync(dataDir) ? 'it holds no database' : 'it does not exist'}). ` +
      'Nothing was created. Start with the demo, `npx ml-connector serve --sandbox`, or give the folder that holds your data with --data-dir.'
    );
  }
  return (
    `There is no ml-connector data in ${dataDir} (${existsSync(dataDir) ? 'the folder holds no database' : 'the folder does not exist'}). ` +
    `Nothing was created. Check the folder given with ${chosenBy}; the default data folder is ${defaultDir}.`
  );
}

/** A command that writes is about to create the data folder or its database: say so, and where the default is. */
function creatingMessage(dataDir: string, folderExists: boolean, chosenBy: string | null, defaultDir: string): string {
  const what = folderExists ? `Creating a new ml-connector database in ${dataDir}` : `Creating a new data folder at ${dataDir}`;
  const other = chosenBy !== null && dataDir !== defaultDir ? ` (given with ${chosenBy}; the default data folder is ${defaultDir})` : '';
  return `${what}${other}.`;
}

/**
 * The command whose words are the longest prefix of argv's leading words. Options are skipped
 * by a lenient first pass that knows only the global options (so `--data-dir D status` works).
 */
function findCommand(argv: readonly string[]): CliCommand | undefined {
  const { positionals } = parseArgs({
    args: [...argv],
    options: toParseArgsOptions(GLOBAL_OPTIONS),
    strict: false,
    allowPositionals: true,
  });
  let best: CliCommand | undefined;
  for (const candidate of commands) {
    const matches = candidate.path.every((word, index) => positionals[index] === word);
    if (matches && (!best || candidate.path.length > best.path.length)) best = candidate;
  }
  return best;
}

function toParseArgsOptions(specs: Record<string, CliOptionSpec>): NonNullable<ParseArgsConfig['options']> {
  const result: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries(specs)) {
    result[name] = spec.multiple ? { type: spec.type, multiple: true } : { type: spec.type };
  }
  return result;
}

function optionLines(specs: Record<string, CliOptionSpec>): string[] {
  return Object.entries(specs).map(([name, spec]) => {
    const label = spec.type === 'string' ? `--${name} <value>` : `--${name}`;
    return `  ${label.padEnd(24)} ${spec.description}`;
  });
}

function generalUsage(): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length), 8);
  return [
    'Usage: ml-connector <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS),
  ].join('\n');
}

/** `ml-connector parked --help`: the commands of one group. */
function groupUsage(word: string, group: readonly CliCommand[]): string {
  const width = Math.max(...group.map((c) => c.path.join(' ').length), 8);
  return [
    `Usage: ml-connector ${word} <command> [options]`,
    '',
    'Commands:',
    ...group.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    `Help on one of them: ml-connector ${group[0]!.path.join(' ')} --help`,
  ].join('\n');
}

function commandUsage(command: CliCommand): string {
  const lines = [
    `Usage: ml-connector ${command.path.join(' ')} ${command.usage}`.trimEnd(),
    '',
    command.summary,
  ];
  if (Object.keys(command.options).length > 0) lines.push('', 'Options:', ...optionLines(command.options));
  if (command.environment)
    lines.push('', 'Environment (secrets are read from here, never from the command line):', ...Object.entries(command.environment).map(([name, text]) => `  ${name.padEnd(42)} ${text}`));
  lines.push('', 'Global options:', ...optionLines(GLOBAL_OPTIONS));
  return lines.join('\n');
}
