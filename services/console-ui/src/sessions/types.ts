/** The reports API's session shapes (services/reports: GET /sessions, /sessions/{id}/replay), from the contracts. */
export type { BodyLink, RecordingLink, Replay, ReplayStep, SessionSummary, TimelineEntry } from '@chaperone/contracts';
