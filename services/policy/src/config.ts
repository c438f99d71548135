import { setting } from '@chaperone/config';
import { commonSettings, eventStoreSettings } from '@chaperone/service-runtime';

export const policySettings = {
  ...commonSettings(9401),
  policyFile: setting.string('CHAPERONE_POLICY_FILE', 'path to the policy YAML (see deploy/policy.example.yaml)', 'deploy/policy.example.yaml'),
  watch: setting.bool('CHAPERONE_POLICY_WATCH', 'true to reload the policy file when it changes', 'true'),
  agentsFile: setting.optional('CHAPERONE_AGENTS_FILE', 'path to the agent registry YAML (see deploy/agents.example.yaml); applied to the registry stream, watched like the policy file'),
  requireRegisteredAgents: setting.bool(
    'CHAPERONE_REQUIRE_REGISTERED_AGENTS',
    'true to refuse requests from agents that are not in the agent registry',
    'true',
  ),
  ...eventStoreSettings(),
};
