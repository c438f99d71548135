import { UsageError } from './command';

export interface ParsedArgs {
  /** Words that are not options, in order (the command name removed). */
  positional: string[];
  /** `--name value`, `--name=value`; a flag given without value (`--json`) is `true`. */
  options: Map<string, string | true>;
}

const OPTION = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s;

/**
 * A deliberately small parser: long options only. `booleans` names the options that never take a
 * value, so `--json foo` leaves `foo` positional. `--` ends options.
 */
export function parseArgs(argv: readonly string[], booleans: ReadonlySet<string> = new Set()): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i] as string;
    if (word === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!word.startsWith('--')) {
      if (word.startsWith('-') && word.length > 1) throw new UsageError(`unknown option ${word} (options are long: --name value)`);
      positional.push(word);
      continue;
    }
    const m = OPTION.exec(word);
    if (!m) throw new UsageError(`malformed option ${word.slice(0, 40)}`);
    const name = m[1] as string;
    if (m[2] !== undefined) options.set(name, m[2]);
    else if (booleans.has(name)) options.set(name, true);
    else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new UsageError(`option --${name} needs a value`);
      options.set(name, next);
      i++;
    }
  }
  return { positional, options };
}

/** A string option, else the environment variable, else the default; undefined when none. */
export function option(args: ParsedArgs, name: string, env?: { io: Record<string, string | undefined>; name: string }, fallback?: string): string | undefined {
  const v = args.options.get(name);
  if (v === true) throw new UsageError(`option --${name} needs a value`);
  if (v !== undefined) return v;
  const fromEnv = env ? env.io[env.name] : undefined;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return fallback;
}

/** Like `option`, but bad usage when absent. */
export function requiredOption(args: ParsedArgs, name: string, env?: { io: Record<string, string | undefined>; name: string }): string {
  const v = option(args, name, env);
  if (v === undefined) throw new UsageError(`--${name}${env ? ` (or ${env.name})` : ''} is required`);
  return v;
}

/** Refuse options the command does not know, so a typo is not silently ignored. */
export function rejectUnknownOptions(args: ParsedArgs, known: readonly string[]): void {
  for (const name of args.options.keys()) {
    if (!known.includes(name)) throw new UsageError(`unknown option --${name}`);
  }
}
