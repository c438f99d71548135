import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  CancelApprovalSchema,
  ClaimGrantSchema,
  GetApprovalSchema,
  OpenApprovalSchema,
  parseContract,
  type ApprovalErrorReply,
  type ApprovalView,
  type CancelApprovalReply,
  type ClaimGrantReply,
  type OpenApproval,
  type OpenApprovalReply,
} from '@chaperone/contracts';
import { ApprovalError, ApprovalNotFound, InvalidApprovalRequest, ReasonRequired, type RequestApproval } from '../approvals';
import type { ApprovalLifecycle } from '../lifecycle/approval-lifecycle';
import { toView } from '../lifecycle/approval-view';
import { errorReply } from '../lifecycle/error-reply';
import type { ApprovalReadModel, KnownApproval } from '../lifecycle/read-model';
import type { Clock } from '../tokens';
import type { PublicUrl } from '../webhooks/public-url';

type Reply<T> = T | ApprovalErrorReply;

/**
 * The gateway's requests (open, claim, get, cancel). Each is validated at the edge, and every reply
 * that reports a change is sent only after the change is stored.
 */
export class ApprovalRequests {
  private readonly logger = new Logger('ApprovalRequests');

  constructor(
    private readonly lifecycle: ApprovalLifecycle,
    private readonly readModel: ApprovalReadModel,
    private readonly clock: Clock,
    private readonly publicUrl: PublicUrl,
    private readonly newApprovalId: () => string = randomUUID,
  ) {}

  /**
   * Idempotent per requester and request fingerprint: an identical pending approval is returned as
   * is; an unused, unexpired grant for the identical request is claimed (ticket retry → run);
   * anything else opens a new approval.
   */
  async open(raw: unknown): Promise<Reply<OpenApprovalReply>> {
    return this.guard('open', async () => {
      const open = parseContract(OpenApprovalSchema, 'OpenApproval', raw);
      const now = this.clock().getTime();
      for (const approvalId of this.readModel.sameRequest(open.identity.subject, open.requestFingerprint)) {
        // Settled for good in the read model stays settled (final states never change): skip the read.
        const known = this.readModel.get(approvalId);
        if (known && isSpent(known, open.requestId)) continue;
        const { state } = await this.lifecycle.load(approvalId);
        if (state.status === 'pending' && now < Date.parse(state.terms.expiresAt)) {
          return { outcome: 'pending', approvalId, expiresAt: state.terms.expiresAt, created: false, url: this.publicUrl.approval(approvalId) } as const;
        }
        if (state.status === 'executed' && state.requestId === open.requestId) return { outcome: 'run', approvalId } as const;
        if (state.status === 'granted' && now < Date.parse(state.grantExpiresAt)) {
          try {
            await this.lifecycle.run({
              type: 'MarkExecuted',
              data: { approvalId, requestId: open.requestId, requestFingerprint: open.requestFingerprint },
            });
            return { outcome: 'run', approvalId } as const;
          } catch (e) {
            if (!(e instanceof ApprovalError)) throw e;
            // Used or lapsed in the meantime: look further, or open a new approval.
          }
        }
      }
      const approvalId = this.newApprovalId();
      try {
        const stored = await this.lifecycle.run(requestApproval(approvalId, open));
        if (stored.state.status !== 'pending') throw new Error(`approval ${approvalId} is ${stored.state.status} after its request`);
        return { outcome: 'pending', approvalId, expiresAt: stored.state.terms.expiresAt, created: true, url: this.publicUrl.approval(approvalId) } as const;
      } catch (e) {
        if (e instanceof ReasonRequired) return { outcome: 'refused', code: 'reason-required', message: e.message } as const;
        if (e instanceof InvalidApprovalRequest) return { outcome: 'refused', code: 'invalid', message: e.message } as const;
        throw e;
      }
    });
  }

  /** Use the grant for this request: `run` once ApprovalExecuted is stored; a repeat of the same claim is `run` again. */
  async claim(raw: unknown): Promise<Reply<ClaimGrantReply>> {
    return this.guard('claim', async () => {
      const claim = parseContract(ClaimGrantSchema, 'ClaimGrant', raw);
      const { state } = await this.lifecycle.load(claim.approvalId);
      if (state.status === 'none') throw new ApprovalNotFound(claim.approvalId);
      if (state.status === 'executed' && state.requestId === claim.requestId && state.terms.requestFingerprint === claim.requestFingerprint) {
        return { outcome: 'run' } as const;
      }
      try {
        await this.lifecycle.run({ type: 'MarkExecuted', data: claim });
        return { outcome: 'run' } as const;
      } catch (e) {
        if (!(e instanceof ApprovalError) || e instanceof ApprovalNotFound) throw e;
        const now = await this.lifecycle.load(claim.approvalId);
        if (now.state.status === 'none') throw new ApprovalNotFound(claim.approvalId);
        return { outcome: 'not-granted', status: now.state.status, reason: whyNotGranted(now.state, e) } as const;
      }
    });
  }

  async get(raw: unknown): Promise<Reply<ApprovalView>> {
    return this.guard('get', async () => {
      const { approvalId } = parseContract(GetApprovalSchema, 'GetApproval', raw);
      // This replica may not have seen an approval another one just opened: then the stream decides.
      const known = this.readModel.get(approvalId) ?? (await this.lifecycle.load(approvalId)).state;
      if (known.status === 'none') throw new ApprovalNotFound(approvalId);
      return toView(approvalId, known);
    });
  }

  async cancel(raw: unknown): Promise<Reply<CancelApprovalReply>> {
    return this.guard('cancel', async () => {
      const { approvalId, why } = parseContract(CancelApprovalSchema, 'CancelApproval', raw);
      await this.lifecycle.run({ type: 'Cancel', data: { approvalId, why } });
      return { ok: true } as const;
    });
  }

  private async guard<T>(what: string, work: () => Promise<T>): Promise<Reply<T>> {
    try {
      return await work();
    } catch (e) {
      const reply = errorReply(e);
      const log = reply.error.code === 'internal' || reply.error.code === 'unavailable' ? 'error' : 'warn';
      this.logger[log](`${what}: ${reply.error.code}: ${reply.error.message}`);
      return reply;
    }
  }
}

function requestApproval(approvalId: string, open: OpenApproval): RequestApproval {
  const { identity, request, spec } = open;
  const resource = request.isResourceRequest
    ? { apiGroup: request.apiGroup, resource: request.resource, subresource: request.subresource, namespace: request.namespace, name: request.name }
    : { apiGroup: '', resource: '', subresource: '', namespace: '', name: '' };
  return {
    type: 'RequestApproval',
    data: {
      approvalId,
      requestFingerprint: open.requestFingerprint,
      requester: { subject: identity.subject, username: identity.username, agent: identity.agent, groups: identity.groups },
      request: { verb: request.verb, path: open.path, ...resource },
      reason: open.reason,
      requireReason: spec.requireReason,
      rule: open.rule,
      approverGroups: spec.approverGroups,
      requiredApprovals: spec.requiredApprovals,
      mode: spec.mode,
      expiresInSeconds: spec.timeoutSeconds,
      grantTtlSeconds: spec.grantTtlSeconds,
      requestId: open.requestId,
      sessionId: open.sessionId,
      traceId: open.traceId,
      interceptEventId: open.interceptEventId,
      decisionEventId: open.decisionEventId,
      method: open.method,
      query: open.query,
      ...(open.requestBody
        ? {
            requestBody: { digest: open.requestBody.digest, size: open.requestBody.size },
            maskedBody: open.requestBody,
          }
        : {}),
      ...(open.liveObject ? { liveObject: open.liveObject } : {}),
    },
  };
}

/** Nothing an identical request could still get from it: denied, expired, cancelled, or used by another request. */
function isSpent(state: KnownApproval, requestId: string): boolean {
  switch (state.status) {
    case 'denied':
    case 'expired':
    case 'cancelled':
      return true;
    case 'executed':
      return state.requestId !== requestId;
    case 'pending':
    case 'granted':
      return false;
    default: {
      const unhandled: never = state;
      throw new Error(`unhandled approval status ${(unhandled as { status: string }).status}`);
    }
  }
}

/** What the gateway tells the agent when its grant cannot be used. */
function whyNotGranted(state: KnownApproval, error: ApprovalError): string {
  switch (state.status) {
    case 'denied':
      return `denied by ${state.deniedBy.username}: ${state.reason}`;
    case 'expired':
      return `no decision before ${state.terms.expiresAt}; the approval expired`;
    case 'cancelled':
      return `the approval was cancelled (${state.why})`;
    case 'pending':
    case 'granted':
    case 'executed':
      return error.message;
    default: {
      const unhandled: never = state;
      throw new Error(`unhandled approval status ${(unhandled as { status: string }).status}`);
    }
  }
}
