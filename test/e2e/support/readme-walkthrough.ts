/**
 * The README's walk-through as steps a test can run. A walk-through block is a ```sh block whose
 * first line is `# terminal <n>: <what>`; each other line is a command, a comment (`# …`), or a line
 * the previous command prints (`#   …`, three spaces). Output lines written before a block's first
 * command belong to the command still running in that terminal (a `kubectl delete` held for
 * approval, `npm start`).
 */
export interface Step {
  terminal: number;
  /** The block's header, e.g. "after Ctrl-C". */
  header: string;
  /** Undefined: the expected lines are the running command's, in this terminal. */
  command?: string;
  expected: string[];
}

const HEADER = /^# terminal (\d+): (.*)$/;
const OUTPUT = /^# {3}(.*)$/;

export function walkthroughSteps(markdown: string): Step[] {
  const steps: Step[] = [];
  const blocks = [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => (m[1] ?? '').split('\n'));
  for (const lines of blocks) {
    const header = HEADER.exec(lines[0] ?? '');
    if (!header) continue;
    const terminal = Number(header[1]);
    const what = header[2] ?? '';
    let current: Step | undefined;
    for (const line of lines.slice(1)) {
      const output = OUTPUT.exec(line);
      if (output) {
        if (!current) {
          current = { terminal, header: what, expected: [] };
          steps.push(current);
        }
        current.expected.push(output[1] ?? '');
      } else if (line.trim() === '' || line.startsWith('#')) {
        continue;
      } else {
        current = { terminal, header: what, command: line, expected: [] };
        steps.push(current);
      }
    }
    // A block that only names its terminal (no command, no output) still orders the walk-through.
    if (!current) steps.push({ terminal, header: what, expected: [] });
  }
  return steps;
}

/**
 * Matches one documented output line against a command's output: `…` stands for anything, a run of
 * spaces for any run of spaces (column widths vary), and `<name>` for one word, which is bound on
 * its first match and must be the same word afterwards. Returns the bindings, or undefined.
 */
export function matchLine(expected: string, output: string, bound: ReadonlyMap<string, string>): Map<string, string> | undefined {
  const names: string[] = [];
  const pattern = expected
    .split(/(…|<[a-z][a-z-]*>)/)
    .map((part) => {
      if (part === '…') return '.*?';
      const name = /^<([a-z][a-z-]*)>$/.exec(part)?.[1];
      if (name) {
        const value = bound.get(name);
        if (value !== undefined) return escape(value);
        names.push(name);
        return '(?<!\\S)(\\S+)';
      }
      return part
        .split(/ +/)
        .map(escape)
        .join('\\s+');
    })
    .join('');
  const regex = new RegExp(pattern);
  for (const line of output.split('\n')) {
    const m = regex.exec(line);
    if (m) return new Map(names.map((n, i) => [n, m[i + 1] ?? '']));
  }
  return undefined;
}

/** Puts bound words into a command: `approve <id>` becomes `approve 3f0c…`. */
export function fillIn(command: string, bound: ReadonlyMap<string, string>): string {
  return command.replace(/<([a-z][a-z-]*)>/g, (whole, name: string) => bound.get(name) ?? whole);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
