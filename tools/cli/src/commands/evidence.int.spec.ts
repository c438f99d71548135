import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { connect, type NatsConnection } from 'nats';
import { JetStreamBlobStore } from '@chaperone/blob-store';
import { busSubjects } from '@chaperone/contracts';
import { generateCheckpointKeyPair } from '@chaperone/evidence-chain';
import { chainedEventStore, JetStreamEventStore, type EventStore } from '@chaperone/event-store';
import type { Io } from '../command';
import { run } from '../run';
import type { EvidenceBundle } from './evidence-bundle';
import { commands } from '.';

const natsUrl = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

function capture(env: Record<string, string> = {}): Io & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', env, out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

describe('chaperone evidence export / verify-bundle (real JetStream event and blob stores)', () => {
  jest.setTimeout(60_000);
  const subjects = busSubjects(`cli-bundle-${randomUUID().slice(0, 8)}`);
  const bucket = `${subjects.prefix}-blobs`;
  const dir = mkdtempSync(join(tmpdir(), 'cli-bundle-'));
  const privateFile = join(dir, 'checkpoint.pem');
  const publicFile = join(dir, 'checkpoint-public.pem');
  const { privateKey, publicKey } = generateCheckpointKeyPair();
  let nc: NatsConnection;
  let inner: JetStreamEventStore;
  let blobs: JetStreamBlobStore;
  let midpoint = '';
  const env = {
    CHAPERONE_NATS_URL: natsUrl,
    CHAPERONE_BUS_PREFIX: subjects.prefix,
    CHAPERONE_CHECKPOINT_KEY_FILE: privateFile,
  };
  const cli = async (argv: string[], e: Record<string, string> = env) => {
    const io = capture(e);
    const code = await run(argv, io, commands);
    return { code, ...io };
  };
  const write = async (store: EventStore, requestId: string, body?: Buffer) => {
    const stored = body ? await blobs.put(body, { capBytes: 1 << 20 }) : undefined;
    for (const type of ['RequestIntercepted', 'RequestCompleted']) {
      const payload = type === 'RequestCompleted' && stored ? { responseBody: { digest: stored.digest, size: stored.size, stored: { digest: stored.storedDigest, size: stored.storedSize, truncated: false } } } : {};
      await store.append('session-b1', [{ eventId: `${requestId}-${type}`, type, data: { type, requestId, payload } }]);
    }
  };

  beforeAll(async () => {
    writeFileSync(privateFile, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    writeFileSync(publicFile, publicKey.export({ format: 'pem', type: 'spki' }));
    nc = await connect({ servers: natsUrl });
    inner = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix });
    blobs = await JetStreamBlobStore.create(nc, { bucket });
    const store = chainedEventStore(inner);
    await write(store, 'before');
    await new Promise((r) => setTimeout(r, 20));
    midpoint = new Date().toISOString();
    await write(store, 'r1', Buffer.from('{"kind":"PodList","items":[]}'));
    await write(store, 'r2', Buffer.from('pod log line\n'));
    await write(store, 'r3');
  });
  afterAll(async () => {
    await blobs.close();
    await inner.close();
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(subjects.evidenceStream);
    await jsm.streams.delete(`OBJ_${bucket}`);
    await nc.drain();
    rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips: the period, its bodies, proofs, key and report in one gzipped file that verifies offline', async () => {
    const report = join(dir, 'soc2.json');
    writeFileSync(report, JSON.stringify({ period: 'test', summary: { requests: 3 } }));
    const file = join(dir, 'bundle.json.gz');
    const exported = await cli(['evidence', 'export', '--from', midpoint, '--out', file, '--soc2-report', report]);
    expect(exported.stderr).toBe('6 events of 8, 2 bodies, the SOC 2 report\n');
    expect(exported.code).toBe(0);
    const bundle = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as EvidenceBundle;
    expect(bundle.events.map((e) => e.event.eventId)).toEqual(['r1-RequestIntercepted', 'r1-RequestCompleted', 'r2-RequestIntercepted', 'r2-RequestCompleted', 'r3-RequestIntercepted', 'r3-RequestCompleted']);
    expect(Object.values(bundle.bodies).map((b) => Buffer.from(b, 'base64').toString('utf8'))).toEqual(['{"kind":"PodList","items":[]}', 'pod log line\n']);

    const ok = await cli(['evidence', 'verify-bundle', file, '--public-key-file', publicFile]);
    expect(ok.stdout).toMatch(/^OK\n/);
    expect(ok.stdout).toContain('6 of 6 events proven in the signed tree');
    expect(ok.stdout).toContain('2 bodies match their content address');
    expect(ok.stdout).toContain('with the SOC 2 report');
    expect(ok.code).toBe(0);
    // Without a key to trust, the bundle's own key is used, and the auditor is told so.
    const own = await cli(['evidence', 'verify-bundle', file], {});
    expect(own.code).toBe(0);
    expect(own.stdout).toContain('warning: no --public-key-file');
  });

  it('an altered event, an altered body, a dropped event, another report or another key fails', async () => {
    const file = join(dir, 'bundle.json');
    expect((await cli(['evidence', 'export', '--from', midpoint, '--out', file])).code).toBe(0);
    const original = readFileSync(file, 'utf8');
    const tampered = async (change: (b: EvidenceBundle) => void, opts: string[] = ['--public-key-file', publicFile]) => {
      const b = JSON.parse(original) as EvidenceBundle;
      change(b);
      const f = join(dir, `tampered-${randomUUID()}.json`);
      writeFileSync(f, JSON.stringify(b));
      const r = await cli(['evidence', 'verify-bundle', f, '--json', ...opts]);
      expect(r.code).toBe(1);
      return (JSON.parse(r.stdout) as { problems: string[] }).problems.join('\n');
    };
    expect(await tampered((b) => ((b.events[1]!.event.data as { requestId: string }).requestId = 'other'))).toContain(
      'event 1 (session-b1@3, r1-RequestCompleted): its inclusion proof does not lead to the signed root',
    );
    expect(await tampered((b) => (b.bodies[Object.keys(b.bodies)[0]!] = Buffer.from('forged').toString('base64')))).toContain('its bytes do not match its content address');
    expect(await tampered((b) => b.events.splice(2, 1))).toContain('does not follow revision 3 of its stream in the bundle');
    expect(await tampered((b) => (b.soc2Report = { forged: true }))).toContain('the SOC 2 report differs from the one signed');
    const other = join(dir, 'other.pem');
    writeFileSync(other, generateCheckpointKeyPair().publicKey.export({ format: 'pem', type: 'spki' }));
    expect(await tampered(() => undefined, ['--public-key-file', other])).toContain('signature does not verify');
  });
});
