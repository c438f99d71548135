import type { JetStreamManager } from 'nats';
import { JsErrCodes, jsErrCode, mapNatsError } from './errors';
import type { EvidenceStreamConfig } from './stream-config';

/**
 * How event streams map to subjects of the JetStream evidence stream.
 *
 * `by-kind` (every new store): stream S ↦ `<subjectPrefix>.<kind>.S`, where the kind is S's
 * leading run of letters, digits and '_' (`session-ab12` ↦ `evidence.session.session-ab12`,
 * `approval-…` ↦ `evidence.approval.approval-…`, `checkpoints` ↦ `evidence.checkpoints.checkpoints`).
 * A reader of one kind of stream (the approval service reads `approval-*` only) gets a consumer
 * filtered on `<subjectPrefix>.<kind>.>`, so the SERVER sends it nothing else: it never receives
 * the sessions' events. The mapping is injective (S is kept whole after its kind).
 *
 * `flat` (stores written before the kinds existed): S ↦ `<subjectPrefix>.S`; readers filter on
 * the client. A store keeps the layout of its first message, so it is never mixed.
 */
export interface SubjectLayout {
  readonly name: 'by-kind' | 'flat';
  subjectFor(stream: string): string;
  /** The event stream a subject of this layout holds. */
  streamOf(subject: string): string;
  /**
   * The server-side filter for the streams whose name starts with `streamPrefix` ('' = all). It
   * may hold more (the caller still checks the prefix); it never holds less.
   */
  filterFor(streamPrefix: string): string;
}

const KIND = /^[A-Za-z0-9_]+/;

/** The kind of a stream: its leading run of [A-Za-z0-9_] ('_' when it starts with another character). */
export function streamKind(stream: string): string {
  return KIND.exec(stream)?.[0] ?? '_';
}

/** The kind every stream starting with `prefix` has, when the prefix decides it (its kind ends inside it). */
function kindOfPrefix(prefix: string): string | undefined {
  const kind = KIND.exec(prefix)?.[0];
  if (kind === undefined) return prefix.length > 0 ? '_' : undefined;
  return kind.length < prefix.length ? kind : undefined;
}

export function byKindLayout(subjectPrefix: string): SubjectLayout {
  const head = subjectPrefix.length + 1;
  return {
    name: 'by-kind',
    subjectFor: (stream) => `${subjectPrefix}.${streamKind(stream)}.${stream}`,
    streamOf: (subject) => subject.slice(subject.indexOf('.', head) + 1),
    filterFor: (streamPrefix) => {
      const kind = kindOfPrefix(streamPrefix);
      return kind === undefined ? `${subjectPrefix}.>` : `${subjectPrefix}.${kind}.>`;
    },
  };
}

export function flatLayout(subjectPrefix: string): SubjectLayout {
  const head = subjectPrefix.length + 1;
  return {
    name: 'flat',
    subjectFor: (stream) => `${subjectPrefix}.${stream}`,
    streamOf: (subject) => subject.slice(head),
    filterFor: () => `${subjectPrefix}.>`,
  };
}

/**
 * The layout of the store: that of its first message (`flat` when it sits at `<prefix>.<its
 * stream>`), `by-kind` for an empty or absent stream.
 */
export async function detectSubjectLayout(jsm: JetStreamManager, config: EvidenceStreamConfig): Promise<SubjectLayout> {
  const byKind = byKindLayout(config.subjectPrefix);
  let first;
  try {
    const info = await jsm.streams.info(config.streamName);
    if (info.state.messages === 0) return byKind;
    first = await jsm.streams.getMessage(config.streamName, { seq: info.state.first_seq });
  } catch (err) {
    if (jsErrCode(err) === JsErrCodes.noMessageFound || isStreamNotFound(err)) return byKind;
    mapNatsError(err, `subject layout of ${config.streamName}`);
  }
  const flat = flatLayout(config.subjectPrefix);
  const stream = first.header?.get('Chaperone-Stream');
  return stream && first.subject === flat.subjectFor(stream) ? flat : byKind;
}

function isStreamNotFound(err: unknown): boolean {
  const e = err as { api_error?: { err_code?: number }; message?: string };
  return e?.api_error?.err_code === 10059 || e?.message === 'stream not found';
}
