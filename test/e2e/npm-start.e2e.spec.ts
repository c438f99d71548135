import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { busSubjects } from '@chaperone/contracts';
import { descendants, stillRunning, type ProcessRow } from './support/processes';

// `npm start` as a newcomer runs it (the build step, `prestart`, is skipped: the suite built
// everything), on ports the kernel picks, with its own state directory and bus prefix so that it
// shares nothing with a developer's own `npm start` or other tests on the shared NATS.
const ROOT = resolve(__dirname, '..', '..');
const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

interface Run {
  code: number | null;
  output: string;
}

function npmEnv(stateDir: string, prefix: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // Nothing of the caller's Chaperone or cluster settings: no kubeconfig means the demo cluster.
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CHAPERONE_') && k !== 'KUBECONFIG' && !k.startsWith('npm_')) env[k] = v;
  return {
    ...env,
    HOME: stateDir,
    CHAPERONE_STATE_DIR: stateDir,
    CHAPERONE_NATS_URL: NATS_URL,
    CHAPERONE_BUS_PREFIX: prefix,
    CHAPERONE_HEALTH_PORT: '0',
    CHAPERONE_HTTPS_PORT: '0',
  };
}

function npm(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<Run>; output: () => string } {
  const child = spawn('npm', args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const done = new Promise<Run>((res) => child.once('close', (code) => res({ code, output })));
  return { child, done, output: () => output };
}

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function portAnswers(port: number): Promise<boolean> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const net = require('node:net') as typeof import('node:net');
  return new Promise((res) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

async function streamNames(jsm: JetStreamManager): Promise<string[]> {
  const names: string[] = [];
  for await (const info of jsm.streams.list()) names.push(info.config.name);
  return names;
}

describe('npm start, as a process', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'chaperone-npm-start-'));
  const prefix = `e2e-start-${randomUUID().slice(0, 8)}`;
  const subjects = busSubjects(prefix);
  // Another deployment on the same NATS whose prefix starts the same: reset must not touch it.
  const neighbour = busSubjects(`${prefix}-x`);
  const env = npmEnv(stateDir, prefix);
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let stack: ProcessRow[] = [];

  beforeAll(async () => {
    nc = await connect({ servers: NATS_URL });
    jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: neighbour.eventsStream, subjects: [neighbour.eventsAll] });
  });

  afterAll(async () => {
    // Whatever a failed run left behind.
    for (const p of stack) if (stillRunning(p)) process.kill(p.pid, 'SIGKILL');
    for (const name of await streamNames(jsm)) {
      if (name === neighbour.eventsStream || name.includes(subjects.eventsStream) || name.includes(subjects.evidenceStream) || name.includes(`${prefix}-`)) {
        await jsm.streams.delete(name).catch(() => undefined);
      }
    }
    await nc.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('stops every process of the stack and frees its ports on SIGTERM to npm; a second start says one runs; reset deletes its streams', async () => {
    const first = npm(['start', '--ignore-scripts'], env);
    await until('"Press Ctrl-C to stop."', () => first.output().includes('Press Ctrl-C to stop.') || first.child.exitCode !== null, 240_000);
    expect(first.output()).toContain('Press Ctrl-C to stop.');
    // It says which NATS it uses.
    expect(first.output()).toContain(`[chaperone] NATS: ${NATS_URL}`);

    stack = descendants(first.child.pid ?? -1);
    const services = stack.filter((p) => /services\/\w+\/dist\/main\.js/.test(p.cmdline));
    expect(services.map((p) => /services\/(\w+)\//.exec(p.cmdline)?.[1]).sort()).toEqual(['approval', 'audit', 'console', 'exporter', 'ingress', 'masking', 'mcp', 'policy', 'reports']);
    expect(stack.some((p) => p.cmdline.includes('scripts/start.js'))).toBe(true);
    const ports = [...first.output().matchAll(/(?:ready health=|listening on )https?:\/\/127\.0\.0\.1:(\d+)/g)].map((m) => Number(m[1]));
    expect(new Set(ports).size).toBeGreaterThanOrEqual(10); // nine health ports and the Kubernetes API surface
    for (const port of ports) expect(await portAnswers(port)).toBe(true);

    // A second start with the same state directory: told, not a port failure.
    const second = await npm(['start', '--ignore-scripts'], env).done;
    expect(second.code).toBe(1);
    expect(second.output).toContain('Chaperone is already running');
    expect(second.output).not.toMatch(/EADDRINUSE|could not listen/);

    // Reset refuses while the stack runs.
    const early = await npm(['run', 'reset', '--ignore-scripts'], env).done;
    expect(early.code).toBe(1);
    expect(early.output).toContain('stop it first');
    expect(await streamNames(jsm)).toEqual(expect.arrayContaining([subjects.eventsStream, subjects.evidenceStream]));

    first.child.kill('SIGTERM');
    // Not `close`: a start.js left behind would hold npm's output pipe open forever.
    await until('npm to exit', () => first.child.exitCode !== null || first.child.signalCode !== null, 30_000);
    await until('every process of the stack to exit', () => stack.every((p) => !stillRunning(p)), 30_000);
    for (const port of ports) expect(await portAnswers(port)).toBe(false);
    const output = (await first.done).output;
    expect(output.match(/^\[chaperone\] stopped/gm)).toEqual(['[chaperone] stopped']);
    expect(output).not.toContain('unexpectedly');

    const reset = await npm(['run', 'reset', '--ignore-scripts'], env).done;
    expect(reset.code).toBe(0);
    const left = await streamNames(jsm);
    expect(left).not.toContain(subjects.eventsStream);
    expect(left).not.toContain(subjects.evidenceStream);
    expect(left.filter((n) => n.startsWith(`OBJ_${prefix}-`) && !n.startsWith(`OBJ_${prefix}-x`))).toEqual([]);
    expect(reset.output).toContain(`deleted stream OBJ_${prefix}-blobs`);
    expect(left).toContain(neighbour.eventsStream);
  }, 360_000);
});
