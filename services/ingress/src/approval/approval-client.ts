import { Inject, Injectable } from '@nestjs/common';
import type { NatsConnection } from 'nats';
import type { z } from 'zod';
import { nestRequest } from '@chaperone/bus';
import {
  ApprovalErrorReplySchema,
  ApprovalViewSchema,
  CancelApprovalReplySchema,
  ClaimGrantReplySchema,
  OpenApprovalReplySchema,
  parseContract,
  type ApprovalView,
  type BusSubjects,
  type CancelReason,
  type ClaimGrant,
  type ClaimGrantReply,
  type OpenApproval,
  type OpenApprovalReply,
} from '@chaperone/contracts';
import { BUS, NATS_CONNECTION } from '@chaperone/service-runtime';
import { INGRESS_CONFIG, type IngressConfig } from '../tokens';

/** The approval service could not answer (down, slow, a broken reply, or an error it reported). */
export class ApprovalUnavailable extends Error {
  constructor(
    message: string,
    /** The error code the approval service replied with, if it replied. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ApprovalUnavailable';
  }
}

/**
 * The gateway's side of the approval service (request/reply in its queue group, see
 * approval-messages.ts in contracts). Every failure is an ApprovalUnavailable: the caller fails
 * closed (503, or keeps waiting while it holds a request) and never forwards without a `run`.
 */
@Injectable()
export class ApprovalClient {
  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
    @Inject(BUS) private readonly subjects: BusSubjects,
  ) {}

  open(message: OpenApproval): Promise<OpenApprovalReply> {
    // Opening is quick on a healthy replica: a short timeout of its own finds one that took the
    // request and died (the request waits, nothing was sent to the cluster).
    return this.call(this.subjects.approvalOpen, message, OpenApprovalReplySchema, 'OpenApprovalReply', this.config.approvalOpenTimeoutMs);
  }

  claim(message: Omit<ClaimGrant, 'schemaVersion'>): Promise<ClaimGrantReply> {
    return this.call(this.subjects.approvalClaim, { schemaVersion: 1, ...message }, ClaimGrantReplySchema, 'ClaimGrantReply');
  }

  get(approvalId: string): Promise<ApprovalView> {
    return this.call(this.subjects.approvalGet, { schemaVersion: 1, approvalId }, ApprovalViewSchema, 'ApprovalView');
  }

  async cancel(approvalId: string, why: CancelReason): Promise<void> {
    await this.call(this.subjects.approvalCancel, { schemaVersion: 1, approvalId, why }, CancelApprovalReplySchema, 'CancelApprovalReply');
  }

  /**
   * Calls `onHint` whenever the approval service says this approval changed. Core NATS: a hint that
   * can be missed (reconnects, restarts), so waiters also poll `get`. Returns the unsubscribe.
   */
  watch(approvalId: string, onHint: () => void): () => void {
    let sub: { unsubscribe(): void } | undefined;
    try {
      sub = this.nc.subscribe(this.subjects.approvalChanged(approvalId), { callback: () => onHint() });
    } catch {
      // A closed or reconnecting connection: polling alone carries the wait.
    }
    return () => sub?.unsubscribe();
  }

  private async call<S extends z.ZodType>(subject: string, message: unknown, schema: S, contract: string, timeoutMs = this.config.approvalTimeoutMs): Promise<z.infer<S>> {
    let raw: unknown;
    try {
      raw = await nestRequest(this.nc, subject, message, timeoutMs);
    } catch (e) {
      const code = (e as { code?: string }).code;
      throw new ApprovalUnavailable(
        code === 'TIMEOUT'
          ? `the approval service took the request but did not answer within ${timeoutMs} ms`
          : code === '503'
            ? 'no approval service is running'
            : `the approval service is unreachable (${describe(e)})`,
      );
    }
    const failed = ApprovalErrorReplySchema.safeParse(raw);
    if (failed.success) throw new ApprovalUnavailable(`the approval service refused: ${failed.data.error.message}`, failed.data.error.code);
    try {
      return parseContract(schema, contract, raw);
    } catch (e) {
      throw new ApprovalUnavailable(`the approval service sent an invalid reply (${describe(e)})`);
    }
  }
}

function describe(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object' && 'message' in e) return String((e as { message: unknown }).message);
  return 'unknown error';
}
