import { containerFiles, isDirectory, listDirectory, resolvePath } from './files';
import { EXIT_INTERRUPTED, ProcessContext, Program, sleep } from './process';
import { deviceSource, head, pump, wc, yes } from './throughput';

/** The programs on a demo container's PATH, busybox-like in what they print. */
const echo: Program = async (ctx) => {
  let args = ctx.argv.slice(1);
  const newline = args[0] !== '-n';
  if (!newline) args = args.slice(1);
  await ctx.stdout.write(args.join(' ') + (newline ? '\n' : ''));
  return 0;
};

async function copyStdin(ctx: ProcessContext): Promise<void> {
  for (let chunk = await ctx.stdin.read(ctx.signal); chunk !== null; chunk = await ctx.stdin.read(ctx.signal)) {
    await ctx.stdout.write(chunk);
  }
}

const cat: Program = async (ctx) => {
  const paths = ctx.argv.length > 1 ? ctx.argv.slice(1) : ['-'];
  const files = containerFiles(ctx.container);
  let code = 0;
  for (const path of paths) {
    if (ctx.signal.aborted) break;
    if (path === '-') {
      await copyStdin(ctx);
      continue;
    }
    const resolved = resolvePath(ctx.cwd, path);
    const device = deviceSource(resolved);
    if (device) return pump(ctx, device, Infinity);
    const content = files.get(resolved);
    if (content !== undefined) await ctx.stdout.write(content);
    else if (resolved === '/dev/null') continue;
    else {
      await ctx.stderr.write(isDirectory(files, resolved) ? `cat: read error: Is a directory\n` : `cat: can't open '${path}': No such file or directory\n`);
      code = 1;
    }
  }
  return ctx.signal.aborted ? EXIT_INTERRUPTED : code;
};

const printenv: Program = async (ctx) => {
  const names = ctx.argv.slice(1).filter((a) => !a.startsWith('-'));
  if (ctx.argv[0] === 'env' || names.length === 0) {
    await ctx.stdout.write(Object.entries(ctx.env).map(([k, v]) => `${k}=${v}\n`).join(''));
    return 0;
  }
  let code = 0;
  for (const name of names) {
    const v = ctx.env[name];
    if (v === undefined) code = 1;
    else await ctx.stdout.write(`${v}\n`);
  }
  return code;
};

const sleepProgram: Program = async (ctx) => {
  const arg = ctx.argv[1] ?? '';
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(arg);
  if (!m) {
    await ctx.stderr.write(arg ? `sleep: invalid number '${arg}'\n` : 'BusyBox v1.36.1 multi-call binary.\n\nUsage: sleep [N]...\n');
    return 1;
  }
  const unit: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };
  const done = await sleep(Number(m[1]) * (unit[m[2] ?? ''] ?? 1) * 1000, ctx.signal);
  return done ? 0 : EXIT_INTERRUPTED;
};

const ls: Program = async (ctx) => {
  const files = containerFiles(ctx.container);
  const paths = ctx.argv.slice(1).filter((a) => !a.startsWith('-'));
  let code = 0;
  for (const path of paths.length ? paths : ['.']) {
    const resolved = resolvePath(ctx.cwd, path);
    const names = listDirectory(files, resolved);
    if (names) await ctx.stdout.write(ctx.terminal ? `${names.join('  ')}\n` : names.map((n) => `${n}\n`).join(''));
    else if (files.has(resolved) || deviceSource(resolved) || resolved === '/dev/null') await ctx.stdout.write(`${path}\n`);
    else {
      await ctx.stderr.write(`ls: ${path}: No such file or directory\n`);
      code = 1;
    }
  }
  return code;
};

/** `stty size` prints "ROWS COLUMNS" from the last resize the client sent. */
const stty: Program = async (ctx) => {
  if (!ctx.terminal) {
    await ctx.stderr.write('stty: standard input: Not a tty\n');
    return 1;
  }
  if (ctx.argv[1] !== 'size') {
    await ctx.stderr.write('stty: this demo container supports only `stty size`\n');
    return 1;
  }
  const size = ctx.terminal.size();
  await ctx.stdout.write(`${size?.height ?? 0} ${size?.width ?? 0}\n`);
  return 0;
};

const constant = (text: string, code = 0): Program => async (ctx) => {
  if (text) await ctx.stdout.write(text);
  return code;
};

export const COMMANDS: Record<string, Program> = {
  cat,
  echo,
  env: printenv,
  false: constant('', 1),
  head,
  hostname: async (ctx) => {
    await ctx.stdout.write(`${ctx.container.pod}\n`);
    return 0;
  },
  id: constant('uid=0(root) gid=0(root) groups=0(root),10(wheel)\n'),
  ls,
  printenv,
  pwd: async (ctx) => {
    await ctx.stdout.write(`${ctx.cwd}\n`);
    return 0;
  },
  sleep: sleepProgram,
  stty,
  true: constant(''),
  uname: constant('Linux\n'),
  wc,
  whoami: constant('root\n'),
  yes,
};
