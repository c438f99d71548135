import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, UseFilters } from '@nestjs/common';
import { z } from 'zod';
import type { Authenticator } from '@chaperone/auth';
import { ApprovalStatuses, type ApprovalView, type Approver } from '@chaperone/contracts';
import { kubeStatus } from '@chaperone/k8s-status';
import { ApprovalNotFound } from '../approvals';
import { ApprovalLifecycle } from '../lifecycle/approval-lifecycle';
import { toView } from '../lifecycle/approval-view';
import { ApprovalReadModel, type KnownApproval } from '../lifecycle/read-model';
import { AUTHENTICATOR, CLOCK, type Clock } from '../tokens';
import { ApiErrorFilter, ApiRefusal } from './api-errors';
import { approvalPage, decodePlace, InvalidCursor } from './approval-page';
import { reviewDiff, type ReviewDiff } from './review/object-diff';

/** The largest page: the inbox asks for far fewer; only a list without `limit` returns everything. */
const MAX_PAGE = 1000;

const VerdictBodySchema = z.object({ reason: z.string().trim().min(1, 'a non-empty reason is required') });

const ListQuerySchema = z.object({
  status: z.enum([...ApprovalStatuses, 'all', 'decided']).default('pending'),
  namespace: z.string().optional(),
  agent: z.string().optional(),
  rule: z.string().optional(),
  olderThanSeconds: z.coerce.number().int().nonnegative().optional(),
  order: z.enum(['oldest', 'newest']).default('oldest'),
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).optional(),
  cursor: z.string().max(600).optional(),
});

export interface ApprovalDetail {
  approval: ApprovalView;
  request: {
    method: string;
    path: string;
    query: string;
    requestId: string;
    sessionId: string;
    traceId: string;
    interceptEventId: string;
    decisionEventId?: string | undefined;
  };
  approverGroups: string[];
  /** The body the agent sent, secrets masked by the gateway. */
  body?: { contentType: string; digest: string; size: number; truncated: boolean; masked: string };
  /** The object as it was when the request was held, masked. */
  liveObject?: { truncated: boolean; masked: string };
  diff: ReviewDiff;
}

/** Approval ids are UUIDs; anything that could not name a stream is simply unknown. */
function requireWellFormed(approvalId: string): void {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(approvalId)) throw new ApprovalNotFound(approvalId.slice(0, 40));
}

/** Who may see an approval: its approvers, and the requester (an agent may follow its own request). */
function maySee(state: KnownApproval, caller: Approver): boolean {
  const { requester, approverGroups } = state.terms;
  return caller.subject === requester.subject || caller.username === requester.username || caller.groups.some((g) => approverGroups.includes(g));
}

/**
 * The approvers API: list and show approvals, approve or deny with a reason. Every route needs an
 * OIDC bearer token from the agents' issuer; who may review is the aggregate's rule (approver
 * groups, never one's own request, N distinct approvers, first final decision wins).
 */
@Controller('approvals')
@UseFilters(ApiErrorFilter)
export class ApprovalsController {
  constructor(
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    private readonly lifecycle: ApprovalLifecycle,
    private readonly readModel: ApprovalReadModel,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  async list(@Headers('authorization') authorization: string | undefined, @Query() query: unknown): Promise<{ items: ApprovalView[]; total: number; next?: string }> {
    const caller = await this.approver(authorization);
    const { cursor, ...filter } = this.parse(ListQuerySchema, 'the query', query);
    let after;
    try {
      after = cursor === undefined ? undefined : decodePlace(cursor);
    } catch (e) {
      if (e instanceof InvalidCursor) throw new ApiRefusal(kubeStatus('BadRequest', `the query is not valid: ${e.message}`));
      throw e;
    }
    const page = approvalPage(this.readModel, { ...filter, after }, (s) => maySee(s, caller), this.clock().getTime());
    return { ...page, items: page.items.map((s) => toView(s.terms.approvalId, s)) };
  }

  @Get(':id')
  async show(@Headers('authorization') authorization: string | undefined, @Param('id') approvalId: string): Promise<ApprovalDetail> {
    const caller = await this.approver(authorization);
    const state = await this.existing(approvalId);
    if (!maySee(state, caller)) {
      throw new ApiRefusal(kubeStatus('Forbidden', `approval ${approvalId} can only be seen by its requester and members of: ${state.terms.approverGroups.join(', ')}`));
    }
    const t = state.terms;
    return {
      approval: toView(approvalId, state),
      request: {
        method: t.method,
        path: t.request.path,
        query: t.query,
        requestId: t.requestId,
        sessionId: t.sessionId,
        traceId: t.traceId,
        interceptEventId: t.interceptEventId,
        decisionEventId: t.decisionEventId,
      },
      approverGroups: t.approverGroups,
      ...(t.maskedBody ? { body: t.maskedBody } : {}),
      ...(t.liveObject ? { liveObject: t.liveObject } : {}),
      diff: reviewDiff({ verb: t.request.verb, contentType: t.maskedBody?.contentType ?? '', body: t.maskedBody, liveObject: t.liveObject }),
    };
  }

  @Post(':id/approve')
  @HttpCode(200)
  async approve(@Headers('authorization') authorization: string | undefined, @Param('id') approvalId: string, @Body() body: unknown): Promise<ApprovalView> {
    const approver = await this.approver(authorization);
    const { reason } = this.parse(VerdictBodySchema, 'the body', body);
    requireWellFormed(approvalId);
    const stored = await this.lifecycle.run({ type: 'Approve', data: { approvalId, approver, reason } });
    return toView(approvalId, stored.state);
  }

  @Post(':id/deny')
  @HttpCode(200)
  async deny(@Headers('authorization') authorization: string | undefined, @Param('id') approvalId: string, @Body() body: unknown): Promise<ApprovalView> {
    const approver = await this.approver(authorization);
    const { reason } = this.parse(VerdictBodySchema, 'the body', body);
    requireWellFormed(approvalId);
    const stored = await this.lifecycle.run({ type: 'Deny', data: { approvalId, approver, reason } });
    return toView(approvalId, stored.state);
  }

  private async approver(authorization: string | undefined): Promise<Approver> {
    const { identity } = await this.authenticator.authenticate(authorization);
    return { subject: identity.subject, username: identity.username, groups: identity.groups };
  }

  private async existing(approvalId: string): Promise<KnownApproval> {
    requireWellFormed(approvalId);
    // The stream, not the read model: another replica may have just opened or settled it.
    const { state } = await this.lifecycle.load(approvalId);
    if (state.status === 'none') throw new ApprovalNotFound(approvalId);
    return state;
  }

  private parse<S extends z.ZodType>(schema: S, what: string, value: unknown): z.infer<S> {
    const result = schema.safeParse(value ?? {});
    if (result.success) return result.data;
    const problems = result.error.issues.map((i) => `${i.path.join('.') || what}: ${i.message}`).join('; ');
    throw new ApiRefusal(kubeStatus('BadRequest', `${what} is not valid: ${problems}`));
  }
}
