import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, headers, type NatsConnection } from 'nats';
import { busSubjects, CHAIN_CHECKPOINTED, EvidenceStreams } from '@chaperone/contracts';
import { chainHeadOf, generateCheckpointKeyPair, keyIdOf, signCheckpoint } from '@chaperone/evidence-chain';
import { chainedEventStore, EvidenceHeaders, JetStreamEventStore, type EventStore, type RecordedEvent } from '@chaperone/event-store';
import type { Io } from '../command';
import { run } from '../run';
import { commands } from '.';

const natsUrl = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

function capture(env: Record<string, string> = {}): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', env, out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

describe('chaperone verify (real NATS JetStream store)', () => {
  jest.setTimeout(30_000);
  const subjects = busSubjects(`cli-verify-${randomUUID().slice(0, 8)}`);
  const dir = mkdtempSync(join(tmpdir(), 'cli-verify-'));
  const keyFile = join(dir, 'checkpoint-public.pem');
  const { privateKey, publicKey } = generateCheckpointKeyPair();
  let nc: NatsConnection;
  let inner: JetStreamEventStore;
  let store: EventStore;
  const env = () => ({ CHAPERONE_NATS_URL: natsUrl, CHAPERONE_BUS_PREFIX: subjects.prefix, CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE: keyFile });

  beforeAll(async () => {
    writeFileSync(keyFile, publicKey.export({ format: 'pem', type: 'spki' }));
    nc = await connect({ servers: natsUrl });
    inner = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix });
    store = chainedEventStore(inner);
    for (let i = 0; i < 3; i++) await store.append('session-s1', [{ eventId: randomUUID(), type: 'RequestCompleted', data: { i } }]);
    const head = chainHeadOf((await store.readLastEvent('session-s1')) as RecordedEvent);
    const checkpoint = signCheckpoint({ 'session-s1': head }, { privateKey, keyId: keyIdOf(publicKey) });
    await store.append(EvidenceStreams.checkpoints, [
      { eventId: randomUUID(), type: CHAIN_CHECKPOINTED, data: { type: CHAIN_CHECKPOINTED, schemaVersion: 1, checkpoint, throughPosition: 3 } },
    ]);
  });
  afterAll(async () => {
    await inner.close();
    await (await nc.jetstreamManager()).streams.delete(subjects.evidenceStream);
    await nc.drain();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an intact store: exit 0 and the totals; --json gives the report', async () => {
    const io = capture(env());
    expect(await run(['verify'], io, commands)).toBe(0);
    expect(io.stdout).toMatch(/^OK: every chain is intact and every signed head is reached: 2 streams, 4 events, 1 signed checkpoints/);
    const json = capture(env());
    expect(await run(['verify', '--json'], json, commands)).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, streams: 2, events: 4, checkpoints: 1, problems: [] });
  });

  it('during a key rotation, takes the old and the new public key; a key that signed nothing is no help', async () => {
    const other = join(dir, 'other.pem');
    writeFileSync(other, generateCheckpointKeyPair().publicKey.export({ format: 'pem', type: 'spki' }));
    const both = capture(env());
    expect(await run(['verify', '--public-key-file', `${other},${keyFile}`], both, commands)).toBe(0);
    const wrong = capture(env());
    expect(await run(['verify', '--public-key-file', other], wrong, commands)).toBe(1);
    expect(wrong.stdout).toContain('bad-signature: checkpoint at');
  });

  it('an event written around the chain: exit 1, naming the stream, revision and event id', async () => {
    // A writer with store access that bypasses the chaining decorator (as a forger would).
    const h = headers();
    const forgedId = randomUUID();
    h.set(EvidenceHeaders.stream, 'session-s1');
    h.set(EvidenceHeaders.revision, '3');
    h.set(EvidenceHeaders.eventType, 'RequestCompleted');
    h.set(EvidenceHeaders.msgId, forgedId);
    await nc.jetstream().publish(inner.subjectFor('session-s1'), new TextEncoder().encode('{"i":99}'), { headers: h });
    const io = capture(env());
    expect(await run(['verify'], io, commands)).toBe(1);
    expect(io.stdout).toContain('BROKEN: 1 problem(s)');
    expect(io.stdout).toContain(`broken-link: session-s1@3 (event ${forgedId})`);
  });

  it('bad usage exits 2; a wrong bus prefix is an error, not an empty store', async () => {
    const noKey = capture({ CHAPERONE_NATS_URL: natsUrl });
    expect(await run(['verify'], noKey, commands)).toBe(2);
    expect(noKey.stderr).toContain('--public-key-file (or CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE) is required');
    const wrong = capture({ ...env(), CHAPERONE_BUS_PREFIX: 'no-such-prefix-x' });
    expect(await run(['verify'], wrong, commands)).toBe(1);
    expect(wrong.stderr).toContain('no evidence store NO_SUCH_PREFIX_X_EVIDENCE');
  });
});
