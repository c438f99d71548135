import { trace } from '@opentelemetry/api';
import type { ChaperoneEvent, RequestCompleted } from '@chaperone/contracts';
import type { Decided, ResponseMasking } from '../context/request-context';
import { ResponseRecord } from '../context/response-record';
import { StepTimes } from '../context/step-times';
import { GatewayFailure } from '../errors/gateway-errors';
import type { EvidenceWriter } from '../evidence/evidence-writer';
import type { Recorder } from '../recording/recorder';
import { Complete } from './complete';

/** The evidence writer's two doors, recorded: the first durable write fails as a lost bus would. */
class FailingOnceEvidence {
  readonly durable: ChaperoneEvent[][] = [];
  readonly background: ChaperoneEvent[][] = [];

  durably(...events: ChaperoneEvent[]): Promise<void> {
    this.durable.push(events);
    return Promise.reject(new GatewayFailure({ kind: 'bus-unavailable', message: 'RequestCompleted was not recorded: the events stream did not acknowledge in time' }));
  }

  inBackground(...events: ChaperoneEvent[]): void {
    this.background.push(events);
  }
}

function forwardedRequest(): Decided {
  const response = new ResponseRecord();
  response.upstreamStatus = 200;
  response.bytesOut = 120;
  return {
    stage: 'decided',
    requestId: 'r-1',
    started: 0,
    span: trace.getTracer('test').startSpan('test'),
    response,
    steps: new StepTimes(),
    refs: { requestId: 'r-1', sessionId: 's-1', traceId: 't-1', identity: { subject: 'agent', username: 'agent', groups: [], issuer: 'https://issuer' } },
  } as unknown as Decided;
}

const masked = { mode: 'document', profile: 'default', stream: { report: { count: 2, paths: ['data.token'], detectors: {} } } } as unknown as ResponseMasking;

describe('Complete.beforeLastByte (the completion stored before the last byte)', () => {
  it('given the bus does not acknowledge the completion, then the response is not released and the retry keeps the event ids, saying aborted', async () => {
    const evidence = new FailingOnceEvidence();
    const complete = new Complete(evidence as unknown as EvidenceWriter, { save: () => undefined } as unknown as Recorder);
    const ctx = forwardedRequest();

    await expect(complete.beforeLastByte(ctx, masked)).rejects.toBeInstanceOf(GatewayFailure);

    const [first] = evidence.durable;
    const [retry] = evidence.background;
    expect(first?.map((e) => e.type)).toEqual(['MaskingApplied', 'RequestCompleted']);
    // The first write may have landed after all: the same ids let the bus and the audit keep one.
    expect(retry?.map((e) => e.eventId)).toEqual(first?.map((e) => e.eventId));
    expect((first?.[1] as RequestCompleted).payload.outcome).toBe('forwarded');
    expect((retry?.[1] as RequestCompleted).payload.outcome).toBe('aborted');
    expect(ctx.response.finished).toBe(false);
  });
});
