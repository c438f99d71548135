import {
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  nanos,
  type JetStreamManager,
  type StreamConfig,
  type StreamInfo,
} from 'nats';
import { mapNatsError } from './errors';

export interface EvidenceStreamConfig {
  /** JetStream stream name, e.g. `CHAPERONE_EVIDENCE`. */
  streamName: string;
  /** Subject prefix: the stream captures `<subjectPrefix>.>`; event stream S is `<subjectPrefix>.S`. */
  subjectPrefix: string;
  /** Nats-Msg-Id dedup window; default 2 minutes. Idempotency does not depend on it (see store). */
  duplicateWindowMs?: number;
  /** Default 1 (single server); 3 on a cluster. */
  replicas?: number;
}

export const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;

export function evidenceSubjects(config: EvidenceStreamConfig): string {
  return `${config.subjectPrefix}.>`;
}

/** The immutable evidence configuration: nothing may be deleted, purged, rolled up or aged out. */
export function evidenceStreamConfig(config: EvidenceStreamConfig): Partial<StreamConfig> {
  return {
    name: config.streamName,
    subjects: [evidenceSubjects(config)],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    num_replicas: config.replicas ?? 1,
    deny_delete: true,
    deny_purge: true,
    allow_rollup_hdrs: false,
    // Limits are unlimited, so the discard policy never fires; Old is the only value that also
    // never rejects a write. Kept explicit so a validation can check it.
    discard: DiscardPolicy.Old,
    max_msgs: -1,
    max_bytes: -1,
    max_age: 0,
    max_msgs_per_subject: -1,
    duplicate_window: nanos(config.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS),
  };
}

/** Why an existing stream cannot hold evidence; [] when it can. */
export function evidenceStreamProblems(info: StreamInfo, config: EvidenceStreamConfig): string[] {
  const c = info.config;
  const problems: string[] = [];
  if (!c.deny_delete) problems.push('deny_delete is false (messages could be deleted)');
  if (!c.deny_purge) problems.push('deny_purge is false (the stream could be purged)');
  if (c.allow_rollup_hdrs) problems.push('allow_rollup_hdrs is true (a rollup would erase messages)');
  if (c.retention !== RetentionPolicy.Limits) problems.push(`retention is ${c.retention}, not limits`);
  if (c.max_msgs > 0) problems.push(`max_msgs is ${c.max_msgs}`);
  if (c.max_bytes > 0) problems.push(`max_bytes is ${c.max_bytes}`);
  if (c.max_age > 0) problems.push(`max_age is ${c.max_age}`);
  if (c.max_msgs_per_subject > 0) problems.push(`max_msgs_per_subject is ${c.max_msgs_per_subject}`);
  if (c.storage !== StorageType.File) problems.push(`storage is ${c.storage}, not file`);
  if (!(c.subjects ?? []).includes(evidenceSubjects(config))) {
    problems.push(`subjects ${JSON.stringify(c.subjects)} do not include ${evidenceSubjects(config)}`);
  }
  return problems;
}

/**
 * Create the evidence stream, or validate an existing one. Refuses (throws) a stream whose
 * configuration would allow evidence to be deleted, purged, rolled up or aged out. Note that
 * deny_delete/deny_purge cannot be turned off once set (the server refuses that update), but a
 * stream created without them must be recreated by an operator: we do not migrate evidence.
 */
export async function ensureEvidenceStream(jsm: JetStreamManager, config: EvidenceStreamConfig): Promise<StreamInfo> {
  let info: StreamInfo | undefined;
  try {
    info = await jsm.streams.info(config.streamName);
  } catch (err) {
    if (!isStreamNotFound(err)) mapNatsError(err, `stream info ${config.streamName}`);
  }
  if (!info) {
    try {
      return await jsm.streams.add(evidenceStreamConfig(config));
    } catch (err) {
      // Lost a creation race with another instance: fall through to validation.
      try {
        info = await jsm.streams.info(config.streamName);
      } catch {
        mapNatsError(err, `create stream ${config.streamName}`);
      }
    }
  }
  const problems = evidenceStreamProblems(info, config);
  if (problems.length > 0) {
    throw new Error(`JetStream stream ${config.streamName} cannot hold evidence: ${problems.join('; ')}`);
  }
  return info;
}

function isStreamNotFound(err: unknown): boolean {
  const e = err as { api_error?: { err_code?: number }; message?: string };
  return e?.api_error?.err_code === 10059 || e?.message === 'stream not found';
}
