import { AgentRegistryRules, type AgentRegistration, type Decision, type Identity, type RequestInfo } from '@chaperone/contracts';
import { describeScopeMiss, withinScope } from './scope-check';

/** What the registry knows of one agent when a request of it arrives. */
export interface RegistryStanding {
  /** The registry has been read from the store. */
  loaded: boolean;
  /** Unregistered agents are refused. */
  required: boolean;
  registration: AgentRegistration | undefined;
}

/**
 * The refusal for a request the registry does not allow, or undefined when the registry has no
 * objection (the policy rules then decide). A registered agent is always held to its scope; an
 * unregistered one is refused when registration is required, and so is every agent while the
 * registry is not loaded yet (fail closed).
 */
export function registryRefusal(standing: RegistryStanding, identity: Identity, request: RequestInfo, policyVersion: string): Decision | undefined {
  const { registration } = standing;
  if (!standing.loaded) {
    if (!standing.required) return undefined;
    return refusal(AgentRegistryRules.unavailable, policyVersion, `the agent registry could not be loaded from the event store yet, so agent ${quoted(identity)} cannot be checked; try again shortly`);
  }
  if (!registration) {
    if (!standing.required) return undefined;
    return refusal(AgentRegistryRules.unregistered, policyVersion, `agent ${quoted(identity)} is not registered with chaperone; its owner must add it to the agent registry (owner, purpose and scope)`);
  }
  if (!withinScope(registration.scope, request)) {
    return refusal(
      AgentRegistryRules.outOfScope,
      policyVersion,
      `agent ${quoted(identity)} (owner ${registration.owner}) is not registered to ${describeScopeMiss(registration.scope, request)}`,
    );
  }
  return undefined;
}

/** The agent's name for a message, quoted as JSON: it comes from a token claim, so control characters stay escaped. */
function quoted(identity: Identity): string {
  return JSON.stringify(identity.agent.slice(0, 200));
}

function refusal(rule: string, policyVersion: string, reason: string): Decision {
  return { effect: 'deny', rule, policyVersion, reason, matchedRules: [], mask: false, unmasked: false, maskProfile: 'default', record: 'none' };
}
