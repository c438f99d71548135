import { LineReader } from './byte-queue';
import { isDirectory, containerFiles, resolvePath } from './files';
import { Pipe } from './pipe';
import { EXIT_INTERRUPTED, ProcessContext, Program } from './process';
import { ListItem, ShellSyntaxError, Word, expandWord, parseScript } from './shell-parse';

/**
 * `sh`: runs `sh -c SCRIPT`, or reads commands from stdin. With a TTY it is interactive: a
 * busybox-style prompt, Ctrl-C stops the running command, Ctrl-D or `exit [code]` ends the session.
 */
class ExitRequested {
  constructor(readonly code: number) {}
}

interface ShellState {
  ctx: ProcessContext;
  vars: Record<string, string>;
  status: number;
  cwd: string;
}

const builtins: Record<string, (s: ShellState, args: string[], ctx: ProcessContext) => Promise<number>> = {
  exit: async (s, args, ctx) => {
    const code = args[0] === undefined ? s.status : Number(args[0]);
    if (!Number.isInteger(code)) {
      await ctx.stderr.write(`sh: exit: Illegal number: ${args[0] ?? ''}\n`);
      throw new ExitRequested(2);
    }
    throw new ExitRequested(((code % 256) + 256) % 256);
  },
  cd: async (s, args, ctx) => {
    const target = resolvePath(s.cwd, args[0] ?? s.vars['HOME'] ?? '/');
    if (!isDirectory(containerFiles(ctx.container), target)) {
      await ctx.stderr.write(`sh: cd: can't cd to ${args[0] ?? ''}: No such file or directory\n`);
      return 2;
    }
    s.cwd = target;
    return 0;
  },
  export: async (s, args) => {
    for (const a of args) {
      const eq = a.indexOf('=');
      if (eq > 0) s.vars[a.slice(0, eq)] = a.slice(eq + 1);
    }
    return 0;
  },
};

async function runCommand(s: ShellState, words: Word[], io: Pick<ProcessContext, 'stdin' | 'stdout' | 'signal'>): Promise<number> {
  const argv = words.map((w) => expandWord(w, (name) => (name === '?' ? String(s.status) : (s.vars[name] ?? ''))));
  const name = argv[0];
  if (name === undefined) return 0;
  const ctx: ProcessContext = { ...s.ctx, ...io, argv, env: { ...s.vars }, cwd: s.cwd };
  const builtin = builtins[name];
  if (builtin) return builtin(s, argv.slice(1), ctx);
  const program = s.ctx.lookup(name);
  if (!program) {
    await ctx.stderr.write(`sh: ${name}: not found\n`);
    return 127;
  }
  return program(ctx);
}

async function runPipeline(s: ShellState, commands: Word[][], signal: AbortSignal): Promise<number> {
  const [only] = commands;
  if (commands.length === 1 && only) return runCommand(s, only, { stdin: s.ctx.stdin, stdout: s.ctx.stdout, signal });
  const pipes = commands.slice(1).map(() => new Pipe());
  const stages = commands.map(async (words, i) => {
    const controller = new AbortController();
    const stop = () => controller.abort(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
    const upstream = pipes[i - 1];
    const downstream = pipes[i];
    downstream?.onReaderGone(() => controller.abort('pipe'));
    try {
      return await runCommand(s, words, {
        stdin: upstream ? upstream.reader : s.ctx.stdin,
        stdout: downstream ? downstream.writer : s.ctx.stdout,
        signal: controller.signal,
      });
    } finally {
      signal.removeEventListener('abort', stop);
      downstream?.endWriter();
      upstream?.closeReader();
    }
  });
  const codes = await Promise.all(stages);
  return codes.at(-1) ?? 0;
}

async function runList(s: ShellState, items: ListItem[], signal: AbortSignal): Promise<number> {
  let skip = false;
  for (const item of items) {
    if (!skip) s.status = await runPipeline(s, item.pipeline, signal);
    if (signal.aborted) return s.status;
    skip = (item.then === '&&' && s.status !== 0) || (item.then === '||' && s.status === 0);
  }
  return s.status;
}

/** Runs one line or script; syntax errors are reported like sh does (status 2). */
async function runSource(s: ShellState, src: string, signal: AbortSignal): Promise<number> {
  let items: ListItem[];
  try {
    items = parseScript(src);
  } catch (e) {
    if (!(e instanceof ShellSyntaxError)) throw e;
    await s.ctx.stderr.write(`sh: ${e.message}\n`);
    return (s.status = 2);
  }
  return runList(s, items, signal);
}

function prompt(s: ShellState): string {
  const home = s.vars['HOME'] ?? '/root';
  const dir = s.cwd === home ? '~' : s.cwd.startsWith(`${home}/`) ? `~${s.cwd.slice(home.length)}` : s.cwd;
  return `${dir} # `;
}

async function interactive(s: ShellState): Promise<number> {
  const { ctx } = s;
  const lines = new LineReader(ctx.stdin);
  let idle = true;
  const unsubscribe = ctx.terminal?.onInterrupt(() => {
    if (idle) void ctx.stdout.write(prompt(s));
  });
  try {
    for (;;) {
      if (ctx.terminal) await ctx.stdout.write(prompt(s));
      const line = await lines.readLine(ctx.signal);
      if (line === null) return ctx.signal.aborted ? EXIT_INTERRUPTED : s.status;
      const controller = new AbortController();
      const stop = () => controller.abort();
      ctx.signal.addEventListener('abort', stop, { once: true });
      const release = ctx.terminal?.onInterrupt(stop);
      idle = false;
      try {
        await runSource(s, line, controller.signal);
      } finally {
        idle = true;
        release?.();
        ctx.signal.removeEventListener('abort', stop);
      }
      if (ctx.signal.aborted) return EXIT_INTERRUPTED;
    }
  } finally {
    unsubscribe?.();
  }
}

export const sh: Program = async (ctx) => {
  const s: ShellState = { ctx, vars: { ...ctx.env }, status: 0, cwd: ctx.cwd };
  const args = ctx.argv.slice(1);
  try {
    if (args[0] === '-c') {
      if (args[1] === undefined) {
        await ctx.stderr.write('sh: -c requires an argument\n');
        return 2;
      }
      return await runSource(s, args[1], ctx.signal);
    }
    const script = args.find((a) => !a.startsWith('-'));
    if (script !== undefined) {
      const content = containerFiles(ctx.container).get(resolvePath(ctx.cwd, script));
      if (content === undefined) {
        await ctx.stderr.write(`sh: can't open '${script}': No such file or directory\n`);
        return 2;
      }
      return await runSource(s, content, ctx.signal);
    }
    return await interactive(s);
  } catch (e) {
    if (e instanceof ExitRequested) return e.code;
    throw e;
  }
};
