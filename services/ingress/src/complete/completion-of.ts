import type { RecordedBody, RequestCompleted } from '@chaperone/contracts';
import type { ResponseRecord } from '../context/response-record';

/** How a request ended, from what its answer did. Pure: the complete stage stamps time and ids. */
export function completionOf(
  response: ResponseRecord,
  durationMs: number,
  approvalId: string | undefined,
  bodies: { request: RecordedBody | undefined; response: RecordedBody | undefined },
): RequestCompleted['payload'] {
  return {
    outcome: outcomeOf(response),
    status: response.upstreamStatus || response.gatewayStatus,
    bytesOut: response.bytesOut,
    durationMs: Math.round(durationMs * 1000) / 1000,
    ...(bodies.request ? { requestBody: bodies.request } : {}),
    ...(bodies.response ? { responseBody: bodies.response } : {}),
    ...(approvalId ? { approvalId } : {}),
  };
}

function outcomeOf(r: ResponseRecord): RequestCompleted['payload']['outcome'] {
  if (r.upstreamStatus > 0) return r.finished ? 'forwarded' : 'aborted';
  if (r.gatewayStatus === 0) return 'aborted';
  // Answered by the gateway itself (a self review): a success, never sent to the cluster.
  if (r.gatewayStatus < 300) return r.finished ? 'answered' : 'aborted';
  return r.gatewayStatus >= 500 ? 'unavailable' : 'refused';
}
