import type { IncomingHttpHeaders } from 'node:http';
import type { ApprovalMode, ApprovalSpec } from '@chaperone/contracts';
import { ApprovalHeaders } from '@chaperone/contracts';

/** A justification longer than this is not a reason but a document; approvers read it on a phone. */
export const MAX_REASON_CHARS = 1000;

export type ApprovalTerms =
  | { ok: true; reason: string; mode: ApprovalMode }
  | { ok: false; status: 'bad-request' | 'reason-required'; message: string };

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Reads what the agent says about its approval from the request headers: its justification
 * (`X-Chaperone-Reason`) and the waiting style it asks for (`X-Chaperone-Approval-Mode`), checked
 * against the rule's terms. Pure: the caller renders a refusal as a Status.
 */
export function approvalTerms(headers: IncomingHttpHeaders, spec: ApprovalSpec): ApprovalTerms {
  const rawReason = single(headers[ApprovalHeaders.reason]);
  let reason = '';
  if (rawReason !== undefined) {
    // Node hands header bytes over as latin1; agents send UTF-8.
    let decoded: string;
    try {
      decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(rawReason, 'latin1'));
    } catch {
      return { ok: false, status: 'bad-request', message: `the ${ApprovalHeaders.reason} header is not valid UTF-8` };
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f-\u009f]/.test(decoded)) {
      return { ok: false, status: 'bad-request', message: `the ${ApprovalHeaders.reason} header must be printable text (no control characters)` };
    }
    reason = decoded.trim();
    if ([...reason].length > MAX_REASON_CHARS) {
      return { ok: false, status: 'bad-request', message: `the ${ApprovalHeaders.reason} header is longer than ${MAX_REASON_CHARS} characters` };
    }
  }
  if (spec.requireReason && reason === '') {
    return {
      ok: false,
      status: 'reason-required',
      message: `this request needs a human's approval and the rule requires a justification: send it in the ${headerName(ApprovalHeaders.reason)} header`,
    };
  }

  const rawMode = single(headers[ApprovalHeaders.mode])?.trim().toLowerCase();
  let mode = spec.mode;
  if (rawMode !== undefined && rawMode !== '') {
    if (rawMode !== 'hold' && rawMode !== 'ticket') {
      return { ok: false, status: 'bad-request', message: `the ${headerName(ApprovalHeaders.mode)} header must be "hold" or "ticket"` };
    }
    // Asking for the mode the rule uses anyway changes nothing, so it is accepted either way.
    if (rawMode !== spec.mode && !spec.modeHeaderAllowed) {
      return {
        ok: false,
        status: 'bad-request',
        message: `the policy rule does not let the agent choose the approval mode (it uses ${spec.mode}); remove the ${headerName(ApprovalHeaders.mode)} header`,
      };
    }
    mode = rawMode;
  }
  return { ok: true, reason, mode };
}

/** "x-chaperone-reason" → "X-Chaperone-Reason", as people write it. */
function headerName(lower: string): string {
  return lower.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}
