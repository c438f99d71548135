import type { Readable, Writable } from 'node:stream';
import type { ParsedArgs } from './args';

/** Where a command writes and what it may read from its environment: injected, so tests capture it. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: Record<string, string | undefined>;
  /** The raw streams, for a command that speaks a protocol over them (chaperone mcp --stdio). */
  streams?: { input: Readable; output: Writable };
}

/**
 * One top-level command (`chaperone <name> ...`). `run` returns the process exit code:
 * 0 success, 1 the operation failed or found a problem (e.g. a broken chain), 2 bad usage.
 */
export interface Command {
  name: string;
  /** One line for `chaperone help`. */
  summary: string;
  /** The full usage text, printed by `chaperone help <name>` and on bad usage. */
  usage: string;
  run(args: ParsedArgs, io: Io): Promise<number>;
}

/** Thrown for bad usage: the message is printed with the command's usage and the exit code is 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
