import type { RecordingLink } from '@chaperone/contracts';

export type { RecordingLink };

/** The reports API's session shapes (services/reports: GET /sessions, /sessions/{id}/replay). */
export interface SessionSummary {
  sessionId: string;
  agent: string;
  owner: string | null;
  username: string;
  firstTime: string;
  lastTime: string;
  requests: number;
  changes: number;
  decisions: Record<string, number>;
  maskedValues: number;
}

export interface BodyLink {
  state: 'stored' | 'pruned' | 'digest-only';
  digest: string;
  size: number;
  href?: string;
}

export interface TimelineEntry {
  requestId: string;
  decision: { effect: string; rule: string; reason: string } | null;
  maskedValues: number;
  maskedPaths: string[];
  approval: { approvalId: string; status: string; approvers: string[]; reason: string } | null;
  outcome: string | null;
  status: number | null;
  latencyMs: number | null;
  bodies: { request: BodyLink | null; response: BodyLink | null };
  recording?: RecordingLink | null;
}

export interface ReplayStep {
  step: number;
  time: string;
  requestId: string;
  command: string;
  notes: string[];
  outcome: string;
  entry: TimelineEntry;
}

export interface Replay {
  sessionId: string;
  agent: string;
  owner: string | null;
  steps: ReplayStep[];
}
