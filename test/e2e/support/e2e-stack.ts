import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection, type Subscription } from 'nats';
import { createLocalIssuer, type LocalIssuer } from '@chaperone/auth';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { busSubjects, ChaperoneEventSchema, type BusSubjects, type ChaperoneEvent } from '@chaperone/contracts';
import { JetStreamEventStore, type RecordedEvent } from '@chaperone/event-store';
import { openBlobStore } from '@chaperone/blob-store';
import { startTestApiServer, type TestApiServer } from '@chaperone/test-apiserver';
// The same process orchestration `npm start` uses (scripts/ is tooling, not an Nx project).
// eslint-disable-next-line @typescript-eslint/no-require-imports, @nx/enforce-module-boundaries
const stack = require('../../../scripts/stack.js') as StackModule;

interface ServiceHandle {
  name: string;
  urls: string[];
  health: string;
  output: string[];
  child: import('node:child_process').ChildProcess;
}
interface StackModule {
  ensureNats(url: string, dir: string): Promise<{ url: string; started?: import('node:child_process').ChildProcess }>;
  portAnswers(host: string, port: number, timeoutMs?: number): Promise<boolean>;
  makeServingCert(dir: string): Promise<{ certFile: string; keyFile: string; certPem: string }>;
  agentKubeconfig(o: { server: string; caPem: string; token?: string }): string;
  startService(name: string, env: Record<string, string>, onLine?: (n: string, l: string) => void): Promise<ServiceHandle>;
  stopService(s: ServiceHandle, signal?: string): Promise<void>;
  mcpEnv(running: ServiceHandle[], caFile?: string): Record<string, string>;
}

export const GATEWAY_TOKEN = 'gateway-sa-token-e2e';
export const ISSUER = 'https://issuer.e2e.chaperone.test';
export const AUDIENCE = 'chaperone';

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Everything an end-to-end test needs: the test API server, NATS, each service as a process. */
export class E2EStack {
  readonly dir = mkdtempSync(join(tmpdir(), 'chaperone-e2e-'));
  apiserver!: TestApiServer;
  issuer!: LocalIssuer;
  nc!: NatsConnection;
  services = new Map<string, ServiceHandle>();
  ingressUrl = '';
  /** The plain-HTTP listener; kubectl sends no bearer token over plain HTTP. */
  ingressHttpUrl = '';
  /** The MCP endpoint (…/mcp), when started with `mcp`. */
  mcpUrl = '';
  private caPem = '';
  private env: Record<string, string> = {};
  readonly events: ChaperoneEvent[] = [];
  /** A bus prefix of its own: this run's subjects and JetStream streams touch nothing else on the shared NATS. */
  readonly subjects: BusSubjects = busSubjects(`e2e-${randomUUID().slice(0, 8)}`);
  natsUrl = '';
  /** Set when this stack started its own nats-server (a private NATS for outage tests). */
  private natsProcess: import('node:child_process').ChildProcess | undefined;
  private sub: Subscription | undefined;

  /** The public half of the checkpoint key (when started with `checkpoints`), for verifyStore. */
  checkpointPublicKeyPem = '';

  /**
   * `agentsYaml`: an agent registry file; registration is then required (without it the registry
   * is off, so suites about other things need not register their agents). `checkpoints`: the audit
   * service signs chain checkpoints every second with a fresh key. `mcp`: the MCP service too, last,
   * pointed at this ingress.
   */
  async start(
    policyYaml: string,
    opts: { natsUrl?: string; env?: Record<string, string>; agentsYaml?: string; checkpoints?: boolean; mcp?: boolean } = {},
  ): Promise<void> {
    const natsUrl = opts.natsUrl ?? process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
    this.natsUrl = natsUrl;
    this.natsProcess = (await stack.ensureNats(natsUrl, join(this.dir, 'nats'))).started;
    this.nc = await connect({ servers: natsUrl, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
    this.sub = this.nc.subscribe(this.subjects.eventsAll, {
      callback: (_e, msg) => {
        // A message holds one event, or several of one session (the intercept with its decision).
        const body = JSON.parse(new TextDecoder().decode(msg.data)) as unknown;
        for (const item of Array.isArray(body) ? body : [body]) {
          const parsed = ChaperoneEventSchema.safeParse(item);
          if (parsed.success) this.events.push(parsed.data);
        }
      },
    });

    this.apiserver = await startTestApiServer({ bearerToken: GATEWAY_TOKEN });
    writeFileSync(join(this.dir, 'upstream-token'), GATEWAY_TOKEN);
    this.issuer = await createLocalIssuer({ issuer: ISSUER, audience: AUDIENCE });
    this.issuer.writeJwksFile(join(this.dir, 'jwks.json'));
    const cert = await stack.makeServingCert(join(this.dir, 'tls'));
    this.caPem = cert.certPem;
    writeFileSync(join(this.dir, 'policy.yaml'), policyYaml);

    this.env = {
      CHAPERONE_NATS_URL: natsUrl,
      CHAPERONE_HEALTH_PORT: '0',
      CHAPERONE_POLICY_FILE: join(this.dir, 'policy.yaml'),
      CHAPERONE_HTTPS_PORT: '0',
      CHAPERONE_HTTP_PORT: '0',
      CHAPERONE_TLS_CERT_FILE: cert.certFile,
      CHAPERONE_TLS_KEY_FILE: cert.keyFile,
      CHAPERONE_OIDC_ISSUER: ISSUER,
      CHAPERONE_OIDC_AUDIENCES: AUDIENCE,
      CHAPERONE_OIDC_JWKS_FILE: join(this.dir, 'jwks.json'),
      CHAPERONE_UPSTREAM_URL: this.apiserver.url,
      CHAPERONE_UPSTREAM_TOKEN_FILE: join(this.dir, 'upstream-token'),
      CHAPERONE_POLICY_TIMEOUT_MS: '1500',
      CHAPERONE_BUS_PREFIX: this.subjects.prefix,
      CHAPERONE_REQUIRE_REGISTERED_AGENTS: 'false',
      ...opts.env,
    };
    if (opts.agentsYaml !== undefined) {
      writeFileSync(join(this.dir, 'agents.yaml'), opts.agentsYaml);
      this.env['CHAPERONE_AGENTS_FILE'] = join(this.dir, 'agents.yaml');
      this.env['CHAPERONE_REQUIRE_REGISTERED_AGENTS'] = 'true';
    }
    if (opts.checkpoints) {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      writeFileSync(join(this.dir, 'checkpoint-key.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
      this.checkpointPublicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
      this.env['CHAPERONE_CHECKPOINT_KEY_FILE'] = join(this.dir, 'checkpoint-key.pem');
      this.env['CHAPERONE_CHECKPOINT_INTERVAL_SECONDS'] = '1';
      // The reports service checks the checkpoints' signatures with the public half.
      writeFileSync(join(this.dir, 'checkpoint-public.pem'), this.checkpointPublicKeyPem);
      this.env['CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE'] = join(this.dir, 'checkpoint-public.pem');
    }
    for (const name of ['policy', 'masking', 'approval', 'audit', 'reports', 'ingress']) await this.startService(name);
    const url = this.services.get('ingress')?.urls.find((u) => u.startsWith('https://'));
    if (!url) throw new Error('the ingress did not report an HTTPS URL');
    this.ingressUrl = url;
    this.ingressHttpUrl = this.services.get('ingress')?.urls.find((u) => u.startsWith('http://')) ?? '';
    if (opts.mcp) {
      const env = stack.mcpEnv([...this.services.values()], cert.certFile);
      this.services.set('mcp', await stack.startService('mcp', { ...this.env, ...env }));
      const mcp = this.services.get('mcp');
      this.mcpUrl = `${new URL(mcp?.health ?? '').origin}/mcp`;
    }
  }

  async startService(name: string): Promise<void> {
    this.services.set(name, await stack.startService(name, this.env));
  }

  /**
   * Start one more process of a service with extra environment, kept under `label` and stopped with
   * the stack (e.g. a second ingress on another blob store). Returns its URLs.
   */
  async startExtra(label: string, name: string, env: Record<string, string>): Promise<string[]> {
    const s = await stack.startService(name, { ...this.env, ...env });
    this.services.set(label, s);
    return s.urls;
  }

  /** Start one more process of a service with extra environment, without registering it (start-up tests). */
  async startServiceWith(name: string, env: Record<string, string>): Promise<void> {
    const s = await stack.startService(name, { ...this.env, ...env });
    await stack.stopService(s);
  }

  async stopService(name: string): Promise<void> {
    const s = this.services.get(name);
    if (s) await stack.stopService(s, 'SIGKILL');
    this.services.delete(name);
  }

  /** The ingress's serving CA (PEM), for HTTPS clients other than kubectl. */
  ingressCaPem(): string {
    return this.caPem;
  }

  /** Write a kubeconfig for an agent token (or none) and return its path. */
  kubeconfig(token: string | undefined, opts: { plainHttp?: boolean; server?: string } = {}): string {
    const path = join(this.dir, `kubeconfig-${Math.random().toString(36).slice(2)}`);
    const server = opts.server ?? (opts.plainHttp ? this.ingressHttpUrl : this.ingressUrl);
    writeFileSync(path, stack.agentKubeconfig({ server, caPem: this.caPem, token }), { mode: 0o600 });
    return path;
  }

  async agentToken(agent: string, groups: string[] = ['agents'], opts: { expiresIn?: number } = {}): Promise<string> {
    return this.issuer.sign({ sub: `agent-${agent}`, agent, groups }, opts.expiresIn === undefined ? {} : { expiresIn: opts.expiresIn });
  }

  /** Run the real kubectl with stdin closed (it must never wait for a prompt). */
  kubectl(kubeconfig: string, args: string[], timeoutMs = 30_000): Promise<KubectlResult> {
    return new Promise((resolve) => {
      const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '--request-timeout=20s', ...args], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: process.env['PATH'] ?? '', HOME: this.dir },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? -1, stdout, stderr });
      });
    });
  }

  /** Wait until an event matching `pred` has been seen on the bus. */
  async waitForEvent<T extends ChaperoneEvent>(pred: (e: ChaperoneEvent) => e is T, timeoutMs = 5000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(pred);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('expected event not seen');
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** One HTTPS request to the ingress (or another one, `server`), as a non-kubectl client would send it. */
  request(path: string, token: string, agent?: import('node:https').Agent, server = this.ingressUrl): Promise<{ status: number; body: string; requestId: string }> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const https = require('node:https') as typeof import('node:https');
    return new Promise((resolve, reject) => {
      https
        .get(new URL(path, server), { ca: this.caPem, agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body, requestId: String(res.headers['x-chaperone-request-id'] ?? '') }));
          res.on('error', reject);
        })
        .on('error', reject);
    });
  }

  /** Stop the private NATS server this stack started (SIGKILL: an outage, not a shutdown). */
  async killNats(): Promise<void> {
    const p = this.natsProcess;
    if (!p) throw new Error('this stack did not start its own NATS');
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
    this.natsProcess = undefined;
  }

  /** Start the private NATS again on the same port and store (JetStream state survives). */
  async restartNats(): Promise<void> {
    this.natsProcess = (await stack.ensureNats(this.natsUrl, join(this.dir, 'nats'))).started;
  }

  /** Wait until every service's /readyz answers 200 (e.g. after NATS came back). */
  async waitReady(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const s of this.services.values()) {
      for (;;) {
        const ok = await fetch(s.health.replace('/healthz', '/readyz')).then((r) => r.ok, () => false);
        if (ok) break;
        if (Date.now() > deadline) throw new Error(`${s.name} not ready in time`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** The ingress's blob store bucket (the JetStream default for this bus prefix). */
  get blobBucket(): string {
    return `${this.subjects.prefix}-blobs`;
  }

  /** A stored blob (a recorded body, a session recording) by its digest, as the ingress stored it. */
  async blob(digest: string): Promise<Buffer | undefined> {
    const store = await openBlobStore({ kind: 'jetstream', nc: this.nc, jetstreamBucket: this.blobBucket });
    try {
      const bytes = await store.get(digest);
      return bytes ? Buffer.from(bytes) : undefined;
    } finally {
      await store.close();
    }
  }

  /** The evidence store as the audit service writes it (JetStream adapter). */
  async evidence(): Promise<RecordedEvent[]> {
    return (await this.evidenceStore()).readAll();
  }

  /** A reader of the evidence store (JetStream adapter). */
  evidenceStore(): Promise<JetStreamEventStore> {
    return JetStreamEventStore.create(this.nc, {
      streamName: this.subjects.evidenceStream,
      subjectPrefix: this.subjects.evidenceSubjectPrefix,
    });
  }

  async stop(): Promise<void> {
    for (const name of [...this.services.keys()].reverse()) await this.stopService(name);
    this.sub?.unsubscribe();
    if (this.nc && !this.nc.isClosed()) {
      const jsm = await this.nc.jetstreamManager();
      // The reports service keeps its read-model snapshot in an object store bucket (stream OBJ_<bucket>).
      // The ingress keeps recorded bodies and session recordings in the `<prefix>-blobs` bucket.
      // The services' KV buckets (leases, replica presence, the exporter's checkpoint) are streams
      // KV_<prefix>-…: every stream of this run's prefix goes, or the shared server fills with them.
      const streams = new Set([this.subjects.eventsStream, this.subjects.evidenceStream, `OBJ_${this.subjects.reportsSnapshotBucket}`, `OBJ_${this.blobBucket}`]);
      for await (const si of jsm.streams.list()) {
        if (si.config.name.startsWith(`KV_${this.subjects.prefix}-`) || si.config.name.startsWith(`OBJ_${this.subjects.prefix}-`)) streams.add(si.config.name);
      }
      for (const stream of streams) await jsm.streams.delete(stream).catch(() => false);
      await this.nc.drain();
    }
    await this.apiserver?.close();
    this.natsProcess?.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
