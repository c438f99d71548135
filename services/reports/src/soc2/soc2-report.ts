import type { ApprovalStatus } from '@chaperone/contracts';
import type { RegistryEntry, ReadModel } from '../read-model';
import type { ChainVerification } from '../verify/chain-verification';
import { approvalRows, approvalsByStatus as countByStatus, type ApprovalRow } from './approval-rows';
import { burstsOf, type Burst, type BurstRule } from './bursts';
import { changeRows, type ChangeRow } from './change-rows';
import { denialRows, type DenialRow } from './denial-rows';
import { identityRows as identitiesOf, type IdentityRow } from './identity-rows';
import { policyVersionRows, type PolicyVersionRow } from './policy-version-rows';
import { periodTest, requestsInPeriod, type Period } from './report-period';
import { secretReadRows, type SecretReadRow } from './secret-read-rows';

export type { ApprovalRow, ChangeRow, DenialRow, IdentityRow, Period, PolicyVersionRow, SecretReadRow };

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

/**
 * The SOC 2 evidence report for a period, computed from the read model (pure; `now` injected).
 * Every figure in `summary` is the length of a list in the report, so a sample can be drawn from it.
 * Each list is one step, in the file named for it; this composes them and counts.
 */
export function buildSoc2Report(model: ReadModel, period: Period, opts: { burst: BurstRule; verification: ChainVerification; now: Date }): Soc2Report {
  const inP = periodTest(period);
  const requests = requestsInPeriod(model, inP);
  // CC6.1: who acted, who owns them, and which policy versions decided.
  const identityRows = identitiesOf(model, requests, inP);
  const policyVersions = policyVersionRows(requests);
  // CC6.2/CC6.3: registrations and approvals requested in the period.
  const registrations = model.registry.filter((e) => inP(e.at));
  const approvals = approvalRows(model, inP);
  const approvalsByStatus = countByStatus(approvals);
  // CC7.2: denials, secret reads, failed authentications and bursts.
  const denials = denialRows(model, requests);
  const secretReads = secretReadRows(model, requests);
  const bursts: Burst[] = burstsOf(denials, secretReads, opts.burst);
  const authenticationFailures = model.authFailures.filter((f) => inP(f.time));
  // CC8.1: changes to the cluster.
  const changes = changeRows(model, requests);

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
