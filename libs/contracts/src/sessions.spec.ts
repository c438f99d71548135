import { randomUUID } from 'node:crypto';
import { ChaperoneEventSchema, SESSION_EVENT_LIMITS } from './index';

const envelope = { eventId: randomUUID(), schemaVersion: 1, time: new Date().toISOString(), requestId: 'r', sessionId: 's', traceId: 't', identity: null };
const exec = {
  subresource: 'exec',
  pod: 'web-0',
  namespace: 'default',
  container: '',
  protocol: 'v5.channel.k8s.io',
  tty: true,
  stdin: true,
  command: ['sh'],
  typedCommands: { bestEffort: true, lines: ['ls'], truncated: false },
  ended: 'upstream-gone',
  exitCode: 0,
  bytesFromAgent: 3,
  bytesToAgent: 10,
  durationMs: 12.5,
  outputMasked: false,
  recording: { format: 'asciicast-v2', digest: `sha256:${'a'.repeat(64)}`, size: 100, truncated: false },
  masked: { count: 1, detectors: { jwt: 1 } },
};

describe('session events', () => {
  it('given a well-formed ExecSessionRecorded and PortForwardRecorded, then both parse as evidence events', () => {
    expect(ChaperoneEventSchema.parse({ ...envelope, type: 'ExecSessionRecorded', payload: exec }).type).toBe('ExecSessionRecorded');
    const pf = { pod: 'web-0', namespace: 'default', protocol: 'SPDY/3.1+portforward.k8s.io', ports: [8080], ended: 'client-gone', bytesFromAgent: 1, bytesToAgent: 2, durationMs: 3 };
    expect(ChaperoneEventSchema.parse({ ...envelope, type: 'PortForwardRecorded', payload: pf }).type).toBe('PortForwardRecorded');
  });

  it('given an unknown ending, a line over the bound or a non-sha256 recording, then it is refused', () => {
    const bad = [
      { ...exec, ended: 'finished' },
      { ...exec, command: ['x'.repeat(SESSION_EVENT_LIMITS.lineChars + 1)] },
      { ...exec, recording: { ...exec.recording, digest: 'md5:abc' } },
      { ...exec, typedCommands: { bestEffort: false, lines: [], truncated: false } },
    ];
    for (const payload of bad) expect(ChaperoneEventSchema.safeParse({ ...envelope, type: 'ExecSessionRecorded', payload }).success).toBe(false);
  });
});
