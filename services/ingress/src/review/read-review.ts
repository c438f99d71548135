import type { IncomingMessage } from 'node:http';
import { parseContract, SelfReviewSpecSchema, type SelfReviewKind, type SelfReviewSpec } from '@chaperone/contracts';
import { BodyTooLarge, readBody } from '../approval/read-body';
import { GatewayFailure } from '../errors/gateway-errors';
import { isKubeProtobuf, reviewFromProtobuf } from './review-protobuf';

/** A review is a few hundred bytes; anything far larger is not one. */
const MAX_REVIEW_BYTES = 64 * 1024;

/**
 * Reads the spec of a self review (kubectl auth can-i) from its request body, for the policy
 * service to answer. A body that is not a JSON review of that kind is refused as a bad request:
 * nothing is guessed, and nothing is forwarded.
 */
export async function readReview(req: IncomingMessage, kind: SelfReviewKind): Promise<SelfReviewSpec> {
  let body: Buffer;
  try {
    body = await readBody(req, MAX_REVIEW_BYTES);
  } catch (e) {
    if (e instanceof BodyTooLarge) throw new GatewayFailure({ kind: 'body-too-large', limit: e.limit });
    throw e;
  }
  let spec: Record<string, unknown>;
  try {
    const review = isKubeProtobuf(body) ? reviewFromProtobuf(body, kind) : (JSON.parse(body.toString('utf8')) as { spec?: Record<string, unknown> });
    spec = review.spec ?? {};
  } catch {
    throw new GatewayFailure({ kind: 'bad-request', message: 'the review body is neither JSON nor Kubernetes protobuf' });
  }
  try {
    const asked =
      kind === 'rules'
        ? { kind, namespace: spec['namespace'] ?? '' }
        : { kind, resourceAttributes: spec['resourceAttributes'], nonResourceAttributes: spec['nonResourceAttributes'] };
    return parseContract(SelfReviewSpecSchema, 'review spec', asked);
  } catch (e) {
    throw new GatewayFailure({ kind: 'bad-request', message: `the review's spec is invalid: ${e instanceof Error ? e.message : 'unreadable'}` });
  }
}
