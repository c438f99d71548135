import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { JetStreamBlobStore, bucketStreamName, blobRefOf } from '@chaperone/blob-store';
import { rewriteJetStreamBlob } from '@chaperone/blob-store/testing';
import { busSubjects, EvidenceStreams, RecordingsPrunedSchema, type ChaperoneEvent, type RecordedBody } from '@chaperone/contracts';
import { generateCheckpointKeyPair } from '@chaperone/evidence-chain';
import { chainedEventStore, JetStreamEventStore, type EventStore } from '@chaperone/event-store';
import type { Io } from '../command';
import { run } from '../run';
import { commands } from '.';

const natsUrl = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

function capture(env: Record<string, string> = {}): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', env, out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

/**
 * `chaperone verify` on recorded bodies and `chaperone recordings prune`, against the real stores:
 * the JetStream event store (written through the hash chain, as the audit service writes it) and
 * the JetStream object store the ingress keeps bodies in.
 */
describe('recorded bodies: verify and prune (real NATS JetStream event store and blob store)', () => {
  jest.setTimeout(30_000);
  const subjects = busSubjects(`cli-rec-${randomUUID().slice(0, 8)}`);
  const bucket = `${subjects.prefix}-blobs`;
  const dir = mkdtempSync(join(tmpdir(), 'cli-recordings-'));
  const keyFile = join(dir, 'checkpoint-public.pem');
  let nc: NatsConnection;
  let inner: JetStreamEventStore;
  let store: EventStore;
  let blobs: JetStreamBlobStore;
  const env = () => ({ CHAPERONE_NATS_URL: natsUrl, CHAPERONE_BUS_PREFIX: subjects.prefix, CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE: keyFile });
  const cli = async (...argv: string[]) => {
    const io = capture(env());
    const code = await run(argv, io, commands);
    return { code, out: io.stdout, err: io.stderr };
  };

  const bytes = {
    applied: Buffer.from('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"old"}}'),
    shared: Buffer.from('[0,"{\\"type\\":\\"ADDED\\"}\\n"]\n[120,"{\\"type\\":\\"MODIFIED\\"}\\n"]\n'),
    deferred: Buffer.from('{"kind":"Secret","data":{"password":"KioqTUFTS0VEKioq"}}'),
  };
  const recorded = (b: Buffer, timed = false): RecordedBody => {
    const ref = blobRefOf(b);
    return { digest: ref.digest, size: ref.size, stored: { digest: ref.storedDigest, size: ref.storedSize, truncated: false, ...(timed ? { timed } : {}) } };
  };
  const digestOf = (b: Buffer) => blobRefOf(b).digest;

  /** One request as the ingress and policy record it: its decision (with retention) and completion. */
  async function request(requestId: string, completedAt: string, retentionDays: number, bodies: { requestBody?: RecordedBody; responseBody?: RecordedBody }, deferred?: 'request') {
    const envelope = { schemaVersion: 1 as const, requestId, sessionId: `s-${requestId}`, traceId: 't', identity: { subject: 'agent-1', username: 'agent-1', groups: ['agents'], agent: 'bot', issuer: 'https://i' } };
    const events: ChaperoneEvent[] = [
      {
        ...envelope,
        eventId: randomUUID(),
        type: 'PolicyDecided',
        time: completedAt,
        payload: {
          interceptEventId: 'i',
          decision: {
            effect: 'allow', rule: 'r', policyVersion: 'sha256:p', reason: '', matchedRules: ['r'], mask: false, unmasked: false, maskProfile: 'default',
            record: 'request-and-response', recording: { maxBodyBytes: 1 << 20, retentionDays, onStoreFailure: 'defer' },
          },
        },
      },
      { ...envelope, eventId: randomUUID(), type: 'RequestCompleted', time: completedAt, payload: { outcome: 'forwarded', status: 200, bytesOut: 10, durationMs: 3, ...bodies } },
    ];
    if (deferred) events.push({ ...envelope, eventId: randomUUID(), type: 'RecordingDeferred', time: completedAt, payload: { body: deferred, storedDigest: bodies.requestBody?.stored?.digest ?? '', reason: 'blob store unreachable' } });
    for (const e of events) await store.append(`session-${e.sessionId}`, [{ eventId: e.eventId, type: e.type, data: e }]);
  }

  beforeAll(async () => {
    writeFileSync(keyFile, generateCheckpointKeyPair().publicKey.export({ format: 'pem', type: 'spki' }));
    nc = await connect({ servers: natsUrl });
    inner = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix });
    store = chainedEventStore(inner);
    blobs = await JetStreamBlobStore.create(nc, { bucket });
    // Retention 30 days: req-old expires on 2026-01-31, req-new and req-deferred on 2026-03-31.
    await request('req-old', '2026-01-01T00:00:00.000Z', 30, { requestBody: recorded(bytes.applied), responseBody: recorded(bytes.shared, true) });
    await request('req-new', '2026-03-01T00:00:00.000Z', 30, { responseBody: recorded(bytes.shared, true) });
    await request('req-deferred', '2026-03-01T00:00:00.000Z', 30, { requestBody: recorded(bytes.deferred) }, 'request');
    await blobs.put(bytes.applied, { capBytes: 1 << 20 });
    await blobs.put(bytes.shared, { capBytes: 1 << 20 });
  });
  afterAll(async () => {
    await inner.close();
    const jsm = await nc.jetstreamManager();
    for (const s of [subjects.evidenceStream, bucketStreamName(bucket)]) await jsm.streams.delete(s).catch(() => false);
    await nc.drain();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a deferred body that has not arrived is reported missing, with its request; once stored, verify passes', async () => {
    const missing = await cli('verify');
    expect(missing.code).toBe(1);
    expect(missing.out).toMatch(/^OK: every chain is intact/);
    expect(missing.out).toContain('BROKEN: 1 recorded blob(s) missing or altered, of 4 recorded bodies in 3 blobs');
    expect(missing.out).toContain(`recording-missing: blob ${digestOf(bytes.deferred)} is missing: not in the blob store: its storing was deferred (RecordingDeferred)`);
    expect(missing.out).toContain('request req-deferred requestBody (session s-req-deferred');

    await blobs.put(bytes.deferred, { capBytes: 1 << 20 });
    const ok = await cli('verify');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('OK: every recorded body is in the blob store, unaltered: 4 recorded bodies in 3 blobs\n');
    const json = JSON.parse((await cli('verify', '--json')).out) as { ok: boolean; recordings: { bodies: number; blobs: number; problems: unknown[] } };
    expect(json).toMatchObject({ ok: true, recordings: { bodies: 4, blobs: 3, pruned: 0, problems: [] } });
  });

  it('a blob rewritten in the store is named as altered, with the request that references it', async () => {
    await rewriteJetStreamBlob(nc, bucket, digestOf(bytes.applied), Buffer.from('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"forged"}}'));
    const altered = await cli('verify');
    expect(altered.code).toBe(1);
    expect(altered.out).toContain(`recording-altered: blob ${digestOf(bytes.applied)} was altered: blob ${digestOf(bytes.applied)} is corrupt: stored bytes hash to`);
    expect(altered.out).toContain('named by request req-old requestBody');
    expect(altered.out).not.toContain(digestOf(bytes.shared));
    // --skip-bodies checks the chains only.
    expect((await cli('verify', '--skip-bodies')).code).toBe(0);

    // Deleted outside a prune: missing, and not explained as deferred.
    await blobs.delete(digestOf(bytes.applied));
    const gone = await cli('verify');
    expect(gone.code).toBe(1);
    expect(gone.out).toContain(`recording-missing: blob ${digestOf(bytes.applied)} is missing: not in the blob store, and no prune recorded its deletion; named by request req-old requestBody`);
    await blobs.put(bytes.applied, { capBytes: 1 << 20 });
    expect((await cli('verify')).code).toBe(0);
  });

  it('prune --dry-run shows the plan and changes nothing', async () => {
    const dry = await cli('recordings', 'prune', '--now', '2026-03-15T00:00:00Z', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('would prune as of 2026-03-15T00:00:00.000Z: 2 of 4 recorded bodies past their retention; 1 blobs to delete, 1 kept');
    expect(dry.out).toContain(`delete ${digestOf(bytes.applied)}  request req-old requestBody (completed 2026-01-01T00:00:00.000Z, retention 30 days, expired 2026-01-31T00:00:00.000Z)`);
    expect(dry.out).toContain(`kept    ${digestOf(bytes.shared)} for request req-new (until 2026-03-31T00:00:00.000Z)`);
    expect(await blobs.has(digestOf(bytes.applied))).toBe(true);
    expect(await inner.readStream(EvidenceStreams.recordings)).toEqual([]);
  });

  it('prune deletes the expired blob no live recording shares, records why in the chain, and verify still passes', async () => {
    const pruned = await cli('recordings', 'prune', '--now', '2026-03-15T00:00:00Z');
    expect(pruned.err).toBe('');
    expect(pruned.code).toBe(0);
    expect(pruned.out).toContain('pruned as of 2026-03-15T00:00:00.000Z: 2 of 4 recorded bodies past their retention; 1 blobs deleted, 0 already absent, 1 kept');
    expect(await blobs.has(digestOf(bytes.applied))).toBe(false);
    expect(await blobs.has(digestOf(bytes.shared))).toBe(true);

    const [event, ...more] = await inner.readStream(EvidenceStreams.recordings);
    expect(more).toEqual([]);
    const e = RecordingsPrunedSchema.parse(event?.data);
    expect(e.payload.asOf).toBe('2026-03-15T00:00:00.000Z');
    expect(e.payload.bodies.map((b) => [b.requestId, b.field, b.retentionDays, b.completedAt])).toEqual([
      ['req-old', 'requestBody', 30, '2026-01-01T00:00:00.000Z'],
      ['req-old', 'responseBody', 30, '2026-01-01T00:00:00.000Z'],
    ]);
    expect(e.payload.blobs).toEqual([
      { digest: digestOf(bytes.applied), outcome: 'deleted' },
      { digest: digestOf(bytes.shared), outcome: 'kept', keptFor: 'req-new' },
    ]);

    const verified = await cli('verify');
    expect(verified.out).toContain('OK: every chain is intact');
    expect(verified.out).toContain('OK: every recorded body is in the blob store, unaltered: 2 recorded bodies in 2 blobs, 2 pruned by retention');
    expect(verified.code).toBe(0);

    expect((await cli('recordings', 'prune', '--now', '2026-03-15T00:00:00Z')).out).toBe('nothing to prune as of 2026-03-15T00:00:00.000Z: 2 recorded bodies, none past its retention\n');
  });

  it('once the last recording sharing a blob expires, the blob goes too', async () => {
    const later = await cli('recordings', 'prune', '--now', '2026-05-01T00:00:00Z', '--json');
    expect(later.code).toBe(0);
    const { outcome } = JSON.parse(later.out) as { outcome: { deleted: number; bodies: number } };
    expect(outcome).toMatchObject({ deleted: 2, bodies: 2 });
    expect(await blobs.has(digestOf(bytes.shared))).toBe(false);
    expect(await blobs.has(digestOf(bytes.deferred))).toBe(false);
    const verified = await cli('verify', '--json');
    expect(JSON.parse(verified.out)).toMatchObject({ ok: true, recordings: { bodies: 0, blobs: 0, pruned: 4, problems: [] } });
  });

  it('bad usage exits 2', async () => {
    expect((await cli('recordings', 'prune', '--now', 'yesterday')).code).toBe(2);
    expect((await cli('recordings', 'purge')).code).toBe(2);
    expect((await cli('verify', '--blob-store', 'ftp')).code).toBe(2);
  });
});
