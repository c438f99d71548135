import { ApprovalViewSchema, type ApprovalView } from '@chaperone/contracts';
import { z } from 'zod';
import { CallCancelled, ChaperoneUnavailable } from '../errors';
import { statusFailure, type StatusFailure } from '../ingress/ingress-answer';

/** The part of the approvers API's `GET /approvals/{id}` a waiting agent needs. */
export interface ApprovalSnapshot {
  approval: ApprovalView;
  request: { method: string; path: string; query: string };
}

const DetailSchema = z.object({
  approval: ApprovalViewSchema,
  request: z.object({ method: z.string(), path: z.string(), query: z.string() }),
});

export type ApprovalLookup = { ok: true; snapshot: ApprovalSnapshot } | { ok: false; failure: StatusFailure };

/**
 * The approvers API of the approval service, read with the caller's own token: an agent may see
 * its own approvals (the API shows one to its requester and to its approvers), never review them.
 */
export class ApprovalsClient {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
  ) {}

  async get(token: string, approvalId: string, signal?: AbortSignal): Promise<ApprovalLookup> {
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(approvalId)) {
      return { ok: false, failure: { code: 404, reason: 'NotFound', message: 'approval ids are UUIDs; this one is malformed' } };
    }
    const url = `${this.baseUrl}/approvals/${approvalId}`;
    const signals = [AbortSignal.timeout(this.timeoutMs), ...(signal ? [signal] : [])];
    let res: Response;
    try {
      // A token goes only where it was meant to: redirects are reported, never followed.
      res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' }, redirect: 'manual', signal: AbortSignal.any(signals) });
    } catch (e) {
      if (signal?.aborted) throw new CallCancelled('the tool call was cancelled');
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
      throw new ChaperoneUnavailable(`cannot reach the approvers API at ${new URL(url).origin}: ${cause}`);
    }
    const body = await res.text();
    if (!res.ok) return { ok: false, failure: statusFailure({ status: res.status, headers: {}, body }) };
    try {
      const parsed = DetailSchema.parse(JSON.parse(body));
      return { ok: true, snapshot: parsed };
    } catch {
      throw new ChaperoneUnavailable('the approvers API answered with a document this service does not understand');
    }
  }
}
