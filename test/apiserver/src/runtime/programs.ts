import { COMMANDS } from './commands';
import { Program } from './process';
import { sh } from './shell';

/** The container's PATH: a bare name, or an absolute path in one of the usual bin directories. */
const PROGRAMS: Record<string, Program> = { ...COMMANDS, sh, ash: sh, bash: sh };
const BIN_DIRS = ['/bin', '/usr/bin', '/sbin', '/usr/sbin', '/usr/local/bin'];

export function findProgram(name: string): Program | undefined {
  const slash = name.lastIndexOf('/');
  if (slash >= 0 && !BIN_DIRS.includes(name.slice(0, slash))) return undefined;
  const base = name.slice(slash + 1);
  return Object.hasOwn(PROGRAMS, base) ? PROGRAMS[base] : undefined;
}
