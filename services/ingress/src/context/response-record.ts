import type { CapturedBody } from '../recording/body-capture';

/** Something that captured a body as it passed; finished once, when the completion is built. */
export interface Capture {
  update(chunk: Buffer): void;
  finish(): CapturedBody;
}

/**
 * What the answer to one request did, for its completion record: filled in by the stage that
 * answered (the forwarder as bytes flow, or the refusal), read once by the complete stage.
 */
export class ResponseRecord {
  /** The cluster's status (101 for a spliced upgrade), 0 when it never answered. */
  upstreamStatus = 0;
  /** The status Chaperone itself answered with (a refusal), 0 when it did not. */
  gatewayStatus = 0;
  /** The gateway error kind Chaperone refused with (metrics: a `denied` refusal is a deny decision). */
  refusal: string | undefined;
  bytesOut = 0;
  /** The response was sent to its end (or the upgraded session ran). */
  finished = false;
  /** The request body as the cluster received it (when the policy records bodies). */
  request: Capture | undefined;
  /** The response as the agent received it, masked (when the policy records bodies). */
  response: Capture | undefined;
  /** The approval a refused or abandoned request waited for (a cleared one carries its own). */
  approvalId: string | undefined;
  private completionClaimed = false;

  /** True the first time only: exactly one RequestCompleted per request. */
  claimCompletion(): boolean {
    if (this.completionClaimed) return false;
    this.completionClaimed = true;
    return true;
  }
}
