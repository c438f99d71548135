import { ApprovalHeaders } from '@chaperone/contracts';
import type { KubeAnswer } from './ingress-client';

/** What a Kubernetes Status says, as a tool shows it. */
export interface StatusFailure {
  code: number;
  reason: string;
  message: string;
  details?: Record<string, unknown>;
}

/** A ticket: the request needs a human's approval and was not sent; the identical request runs once after the grant. */
export interface ApprovalTicket {
  approvalId: string;
  url: string;
  retryAfterSeconds?: number;
  message: string;
}

export type IngressAnswer =
  | { kind: 'ok'; status: number; contentType: string; body: string }
  | { kind: 'pending'; ticket: ApprovalTicket }
  /** The rule holds requests and does not let the agent ask for a ticket: send again without asking. */
  | { kind: 'hold-only'; failure: StatusFailure }
  | { kind: 'failure'; failure: StatusFailure };

/** HTTP codes the API server pairs with Status reasons, for answers that carry no Status. */
const REASON_BY_CODE: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function header(answer: KubeAnswer, name: string): string | undefined {
  const v = answer.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The Status in an error body; a body that is not one (a proxy's HTML page) becomes one, capped. */
export function statusFailure(answer: KubeAnswer): StatusFailure {
  try {
    const s = JSON.parse(answer.body) as Record<string, unknown>;
    if (s && s['kind'] === 'Status') {
      return {
        code: typeof s['code'] === 'number' ? s['code'] : answer.status,
        reason: typeof s['reason'] === 'string' && s['reason'] ? s['reason'] : (REASON_BY_CODE[answer.status] ?? 'Unknown'),
        message: typeof s['message'] === 'string' ? s['message'] : '',
        ...(s['details'] && typeof s['details'] === 'object' ? { details: s['details'] as Record<string, unknown> } : {}),
      };
    }
  } catch {
    // not JSON: described below
  }
  const text = answer.body.trim().slice(0, 300);
  return { code: answer.status, reason: REASON_BY_CODE[answer.status] ?? 'Unknown', message: text || `the ingress answered HTTP ${answer.status}` };
}

/**
 * Sorts the ingress's answer: a success, an approval ticket (403 with the approval headers, see
 * docs/approvals.md), the refusal of the ticket mode header (the rule holds instead), or any other
 * refusal as its Status.
 */
export function classifyAnswer(answer: KubeAnswer): IngressAnswer {
  if (answer.status >= 200 && answer.status < 300) {
    return { kind: 'ok', status: answer.status, contentType: header(answer, 'content-type') ?? '', body: answer.body };
  }
  const failure = statusFailure(answer);
  const approvalId = header(answer, ApprovalHeaders.id);
  if (answer.status === 403 && approvalId) {
    const retry = Number(header(answer, 'retry-after'));
    return {
      kind: 'pending',
      ticket: {
        approvalId,
        url: header(answer, ApprovalHeaders.url) ?? '',
        ...(Number.isFinite(retry) && retry >= 0 ? { retryAfterSeconds: retry } : {}),
        message: failure.message,
      },
    };
  }
  // The ingress refuses the mode header with 400 and names it when the rule does not let the agent choose.
  if (answer.status === 400 && failure.message.toLowerCase().includes(ApprovalHeaders.mode)) return { kind: 'hold-only', failure };
  return { kind: 'failure', failure };
}
