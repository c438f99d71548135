import { MaskProfiles, type MaskProfileName } from '@chaperone/contracts';
import { profileFor, type MaskingProfile } from '@chaperone/masking';

/**
 * The profile a recording is masked with: the rule's, but never less than `default`, so the
 * detectors always run over what is stored (a rule may show an agent more; evidence never keeps it).
 */
export function recordingProfile(ruleProfile: MaskProfileName): { name: MaskProfileName; profile: MaskingProfile } {
  const name = MaskProfiles.indexOf(ruleProfile) >= MaskProfiles.indexOf('default') ? ruleProfile : 'default';
  return { name, profile: profileFor(name) };
}
