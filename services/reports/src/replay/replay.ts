import type { BodyLink, Replay, ReplayStep, TimelineEntry, ToolCallView } from '@chaperone/contracts';
import type { ReadModel, RequestView } from '../read-model';
import { requestTimeline } from './timeline';
import { BODY_NOT_RECORDED, kubectlEquivalent } from './kubectl-command';

/** The session as the kubectl commands that sent its requests, in order, with what happened to each. Undefined for an unknown session. */
export function replaySession(model: ReadModel, sessionId: string): Replay | undefined {
  const session = model.sessions.get(sessionId);
  if (!session) return undefined;
  const steps: ReplayStep[] = [];
  const toolOf = new Map<string, ToolCallView>();
  for (const call of session.toolCalls ?? []) for (const id of call.requestIds) if (!toolOf.has(id)) toolOf.set(id, call);
  const shown = new Set<string>();
  for (const requestId of session.requestIds) {
    const r = model.requests.get(requestId);
    if (!r) continue;
    const entry = requestTimeline(model, r);
    const k = kubectlEquivalent(r);
    const notes = k.notes.map((n) => (n === BODY_NOT_RECORDED ? requestBodyNote(entry.bodies.request) : n));
    const call = toolOf.get(requestId);
    const toolCall = call && !shown.has(call.toolCallId) ? (shown.add(call.toolCallId), call) : undefined;
    steps.push({ step: steps.length + 1, time: r.time, requestId, command: k.command, notes, outcome: outcomeLine(r, entry), entry, ...(toolCall ? { toolCall } : {}) });
  }
  return { sessionId, agent: session.agent, owner: model.agents.get(session.agent)?.owner ?? null, steps };
}

/** Where the body behind a `-f -` or `-p '<patch>'` is, when the rule stored it. */
function requestBodyNote(link: BodyLink | null): string {
  if (link?.state === 'stored') return 'the request body is stored (chaperone replay --bodies shows it)';
  if (link?.state === 'pruned') return `the request body was stored, then deleted by retention (prune as of ${link.prunedAsOf ?? '?'})`;
  return BODY_NOT_RECORDED;
}

export function outcomeLine(r: RequestView, entry: TimelineEntry): string {
  const parts: string[] = [];
  if (r.completion) parts.push(`${r.completion.status} ${r.completion.outcome}`);
  else parts.push('no completion recorded');
  if (r.decision) {
    const verdict = { allow: 'allowed', mask: 'allowed (masked)', approve: 'needs approval', deny: 'denied' }[r.decision.effect];
    parts.push(`${verdict} by rule "${r.decision.rule}"`);
  } else {
    parts.push('no decision recorded');
  }
  if (r.masking && r.masking.count > 0) parts.push(`masked ${r.masking.count} value${r.masking.count === 1 ? '' : 's'}`);
  if (entry.approval) {
    const by = entry.approval.approvers.length ? ` by ${entry.approval.approvers.join(', ')}` : '';
    parts.push(`approval ${entry.approval.approvalId} ${entry.approval.status}${by}`);
  }
  if (r.completion) parts.push(`${Math.round(r.completion.durationMs)} ms`);
  return parts.join('; ');
}

/** The replay as text: one `$ kubectl …` line per request, its outcome and notes below it. */
export function replayText(replay: Replay): string {
  const head = `# session ${replay.sessionId}: agent ${replay.agent || '(unknown)'}, owner ${replay.owner ?? '(not registered)'}, ${replay.steps.length} request${replay.steps.length === 1 ? '' : 's'}\n`;
  return (
    head +
    replay.steps
      .map((s) => [...(s.toolCall ? [toolLine(s.toolCall)] : []), `# ${s.step}. ${s.time} request ${s.requestId}`, `$ ${s.command}`, `#   → ${s.outcome}`, ...s.notes.map((n) => `#   (${n})`)].join('\n'))
      .join('\n') +
    '\n'
  );
}

/** "# MCP tool delete_resource {...} → pending (2 requests)", above the first request the call made. */
function toolLine(call: ToolCallView): string {
  const n = call.requestIds.length;
  return `# MCP tool ${call.tool} ${JSON.stringify(call.arguments)} → ${call.outcome}${call.message ? ` (${call.message})` : ''}; ${n} request${n === 1 ? '' : 's'}`;
}
