import { kubeStatus, type KubeStatus } from '@chaperone/k8s-status';
import type { GatewayError } from './gateway-errors';

/** The single mapping from gateway errors to what kubectl prints. Messages never carry tokens. */
export function toStatus(error: GatewayError): KubeStatus {
  switch (error.kind) {
    case 'unauthenticated':
      return kubeStatus('Unauthorized', `Unauthorized: ${error.message}`);
    case 'bad-request':
      return kubeStatus('BadRequest', `chaperone refused a malformed request: ${error.message}`);
    case 'denied':
      // The short version identifies the policy for a human; the full hash is in the PolicyDecided event.
      return kubeStatus('Forbidden', `chaperone policy denied this request (rule "${error.rule}", policy ${error.policyVersion.slice(0, 19)}): ${error.reason}`);
    case 'approval-required':
      return kubeStatus(
        'Forbidden',
        `chaperone policy requires human approval for this request (rule "${error.rule}"): ${error.reason}; approvals are not available in this version, so the request was not sent`,
      );
    case 'masking-unavailable':
      return kubeStatus('ServiceUnavailable', `chaperone could not mask the response, so it was withheld: ${error.message}`, {
        retryAfterSeconds: 1,
      });
    case 'policy-unavailable':
      return kubeStatus('ServiceUnavailable', `chaperone could not get a policy decision, so the request was not sent: ${error.message}`, {
        retryAfterSeconds: 1,
      });
    case 'bus-unavailable':
      return kubeStatus('ServiceUnavailable', `chaperone could not record this request, so it was not sent: ${error.message}`, {
        retryAfterSeconds: 1,
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
