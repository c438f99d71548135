import { kubeStatus, type KubeStatus } from '@chaperone/k8s-status';
import { ApprovalHeaders } from '@chaperone/contracts';
import type { GatewayError } from './gateway-errors';

/** Headers that go with an error's Status: a ticket's id, link and when to look again. */
export function statusHeaders(error: GatewayError): Record<string, string> {
  if (error.kind === 'too-many-requests') return { 'retry-after': String(error.retryAfterSeconds) };
  if (error.kind !== 'approval-ticket') return {};
  return { [ApprovalHeaders.id]: error.approvalId, [ApprovalHeaders.url]: error.url, 'retry-after': String(error.retryAfterSeconds) };
}

/** 150 → "2m30s", as the policy file writes durations. */
export function formatSeconds(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.round(seconds % 60);
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}

/** The single mapping from gateway errors to what kubectl prints. Messages never carry tokens. */
export function toStatus(error: GatewayError): KubeStatus {
  switch (error.kind) {
    case 'unauthenticated':
      return kubeStatus('Unauthorized', `Unauthorized: ${error.message}`);
    case 'bad-request':
      return kubeStatus('BadRequest', `chaperone refused a malformed request: ${error.message}`);
    case 'identity-refused':
      return kubeStatus('Forbidden', `chaperone refused this request: ${error.message}`);
    case 'denied':
      // The short version identifies the policy for a human; the full hash is in the PolicyDecided event.
      return kubeStatus('Forbidden', `chaperone policy denied this request (rule "${error.rule}", policy ${error.policyVersion.slice(0, 19)}): ${error.reason}`);
    case 'approval-refused':
      return kubeStatus('Forbidden', `chaperone: ${error.message}; the request was not sent`);
    case 'approval-ticket':
      return kubeStatus(
        'Forbidden',
        `chaperone policy requires human approval for this request (rule "${error.rule}"): ${error.reason}. ` +
          `Approval ${error.approvalId} is pending (${error.url}); the request was not sent. ` +
          `Once it is approved, send the identical request again within ${formatSeconds(error.grantTtlSeconds)}: it runs once`,
        { name: error.approvalId, kind: 'Approval', group: 'chaperone.dev', retryAfterSeconds: error.retryAfterSeconds },
      );
    case 'approval-denied':
      return kubeStatus(
        'Forbidden',
        `chaperone: approval ${error.approvalId} was denied${error.by ? ` by ${error.by}` : ''}: ${error.reason || 'no reason given'}; the request was not sent`,
        { name: error.approvalId, kind: 'Approval', group: 'chaperone.dev' },
      );
    case 'approval-not-given':
      return kubeStatus('Forbidden', `chaperone: ${error.message}; the request was not sent`, { name: error.approvalId, kind: 'Approval', group: 'chaperone.dev' });
    case 'approval-unavailable':
      return kubeStatus('ServiceUnavailable', `chaperone could not reach the approval service, so the request was not sent: ${error.message}`, {
        retryAfterSeconds: 1,
      });
    case 'body-too-large':
      return kubeStatus('RequestEntityTooLarge', `chaperone holds request bodies of at most ${error.limit} bytes for approval; the request was not sent`);
    case 'masking-unavailable':
      return kubeStatus(
        'ServiceUnavailable',
        error.forwarded
          ? `chaperone could not mask the response, so it was withheld: ${error.message}`
          : `chaperone could not prepare masking for the response, so the request was not sent: ${error.message}`,
        { retryAfterSeconds: 1 },
      );
    case 'policy-unavailable':
      return kubeStatus('ServiceUnavailable', `chaperone could not get a policy decision, so the request was not sent: ${error.message}`, {
        retryAfterSeconds: 1,
      });
    case 'bus-unavailable':
      return kubeStatus('ServiceUnavailable', `chaperone could not record this request, so it was not sent: ${error.message}`, {
        retryAfterSeconds: 1,
      });
    case 'too-many-requests':
      return kubeStatus('TooManyRequests', `chaperone: ${error.message}; the request was not sent`, { retryAfterSeconds: error.retryAfterSeconds });
    case 'recording-unavailable':
      return kubeStatus('ServiceUnavailable', 'chaperone could not store this request’s recording (the blob store is unreachable) and the policy refuses requests it cannot record, so it was not sent', {
        retryAfterSeconds: 5,
      });
    case 'upstream-unavailable':
      return kubeStatus('ServiceUnavailable', `chaperone could not reach the Kubernetes API server: ${error.message}`);
    case 'upgrade-not-supported':
      return kubeStatus(
        'BadRequest',
        `chaperone proxies WebSocket upgrades only (got "${error.protocol}"); kubectl 1.30+ uses WebSockets for exec, attach and port-forward`,
      );
    default: {
      const unhandled: never = error;
      throw new Error(`unhandled gateway error ${JSON.stringify(unhandled)}`);
    }
  }
}
