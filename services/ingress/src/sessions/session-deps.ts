import type { Complete } from '../complete/complete';
import type { EvidenceWriter } from '../evidence/evidence-writer';
import type { Recorder } from '../recording/recorder';
import type { RelayLimits } from './relay/session-relay';
import type { MaskedOutputOptions } from './exec/masked-output';

/** What a running session needs of the ingress: evidence, the blob store, the completion, its limits. */
export interface SessionDeps {
  complete: Complete;
  evidence: EvidenceWriter;
  recorder: Recorder;
  limits: RelayLimits;
  output: MaskedOutputOptions;
  recordingMaxBytes: number;
}
