import { ANY_NAMESPACE, SELF_REVIEW_GROUP, SelfReviewKinds, type Identity, type ResourceRule, type RulesReviewStatus } from '@chaperone/contracts';
import { classifyAnswer } from '../../ingress/ingress-answer';
import type { IngressClient } from '../../ingress/ingress-client';
import { usable, type ToolNeed } from './tool-needs';

/** How long one caller's rules decide their tools/list: short, so a policy change shows soon. */
const RULES_TTL_MS = 30_000;
/** A tools/list waits this long at most for the rules; then every tool is listed. */
const LOOKUP_TIMEOUT_MS = 5_000;
/** Callers remembered at most; past it the cache starts again (it only saves a review each). */
const MAX_CALLERS = 10_000;

export interface ListedTool {
  name: string;
  needs?: readonly ToolNeed[];
}

/**
 * Which tools an agent can never use, from the same answer explain_permissions gives: a
 * SelfSubjectRulesReview through the ingress with the caller's token, asked for any namespace
 * (every allow and approve rule naming the agent, narrowed to its registered scope).
 *
 * It fails open: when the rules cannot be read (the ingress or policy unreachable, an answer we
 * cannot read), every tool is listed. Hiding tools is a courtesy to the agent, not a control: a
 * listed tool the agent may not use is refused by the policy like any request, whereas a usable
 * tool hidden by a passing outage would look like a permission the agent does not have.
 */
export class ToolVisibility {
  private readonly rules = new Map<string, { at: number; rules: Promise<readonly ResourceRule[]> }>();

  constructor(
    private readonly ingress: IngressClient,
    private readonly now: () => number = Date.now,
  ) {}

  /** The names of the tools to leave out of this caller's tools/list (none when the rules cannot be read). */
  async hidden(caller: { token: string; identity: Identity }, tools: readonly ListedTool[]): Promise<Set<string>> {
    let rules: readonly ResourceRule[];
    try {
      rules = await this.rulesOf(caller);
    } catch {
      return new Set();
    }
    return new Set(tools.filter((t) => !usable(t.needs, rules)).map((t) => t.name));
  }

  private rulesOf(caller: { token: string; identity: Identity }): Promise<readonly ResourceRule[]> {
    const { username, agent, groups, issuer } = caller.identity;
    const key = JSON.stringify([issuer, username, agent, [...groups].sort()]);
    const cached = this.rules.get(key);
    if (cached && this.now() - cached.at < RULES_TTL_MS) return cached.rules;
    if (this.rules.size >= MAX_CALLERS) this.rules.clear();
    const rules = this.review(caller.token);
    this.rules.set(key, { at: this.now(), rules });
    // A failed lookup is not remembered: the next tools/list asks again.
    rules.catch(() => this.rules.get(key)?.rules === rules && this.rules.delete(key));
    return rules;
  }

  private async review(token: string): Promise<readonly ResourceRule[]> {
    const body = JSON.stringify({ apiVersion: `${SELF_REVIEW_GROUP}/v1`, kind: SelfReviewKinds.rules.kind, spec: { namespace: ANY_NAMESPACE } });
    const answer = classifyAnswer(
      await this.ingress.call(token, { method: 'POST', path: `/apis/${SELF_REVIEW_GROUP}/v1/${SelfReviewKinds.rules.resource}`, body }, { timeoutMs: LOOKUP_TIMEOUT_MS }),
    );
    if (answer.kind !== 'ok') throw new Error(`the rules review was not answered (${answer.kind})`);
    const status = (JSON.parse(answer.body) as { status?: RulesReviewStatus }).status;
    if (!status || !Array.isArray(status.resourceRules)) throw new Error('the rules review has no status');
    return status.resourceRules;
  }
}
