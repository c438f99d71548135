import type { EventTags, NewEvent } from './port';

/**
 * An event whose writer already made the JSON of its data: the chaining decorator hashes the
 * canonical JSON of the data as stored, which is JSON of the same values as JSON.stringify's, so an
 * adapter that stores JSON text need not serialize the data a second time. The text is private to
 * the object: a copy (a spread) or an event built elsewhere has none, and is serialized as usual.
 */
export class SerializedEvent implements NewEvent {
  readonly #dataJson: string;

  constructor(
    readonly eventId: string,
    readonly type: string,
    readonly data: unknown,
    readonly metadata: Record<string, unknown>,
    /** JSON of `data` as a store keeps it. */
    dataJson: string,
    readonly tags?: EventTags,
  ) {
    this.#dataJson = dataJson;
  }

  get dataJson(): string {
    return this.#dataJson;
  }
}

/** The JSON text to store for the event's data (undefined where JSON.stringify gives none). */
export function dataJsonOf(event: NewEvent): string | undefined {
  return event instanceof SerializedEvent ? event.dataJson : (JSON.stringify(event.data ?? null) as string | undefined);
}
