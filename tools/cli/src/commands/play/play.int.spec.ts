import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from 'nats';
import { JetStreamBlobStore, sha256Digest } from '@chaperone/blob-store';
import { busSubjects, type ExecSessionRecorded } from '@chaperone/contracts';
import { chainedEventStore, JetStreamEventStore } from '@chaperone/event-store';
import type { Io } from '../../command';
import { run } from '../../run';
import { playCommand } from './play';

const natsUrl = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

/** `chaperone play` against a real JetStream evidence store and blob store, as the ingress and audit write them. */
describe('chaperone play (real NATS JetStream stores)', () => {
  jest.setTimeout(30_000);
  const subjects = busSubjects(`cli-play-${randomUUID().slice(0, 8)}`);
  const bucket = `${subjects.prefix}-blobs`;
  const requestId = randomUUID();
  const cast = [
    JSON.stringify({ version: 2, width: 80, height: 24, timestamp: 1_700_000_000, env: {}, chaperone: { requestId } }),
    JSON.stringify([0.1, 'o', '/ # ']),
    JSON.stringify([0.9, 'i', 'echo hi\n']),
    JSON.stringify([1.0, 'o', 'echo hi\r\nhi\r\n']),
    JSON.stringify([31.0, 'o', '/ # exit\r\n']),
  ].join('\n');
  let nc: NatsConnection;
  let sleeps: number[] = [];
  const commands = [playCommand(async (ms) => void sleeps.push(ms))];
  const io = () => {
    const c = { stdout: '', stderr: '', env: { CHAPERONE_NATS_URL: natsUrl, CHAPERONE_BUS_PREFIX: subjects.prefix }, out: (t: string) => void (c.stdout += t), err: (t: string) => void (c.stderr += t) };
    return c as Io & { stdout: string; stderr: string };
  };

  beforeAll(async () => {
    nc = await connect({ servers: natsUrl });
    const blobs = await JetStreamBlobStore.create(nc, { bucket });
    await blobs.put(Buffer.from(cast), { capBytes: cast.length });
    await blobs.close();
    const store = chainedEventStore(await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix }));
    const event: ExecSessionRecorded = {
      eventId: randomUUID(),
      schemaVersion: 1,
      type: 'ExecSessionRecorded',
      time: new Date().toISOString(),
      requestId,
      sessionId: 's1',
      traceId: 't',
      identity: { subject: 'agent-x', username: 'agent-x', groups: ['agents'], agent: 'x', issuer: 'https://i' },
      payload: {
        subresource: 'exec',
        pod: 'web-0',
        namespace: 'default',
        container: '',
        protocol: 'v5.channel.k8s.io',
        tty: true,
        stdin: true,
        command: ['sh'],
        typedCommands: { bestEffort: true, lines: ['echo hi'], truncated: false },
        ended: 'upstream-gone',
        exitCode: 0,
        bytesFromAgent: 10,
        bytesToAgent: 20,
        durationMs: 31_000,
        outputMasked: false,
        recording: { format: 'asciicast-v2', digest: sha256Digest(Buffer.from(cast)), size: cast.length, truncated: false },
        masked: { count: 0, detectors: {} },
      },
    };
    await store.append('session-s1', [{ eventId: randomUUID(), type: 'RequestCompleted', data: { requestId } }]);
    await store.append('session-s1', [{ eventId: event.eventId, type: event.type, data: event }]);
  });

  afterAll(async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(subjects.evidenceStream).catch(() => false);
    await jsm.streams.delete(`OBJ_${bucket}`).catch(() => false);
    await nc.drain();
  });

  it('plays the recording the request’s event names, with its timing (sped up, long pauses cut)', async () => {
    sleeps = [];
    const c = io();
    expect(await run(['play', requestId, '--speed', '2'], c, commands)).toBe(0);
    expect(c.stdout).toBe('/ # echo hi\r\nhi\r\n/ # exit\r\n');
    expect(sleeps).toEqual([50, 450, 2000]);
    expect(c.stderr).toContain('exec default/web-0: upstream-gone, exit code 0');
  });

  it('says so for a request without a session, and for bad usage', async () => {
    const c = io();
    expect(await run(['play', randomUUID()], c, commands)).toBe(1);
    expect(c.stderr).toContain('recorded no exec or attach session');
    expect(await run(['play', requestId, '--speed', '0'], io(), commands)).toBe(2);
  });
});
