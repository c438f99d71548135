import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as http from 'node:http';
import * as net from 'node:net';
import { FAKE_EXEC_PASSWORD, FAKE_SERVICE_ACCOUNT_JWT } from './index';
import { KubectlHarness, startKubectlHarness } from './testing/kubectl-harness';

/**
 * The real kubectl 1.32 running exec, attach and port-forward against the test server: exec and
 * attach over WebSocket (v5.channel.k8s.io), port-forward as SPDY tunnelled through WebSocket.
 */
const TOKEN = 'exec-bearer-token';
const POD = 'web-7d4b9c8f5-abcde';

let h: KubectlHarness;

beforeAll(async () => {
  h = await startKubectlHarness(TOKEN, { logFollowIntervalMs: 50 });
}, 30_000);

afterAll(async () => {
  await h?.close();
});

/** Waits until `cond` holds, polling; fails with `what` after a few seconds. */
async function until(cond: () => boolean, what: () => string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting; ${what()}`);
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number> {
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? -1)));
}

describe('kubectl exec', () => {
  it('runs a command over WebSocket v5 and prints its output', async () => {
    h.server.clearRequests();
    const r = await h.kubectl('exec', POD, '--', 'echo', 'hi', 'there');
    expect(r).toEqual({ stdout: 'hi there\n', stderr: '', code: 0 });
    const upgrade = h.server.requests.find((q) => q.url.includes(`/pods/${POD}/exec?`));
    expect(upgrade?.headers['upgrade']).toBe('websocket');
    expect(upgrade?.headers['sec-websocket-protocol']).toContain('v5.channel.k8s.io');
    expect(upgrade?.url).toContain('command=echo&command=hi&command=there');
  });

  it('propagates a non-zero exit code', async () => {
    const r = await h.kubectl('exec', POD, '--', 'sh', '-c', 'echo before; exit 3');
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('before\n');
    expect(r.stderr).toBe('command terminated with exit code 3\n');
  });

  it('separates stdout and stderr', async () => {
    const r = await h.kubectl('exec', POD, '--', 'cat', '/etc/hostname', '/nope');
    expect(r).toEqual({ stdout: `${POD}\n`, stderr: "cat: can't open '/nope': No such file or directory\ncommand terminated with exit code 1\n", code: 1 });
  });

  it('-i feeds stdin to cat, which ends when kubectl half-closes stdin', async () => {
    const input = 'first line\nsecond line\n' + 'x'.repeat(100_000) + '\n';
    const r = await h.kubectlWithInput(input, 'exec', '-i', POD, '--', 'cat');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(input);
  });

  it('prints secret-looking file contents and environment (what masking must cover)', async () => {
    const token = await h.kubectl('exec', POD, '--', 'cat', '/etc/secret/token');
    expect(token.stdout).toBe(`token=${FAKE_SERVICE_ACCOUNT_JWT}\npassword=${FAKE_EXEC_PASSWORD}\n`);
    const env = await h.kubectl('exec', POD, '--', 'env');
    expect(env.stdout).toMatch(/^AWS_ACCESS_KEY_ID=AKIA[0-9A-Z]{16}$/m);
  });

  it('reports a missing executable as the runtime does', async () => {
    const r = await h.kubectl('exec', POD, '--', 'no-such-binary');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('exec: "no-such-binary": executable file not found in $PATH');
  });

  it('streams bulk output through kubectl (figure printed, not asserted)', async () => {
    const size = 32 * 1024 * 1024;
    const started = process.hrtime.bigint();
    const child = spawn('kubectl', ['exec', POD, '--', 'head', '-c', String(size), '/dev/zero'], { env: h.env });
    let received = 0;
    child.stdout.on('data', (d: Buffer) => (received += d.length));
    expect(await exited(child)).toBe(0);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    expect(received).toBe(size);
    console.log(`kubectl exec head -c 32MiB /dev/zero: ${(size / 1048576 / seconds).toFixed(0)} MiB/s (${seconds.toFixed(2)} s, kubectl start-up included)`);
  });

  it('exec -it sh: a TTY session driven through a pseudo-terminal', async () => {
    // script(1) gives kubectl a real terminal of 40x100, so kubectl goes raw and sends that size.
    const child = spawn('script', ['-qefc', `stty rows 40 cols 100; exec kubectl exec -it ${POD} -- sh`, '/dev/null'], { env: { ...h.env, SHELL: '/bin/sh' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const prompts = () => out.split('/ # ').length - 1;
    const typeAtPrompt = async (n: number, keys: string) => {
      await until(() => prompts() >= n, () => `output so far: ${JSON.stringify(out)}`);
      child.stdin.write(keys);
    };
    await typeAtPrompt(1, 'echo tty-hi\r');
    await typeAtPrompt(2, 'stty size\r');
    await typeAtPrompt(3, 'exit 4\r');
    expect(await exited(child)).toBe(4);
    expect(out).toContain('/ # echo tty-hi\r\ntty-hi\r\n');
    expect(out).toContain('/ # stty size\r\n40 100\r\n');
    expect(out).toContain('command terminated with exit code 4');
  });
});

describe('kubectl attach', () => {
  it('attach -i reaches the main process (a shell) and returns its exit code', async () => {
    const r = await h.kubectlWithInput('echo attached\nexit 2\n', 'attach', '-i', POD);
    expect(r.stdout).toBe('attached\n');
    expect(r.code).toBe(2);
  });

  it('attach without stdin streams the main process output', async () => {
    const out = await h.kubectlUntil(['attach', POD], (o) => o.includes('heartbeat 2 from web'));
    expect(out).toContain('heartbeat 1 from web\n');
  });
});

describe('kubectl port-forward (SPDY over WebSocket)', () => {
  async function forward(remotePort: number): Promise<{ child: ChildProcessWithoutNullStreams; port: number; output: () => string }> {
    const child = spawn('kubectl', ['port-forward', `pod/${POD}`, `:${remotePort}`], { env: h.env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => /Forwarding from 127\.0\.0\.1:\d+/.test(out), () => out);
    const port = Number(/Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
    return { child, port, output: () => out };
  }

  it('forwards HTTP and raw bytes to the pod port, many connections over one tunnel', async () => {
    h.server.clearRequests();
    const pf = await forward(8080);
    try {
      for (const path of ['/one', '/two']) {
        const body = await new Promise<string>((resolve, reject) => {
          http.get({ host: '127.0.0.1', port: pf.port, path }, (res) => {
            let b = '';
            res.on('data', (d: Buffer) => (b += d.toString()));
            res.on('end', () => resolve(`${res.statusCode ?? 0} ${b}`));
          }).on('error', reject);
        });
        expect(body).toBe(`200 echo from pod ${POD} port 8080: GET ${path}\n`);
      }
      const payload = randomBytes(4 * 1024 * 1024);
      const started = process.hrtime.bigint();
      const echoed = await new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        const s = net.connect(pf.port, '127.0.0.1', () => s.end(payload));
        s.on('data', (d: Buffer) => chunks.push(d));
        s.on('end', () => resolve(Buffer.concat(chunks)));
        s.on('error', reject);
      });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      expect(echoed.equals(payload)).toBe(true);
      console.log(`kubectl port-forward echo of 4 MiB: ${((2 * payload.length) / 1048576 / seconds).toFixed(1)} MiB/s both ways (${seconds.toFixed(2)} s)`);
      const upgrades = h.server.requests.filter((q) => q.url.endsWith(`/pods/${POD}/portforward`));
      expect(upgrades).toHaveLength(1);
      expect(upgrades[0]?.headers['sec-websocket-protocol']).toBe('SPDY/3.1+portforward.k8s.io');
    } finally {
      pf.child.kill('SIGTERM');
    }
  });

  it('a port nothing listens on: kubectl reports the kubelet error and gives up', async () => {
    const pf = await forward(9999);
    const done = exited(pf.child);
    const s = net.connect(pf.port, '127.0.0.1');
    s.on('error', () => undefined);
    expect(await done).not.toBe(0);
    expect(pf.output()).toMatch(/an error occurred forwarding \d+ -> 9999: error forwarding port 9999 to pod web-7d4b9c8f5-abcde_default, uid [0-9a-f-]+: .*connection refused/);
    expect(pf.output()).toContain('lost connection to pod');
    s.destroy();
  });
});
