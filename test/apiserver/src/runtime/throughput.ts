import { containerFiles, resolvePath } from './files';
import { EXIT_BROKEN_PIPE, EXIT_INTERRUPTED, ProcessContext, Program } from './process';

/**
 * Bulk-output programs for throughput tests: `head -c N /dev/zero`, `cat /dev/urandom`, `yes`.
 * They write in 32 KiB chunks and await each write, so a slow client slows them down instead of
 * filling the server's memory. /dev/urandom is deterministic here (a fixed-seed xorshift).
 */
export const CHUNK = 32 * 1024;
const ZEROS = Buffer.alloc(CHUNK);

export type ByteSource = (n: number) => Buffer;

export function deviceSource(path: string): ByteSource | undefined {
  if (path === '/dev/zero') return (n) => (n === CHUNK ? ZEROS : Buffer.alloc(n));
  if (path === '/dev/urandom' || path === '/dev/random') {
    let x = 0x2545f491;
    return (n) => {
      const out = Buffer.allocUnsafe(n);
      for (let i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        out[i] = x & 0xff;
      }
      return out;
    };
  }
  return undefined;
}

/** Writes `limit` bytes (Infinity = until aborted) from `source`; returns the exit code. */
export async function pump(ctx: ProcessContext, source: ByteSource, limit: number): Promise<number> {
  let left = limit;
  while (left > 0) {
    if (ctx.signal.aborted) return ctx.signal.reason === 'pipe' ? EXIT_BROKEN_PIPE : EXIT_INTERRUPTED;
    const chunk = source(Math.min(CHUNK, left));
    await ctx.stdout.write(chunk);
    left -= chunk.length;
  }
  return 0;
}

/** 10, 10K, 10k, 1M, 2G (binary multiples) and 10kB, 1MB (decimal), as GNU head reads them. */
export function parseCount(s: string): number | undefined {
  const m = /^(\d+)(k|K|M|G|kB|KB|MB|GB)?$/.exec(s);
  if (!m) return undefined;
  const mult: Record<string, number> = { k: 1024, K: 1024, M: 1024 ** 2, G: 1024 ** 3, kB: 1000, KB: 1000, MB: 1000 ** 2, GB: 1000 ** 3 };
  return Number(m[1]) * (m[2] ? (mult[m[2]] ?? 1) : 1);
}

export const head: Program = async (ctx) => {
  let bytes: number | undefined;
  let lines = 10;
  const files: string[] = [];
  const args = ctx.argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    const value = a === '-c' || a === '-n' ? args[++i] : a.startsWith('-c') || a.startsWith('-n') ? a.slice(2) : undefined;
    if (value !== undefined) {
      const n = parseCount(value);
      if (n === undefined) {
        await ctx.stderr.write(`head: invalid number '${value}'\n`);
        return 1;
      }
      if (a.startsWith('-c')) bytes = n;
      else lines = n;
    } else if (/^-\d+$/.test(a)) lines = Number(a.slice(1));
    else files.push(a);
  }
  const path = files[0] ?? '-';
  if (path === '-') return bytes !== undefined ? headBytesOfStdin(ctx, bytes) : headLinesOfStdin(ctx, lines);
  const resolved = resolvePath(ctx.cwd, path);
  const device = deviceSource(resolved);
  if (device) return pump(ctx, device, bytes ?? Infinity);
  const content = containerFiles(ctx.container).get(resolved);
  if (content === undefined) {
    await ctx.stderr.write(`head: ${path}: No such file or directory\n`);
    return 1;
  }
  const text = bytes !== undefined ? Buffer.from(content).subarray(0, bytes) : content.split(/(?<=\n)/).slice(0, lines).join('');
  await ctx.stdout.write(text);
  return 0;
};

async function headBytesOfStdin(ctx: ProcessContext, limit: number): Promise<number> {
  let left = limit;
  while (left > 0) {
    const chunk = await ctx.stdin.read(ctx.signal);
    if (chunk === null) break;
    const part = chunk.subarray(0, left);
    await ctx.stdout.write(part);
    left -= part.length;
  }
  return 0;
}

async function headLinesOfStdin(ctx: ProcessContext, limit: number): Promise<number> {
  let left = limit;
  while (left > 0) {
    const chunk = await ctx.stdin.read(ctx.signal);
    if (chunk === null) break;
    let end = 0;
    while (left > 0 && end < chunk.length) {
      const nl = chunk.indexOf(0x0a, end);
      end = nl < 0 ? chunk.length : nl + 1;
      if (nl >= 0) left -= 1;
    }
    await ctx.stdout.write(chunk.subarray(0, end));
  }
  return 0;
}

export const yes: Program = async (ctx) => {
  const line = Buffer.from(`${ctx.argv.length > 1 ? ctx.argv.slice(1).join(' ') : 'y'}\n`);
  const block = Buffer.alloc(Math.max(line.length, CHUNK - (CHUNK % line.length)));
  for (let off = 0; off + line.length <= block.length; off += line.length) line.copy(block, off);
  return pump(ctx, (n) => block.subarray(0, n), Infinity);
};

/** `wc [-c|-l]` over stdin, so `head -c 10M /dev/zero | wc -c` measures what went through a pipe. */
export const wc: Program = async (ctx) => {
  const flags = ctx.argv.slice(1).join('');
  let bytes = 0;
  let lines = 0;
  for (let chunk = await ctx.stdin.read(ctx.signal); chunk !== null; chunk = await ctx.stdin.read(ctx.signal)) {
    bytes += chunk.length;
    for (let i = chunk.indexOf(0x0a); i >= 0; i = chunk.indexOf(0x0a, i + 1)) lines += 1;
  }
  if (ctx.signal.aborted) return EXIT_INTERRUPTED;
  const out = flags.includes('c') ? `${bytes}` : flags.includes('l') ? `${lines}` : `${lines} ${bytes}`;
  await ctx.stdout.write(`${out}\n`);
  return 0;
};
