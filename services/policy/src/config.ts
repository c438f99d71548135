import { setting } from '@chaperone/config';
import { commonSettings } from '@chaperone/service-runtime';

export const policySettings = {
  ...commonSettings(9401),
  policyFile: setting.string('CHAPERONE_POLICY_FILE', 'path to the policy YAML (see deploy/policy.example.yaml)', 'deploy/policy.example.yaml'),
  watch: setting.bool('CHAPERONE_POLICY_WATCH', 'true to reload the policy file when it changes', 'true'),
};
