import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generate } from 'selfsigned';
import { startTestApiServer, TestApiServer, TestApiServerOptions } from '../index';

/**
 * The test server over HTTPS with a bearer token, and the real kubectl (v1.32) pointed at it
 * through a kubeconfig in a temporary HOME.
 */
const run = promisify(execFile);

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface KubectlHarness {
  server: TestApiServer;
  token: string;
  /** The server's CA certificate (PEM). */
  ca: string;
  /** Scratch directory (HOME of kubectl, holds the kubeconfig). */
  dir: string;
  env: NodeJS.ProcessEnv;
  kubectl(...args: string[]): Promise<KubectlResult>;
  /** Runs kubectl with `input` on its stdin (a pipe, not a terminal). */
  kubectlWithInput(input: string, ...args: string[]): Promise<KubectlResult>;
  /** Runs a long-lived kubectl, resolves with its output once `until` matches (then stops it). */
  kubectlUntil(args: string[], until: (out: string) => boolean, onStart?: () => Promise<unknown>, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

export async function startKubectlHarness(token: string, opts: TestApiServerOptions = {}): Promise<KubectlHarness> {
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 86400_000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] }],
  });
  const server = await startTestApiServer({ ...opts, tls: { cert: pems.cert, key: pems.private }, bearerToken: token });
  const dir = mkdtempSync(join(tmpdir(), 'test-apiserver-'));
  writeFileSync(
    join(dir, 'kubeconfig'),
    `apiVersion: v1
kind: Config
clusters:
- name: demo
  cluster:
    server: ${server.url}
    certificate-authority-data: ${Buffer.from(pems.cert).toString('base64')}
users:
- name: agent
  user:
    token: ${token}
contexts:
- name: demo
  context: {cluster: demo, user: agent, namespace: default}
current-context: demo
`,
  );
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, KUBECONFIG: join(dir, 'kubeconfig'), KUBECACHEDIR: join(dir, 'cache') };

  const kubectl = async (...args: string[]): Promise<KubectlResult> => {
    try {
      const { stdout, stderr } = await run('kubectl', ['--request-timeout=10s', ...args], { env, timeout: 20_000, maxBuffer: 256 * 1024 * 1024 });
      return { stdout, stderr, code: 0 };
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; code?: number };
      return { stdout: err.stdout ?? '', stderr: err.stderr ?? '', code: typeof err.code === 'number' ? err.code : 1 };
    }
  };

  const kubectlWithInput = (input: string, ...args: string[]): Promise<KubectlResult> =>
    new Promise((resolve, reject) => {
      const child = spawn('kubectl', ['--request-timeout=10s', ...args], { env });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ stdout, stderr, code: code ?? 1 });
      });
      child.stdin.end(input);
    });

  const kubectlUntil = (args: string[], until: (out: string) => boolean, onStart?: () => Promise<unknown>, timeoutMs = 15_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const child = spawn('kubectl', ['--request-timeout=0', ...args], { env });
      let out = '';
      let started = false;
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`timed out; output so far:\n${out}`));
      }, timeoutMs);
      const check = () => {
        if (!until(out)) return;
        clearTimeout(timer);
        child.kill('SIGTERM');
        resolve(out);
      };
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (!started && onStart) {
          started = true;
          onStart().catch(reject);
        }
        check();
      });
      child.stderr.on('data', (d: Buffer) => {
        out += d.toString();
        check();
      });
    });

  return {
    server,
    token,
    ca: pems.cert,
    dir,
    env,
    kubectl,
    kubectlWithInput,
    kubectlUntil,
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
