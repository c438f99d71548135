import { Module, type INestApplication } from '@nestjs/common';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { getHeapStatistics } from 'node:v8';
import { bootstrapService } from '../bootstrap';
import { ServiceRuntimeModule } from '../runtime.module';
import { NATS_CONNECTION } from '../tokens';
import { DURATION_BUCKETS_SECONDS, Metrics } from './metrics';
import type { NatsConnection } from 'nats';

// A NATS server of its own (the shared one must not be stopped): the test takes it away and back.
function natsServerBinary(): string {
  const found = spawnSync('sh', ['-c', 'command -v nats-server'], { encoding: 'utf8' }).stdout.trim();
  if (found) return found;
  if (existsSync('/usr/sbin/nats-server')) return '/usr/sbin/nats-server';
  throw new Error('nats-server is not installed (apt-get install nats-server)');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function startNats(port: number): Promise<ChildProcess> {
  const child = spawn(natsServerBinary(), ['-a', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  await until('nats-server to accept connections', async () => {
    const { connect } = await import('nats');
    return connect({ servers: `nats://127.0.0.1:${port}`, reconnect: false }).then(
      (nc) => nc.close().then(() => true),
      () => false,
    );
  });
  return child;
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The value of one series of a Prometheus text exposition (first match of name, any labels). */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

@Module({})
class NoFeatures {}

describe('service runtime /metrics (Prometheus, a NATS server of its own)', () => {
  let port: number;
  let nats: ChildProcess;
  let app: INestApplication;
  let base: string;
  const scrape = async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  };

  beforeAll(async () => {
    port = await freePort();
    nats = await startNats(port);
    app = await bootstrapService({
      service: 'policy',
      module: {
        module: NoFeatures,
        imports: [ServiceRuntimeModule.forRoot({ service: 'policy', natsServers: [`nats://127.0.0.1:${port}`] })],
      },
      healthHost: '127.0.0.1',
      healthPort: 0,
      jsonLogs: true,
      quiet: true,
    });
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  }, 30_000);

  afterAll(async () => {
    await app.close();
    await stop(nats);
  });

  it('serves process metrics under the semantic-convention names', async () => {
    const text = await scrape();
    // The exporter turns dots into underscores and adds _total to counters; units go to # UNIT lines.
    expect(sample(text, 'process_cpu_time_total')).toBeGreaterThan(0);
    expect(sample(text, 'process_memory_usage')).toBeGreaterThan(1024 * 1024);
    expect(text).toMatch(/v8js_memory_heap_used\{v8js_heap_space_name="old_space"[^}]*\} [1-9]/);
    // The heap's ceiling, which an operator compares the heap in use with (ChaperoneHeapNearLimit).
    expect(sample(text, 'chaperone_process_heap_size_limit')).toBe(getHeapStatistics().heap_size_limit);
    expect(text).toMatch(/target_info\{[^}]*service_name="policy"/);
  });

  it('counts garbage-collection pauses by kind', async () => {
    const minor = (text: string) => Number(/v8js_gc_duration_count\{[^}]*v8js_gc_type="minor"[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
    const before = minor(await scrape());
    // Enough short-lived garbage for several young-generation collections.
    let made = 0;
    for (let i = 0; i < 400_000; i++) made += [{ i, s: `x${i}` }].length;
    expect(made).toBe(400_000);
    await new Promise((r) => setTimeout(r, 50));
    const text = await scrape();
    expect(text).toContain('# TYPE v8js_gc_duration histogram');
    expect(text).toMatch(/v8js_gc_duration_bucket\{[^}]*le="0.0005"/);
    expect(minor(text)).toBeGreaterThan(before);
  });

  it('serves what a service adds through the injected Metrics', async () => {
    const metrics = app.get(Metrics);
    const duration = metrics.meter.createHistogram('http.server.request.duration', {
      unit: 's',
      advice: { explicitBucketBoundaries: [...DURATION_BUCKETS_SECONDS] },
    });
    duration.record(0.02, { 'http.request.method': 'GET', 'http.response.status_code': 200 });
    duration.record(3, { 'http.request.method': 'GET', 'http.response.status_code': 200 });
    const text = await scrape();
    expect(text).toContain('# TYPE http_server_request_duration histogram');
    expect(text).toMatch(/http_server_request_duration_bucket\{[^}]*le="0.025"\} 1\n/);
    expect(text).toMatch(/http_server_request_duration_count\{[^}]*\} 2\n/);
  });

  it('shows the NATS connection going away, coming back, and closing', async () => {
    expect(sample(await scrape(), 'chaperone_nats_connection_status')).toBe(1);
    expect(sample(await scrape(), 'chaperone_nats_reconnects_total')).toBe(0);

    await stop(nats);
    await until('the gauge to read 0', async () => sample(await scrape(), 'chaperone_nats_connection_status') === 0);

    nats = await startNats(port);
    await until('the gauge to read 1 again', async () => sample(await scrape(), 'chaperone_nats_connection_status') === 1);
    expect(sample(await scrape(), 'chaperone_nats_reconnects_total')).toBe(1);

    await app.get<NatsConnection>(NATS_CONNECTION).close();
    expect(sample(await scrape(), 'chaperone_nats_connection_status')).toBe(0);
  }, 40_000);
});
