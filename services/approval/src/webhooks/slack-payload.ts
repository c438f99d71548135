import type { ApprovalLifecycleEvent } from '../approvals';
import type { KnownApproval } from '../lifecycle/read-model';

/** The events approvers are told about: a request, and how it was settled. */
export const NotifiedEvents = Object.freeze([
  'ApprovalRequested',
  'ApprovalGranted',
  'ApprovalDenied',
  'ApprovalExpired',
  'ApprovalCancelled',
] as const);
export type NotifiedEvent = Extract<ApprovalLifecycleEvent, { type: (typeof NotifiedEvents)[number] }>;

export function isNotified(event: ApprovalLifecycleEvent): event is NotifiedEvent {
  return (NotifiedEvents as readonly string[]).includes(event.type);
}

export interface SlackPayload {
  text: string;
  blocks: object[];
}

/** Slack mrkdwn: &, < and > are control characters and must be escaped in any user-supplied text. */
function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** "delete pods/web-0 in shop": the request in the words an approver uses. */
export function describeRequest(state: KnownApproval): string {
  const r = state.terms.request;
  if (!r.resource) return `${r.verb} ${r.path}`;
  const what = `${r.resource}${r.subresource ? `/${r.subresource}` : ''}${r.name ? `/${r.name}` : ''}`;
  return `${r.verb} ${r.apiGroup ? `${what}.${r.apiGroup}` : what}${r.namespace ? ` in ${r.namespace}` : ''}`;
}

/** A Slack-compatible incoming-webhook body ({text, blocks}); `text` is the notification fallback. */
export function slackPayload(event: NotifiedEvent, state: KnownApproval, url: string): SlackPayload {
  const { terms } = state;
  const request = esc(describeRequest(state));
  const agent = esc(terms.requester.agent);
  let headline: string;
  switch (event.type) {
    case 'ApprovalRequested':
      headline = `:raised_hand: Approval requested: *${request}* by agent *${agent}*`;
      break;
    case 'ApprovalGranted':
      headline = `:white_check_mark: Approved by *${esc(event.data.approver.username)}*: *${request}* for agent *${agent}*`;
      break;
    case 'ApprovalDenied':
      headline = `:no_entry: Denied by *${esc(event.data.approver.username)}*: *${request}* for agent *${agent}*`;
      break;
    case 'ApprovalExpired':
      headline = `:hourglass: Expired without a decision: *${request}* for agent *${agent}*`;
      break;
    case 'ApprovalCancelled':
      headline = `:heavy_multiplication_x: Cancelled (${event.data.why}): *${request}* for agent *${agent}*`;
      break;
    default: {
      const unhandled: never = event;
      throw new Error(`unhandled notified event ${(unhandled as { type: string }).type}`);
    }
  }
  const why =
    event.type === 'ApprovalGranted' || event.type === 'ApprovalDenied'
      ? `*Reason:* ${esc(event.data.reason)}`
      : `*Agent's reason:* ${terms.reason.trim() ? esc(terms.reason) : '_(none given)_'}`;
  const facts = `approval \`${state.terms.approvalId}\` · rule \`${esc(terms.rule)}\` · ${terms.mode} · expires ${terms.expiresAt}`;
  return {
    text: `${headline.replace(/^:[a-z_]+: /, '')} <${url}|approval ${terms.approvalId}>`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${headline}\n${why}` } },
      { type: 'context', elements: [{ type: 'mrkdwn', text: facts }] },
      {
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: event.type === 'ApprovalRequested' ? 'Review' : 'Open' }, url }],
      },
    ],
  };
}
