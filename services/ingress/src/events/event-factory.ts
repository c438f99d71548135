import { randomUUID } from 'node:crypto';
import type { AuthenticationFailed, ExecSessionRecorded, Identity, MaskingApplied, PortForwardRecorded, RequestCompleted, RequestIntercepted } from '@chaperone/contracts';

/** Ids and time are injected so tests can pin them. */
export interface EventClock {
  now(): Date;
  newId(): string;
}
export const systemClock: EventClock = { now: () => new Date(), newId: () => randomUUID() };

export interface RequestRefs {
  requestId: string;
  sessionId: string;
  traceId: string;
  identity: Identity | null;
}

function envelope(clock: EventClock, refs: RequestRefs) {
  return {
    eventId: clock.newId(),
    schemaVersion: 1 as const,
    time: clock.now().toISOString(),
    requestId: refs.requestId,
    sessionId: refs.sessionId,
    traceId: refs.traceId,
    identity: refs.identity,
  };
}

export const newEvent = {
  requestIntercepted(clock: EventClock, refs: RequestRefs, payload: RequestIntercepted['payload']): RequestIntercepted {
    return { ...envelope(clock, refs), type: 'RequestIntercepted', payload };
  },
  requestCompleted(clock: EventClock, refs: RequestRefs, payload: RequestCompleted['payload']): RequestCompleted {
    return { ...envelope(clock, refs), type: 'RequestCompleted', payload };
  },
  maskingApplied(clock: EventClock, refs: RequestRefs, payload: MaskingApplied['payload']): MaskingApplied {
    return { ...envelope(clock, refs), type: 'MaskingApplied', payload };
  },
  execSessionRecorded(clock: EventClock, refs: RequestRefs, payload: ExecSessionRecorded['payload']): ExecSessionRecorded {
    return { ...envelope(clock, refs), type: 'ExecSessionRecorded', payload };
  },
  portForwardRecorded(clock: EventClock, refs: RequestRefs, payload: PortForwardRecorded['payload']): PortForwardRecorded {
    return { ...envelope(clock, refs), type: 'PortForwardRecorded', payload };
  },
  authenticationFailed(clock: EventClock, refs: RequestRefs, payload: AuthenticationFailed['payload']): AuthenticationFailed {
    return { ...envelope(clock, refs), type: 'AuthenticationFailed', payload };
  },
};
