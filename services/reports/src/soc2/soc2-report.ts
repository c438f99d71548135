import type { ApprovalStatus } from '@chaperone/contracts';
import {
  approversDistinctFromRequester,
  isChange,
  isSecretRead,
  secondsToDecision,
  type ReadModel,
  type RegistryEntry,
  type RequestView,
} from '../read-model';
import { bodyLink } from '../bodies/body-links';
import { findBursts, type Burst, type BurstRule } from './bursts';
import type { ChainVerification } from '../verify/chain-verification';

export interface Period {
  /** Inclusive, ISO. */
  from: string;
  /** Exclusive, ISO. */
  to: string;
}

export interface IdentityRow {
  agent: string;
  username: string;
  subject: string;
  groups: string;
  owner: string;
  registered: boolean;
  firstSeen: string;
  lastSeen: string;
  sessions: number;
  requests: number;
  /** MCP tool calls made in the period. */
  toolCalls: number;
}

export interface PolicyVersionRow {
  policyVersion: string;
  firstSeen: string;
  lastSeen: string;
  decisions: number;
  /** rule=count, most used first. */
  rules: string;
}

export interface ApprovalRow {
  approvalId: string;
  requestId: string;
  sessionId: string;
  agent: string;
  owner: string;
  requester: string;
  verb: string;
  resource: string;
  namespace: string;
  name: string;
  rule: string;
  reason: string;
  status: ApprovalStatus;
  approvers: string;
  approverReasons: string;
  approverDistinctFromRequester: boolean;
  requestedAt: string;
  decidedAt: string;
  secondsToDecision: number | null;
  expiresAt: string;
  grantExpiresAt: string;
  executedRequestId: string;
}

export interface DenialRow {
  time: string;
  requestId: string;
  sessionId: string;
  agent: string;
  owner: string;
  verb: string;
  resource: string;
  namespace: string;
  name: string;
  rule: string;
  policyVersion: string;
  reason: string;
}

export interface SecretReadRow {
  time: string;
  requestId: string;
  sessionId: string;
  agent: string;
  owner: string;
  verb: string;
  namespace: string;
  name: string;
  rule: string;
  maskedValues: number;
  /** True when the response went out unmasked (an `unmasked: true` allow rule). */
  unmasked: boolean;
}

export interface ChangeRow {
  time: string;
  requestId: string;
  sessionId: string;
  agent: string;
  owner: string;
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  decision: string;
  rule: string;
  policyVersion: string;
  approvalId: string;
  approvalStatus: string;
  approvers: string;
  requestBodyDigest: string;
  /** What the evidence kept of the request body: stored, pruned (retention), digest-only, or '' (nothing). */
  requestBodyRecorded: string;
  /** The reports API route serving the stored request body ('' when it is not stored). */
  requestBodyUrl: string;
  outcome: string;
  status: number | null;
  /** intercepted;decided;completed event ids: the links an auditor follows into the store. */
  eventIds: string;
}

export interface Soc2Report {
  title: string;
  generatedAt: string;
  period: Period;
  /** What the report was computed from: the read model's checkpoint in the store. */
  source: { storePosition: number; eventsApplied: number; invalidEvents: number; orphanApprovalEvents: number };
  verification: ChainVerification;
  summary: {
    requests: number;
    sessions: number;
    identities: number;
    unregisteredAgents: number;
    policyVersions: number;
    registrations: number;
    registryUpdates: number;
    removals: number;
    approvals: number;
    approvalsByStatus: Record<ApprovalStatus, number>;
    selfApprovals: number;
    denials: number;
    secretReads: number;
    maskedSecretReads: number;
    unmaskedSecretReads: number;
    authenticationFailures: number;
    bursts: number;
    changes: number;
    changesWithApproval: number;
  };
  cc6_1: { identities: IdentityRow[]; policyVersions: PolicyVersionRow[]; notes: string[] };
  cc6_2_3: { registrations: RegistryEntry[]; approvals: ApprovalRow[]; notes: string[] };
  cc7_2: {
    burstRule: BurstRule;
    denials: DenialRow[];
    secretReads: SecretReadRow[];
    authenticationFailures: { time: string; reason: string; method: string; path: string; sourceAddress: string; eventId: string }[];
    bursts: Burst[];
  };
  cc8_1: { changes: ChangeRow[]; notes: string[] };
}

/** [from, to) as milliseconds, parsed once per report. */
function periodTest(p: Period): (time: string) => boolean {
  const from = Date.parse(p.from);
  const to = Date.parse(p.to);
  return (time) => {
    const t = Date.parse(time);
    return t >= from && t < to;
  };
}

function resourceOf(r: RequestView) {
  const i = r.info?.isResourceRequest ? r.info : undefined;
  return { verb: r.info?.verb ?? '', apiGroup: i?.apiGroup ?? '', resource: i?.resource ?? '', subresource: i?.subresource ?? '', namespace: i?.namespace ?? '', name: i?.name ?? '' };
}

/**
 * The SOC 2 evidence report for a period, computed from the read model (pure; `now` injected).
 * Every figure in `summary` is the length of a list in the report, so a sample can be drawn from it.
 */
export function buildSoc2Report(model: ReadModel, period: Period, opts: { burst: BurstRule; verification: ChainVerification; now: Date }): Soc2Report {
  const owner = (agent: string) => model.agents.get(agent)?.owner ?? '';
  const inP = periodTest(period);
  const requests: RequestView[] = [];
  for (const r of model.requests.values()) if (inP(r.time)) requests.push(r);
  requests.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.requestId.localeCompare(b.requestId)));

  // CC6.1: who acted, who owns them, and which policy versions decided.
  const identities = new Map<string, IdentityRow & { sessionIds: Set<string> }>();
  const versions = new Map<string, { firstSeen: string; lastSeen: string; decisions: number; rules: Map<string, number> }>();
  for (const r of requests) {
    const key = `${r.agent}\u0000${r.subject}`;
    let row = identities.get(key);
    if (!row) {
      const session = model.sessions.get(r.sessionId);
      row = {
        agent: r.agent,
        username: r.username,
        subject: r.subject,
        groups: (session?.groups ?? []).join(' '),
        owner: owner(r.agent),
        registered: model.agents.has(r.agent),
        firstSeen: r.time,
        lastSeen: r.time,
        sessions: 0,
        requests: 0,
        toolCalls: 0,
        sessionIds: new Set(),
      };
      identities.set(key, row);
    }
    row.requests++;
    row.sessionIds.add(r.sessionId);
    row.lastSeen = r.time;
    if (r.decision) {
      let v = versions.get(r.decision.policyVersion);
      if (!v) versions.set(r.decision.policyVersion, (v = { firstSeen: r.time, lastSeen: r.time, decisions: 0, rules: new Map() }));
      v.decisions++;
      v.lastSeen = r.time;
      v.rules.set(r.decision.rule, (v.rules.get(r.decision.rule) ?? 0) + 1);
    }
  }
  for (const row of identities.values()) {
    for (const id of row.sessionIds) for (const call of model.sessions.get(id)?.toolCalls ?? []) if (inP(call.time)) row.toolCalls++;
  }
  const identityRows: IdentityRow[] = [...identities.values()]
    .map(({ sessionIds, ...row }) => ({ ...row, sessions: sessionIds.size }))
    .sort((a, b) => a.agent.localeCompare(b.agent) || a.subject.localeCompare(b.subject));
  const policyVersions: PolicyVersionRow[] = [...versions.entries()]
    .map(([policyVersion, v]) => ({
      policyVersion,
      firstSeen: v.firstSeen,
      lastSeen: v.lastSeen,
      decisions: v.decisions,
      rules: [...v.rules.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([rule, n]) => `${rule}=${n}`).join(' '),
    }))
    .sort((a, b) => a.firstSeen.localeCompare(b.firstSeen));

  // CC6.2/CC6.3: registrations and approvals requested in the period.
  const registrations = model.registry.filter((e) => inP(e.at));
  const approvals: ApprovalRow[] = [];
  for (const a of model.approvals.values()) {
    if (!inP(a.requestedAt)) continue;
    const secs = secondsToDecision(a);
    approvals.push({
      approvalId: a.approvalId,
      requestId: a.requestId,
      sessionId: a.sessionId,
      agent: a.requester.agent,
      owner: owner(a.requester.agent),
      requester: a.requester.username,
      verb: a.request.verb,
      resource: a.request.subresource ? `${a.request.resource}/${a.request.subresource}` : a.request.resource,
      namespace: a.request.namespace,
      name: a.request.name,
      rule: a.rule,
      reason: a.reason,
      status: a.status,
      approvers: a.votes.map((v) => `${v.approver.username}:${v.vote}`).join(' '),
      approverReasons: a.votes.map((v) => v.reason).filter(Boolean).join(' | '),
      approverDistinctFromRequester: approversDistinctFromRequester(a),
      requestedAt: a.requestedAt,
      decidedAt: a.decidedAt ?? '',
      secondsToDecision: secs ?? null,
      expiresAt: a.expiresAt,
      grantExpiresAt: a.grantExpiresAt ?? '',
      executedRequestId: a.executedRequestId ?? '',
    });
  }
  approvals.sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.approvalId.localeCompare(b.approvalId));
  const approvalsByStatus: Record<ApprovalStatus, number> = { pending: 0, granted: 0, denied: 0, expired: 0, cancelled: 0, executed: 0 };
  for (const a of approvals) approvalsByStatus[a.status]++;

  // CC7.2: denials, secret reads, failed authentications and bursts.
  const denials: DenialRow[] = [];
  const secretReads: SecretReadRow[] = [];
  const changes: ChangeRow[] = [];
  const denialTimes = new Map<string, string[]>();
  const secretTimes = new Map<string, string[]>();
  for (const r of requests) {
    const res = resourceOf(r);
    if (r.decision?.effect === 'deny') {
      denials.push({ time: r.time, requestId: r.requestId, sessionId: r.sessionId, agent: r.agent, owner: owner(r.agent), ...pick(res), rule: r.decision.rule, policyVersion: r.decision.policyVersion, reason: r.decision.reason });
      push(denialTimes, r.agent, r.time);
    }
    if (isSecretRead(r) && r.decision && r.decision.effect !== 'deny' && r.decision.effect !== 'approve') {
      secretReads.push({
        time: r.time,
        requestId: r.requestId,
        sessionId: r.sessionId,
        agent: r.agent,
        owner: owner(r.agent),
        verb: res.verb,
        namespace: res.namespace,
        name: res.name,
        rule: r.decision.rule,
        maskedValues: r.masking?.count ?? 0,
        unmasked: r.masking === null,
      });
      push(secretTimes, r.agent, r.time);
    }
    if (isChange(r)) {
      const approvalId = model.approvalByRequest.get(r.requestId);
      const approval = approvalId ? model.approvals.get(approvalId) : undefined;
      const body = bodyLink(r, 'request');
      changes.push({
        time: r.time,
        requestId: r.requestId,
        sessionId: r.sessionId,
        agent: r.agent,
        owner: owner(r.agent),
        ...res,
        decision: r.decision?.effect ?? '',
        rule: r.decision?.rule ?? '',
        policyVersion: r.decision?.policyVersion ?? '',
        approvalId: approvalId ?? '',
        approvalStatus: approval?.status ?? '',
        approvers: approval ? approval.votes.map((v) => `${v.approver.username}:${v.vote}`).join(' ') : '',
        requestBodyDigest: r.completion?.requestBody?.digest ?? '',
        requestBodyRecorded: body?.state ?? '',
        requestBodyUrl: body?.href ?? '',
        outcome: r.completion?.outcome ?? '',
        status: r.completion?.status ?? null,
        eventIds: [r.eventIds.intercepted ?? '', r.eventIds.decided ?? '', r.eventIds.completed ?? ''].join(';'),
      });
    }
  }
  const bursts: Burst[] = [];
  for (const [agent, times] of [...denialTimes].sort((a, b) => a[0].localeCompare(b[0]))) bursts.push(...findBursts(agent, 'denials', times, opts.burst));
  for (const [agent, times] of [...secretTimes].sort((a, b) => a[0].localeCompare(b[0]))) bursts.push(...findBursts(agent, 'secret-reads', times, opts.burst));
  const authenticationFailures = model.authFailures.filter((f) => inP(f.time));

  const unregistered = identityRows.filter((i) => !i.registered).length;
  return {
    title: 'Chaperone SOC 2 evidence report',
    generatedAt: opts.now.toISOString(),
    period,
    source: { storePosition: model.position, eventsApplied: model.applied, invalidEvents: model.invalid.length, orphanApprovalEvents: model.orphanApprovalEvents },
    verification: opts.verification,
    summary: {
      requests: requests.length,
      sessions: new Set(requests.map((r) => r.sessionId)).size,
      identities: identityRows.length,
      unregisteredAgents: unregistered,
      policyVersions: policyVersions.length,
      registrations: registrations.filter((e) => e.change === 'registered').length,
      registryUpdates: registrations.filter((e) => e.change === 'updated').length,
      removals: registrations.filter((e) => e.change === 'removed').length,
      approvals: approvals.length,
      approvalsByStatus,
      selfApprovals: approvals.filter((a) => !a.approverDistinctFromRequester).length,
      denials: denials.length,
      secretReads: secretReads.length,
      maskedSecretReads: secretReads.filter((s) => s.maskedValues > 0).length,
      unmaskedSecretReads: secretReads.filter((s) => s.unmasked).length,
      authenticationFailures: authenticationFailures.length,
      bursts: bursts.length,
      changes: changes.length,
      changesWithApproval: changes.filter((c) => c.approvalId !== '').length,
    },
    cc6_1: {
      identities: identityRows,
      policyVersions,
      notes: [
        'Identities are those that made requests in the period, as established from verified OIDC tokens; owners come from the agent registry ("" = not registered).',
        'Policy versions are the content hashes (sha256) of the policy documents that decided requests in the period, with the rules that decided; the documents themselves are kept in version control, not in the event store.',
      ],
    },
    cc6_2_3: {
      registrations,
      approvals,
      notes: [
        'Approvals requested in the period. approverDistinctFromRequester is false when an approver has the requester\'s OIDC subject or user name.',
        'secondsToDecision runs from the request for approval to its grant, denial, expiry or cancellation.',
      ],
    },
    cc7_2: { burstRule: opts.burst, denials, secretReads, authenticationFailures, bursts },
    cc8_1: {
      changes,
      notes: [
        'Every request with verb create, update, patch, delete or deletecollection (scale is update/patch on the scale subresource; exec, attach and port-forward are create on theirs), whatever its decision.',
        'requestBodyDigest is the SHA-256 of the body the agent sent, when the deciding rule records bodies (record: metadata and up). With record: request or request-and-response the body itself is stored (masked responses too) and requestBodyUrl serves it from this API (same compliance access) until its retention ends; requestBodyRecorded says stored, pruned (deleted by retention, recorded in the evidence) or digest-only. The cluster\'s audit log carries the same request id (Impersonate-Extra chaperone.dev/request-id).',
      ],
    },
  };
}

function pick(res: ReturnType<typeof resourceOf>) {
  return { verb: res.verb, resource: res.subresource ? `${res.resource}/${res.subresource}` : res.resource, namespace: res.namespace, name: res.name };
}

function push(m: Map<string, string[]>, k: string, v: string): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
