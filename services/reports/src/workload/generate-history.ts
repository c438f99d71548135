import { createHash } from 'node:crypto';
import {
  approvalStream,
  EvidenceStreams,
  type AgentRegistryEvent,
  type ApprovalLifecycleEvent,
  type ChaperoneEvent,
  type Decision,
  type Effect,
  type Identity,
  type KubeVerb,
  type ResourceRequestInfo,
} from '@chaperone/contracts';
import type { NewEvent } from '@chaperone/event-store';

/** One event to append, and the stream it belongs to. */
export interface GeneratedEvent {
  stream: string;
  event: NewEvent;
}

export interface WorkloadOptions {
  /** Stop after at least this many events (the last session is completed). */
  events: number;
  agents: number;
  seed: number;
  /** Start of the simulated history; sessions start within `spanDays` after it. */
  start: Date;
  spanDays: number;
  /** Prefix of session, request and approval ids, so runs never collide in one store. */
  runId: string;
}

export interface WorkloadSummary {
  events: number;
  byType: Record<string, number>;
  agents: number;
  registeredAgents: number;
  sessions: number;
  requests: number;
  approvals: number;
  streams: number;
  from: string;
  to: string;
}

/** Deterministic PRNG (mulberry32): the same seed writes the same history. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NAMESPACES = ['default', 'demo', 'payments', 'staging'];
const POLICY_VERSIONS = [`sha256:${'a'.repeat(64)}`, `sha256:${'b'.repeat(64)}`];

type Scenario = 'list-pods' | 'get-pod' | 'get-deploy' | 'get-secret' | 'list-secrets' | 'logs' | 'exec' | 'denied-list' | 'denied-secret' | 'delete-pod' | 'patch-deploy' | 'scale-deploy' | 'create-configmap';
const WEIGHTS: [Scenario, number][] = [
  ['list-pods', 20], ['get-pod', 12], ['get-deploy', 8], ['get-secret', 8], ['list-secrets', 3], ['logs', 8], ['exec', 2],
  ['denied-list', 8], ['denied-secret', 3], ['delete-pod', 6], ['patch-deploy', 5], ['scale-deploy', 3], ['create-configmap', 4],
];
const TOTAL_WEIGHT = WEIGHTS.reduce((n, [, w]) => n + w, 0);

function sha(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

function resourceInfo(verb: KubeVerb, group: string, resource: string, namespace: string, name = '', subresource = ''): ResourceRequestInfo {
  const apiPrefix = group === '' ? 'api' : 'apis';
  const gv = group === '' ? 'v1' : `${group}/v1`;
  const path = `/${apiPrefix}/${gv}/namespaces/${namespace}/${resource}${name ? `/${name}` : ''}${subresource ? `/${subresource}` : ''}`;
  return {
    isResourceRequest: true,
    path,
    verb,
    apiPrefix,
    apiGroup: group,
    apiVersion: 'v1',
    namespace,
    resource,
    subresource,
    name,
    parts: [resource, ...(name ? [name] : []), ...(subresource ? [subresource] : [])],
  };
}

/**
 * A realistic evidence history, written as the services would write it: agents (most of them
 * registered, with owners), sessions of kubectl-like requests (reads, masked secret reads, logs,
 * exec, denials, changes with recorded body digests, deletions held for approval with granted,
 * denied, expired and self-approved outcomes), failed authentications, and bursts of denials.
 * Pure and deterministic for a seed: ids and times come from the options.
 */
export function* generateHistory(o: WorkloadOptions, summary: WorkloadSummary): Generator<GeneratedEvent> {
  const rnd = prng(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const startMs = o.start.getTime();
  const spanMs = o.spanDays * 86_400_000;
  let eventSeq = 0;
  const id = (kind: string) => `${o.runId}-${kind}-${(eventSeq++).toString(36)}`;
  const iso = (ms: number) => new Date(ms).toISOString();
  let minMs = Number.POSITIVE_INFINITY;
  let maxMs = 0;
  const streams = new Set<string>();
  const emit = (stream: string, type: string, data: unknown, atMs: number): GeneratedEvent => {
    summary.events++;
    summary.byType[type] = (summary.byType[type] ?? 0) + 1;
    streams.add(stream);
    minMs = Math.min(minMs, atMs);
    maxMs = Math.max(maxMs, atMs);
    const eventId = typeof data === 'object' && data !== null && 'eventId' in data ? String((data as { eventId: string }).eventId) : id('ev');
    return { stream, event: { eventId, type, data } };
  };

  // The registry: most agents registered with an owner; a few are not (reports must show them).
  const agents = Array.from({ length: o.agents }, (_, i) => `agent-${String(i).padStart(3, '0')}`);
  summary.agents = agents.length;
  const registry = (e: AgentRegistryEvent): GeneratedEvent => emit(EvidenceStreams.agentRegistry, e.type, e, Date.parse(e.time));
  const scope = { namespaces: NAMESPACES, verbs: ['*'], resources: ['*'] };
  const source = `workload:${o.runId}`;
  for (const [i, agent] of agents.entries()) {
    if (i % 10 === 9) continue;
    summary.registeredAgents++;
    yield registry({ schemaVersion: 1, type: 'AgentRegistered', time: iso(startMs + i * 1000), source, agent, owner: `owner-${i % 7}@example.com`, purpose: `workload agent ${i}`, scope });
  }
  // One owner hand-over and one removal, late in the period.
  if (agents.length > 2) {
    yield registry({ schemaVersion: 1, type: 'AgentUpdated', time: iso(startMs + spanMs - 3_600_000), source, agent: 'agent-001', owner: 'owner-new@example.com', purpose: 'workload agent 1', scope });
    yield registry({ schemaVersion: 1, type: 'AgentRemoved', time: iso(startMs + spanMs - 1_800_000), source, agent: 'agent-002', owner: 'owner-2@example.com' });
  }

  while (summary.events < o.events) {
    const agentIndex = Math.floor(rnd() * agents.length);
    const agent = agents[agentIndex] as string;
    const identity: Identity = { subject: `sub-${agent}`, username: `agent:${agent}`, groups: ['agents'], agent, issuer: 'https://issuer.workload.test' };
    const sessionId = id('s');
    const stream = `session-${sessionId}`;
    summary.sessions++;
    let t = startMs + Math.floor(rnd() * spanMs);
    const policyVersion = t - startMs < spanMs / 2 ? POLICY_VERSIONS[0] : POLICY_VERSIONS[1];
    // One agent in five has a bad day: a burst of denials (a second apart).
    const burst = agentIndex % 5 === 0 && rnd() < 0.5;
    const length = 3 + Math.floor(rnd() * 25);
    for (let n = 0; n < length; n++) {
      t += burst && n < 12 ? 1000 : 500 + Math.floor(rnd() * 20_000);
      let scenario: Scenario = 'list-pods';
      if (burst && n < 12) scenario = 'denied-list';
      else {
        let w = rnd() * TOTAL_WEIGHT;
        for (const [s, weight] of WEIGHTS) if ((w -= weight) < 0) { scenario = s; break; }
      }
      yield* request(scenario, t);
    }

    // Occasional failed authentication (no identity, no session: one shared stream).
    if (rnd() < 0.05) {
      const e: ChaperoneEvent = {
        eventId: id('ev'), schemaVersion: 1, type: 'AuthenticationFailed', time: iso(t + 10), requestId: id('r'), sessionId: '', traceId: 't', identity: null,
        payload: { reason: pick(['expired', 'bad-signature', 'wrong-audience']), method: 'GET', path: '/api/v1/pods', sourceAddress: '10.0.0.9' },
      };
      yield emit(`${o.runId}-unauthenticated`, e.type, e, t + 10);
    }

    function* request(scenario: Scenario, at: number): Generator<GeneratedEvent> {
      summary.requests++;
      const ns = pick(NAMESPACES);
      const pod = `worker-${Math.floor(rnd() * 9)}`;
      let info: ResourceRequestInfo;
      let method = 'GET';
      let query = '';
      let effect: Effect = 'allow';
      let rule = 'agents-read';
      let masked = 0;
      let body = false;
      let approve = false;
      switch (scenario) {
        case 'list-pods': info = resourceInfo('list', '', 'pods', ns); query = 'limit=500'; break;
        case 'get-pod': info = resourceInfo('get', '', 'pods', ns, pod); break;
        case 'get-deploy': info = resourceInfo('get', 'apps', 'deployments', ns, 'web'); break;
        case 'get-secret': info = resourceInfo('get', '', 'secrets', ns, 'db-credentials'); masked = 1 + Math.floor(rnd() * 4); effect = pick(['allow', 'mask'] as const); rule = 'agents-read-secrets'; break;
        case 'list-secrets': info = resourceInfo('list', '', 'secrets', ns); masked = 2 + Math.floor(rnd() * 8); effect = 'mask'; rule = 'agents-read-secrets'; break;
        case 'logs': info = resourceInfo('get', '', 'pods', ns, pod, 'log'); query = rnd() < 0.5 ? 'follow=true' : 'tailLines=100'; masked = rnd() < 0.3 ? 1 : 0; break;
        case 'exec': info = resourceInfo('create', '', 'pods', ns, pod, 'exec'); query = 'command=ls&command=-l&stdout=true&stderr=true'; rule = 'agents-exec'; break;
        case 'denied-list': info = resourceInfo('list', '', 'pods', 'kube-system'); effect = 'deny'; rule = 'default-deny'; break;
        case 'denied-secret': info = resourceInfo('get', '', 'secrets', 'kube-system', 'admin-token'); effect = 'deny'; rule = 'deny-system-secrets'; break;
        case 'delete-pod': info = resourceInfo('delete', '', 'pods', ns, pod); method = 'DELETE'; effect = 'approve'; rule = 'delete-needs-approval'; approve = true; break;
        case 'patch-deploy': info = resourceInfo('patch', 'apps', 'deployments', ns, 'web'); method = 'PATCH'; rule = 'agents-change'; body = true; break;
        case 'scale-deploy': info = resourceInfo('patch', 'apps', 'deployments', ns, 'web', 'scale'); method = 'PATCH'; rule = 'agents-change'; body = true; break;
        case 'create-configmap': info = resourceInfo('create', '', 'configmaps', ns); method = 'POST'; rule = 'agents-change'; body = true; break;
        default: { const unhandled: never = scenario; throw new Error(String(unhandled)); }
      }
      const requestId = id('r');
      const base = { schemaVersion: 1 as const, requestId, sessionId, traceId: requestId, identity };
      const interceptId = id('ev');
      const intercepted: ChaperoneEvent = {
        ...base, eventId: interceptId, type: 'RequestIntercepted', time: iso(at),
        payload: { method, path: info.path, query, request: info, userAgent: 'kubectl/v1.32.0', sourceAddress: '10.0.0.7', upgrade: scenario === 'exec' },
      };
      yield emit(stream, intercepted.type, intercepted, at);
      const decision: Decision = {
        effect, rule, policyVersion: policyVersion as string, reason: `${effect} by ${rule}`, matchedRules: effect === 'deny' && rule === 'default-deny' ? [] : [rule],
        mask: effect === 'mask', unmasked: false, maskProfile: 'default', record: body ? 'request' : 'none',
      };
      const decidedId = id('ev');
      const decided: ChaperoneEvent = { ...base, eventId: decidedId, type: 'PolicyDecided', time: iso(at + 2), payload: { interceptEventId: interceptId, decision } };
      yield emit(stream, decided.type, decided, at + 2);

      let status = 200;
      let outcome: 'forwarded' | 'refused' = 'forwarded';
      let end = at + 5 + Math.floor(rnd() * 80);
      if (effect === 'deny') {
        status = 403;
        outcome = 'refused';
      }
      if (approve) {
        summary.approvals++;
        const approvalId = id('a');
        const astream = approvalStream(approvalId);
        const requester = { subject: identity.subject, username: identity.username, agent, groups: identity.groups };
        const expiresAt = iso(at + 300_000);
        const requested: ApprovalLifecycleEvent = {
          type: 'ApprovalRequested',
          data: {
            approvalId, at: iso(at + 3), requestFingerprint: sha(`${requestId}`), requester,
            request: { verb: info.verb, apiGroup: '', resource: 'pods', subresource: '', namespace: ns, name: pod, path: info.path },
            reason: pick(['pod stuck in CrashLoopBackOff', 'rotate worker', '']), rule, approverGroups: ['sre'], requiredApprovals: 1, mode: 'hold',
            expiresAt, grantTtlSeconds: 600, requestId, sessionId, traceId: requestId, interceptEventId: interceptId, decisionEventId: decidedId, method, query,
          },
        };
        yield emit(astream, requested.type, requested.data, at + 3);
        const waitMs = 5_000 + Math.floor(rnd() * 120_000);
        const r = rnd();
        // Most are granted by an SRE; some denied, some expire; rarely the agent's own identity approves (a finding).
        const approver = r < 0.03 ? { subject: identity.subject, username: identity.username, groups: ['sre'] } : { subject: `sub-sre-${Math.floor(rnd() * 3)}`, username: `sre-${Math.floor(rnd() * 3)}@example.com`, groups: ['sre'] };
        let final: ApprovalLifecycleEvent;
        if (r < 0.7) final = { type: 'ApprovalGranted', data: { approvalId, at: iso(at + waitMs), approver, reason: 'looks safe', grantExpiresAt: iso(at + waitMs + 600_000) } };
        else if (r < 0.85) final = { type: 'ApprovalDenied', data: { approvalId, at: iso(at + waitMs), approver, reason: 'not during the freeze' } };
        else final = { type: 'ApprovalExpired', data: { approvalId, at: expiresAt } };
        const finalAt = Date.parse(final.data.at);
        yield emit(astream, final.type, final.data, finalAt);
        if (final.type === 'ApprovalGranted') {
          const executed: ApprovalLifecycleEvent = { type: 'ApprovalExecuted', data: { approvalId, at: iso(finalAt + 5), requestId } };
          yield emit(astream, executed.type, executed.data, finalAt + 5);
          end = finalAt + 50;
        } else {
          status = 403;
          outcome = 'refused';
          end = finalAt + 2;
        }
      }
      if (outcome === 'forwarded' && masked > 0) {
        const paths = Array.from({ length: masked }, (_, k) => (info.resource === 'secrets' ? `data.key${k}` : `line ${k + 1}`));
        const m: ChaperoneEvent = {
          ...base, eventId: id('ev'), type: 'MaskingApplied', time: iso(end - 1),
          payload: { mode: info.subresource === 'log' ? 'lines' : 'document', profile: 'default', count: masked, paths, detectors: { structural: masked } },
        };
        yield emit(stream, m.type, m, end - 1);
      }
      const completed: ChaperoneEvent = {
        ...base, eventId: id('ev'), type: 'RequestCompleted', time: iso(end),
        payload: {
          outcome, status, bytesOut: outcome === 'refused' ? 300 : 2000 + Math.floor(rnd() * 50_000), durationMs: end - at,
          ...(body ? { requestBody: { digest: sha(`${requestId}-body`), size: 120 + Math.floor(rnd() * 800) } } : {}),
        },
      };
      yield emit(stream, completed.type, completed, end);
    }
  }
  summary.streams = streams.size;
  summary.from = iso(minMs);
  summary.to = iso(maxMs);
}

export function emptySummary(): WorkloadSummary {
  return { events: 0, byType: {}, agents: 0, registeredAgents: 0, sessions: 0, requests: 0, approvals: 0, streams: 0, from: '', to: '' };
}
