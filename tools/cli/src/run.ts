import { parseArgs } from './args';
import { UsageError, type Command, type Io } from './command';
import { ApiError } from './api-client';

const TOP_USAGE = 'usage: chaperone <command> [arguments] [--options]\n       chaperone help [command]';

function help(commands: readonly Command[], io: Io, name?: string): number {
  if (name) {
    const c = commands.find((x) => x.name === name);
    if (!c) {
      io.err(`chaperone: unknown command "${name.slice(0, 40)}"\n`);
      return 2;
    }
    io.out(`${c.usage}\n`);
    return 0;
  }
  const width = Math.max(4, ...commands.map((c) => c.name.length));
  io.out(`${TOP_USAGE}\n\ncommands:\n${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}\n  ${'help'.padEnd(width)}  show this text, or one command's usage\n`);
  return 0;
}

/** The whole CLI as a function of its arguments and IO: what main.ts runs and tests call. */
export async function run(argv: readonly string[], io: Io, commands: readonly Command[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help') return help(commands, io, rest[0]);
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`chaperone: unknown command "${name.slice(0, 40)}"\n${TOP_USAGE}\n`);
    return 2;
  }
  try {
    return await command.run(parseArgs(rest, BOOLEAN_OPTIONS), io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`chaperone ${command.name}: ${e.message}\n${command.usage}\n`);
      return 2;
    }
    if (e instanceof ApiError) {
      io.err(`chaperone ${command.name}: ${e.message}\n`);
      return 1;
    }
    io.err(`chaperone ${command.name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

/** Options that never take a value, across every command. */
export const BOOLEAN_OPTIONS: ReadonlySet<string> = new Set(['json', 'help', 'yes', 'follow', 'stdio']);
