import type { Span } from '@opentelemetry/api';
import type { Decision, Identity, MaskMode, MaskReport, RequestInfo, RequestIntercepted, SelfReviewAnswer, SelfReviewSpec } from '@chaperone/contracts';
import type { RequestRefs } from '../events/event-factory';
import type { Exchange } from './exchange';
import type { ResponseRecord } from './response-record';
import type { StepTimes } from './step-times';

/**
 * One request's context as it moves down the handler chain. Each stage takes the context the
 * previous one produced and returns a wider one, so a stage can only read what an earlier stage
 * established (the compiler checks it); `stage` says how far the request got, which is what the
 * completion record is built from.
 */
interface Base {
  readonly exchange: Exchange;
  readonly requestId: string;
  /** performance.now() at arrival. */
  readonly started: number;
  readonly span: Span;
  /** What the answer did (status, bytes, digests), filled in by whichever stage answered. */
  readonly response: ResponseRecord;
  /** How long the steps the request waited on took (the step-duration metric). */
  readonly steps: StepTimes;
}

export interface Received extends Base {
  readonly stage: 'received';
}

export interface Authenticated extends Base {
  readonly stage: 'authenticated';
  readonly refs: RequestRefs & { identity: Identity };
}

/** Kubernetes attributes derived as the API server derives them; from here a completion record is owed. */
export interface Intercepted extends Omit<Authenticated, 'stage'> {
  readonly stage: 'intercepted';
  readonly info: RequestInfo;
  /** The raw path and query as received (what an approval's fingerprint covers). */
  readonly path: string;
  readonly query: string;
  readonly intercepted: RequestIntercepted;
  /** A masking stream opened while policy decides, when the last decision on such a request masked. */
  readonly maskingAhead?: MaskingOpenedAhead;
}

/** The intercept and the policy's decision are durably stored. */
export interface Decided extends Omit<Intercepted, 'stage'> {
  readonly stage: 'decided';
  readonly decision: Decision;
  readonly decisionEventId: string;
  /** A self review (kubectl auth can-i) and policy's answer: answered by the gateway, never forwarded. */
  readonly review?: { readonly spec: SelfReviewSpec; readonly answer: SelfReviewAnswer };
}

/** How the response will be masked (planned before a human is asked, so nothing unmaskable is held). */
export interface Planned extends Omit<Decided, 'stage'> {
  readonly stage: 'planned';
  /** undefined: the response passes as it is (non-resource, or an allow rule with unmasked: true). */
  readonly maskingPlan: MaskingPlan | undefined;
}

/** Allowed to run: no approval needed, or its grant was claimed. */
export interface Cleared extends Omit<Planned, 'stage'> {
  readonly stage: 'cleared';
  readonly approvalId: string | undefined;
  /** The body, when it was read before forwarding (a held request): exactly these bytes are sent. */
  readonly body: Buffer | undefined;
}

/** The masking the response needs is open (or none is needed). */
export interface Prepared extends Omit<Cleared, 'stage'> {
  readonly stage: 'prepared';
  readonly masking: ResponseMasking | undefined;
}

export interface Forwarded extends Omit<Prepared, 'stage'> {
  readonly stage: 'forwarded';
}

export type RequestContext = Received | Authenticated | Intercepted | Decided | Planned | Cleared | Prepared | Forwarded;

/** Contexts from which a RequestCompleted is owed (RequestIntercepted was built and sent). */
export type Recorded = Intercepted | Decided | Planned | Cleared | Prepared | Forwarded;

export function isRecorded(ctx: RequestContext): ctx is Recorded {
  return ctx.stage !== 'received' && ctx.stage !== 'authenticated';
}

/** A masking stream opened with the masking service for one response. */
export interface MaskingStream {
  /** Send bytes; resolves to the masked output complete so far (possibly empty). */
  data(chunk: Buffer): Promise<Buffer>;
  /** Send a document's bytes without waiting for each answer; resolves when more may be sent. */
  feed(chunk: Buffer): Promise<void>;
  /** Finish, optionally with the last bytes; resolves to the rest of the masked output. */
  end(last?: Buffer): Promise<Buffer>;
  keepAlive(): Promise<void>;
  /** Not needed after all (opened ahead of a decision that did not use it): the replica drops it. */
  close(): void;
  /** Set once the stream ended: what was masked. */
  readonly report: MaskReport | undefined;
}

/** A masking stream opened before the decision, on a hint; the decision's plan says whether it is used. */
export interface MaskingOpenedAhead {
  /** The kind of request it was opened for (the hint's key). */
  readonly kind: string;
  /** The stream, when the plan is the one it was opened for (its failure is then the request's); else undefined. */
  take(plan: MaskingPlan): Promise<MaskingStream> | undefined;
  /** Not used: the replica is told to drop it. Nothing once taken or released. */
  release(): void;
}

export interface MaskingPlan {
  readonly mode: MaskMode;
  readonly profile: string;
}

export interface ResponseMasking extends MaskingPlan {
  readonly stream: MaskingStream;
}
