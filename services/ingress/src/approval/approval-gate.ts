import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { ApprovalHeaders, requestFingerprint, type ApprovalMode, type ApprovalSpec, type MaskedBody, type MaskedText, type OpenApprovalReply } from '@chaperone/contracts';
import { GatewayFailure, type GatewayError } from '../errors/gateway-errors';
import type { Planned } from '../context/request-context';
import type { Upstream } from '../upstream/upstream';
import { INGRESS_CONFIG, UPSTREAM, type IngressConfig } from '../tokens';
import { approvalTerms } from './approval-headers';
import { ApprovalClient, ApprovalUnavailable } from './approval-client';
import { maskedForDisplay } from './display-body';
import { fetchLiveObject } from './live-object';
import { ClientGone } from '../errors/client-gone';
import { BodyTooLarge, readBody } from './read-body';
import { RecentRefusals } from './recent-refusals';
import { waitForDecision, type WaitOutcome } from './wait-for-decision';

/** A held request is released this long after its approval's expiry if no decision could be read. */
const EXPIRY_GRACE_MS = 5000;
/** What a ticket suggests as Retry-After: humans take a while. */
const TICKET_RETRY_AFTER_SECONDS = 10;

/** The request may run: its grant is claimed (ApprovalExecuted stored). Forward exactly `body`. */
export interface Approved {
  approvalId: string;
  body: Buffer;
}

/**
 * The gateway's half of just-in-time approval. For a request the policy sends to a human it reads
 * the agent's justification and preferred mode, buffers and fingerprints the body, shows approvers a
 * masked copy (and the live object an update or patch would change), and opens the approval. Then:
 *   run      → the caller forwards (a ticket retry whose grant was just claimed);
 *   pending  → ticket: 403 with the approval id at once; hold: wait for the decision, claim, run;
 *   refused  → 403/400.
 * Everything else fails closed: no claimed grant, no forwarding.
 */
@Injectable()
export class ApprovalGate {
  private readonly logger = new Logger('ApprovalGate');
  /** Upgrades kubectl retries over SPDY after a refused WebSocket: they get the same answer. */
  readonly recentRefusals = new RecentRefusals();

  constructor(
    private readonly client: ApprovalClient,
    @Inject(UPSTREAM) private readonly upstream: Upstream,
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
  ) {}

  /**
   * Resolves when the request may run, or throws a GatewayFailure. `clientGone` aborts a hold (the
   * approval is then cancelled). Upgrades carry no body and are held unless the client asks for a
   * ticket: a refused WebSocket upgrade makes kubectl fall back to SPDY, which would lose a ticket's message.
   */
  async pass(admitted: Planned, clientGone: AbortSignal): Promise<Approved> {
    const { req } = admitted.exchange;
    const upgrade = admitted.exchange.kind === 'upgrade';
    const spec = admitted.decision.approval;
    if (!spec) throw failure({ kind: 'approval-unavailable', message: 'the policy decision carries no approval terms' });
    const terms = approvalTerms(req.headers, spec);
    if (!terms.ok) {
      throw failure(terms.status === 'bad-request' ? { kind: 'bad-request', message: terms.message } : { kind: 'approval-refused', message: terms.message });
    }
    // kubectl never asks for a ticket on an upgrade; a client that does (the MCP door's exec) reads
    // the 403 itself, so a refused upgrade loses nothing there.
    const ticketAsked = String(req.headers[ApprovalHeaders.mode] ?? '').trim().toLowerCase() === 'ticket';
    const mode: ApprovalMode = upgrade && !ticketAsked ? 'hold' : terms.mode;

    let body: Buffer;
    try {
      body = upgrade ? Buffer.alloc(0) : await readBody(req);
    } catch (e) {
      if (e instanceof BodyTooLarge) throw failure({ kind: 'body-too-large', limit: e.limit });
      throw e;
    }
    const fingerprint = this.fingerprint(admitted, body);
    const reply = await this.open(admitted, terms.reason, { ...spec, mode }, fingerprint, body, req.headers['content-type'] ?? '');
    switch (reply.outcome) {
      case 'run':
        admitted.span.setAttribute('chaperone.approval_id', reply.approvalId);
        return { approvalId: reply.approvalId, body };
      case 'refused':
        throw failure(reply.code === 'reason-required' ? { kind: 'approval-refused', message: reply.message } : { kind: 'bad-request', message: reply.message });
      case 'pending': {
        admitted.span.setAttribute('chaperone.approval_id', reply.approvalId);
        const url = reply.url ?? `${this.config.approvalPublicUrl.replace(/\/+$/, '')}/approvals/${reply.approvalId}`;
        if (mode === 'ticket') {
          throw failure({
            kind: 'approval-ticket',
            rule: admitted.decision.rule,
            reason: admitted.decision.reason,
            approvalId: reply.approvalId,
            url,
            expiresAt: reply.expiresAt,
            grantTtlSeconds: spec.grantTtlSeconds,
            retryAfterSeconds: TICKET_RETRY_AFTER_SECONDS,
          });
        }
        this.logger.log(`request ${admitted.refs.requestId} held for approval ${reply.approvalId} (${url})`);
        const outcome = await this.hold(reply.approvalId, reply.expiresAt, admitted, fingerprint, clientGone, reply.created);
        if (outcome.kind === 'run') return { approvalId: reply.approvalId, body };
        if (outcome.kind === 'client-gone') throw new ClientGone(reply.approvalId);
        const error = refusalOf(outcome, reply.approvalId, spec);
        if (upgrade) this.recentRefusals.remember(fingerprint, error);
        throw failure(error);
      }
      default: {
        const unhandled: never = reply;
        throw new Error(`unhandled open reply ${JSON.stringify(unhandled)}`);
      }
    }
  }

  /** The fingerprint of an upgrade (no body), to find a refusal kubectl's SPDY retry should see. */
  upgradeFingerprint(admitted: Planned): string {
    return this.fingerprint(admitted, Buffer.alloc(0));
  }

  private fingerprint(admitted: Planned, body: Buffer): string {
    return requestFingerprint({
      subject: admitted.refs.identity.subject,
      verb: admitted.info.verb,
      path: admitted.path,
      query: admitted.query,
      bodyDigest: body.length > 0 ? `sha256:${createHash('sha256').update(body).digest('hex')}` : '',
    });
  }

  private async open(admitted: Planned, reason: string, spec: ApprovalSpec, fingerprint: string, body: Buffer, contentType: string): Promise<OpenApprovalReply> {
    const { refs, info, decision } = admitted;
    let requestBody: MaskedBody | undefined;
    if (body.length > 0) {
      requestBody = {
        digest: `sha256:${createHash('sha256').update(body).digest('hex')}`,
        size: body.length,
        contentType,
        ...maskedForDisplay(body, contentType, info, decision.maskProfile),
      };
    }
    let liveObject: MaskedText | undefined;
    if (info.isResourceRequest && (info.verb === 'update' || info.verb === 'patch') && info.name !== '') {
      const live = await fetchLiveObject(this.upstream, { path: admitted.path, identity: refs.identity, sessionId: refs.sessionId, requestId: refs.requestId });
      if (live) liveObject = maskedForDisplay(live, 'application/json', info, decision.maskProfile);
    }
    try {
      return await this.client.open({
        schemaVersion: 1,
        requestId: refs.requestId,
        sessionId: refs.sessionId,
        traceId: refs.traceId,
        interceptEventId: admitted.intercepted.eventId,
        decisionEventId: admitted.decisionEventId,
        identity: refs.identity,
        request: info,
        method: admitted.intercepted.payload.method,
        path: admitted.path,
        // As the evidence keeps it (an exec's secret arguments masked); the fingerprint covers the raw query.
        query: admitted.intercepted.payload.query,
        requestFingerprint: fingerprint,
        reason,
        rule: decision.rule,
        spec,
        ...(requestBody ? { requestBody } : {}),
        ...(liveObject ? { liveObject } : {}),
      });
    } catch (e) {
      throw failure({ kind: 'approval-unavailable', message: e instanceof ApprovalUnavailable ? e.message : 'open failed' });
    }
  }

  private async hold(
    approvalId: string,
    expiresAt: string,
    admitted: Planned,
    fingerprint: string,
    clientGone: AbortSignal,
    /** False when an identical request opened it and may still be waiting for it. */
    created: boolean,
  ): Promise<WaitOutcome> {
    const deadline = Date.parse(expiresAt) + EXPIRY_GRACE_MS;
    const outcome = await waitForDecision(approvalId, deadline, clientGone, {
      get: (id) => this.client.get(id),
      claim: () => this.client.claim({ approvalId, requestId: admitted.refs.requestId, requestFingerprint: fingerprint }),
      watch: (id, onHint) => this.client.watch(id, onHint),
      now: () => Date.now(),
      pollMs: this.config.approvalPollMs,
    });
    if (outcome.kind === 'client-gone' && created) {
      // Nobody is waiting for the answer any more: take the request off the approvers' list. (An
      // approval this request only joined is left to the one that opened it, or to expiry.)
      this.client.cancel(approvalId, 'client-gone').catch((e: unknown) => {
        this.logger.warn(`approval ${approvalId}: cancelling after the client left failed (${e instanceof Error ? e.message : String(e)}); it will expire`);
      });
    }
    return outcome;
  }
}

function failure(error: GatewayError): GatewayFailure {
  return new GatewayFailure(error);
}

function refusalOf(outcome: Exclude<WaitOutcome, { kind: 'run' }>, approvalId: string, spec: ApprovalSpec): GatewayError {
  switch (outcome.kind) {
    case 'denied':
      return { kind: 'approval-denied', approvalId, by: outcome.by, reason: outcome.reason };
    case 'expired':
    case 'timed-out':
      return { kind: 'approval-not-given', approvalId, message: `no approval for this request within ${spec.timeoutSeconds} s (approval ${approvalId} ${outcome.kind === 'expired' ? 'expired' : 'could not be confirmed in time'})` };
    case 'cancelled':
      return { kind: 'approval-not-given', approvalId, message: `approval ${approvalId} was cancelled` };
    case 'not-granted':
      return { kind: 'approval-not-given', approvalId, message: `approval ${approvalId} cannot be used for this request: ${outcome.reason}` };
    case 'client-gone':
      return { kind: 'approval-not-given', approvalId, message: 'the client left before a decision' };
    default: {
      const unhandled: never = outcome;
      throw new Error(`unhandled wait outcome ${JSON.stringify(unhandled)}`);
    }
  }
}
