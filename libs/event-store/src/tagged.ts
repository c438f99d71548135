import type { EventTags, RecordedEvent, TaggedEvent } from './port';

/** A stored event as a tags follower gets it, with the tags derived from it. */
export function withTags(e: RecordedEvent, tags: EventTags): TaggedEvent {
  return { stream: e.stream, revision: e.revision, globalPosition: e.globalPosition, eventId: e.eventId, type: e.type, tags, recordedAt: e.recordedAt };
}
