import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MaskingFailed, maskJsonDocumentByTree, profileFor } from '@chaperone/masking';
import { maskJsonDocument } from './mask-document';
import { MaskWorkerPool } from './mask-pool';
import { BUILT_WORKER_FILE } from '../testing/built-worker';

// The pool runs the compiled worker (dist/mask-streams/mask-worker.js): the test target depends on
// the service's build, so `nx test` builds it first.

const profile = profileFor('default');
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A Secret list of about `bytes`, each item with its own planted values, plus a Deployment with an env password. */
function secretList(bytes: number, tag = 'p'): Buffer {
  const per = 250; // bytes per item, rounded down: the list comes out at least `bytes` long
  const items: unknown[] = Array.from({ length: Math.ceil(bytes / per) }, (_, i) => ({
    metadata: { name: `s-${i}`, namespace: 'prod', labels: { app: 'orders' } },
    type: 'Opaque',
    data: { username: b64('orders'), password: b64(`planted-${tag}-${i}-Sup3rS3cret`), 'api.token': b64(`tok_${tag}_${i}_9f8e7d6c5b4a3928`) },
    stringData: { note: `password=planted-text-${tag}-${i}` },
  }));
  items.push({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'orders' },
    spec: { template: { spec: { containers: [{ name: 'app', env: [{ name: 'DB_PASSWORD', value: `planted-env-${tag}` }], args: [`--db-password=planted-arg-${tag}`] }] } } },
  });
  const body = Buffer.from(JSON.stringify({ kind: 'SecretList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items }));
  if (body.length < bytes) throw new Error('fixture smaller than asked');
  return body;
}

/**
 * A worker entry that dies on its first job, once across all the workers started from it, and is
 * the real worker afterwards: a crash in the middle of a job without a test hook in the service.
 */
function crashOnceWorker(dir: string): string {
  const marker = join(dir, 'crashed');
  const file = join(dir, 'crash-once-worker.js');
  writeFileSync(
    file,
    [
      "const { existsSync, writeFileSync } = require('node:fs');",
      "const { parentPort } = require('node:worker_threads');",
      `if (existsSync(${JSON.stringify(marker)})) require(${JSON.stringify(BUILT_WORKER_FILE)});`,
      `else parentPort.once('message', () => { writeFileSync(${JSON.stringify(marker)}, ''); process.exit(70); });`,
    ].join('\n'),
  );
  return file;
}

describe('MaskWorkerPool', () => {
  const pools: MaskWorkerPool[] = [];
  const pool = (workers: number, minBytes = 256 * 1024, workerFile?: string) => {
    const p = new MaskWorkerPool({ workers, minBytes, workerFile: workerFile ?? BUILT_WORKER_FILE });
    pools.push(p);
    return p;
  };
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((p) => p.close()));
  });

  it('given a large Secret list, when masked in a worker, then the bytes and the report equal inline masking', async () => {
    const body = secretList(2 * 1024 * 1024);
    const inline = maskJsonDocument(body, profile);
    const p = pool(1);
    const masked = await p.mask(Buffer.from(body), profile);
    expect(p.offloaded).toBe(1);
    expect(p.inline).toBe(0);
    expect(masked.output.equals(inline.output)).toBe(true);
    expect(masked.report).toEqual(inline.report);
    // and both are what parsing, masking the object tree and serialising gives
    const byTree = maskJsonDocumentByTree(body, profile);
    expect(masked.output.equals(byTree.output)).toBe(true);
    expect(masked.report).toEqual(byTree.report);
    expect(masked.report.count).toBeGreaterThan(3000);
    const text = masked.output.toString();
    for (const planted of ['planted-env-p', 'planted-arg-p', b64('planted-p-7-Sup3rS3cret'), 'planted-text-p-7']) expect(text).not.toContain(planted);
  });

  it('given a large body that is not JSON, then the worker fails with the same MaskingFailed as inline masking', async () => {
    const body = Buffer.from(`password=hunter2 ${'x'.repeat(300 * 1024)}`);
    let inlineError: unknown;
    try {
      maskJsonDocument(body, profile);
    } catch (e) {
      inlineError = e;
    }
    const p = pool(1);
    const failure = await p.mask(body, profile).catch((e: unknown) => e);
    expect(p.offloaded).toBe(1);
    expect(failure).toBeInstanceOf(MaskingFailed);
    expect(failure).toEqual(inlineError);
    expect((failure as Error).message).toBe('the response is not JSON');
    expect((failure as Error).message).not.toContain('hunter2');
  });

  it('given a worker that dies during a job, then only that job fails (closed) and the pool keeps masking with a new worker', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mask-worker-'));
    try {
      const p = pool(1, 256 * 1024, crashOnceWorker(dir));
      const doomed = p.mask(secretList(400 * 1024, 'a'), profile);
      const queued = p.mask(secretList(400 * 1024, 'b'), profile);
      await expect(doomed).rejects.toEqual(new MaskingFailed('the masking worker stopped'));
      const next = await queued;
      expect(next.output.equals(maskJsonDocument(secretList(400 * 1024, 'b'), profile).output)).toBe(true);
      expect(p.replaced).toBe(1);
      expect(p.size).toBe(1);
      const after = await p.mask(secretList(400 * 1024, 'c'), profile);
      expect(after.report.count).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('given more jobs than workers, then they queue and are served first in, first out', async () => {
    const p = pool(1);
    const bodies = [0, 1, 2, 3].map((i) => secretList(300 * 1024, `q${i}`));
    const order: number[] = [];
    const jobs = bodies.map((b, i) => p.mask(Buffer.from(b), profile).then((r) => (order.push(i), r)));
    expect(p.queued).toBe(3);
    const results = await Promise.all(jobs);
    expect(order).toEqual([0, 1, 2, 3]);
    results.forEach((r, i) => expect(r.output.equals(maskJsonDocument(bodies[i] as Buffer, profile).output)).toBe(true));
    expect(p.queued).toBe(0);
  });

  it('given several workers and many jobs, then every job gets its own masked document back', async () => {
    const p = pool(2);
    const bodies = [0, 1, 2, 3, 4].map((i) => secretList(300 * 1024, `m${i}`));
    const results = await Promise.all(bodies.map((b) => p.mask(Buffer.from(b), profile)));
    results.forEach((r, i) => expect(r.output.equals(maskJsonDocument(bodies[i] as Buffer, profile).output)).toBe(true));
    expect(p.offloaded).toBe(5);
  });

  it('given the threshold, then smaller documents are masked inline and larger ones in a worker; with 0 workers all inline', async () => {
    const small = Buffer.from(JSON.stringify({ kind: 'Secret', data: { password: b64('small-planted') } }));
    const p = pool(1, small.length + 1);
    const inline = await p.mask(small, profile);
    expect([p.inline, p.offloaded]).toEqual([1, 0]);
    expect(inline.output.toString()).not.toContain(b64('small-planted'));
    await p.mask(Buffer.concat([small, Buffer.from(' ')]), profile);
    expect([p.inline, p.offloaded]).toEqual([1, 1]);

    const none = pool(0, 0);
    expect(none.size).toBe(0);
    await none.mask(secretList(300 * 1024), profile);
    expect([none.inline, none.offloaded]).toEqual([1, 0]);
  });

  it('given a shutdown, then queued and running jobs fail closed and later ones are refused', async () => {
    const p = pool(1);
    const running = p.mask(secretList(2 * 1024 * 1024), profile).catch((e: unknown) => e);
    const queued = p.mask(secretList(300 * 1024), profile).catch((e: unknown) => e);
    await p.close();
    expect(await running).toEqual(new MaskingFailed('the masking service is shutting down'));
    expect(await queued).toEqual(new MaskingFailed('the masking service is shutting down'));
    await expect(p.mask(Buffer.from('{}'), profile)).rejects.toBeInstanceOf(MaskingFailed);
  });
});
