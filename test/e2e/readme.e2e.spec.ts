import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { connect } from 'nats';
import { busSubjects } from '@chaperone/contracts';
import { fillIn, matchLine, walkthroughSteps, type Step } from './support/readme-walkthrough';

// A newcomer's walk-through: every command of the README's quick start, in order, in the terminal
// the README names, checked against the output the README shows. The stack runs as `npm start`
// runs it (the build, `prestart`, is skipped: the suite built everything), on ports the kernel
// picks, with its own state directory and bus prefix, so it shares nothing with a developer's own
// `npm start` or other tests on the shared NATS. DIFFERENCES lists everything the test changes in
// the README's commands and output for that, and nothing else.
const ROOT = resolve(__dirname, '..', '..');
const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** How long a command without documented output may run before the walk-through goes on without it. */
const SETTLE_MS = 15_000;
/** How long a command may take to print what the README says it prints. */
const OUTPUT_TIMEOUT_MS = 90_000;
const START_TIMEOUT_MS = 240_000;

interface Running {
  command: string;
  child: ChildProcess;
  output: () => string;
  exited: () => boolean;
  interrupted: boolean;
  /** kubectl exits 1 on a refusal the README shows; anything else must exit 0. */
  mayFail: boolean;
}

interface Local {
  stateDir: string;
  prefix: string;
  /** Read from npm start's output once it runs. */
  approvalUrl?: string;
  reportsUrl?: string;
}

/** What differs between a newcomer's machine and this test, applied to each command before it runs. */
function differences(local: Local): [string | RegExp, string][] {
  return [
    ['.chaperone/', `${local.stateDir}/`],
    [/^npm ci$/, 'true'], // the suite's own install
    [/^npm start$/, 'npm start --ignore-scripts'],
    [/^npm run reset$/, 'npm run reset --ignore-scripts'],
    ['http://127.0.0.1:9403', local.approvalUrl ?? 'http://127.0.0.1:9403'],
    ['--out report.html', `--out ${local.stateDir}/report.html`],
  ];
}

function localCommand(command: string, local: Local): string {
  return differences(local).reduce((c, [from, to]) => (typeof from === 'string' ? c.split(from).join(to) : c.replace(from, to)), command);
}

/** The README's output with this test's bus prefix where the README names the default one. */
function localExpected(line: string, local: Local): string {
  return line.split('bus prefix "chaperone"').join(`bus prefix "${local.prefix}"`);
}

function terminalEnv(local: Local): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  // Nothing of the caller's Chaperone or cluster settings: no kubeconfig means the demo cluster.
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CHAPERONE_') && k !== 'KUBECONFIG' && !k.startsWith('npm_')) env[k] = v;
  return {
    ...env,
    HOME: local.stateDir,
    CHAPERONE_STATE_DIR: local.stateDir,
    CHAPERONE_NATS_URL: NATS_URL,
    CHAPERONE_BUS_PREFIX: local.prefix,
    CHAPERONE_HEALTH_PORT: '0',
    CHAPERONE_HTTPS_PORT: '0',
    ...(local.reportsUrl ? { CHAPERONE_REPORTS_SERVER: local.reportsUrl } : {}),
  };
}

function run(command: string, exports: string[], local: Local, expected: string[]): Running {
  // Its own process group, as a terminal's foreground job: Ctrl-C reaches every process of it.
  const child = spawn('bash', ['-c', [...exports, command].join('\n')], { cwd: ROOT, env: terminalEnv(local), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  let done = false;
  child.once('exit', () => (done = true));
  return { command, child, output: () => output, exited: () => done, interrupted: false, mayFail: expected.some((e) => e.startsWith('Error from server')) };
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 200));
  }
  return true;
}

function describeRun(r: Running): string {
  const out = r.output().trim().split('\n').slice(-40).join('\n');
  return `\`${r.command}\` (${r.exited() ? `exit code ${r.child.exitCode ?? r.child.signalCode}` : 'still running'}) printed:\n${out}`;
}

function checkExit(r: Running): void {
  if (!r.exited() || r.interrupted || r.mayFail) return;
  if (r.child.exitCode !== 0) throw new Error(`the README's command failed: ${describeRun(r)}`);
}

describe('the README walk-through, parsed', () => {
  it('finds the three terminals, the commands in order and the output each one documents', () => {
    const steps = walkthroughSteps(README);
    expect(new Set(steps.map((s) => s.terminal))).toEqual(new Set([1, 2, 3]));
    const commands = steps.filter((s) => s.command).map((s) => s.command ?? '');
    expect(commands[0]).toBe('npm ci');
    expect(commands).toContain('npm run reset');
    expect(commands.indexOf('kubectl --kubeconfig .chaperone/agent.kubeconfig delete pod worker-0')).toBeLessThan(commands.findIndex((c) => c.startsWith('npx chaperone approvals approve')));
    // Every command that prints something the README shows has it written below it.
    expect(steps.find((s) => s.command?.endsWith('get secret db-credentials -o yaml'))?.expected).toEqual(['password: KioqTUFTS0VEKioq']);
  });

  it('matches documented lines loosely on columns and `…`, binds `<name>` words, and refuses a wrong line', () => {
    const list = 'ID                                     AGE   STATUS\n1f83439a-51c1-4402-8125-79036e6d3906   6s    pending   0/1     demo-agent';
    const bound = matchLine('<id>   …   pending   0/1     demo-agent', list, new Map());
    expect(bound?.get('id')).toBe('1f83439a-51c1-4402-8125-79036e6d3906');
    expect(fillIn('npx chaperone approvals approve <id> --reason "x"', bound ?? new Map())).toBe('npx chaperone approvals approve 1f83439a-51c1-4402-8125-79036e6d3906 --reason "x"');
    expect(matchLine('approval <id>: granted', 'approval 1f83439a-51c1-4402-8125-79036e6d3906: granted: the request may run once', bound ?? new Map())).toBeDefined();
    expect(matchLine('approval <id>: granted', 'approval 00000000: granted', bound ?? new Map())).toBeUndefined();
    expect(matchLine('password: KioqTUFTS0VEKioq', '  password: c2VjcmV0', new Map())).toBeUndefined();
  });
});

describe('the README walk-through, run', () => {
  const local: Local = { stateDir: mkdtempSync(join(tmpdir(), 'chaperone-readme-')), prefix: `e2e-readme-${randomUUID().slice(0, 8)}` };
  const all: Running[] = [];

  afterAll(async () => {
    for (const r of all) {
      if (!r.exited() && r.child.pid) {
        try {
          process.kill(-r.child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    // What a failed run left on NATS (a passing run ends with the README's `npm run reset`).
    const nc = await connect({ servers: NATS_URL });
    const jsm = await nc.jetstreamManager();
    for await (const info of jsm.streams.list()) {
      const name = info.config.name;
      const subjects = busSubjects(local.prefix);
      if (name === subjects.eventsStream || name === subjects.evidenceStream || name.startsWith(`OBJ_${local.prefix}-`) || name.startsWith(`KV_${local.prefix}-`)) await jsm.streams.delete(name).catch(() => undefined);
    }
    await nc.close();
    rmSync(local.stateDir, { recursive: true, force: true });
  });

  it('every command of the quick start, in order, prints what the README shows, twice without a restart', async () => {
    const steps: Step[] = walkthroughSteps(README);
    const exports = new Map<number, string[]>();
    const runningIn = new Map<number, Running>();
    let bound = new Map<string, string>();

    const expectOutput = async (r: Running, expected: string[], timeoutMs: number) => {
      const lines = expected.map((e) => localExpected(e, local));
      // Wait until every line is there or the command ended, then say which line is not.
      const all = () => {
        let b = bound;
        for (const line of lines) {
          const m = matchLine(line, r.output(), b);
          if (!m) return undefined;
          b = new Map([...b, ...m]);
        }
        return b;
      };
      await until(() => all() !== undefined || r.exited(), timeoutMs);
      let b = bound;
      for (const line of lines) {
        const m = matchLine(line, r.output(), b);
        if (!m) throw new Error(`the README says this prints "${line}", but ${describeRun(r)}`);
        b = new Map([...b, ...m]);
      }
      bound = b;
    };

    // The agent's and the approver's part twice against one stack: what the walk-through changes in
    // the demo cluster (it deletes worker-0) must not keep a newcomer from running it again.
    const start = steps.findIndex((s) => s.command === 'npm start');
    const stop = steps.findIndex((s) => /Ctrl-C/.test(s.header));
    expect(start).toBeGreaterThanOrEqual(0);
    expect(stop).toBeGreaterThan(start);
    const plan: (Step | 'again')[] = [...steps.slice(0, stop), 'again', ...steps.slice(start + 1, stop), ...steps.slice(stop)];

    for (const step of plan) {
      if (step === 'again') {
        bound = new Map();
        continue;
      }
      const shell = exports.get(step.terminal) ?? [];
      exports.set(step.terminal, shell);
      const previous = runningIn.get(step.terminal);
      if (/Ctrl-C/.test(step.header) && previous && !previous.exited() && previous.child.pid) {
        previous.interrupted = true;
        process.kill(-previous.child.pid, 'SIGINT');
      }
      if (step.command === undefined) {
        if (step.expected.length === 0) continue;
        if (!previous) throw new Error(`terminal ${step.terminal} ("${step.header}") shows output, but nothing ran there`);
        await expectOutput(previous, step.expected, OUTPUT_TIMEOUT_MS);
        if (previous.interrupted) await until(previous.exited, 30_000);
        checkExit(previous);
        continue;
      }
      const command = fillIn(localCommand(step.command, local), bound);
      if (/<[a-z][a-z-]*>/.test(command)) throw new Error(`\`${step.command}\`: nothing shown before it gives ${/<[a-z][a-z-]*>/.exec(command)?.[0]}`);
      if (command.startsWith('export ')) shell.push(command);
      const r = run(command, command.startsWith('export ') ? shell.slice(0, -1) : shell, local, step.expected);
      all.push(r);
      runningIn.set(step.terminal, r);
      if (step.expected.length > 0) {
        await expectOutput(r, step.expected, step.command === 'npm start' ? START_TIMEOUT_MS : OUTPUT_TIMEOUT_MS);
      } else {
        await until(r.exited, SETTLE_MS);
      }
      checkExit(r);
      if (step.command === 'npm start') {
        // The addresses a newcomer's commands reach by their defaults.
        local.approvalUrl = /the approvers API is (http:\/\/[\d.]+:\d+)/.exec(r.output())?.[1];
        local.reportsUrl = /\[chaperone\] Reports \(.*\) at (http:\/\/[\d.]+:\d+)/.exec(r.output())?.[1];
        expect(local.approvalUrl).toBeDefined();
        expect(local.reportsUrl).toBeDefined();
      }
    }

    // Everything the walk-through started has ended, and ended well.
    for (const r of all) {
      if (!(await until(r.exited, 60_000))) throw new Error(`still running after the walk-through: ${describeRun(r)}`);
      checkExit(r);
    }
    expect(bound.get('id')).toMatch(/^[0-9a-f-]{36}$/);
  }, 900_000);
});
