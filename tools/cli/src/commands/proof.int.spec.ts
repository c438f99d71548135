import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import { busSubjects, CHAIN_CHECKPOINTED, EvidenceStreams } from '@chaperone/contracts';
import { generateCheckpointKeyPair } from '@chaperone/evidence-chain';
import { chainedEventStore, JetStreamEventStore, type EventStore } from '@chaperone/event-store';
import { readEvidenceLog, signTreeHead, type SignedTreeHead } from '@chaperone/merkle-log';
import type { Io } from '../command';
import { run } from '../run';
import { commands } from '.';

const natsUrl = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

function capture(env: Record<string, string> = {}): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', env, out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

/** Three requests' evidence, as the audit service writes it: session streams, the whole bus event as data. */
async function writeSession(store: EventStore, session: string, requests: string[], forge?: string): Promise<void> {
  for (const requestId of requests) {
    for (const type of ['RequestIntercepted', 'PolicyDecided', 'RequestCompleted']) {
      const data = { type, requestId, sessionId: session, note: forge && requestId === forge && type === 'PolicyDecided' ? 'rewritten' : 'as it happened' };
      await store.append(`session-${session}`, [{ eventId: `${session}-${requestId}-${type}`, type, data }]);
    }
  }
}

describe('chaperone proof / verify-proof (real NATS JetStream store)', () => {
  jest.setTimeout(60_000);
  const prefixes = [`cli-proof-${randomUUID().slice(0, 8)}`, `cli-proof-${randomUUID().slice(0, 8)}`, `cli-proof-${randomUUID().slice(0, 8)}`, `cli-proof-${randomUUID().slice(0, 8)}`];
  const dir = mkdtempSync(join(tmpdir(), 'cli-proof-'));
  const privateFile = join(dir, 'checkpoint.pem');
  const publicFile = join(dir, 'checkpoint-public.pem');
  const { privateKey, publicKey } = generateCheckpointKeyPair();
  let nc: NatsConnection;
  const inners: JetStreamEventStore[] = [];
  const stores: EventStore[] = [];
  const env = (prefix = prefixes[0] as string) => ({
    CHAPERONE_NATS_URL: natsUrl,
    CHAPERONE_BUS_PREFIX: prefix,
    CHAPERONE_CHECKPOINT_KEY_FILE: privateFile,
    CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE: publicFile,
  });
  const cli = async (argv: string[], e = env()) => {
    const io = capture(e);
    const code = await run(argv, io, commands);
    return { code, ...io };
  };

  beforeAll(async () => {
    writeFileSync(privateFile, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    writeFileSync(publicFile, publicKey.export({ format: 'pem', type: 'spki' }));
    nc = await connect({ servers: natsUrl });
    for (const prefix of prefixes) {
      const subjects = busSubjects(prefix);
      const inner = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix });
      inners.push(inner);
      stores.push(chainedEventStore(inner));
    }
    // The honest log, and a copy whose history was rewritten at one event (request r1's decision).
    await writeSession(stores[0] as EventStore, 's1', ['r1', 'r2']);
    await writeSession(stores[1] as EventStore, 's1', ['r1', 'r2'], 'r1');
  });
  afterAll(async () => {
    const jsm = await nc.jetstreamManager();
    for (const inner of inners) await inner.close();
    for (const prefix of prefixes) await jsm.streams.delete(busSubjects(prefix).evidenceStream);
    await nc.drain();
    rmSync(dir, { recursive: true, force: true });
  });

  it("proves each of a request's events against a signed head; verify-proof checks it offline", async () => {
    const file = join(dir, 'r2.json');
    const proof = await cli(['proof', 'r2', '--out', file]);
    expect(proof.stderr).toContain('tree of 6 events built in');
    expect(proof.code).toBe(0);
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect(doc).toMatchObject({ kind: 'chaperone.inclusion-proof/v1', requestId: 'r2', treeHead: { size: 6 } });
    expect(doc.entries.map((e: { leafIndex: number; event: { type: string } }) => [e.leafIndex, e.event.type])).toEqual([
      [3, 'RequestIntercepted'],
      [4, 'PolicyDecided'],
      [5, 'RequestCompleted'],
    ]);

    const ok = await cli(['verify-proof', file]);
    expect(ok.stdout).toMatch(/^OK: chaperone.inclusion-proof\/v1\n/);
    expect(ok.code).toBe(0);

    // Altered in the file: the recomputed leaf no longer leads to the signed root.
    doc.entries[1].event.data.note = 'edited';
    writeFileSync(file, JSON.stringify(doc));
    const bad = await cli(['verify-proof', file, '--json']);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).problems).toEqual([expect.stringContaining('entry 1 (session-s1@4, event s1-r2-PolicyDecided)')]);
  });

  it('proves the log only grew, and a consistency proof over a rewritten history fails against the head kept before', async () => {
    const early = join(dir, 'early.json');
    expect((await cli(['proof', '--consistency', '0', '4', '--out', early])).code).toBe(0);
    await writeSession(stores[0] as EventStore, 's2', ['r3']);
    await writeSession(stores[1] as EventStore, 's2', ['r3']);

    const grown = join(dir, 'grown.json');
    expect((await cli(['proof', '--consistency', '4', 'latest', '--out', grown])).code).toBe(0);
    expect(JSON.parse(readFileSync(grown, 'utf8'))).toMatchObject({ oldHead: { size: 4 }, newHead: { size: 9 } });
    const ok = await cli(['verify-proof', grown, '--trusted-head', early]);
    expect(ok.stdout).toContain('the tree of 4 events is a prefix of the tree of 9: the log only grew');
    expect(ok.stdout).toContain('old head equals the trusted head of size 4');
    expect(ok.code).toBe(0);

    // The rewritten store proves its own growth, but its head of 4 events is not the one kept.
    const rewritten = join(dir, 'rewritten.json');
    expect((await cli(['proof', '--consistency', '4', '9', '--out', rewritten], env(prefixes[1]))).code).toBe(0);
    const bad = await cli(['verify-proof', rewritten, '--trusted-head', early]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('differs from the trusted head of size 4');
    expect(bad.stdout).toContain('the log was rewritten');

    // Splicing the kept head into the rewritten proof: the proof itself fails (the signature of the kept head is genuine).
    const spliced = { ...JSON.parse(readFileSync(rewritten, 'utf8')), oldHead: JSON.parse(readFileSync(early, 'utf8')).newHead };
    writeFileSync(rewritten, JSON.stringify(spliced));
    const splicedResult = await cli(['verify-proof', rewritten]);
    expect(splicedResult.code).toBe(1);
    expect(splicedResult.stdout).toContain('the consistency proof from 4 to 9 events does not hold');
  });

  it('bad usage exits 2; an unknown request or a size beyond the log is an error', async () => {
    expect((await cli(['proof'])).code).toBe(2);
    expect((await cli(['proof', '--consistency', '5'])).code).toBe(2);
    expect((await cli(['proof', '--consistency', '7', '3'])).code).toBe(2);
    const none = await cli(['proof', 'no-such-request']);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no events of request "no-such-request"');
    const beyond = await cli(['proof', '--consistency', '1', '1000']);
    expect(beyond.code).toBe(1);
    expect(beyond.stderr).toContain('NEW_SIZE 1000 is beyond the 9 events in the store');
    const noKey = await cli(['verify-proof', join(dir, 'grown.json')], { CHAPERONE_NATS_URL: natsUrl });
    expect(noKey.code).toBe(2);
  });

  describe('against the tree heads stored with the checkpoints', () => {
    /** As the audit service does at a checkpoint: sign the head of the store as it is now, and append it. */
    const checkpoint = async (store: EventStore, head?: SignedTreeHead): Promise<SignedTreeHead> => {
      const { tree } = await readEvidenceLog(store);
      const treeHead = head ?? signTreeHead({ size: tree.size, rootHash: tree.rootHash() }, { privateKey });
      await store.append(EvidenceStreams.checkpoints, [{ eventId: randomUUID(), type: CHAIN_CHECKPOINTED, data: { type: CHAIN_CHECKPOINTED, schemaVersion: 1, treeHead } }]);
      return treeHead;
    };
    // No private key: only stored heads can be used.
    const readOnly = (prefix: string) => ({ CHAPERONE_NATS_URL: natsUrl, CHAPERONE_BUS_PREFIX: prefix, CHAPERONE_CHECKPOINT_PUBLIC_KEY_FILE: publicFile });
    let first: SignedTreeHead;
    let second: SignedTreeHead;

    beforeAll(async () => {
      const store = stores[2] as EventStore;
      await writeSession(store, 's2', ['q1', 'q2']);
      first = await checkpoint(store);
      await writeSession(store, 's2', ['q3']);
      second = await checkpoint(store);
    });

    it('inclusion: proven against the latest stored head, no key needed; verify-proof checks it', async () => {
      expect(first.size).toBe(6);
      expect(second.size).toBe(10);
      const file = join(dir, 'q1-stored.json');
      const r = await cli(['proof', 'q1', '--out', file], readOnly(prefixes[2] as string));
      expect(r.stderr).not.toContain('signing');
      expect(r.code).toBe(0);
      const doc = JSON.parse(readFileSync(file, 'utf8'));
      expect(doc.treeHead).toEqual(second);
      expect((await cli(['verify-proof', file], readOnly(prefixes[2] as string))).code).toBe(0);
    });

    it('consistency: between two stored heads; "latest" is the newest stored head', async () => {
      const file = join(dir, 'stored-grew.json');
      const r = await cli(['proof', '--consistency', '6', 'latest', '--out', file], readOnly(prefixes[2] as string));
      expect(r.code).toBe(0);
      const doc = JSON.parse(readFileSync(file, 'utf8'));
      expect(doc).toMatchObject({ oldHead: first, newHead: second });
      expect((await cli(['verify-proof', file], readOnly(prefixes[2] as string))).code).toBe(0);
      const missing = await cli(['proof', '--consistency', '5', 'latest'], readOnly(prefixes[2] as string));
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('no stored tree head of 5 events (stored heads: 2, of 6 to 10 events)');
    });

    it('events newer than the last checkpoint: refused without a key, proven against a fresh head with one', async () => {
      await writeSession(stores[2] as EventStore, 's2', ['q4']);
      const without = await cli(['proof', 'q4'], readOnly(prefixes[2] as string));
      expect(without.code).toBe(1);
      expect(without.stderr).toContain('not yet under a stored tree head');
      const withKey = await cli(['proof', 'q4'], env(prefixes[2]));
      expect(withKey.code).toBe(0);
      expect(JSON.parse(withKey.stdout).treeHead.size).toBe(14);
    });

    it('a stored head the store no longer reproduces: the log was rewritten, no proof is given', async () => {
      // The same requests with one event altered, under the head signed over the honest ones.
      const store = stores[3] as EventStore;
      await writeSession(store, 's2', ['q1', 'q2'], 'q1');
      await checkpoint(store, first);
      const r = await cli(['proof', 'q2'], readOnly(prefixes[3] as string));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('the log was rewritten after that head was signed');
      const c = await cli(['proof', '--consistency', '6', 'latest'], env(prefixes[3]));
      expect(c.code).toBe(1);
      expect(c.stderr).toContain('the log was rewritten');
    });
  });
});
