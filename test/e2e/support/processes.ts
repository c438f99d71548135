import { readdirSync, readFileSync } from 'node:fs';

/** One row of the process table (Linux /proc). */
export interface ProcessRow {
  pid: number;
  ppid: number;
  /** R, S, D, Z (zombie: exited, not yet reaped; it holds no port and runs nothing) … */
  state: string;
  cmdline: string;
}

function readRow(pid: number): ProcessRow | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid …": comm may contain spaces and parentheses, so split after the last ')'.
    const [state = '?', ppid = '0'] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { pid, ppid: Number(ppid), state, cmdline };
  } catch {
    return undefined;
  }
}

export function processTable(): ProcessRow[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((d) => readRow(Number(d)))
    .filter((r): r is ProcessRow => r !== undefined);
}

/** Every live process below root (children, grandchildren …), whatever process group they are in. */
export function descendants(root: number): ProcessRow[] {
  const table = processTable();
  const found: ProcessRow[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const parent = frontier.pop();
    for (const row of table) {
      if (row.ppid === parent && row.state !== 'Z') {
        found.push(row);
        frontier.push(row.pid);
      }
    }
  }
  return found;
}

/** True while the process seen as row still runs (a zombie has exited; a reused PID runs something else). */
export function stillRunning(row: ProcessRow): boolean {
  const now = readRow(row.pid);
  return now !== undefined && now.state !== 'Z' && now.cmdline === row.cmdline;
}
