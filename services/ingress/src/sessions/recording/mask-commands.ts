import { SESSION_EVENT_LIMITS } from '@chaperone/contracts';
import { maskObject, maskText, mergeReports, type MaskingProfile, type MaskReport } from '@chaperone/masking';

/**
 * The commands of a session as its event keeps them: the exec's `command` arguments masked as a
 * container's command is (secret `--flags` and the detectors), typed lines masked as text, each
 * shortened to the event's bounds.
 */
export function maskCommands(profile: MaskingProfile, command: readonly string[], typed: readonly string[]): { command: string[]; typed: string[]; report: MaskReport } {
  const args = maskObject({ command: command.slice(0, SESSION_EVENT_LIMITS.commandArgs) }, profile);
  const maskedArgs = (args.value as { command: string[] }).command.map(short);
  const lines = typed.map((l) => maskText(l, profile));
  return { command: maskedArgs, typed: lines.map((l) => short(l.text)), report: mergeReports(args.report, ...lines.map((l) => l.report)) };
}

function short(s: string): string {
  return s.length <= SESSION_EVENT_LIMITS.lineChars ? s : `${s.slice(0, SESSION_EVENT_LIMITS.lineChars - 1)}…`;
}
