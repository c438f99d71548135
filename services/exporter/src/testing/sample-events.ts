import type { ChaperoneEvent, Decision, Identity, KubeVerb, RequestInfo } from '@chaperone/contracts';

/** Evidence events of one request as the ingress and policy services publish them (for tests). */
export interface SampleRequest {
  requestId: string;
  sessionId: string;
  verb?: KubeVerb;
  path?: string;
  effect?: Decision['effect'];
  status?: number;
  approvalId?: string;
  identity?: Identity | null;
  at?: number;
}

export const sampleIdentity: Identity = { subject: 'sub-123', username: 'agent:deployer', groups: ['agents', 'system:authenticated'], agent: 'deployer', issuer: 'https://issuer.example' };

export function sampleRequestEvents(s: SampleRequest): ChaperoneEvent[] {
  const identity = s.identity === undefined ? sampleIdentity : s.identity;
  const t = (ms: number) => new Date((s.at ?? Date.parse('2025-03-04T05:06:07.000Z')) + ms).toISOString();
  const envelope = (n: number, ms: number) => ({ eventId: `${s.requestId}-${n}`, schemaVersion: 1 as const, time: t(ms), requestId: s.requestId, sessionId: s.sessionId, traceId: `trace-${s.requestId}`, identity });
  const path = s.path ?? '/api/v1/namespaces/team-a/pods/web-1';
  const request: RequestInfo = {
    isResourceRequest: true,
    path,
    verb: s.verb ?? 'get',
    apiPrefix: 'api',
    apiGroup: '',
    apiVersion: 'v1',
    namespace: 'team-a',
    resource: 'pods',
    subresource: '',
    name: path.endsWith('/pods') ? '' : 'web-1',
    parts: ['namespaces', 'team-a', 'pods', 'web-1'],
  };
  const effect = s.effect ?? 'allow';
  const decision: Decision = {
    effect,
    rule: effect === 'deny' ? 'no-secrets' : 'read-pods',
    policyVersion: 'sha256:' + 'ab'.repeat(32),
    reason: effect === 'deny' ? 'secrets are off limits' : 'pods may be read',
    matchedRules: ['read-pods'],
    mask: false,
    unmasked: false,
    maskProfile: 'default',
    record: 'metadata',
  };
  const refused = effect === 'deny';
  return [
    { ...envelope(1, 0), type: 'RequestIntercepted', payload: { method: 'GET', path, query: 'limit=5', request, userAgent: 'kubectl/v1.32.0', sourceAddress: '10.0.0.7', upgrade: false } },
    { ...envelope(2, 3), type: 'PolicyDecided', payload: { interceptEventId: `${s.requestId}-1`, decision } },
    {
      ...envelope(3, 20),
      type: 'RequestCompleted',
      payload: { outcome: refused ? 'refused' : 'forwarded', status: s.status ?? (refused ? 403 : 200), bytesOut: 512, durationMs: 20, ...(s.approvalId ? { approvalId: s.approvalId } : {}) },
    },
  ];
}
