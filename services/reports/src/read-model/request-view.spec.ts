import type { ChaperoneEvent } from '@chaperone/contracts';
import { evolveRequest, newRequestView } from './request-view';

const envelope = { schemaVersion: 1 as const, time: '2026-01-01T00:00:00.000Z', requestId: 'r1', sessionId: 's1', traceId: 't', identity: null };

describe('request view: streaming sessions', () => {
  it('given an exec request, when its ExecSessionRecorded arrives, then the view carries the session and its event id', () => {
    const e: ChaperoneEvent = {
      ...envelope,
      eventId: 'e1',
      type: 'ExecSessionRecorded',
      payload: {
        subresource: 'exec',
        pod: 'p',
        namespace: 'ns',
        container: '',
        protocol: 'v5.channel.k8s.io',
        tty: false,
        stdin: false,
        command: ['echo', 'hi'],
        ended: 'upstream-gone',
        exitCode: 0,
        bytesFromAgent: 0,
        bytesToAgent: 4,
        durationMs: 5,
        outputMasked: true,
        recording: { format: 'asciicast-v2', digest: `sha256:${'b'.repeat(64)}`, size: 50, truncated: false },
        masked: { count: 0, detectors: {} },
      },
    };
    const view = evolveRequest(newRequestView(e), e);
    expect(view.execSession).toMatchObject({ command: ['echo', 'hi'], exitCode: 0, recording: { digest: `sha256:${'b'.repeat(64)}` } });
    expect(view.eventIds.session).toBe('e1');
    expect(view.portForward).toBeNull();
  });

  it('given a port-forward, when its PortForwardRecorded arrives, then the view carries its metadata', () => {
    const e: ChaperoneEvent = {
      ...envelope,
      eventId: 'e2',
      type: 'PortForwardRecorded',
      payload: { pod: 'p', namespace: 'ns', protocol: 'v4.channel.k8s.io', ports: [8080], ended: 'client-gone', bytesFromAgent: 1, bytesToAgent: 2, durationMs: 3 },
    };
    expect(evolveRequest(newRequestView(e), e).portForward).toMatchObject({ ports: [8080], ended: 'client-gone' });
  });
});
