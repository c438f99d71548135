import { DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from 'nats';
import type { BusSubjects } from '@chaperone/contracts';

export interface EventsStreamLimits {
  /** Bytes the backlog may hold before publishers are refused (fail closed). */
  maxBytes: number;
  /** Messages the backlog may hold before publishers are refused; -1 = unlimited. */
  maxMsgs: number;
}

const NS = 1_000_000;
/** Window in which JetStream drops a re-published event id (the audit store dedupes beyond it). */
const DUPLICATE_WINDOW_NS = 2 * 60 * 1000 * NS;

/**
 * The bus's evidence backlog: a work-queue stream. Events stay until the audit service has stored
 * them (then they are acknowledged and removed); a full backlog REFUSES new events (discard new),
 * so the ingress answers 503 instead of losing evidence or serving unrecorded requests.
 */
export function eventsStreamConfig(subjects: BusSubjects, limits: EventsStreamLimits): Partial<StreamConfig> {
  return {
    name: subjects.eventsStream,
    subjects: [subjects.eventsAll],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    discard: DiscardPolicy.New,
    max_bytes: limits.maxBytes,
    max_msgs: limits.maxMsgs,
    max_msg_size: 1024 * 1024,
    duplicate_window: DUPLICATE_WINDOW_NS,
    num_replicas: 1,
  };
}

/** Create the events stream, or bring its limits to the configured ones. Every publisher and consumer calls it at start. */
export async function ensureEventsStream(jsm: JetStreamManager, subjects: BusSubjects, limits: EventsStreamLimits): Promise<void> {
  const config = eventsStreamConfig(subjects, limits);
  try {
    const info = await jsm.streams.info(subjects.eventsStream);
    const c = info.config;
    if (c.retention !== RetentionPolicy.Workqueue || c.discard !== DiscardPolicy.New) {
      throw new Error(`stream ${subjects.eventsStream} exists with retention ${c.retention} / discard ${c.discard}; expected workqueue / new`);
    }
    if (c.max_bytes !== config.max_bytes || c.max_msgs !== config.max_msgs) {
      await jsm.streams.update(subjects.eventsStream, { ...c, max_bytes: limits.maxBytes, max_msgs: limits.maxMsgs });
    }
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await jsm.streams.add(config);
  }
}

function isNotFound(e: unknown): boolean {
  return e instanceof Error && /stream not found/i.test(e.message);
}
