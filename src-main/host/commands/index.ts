import type { CliCommand } from '../cli-types';
import { serveCommand, statusCommand } from './core';
import { sandboxDumpCommand, sandboxServeCommand } from './sandbox';
import { flowCommands } from './flows';
import { connectCommand } from './connect';
import { scheduleCommands } from './schedule';

/**
 * Every CLI command, in the order `--help` lists them. Add a command by writing
 * commands/<area>.ts and appending its export here (edit this list only in place).
 */
export const commands: CliCommand[] = [statusCommand, serveCommand, sandboxServeCommand, sandboxDumpCommand, ...flowCommands, connectCommand, ...scheduleCommands];
