import { RpcFailed } from './rpc-errors';
import { decodeReply } from './json-rpc';

/**
 * The longest answer a subject carries, in base64url characters. NATS refuses a protocol line over
 * its `max_control_line` (4 KiB by default), and the line that publishes a message names both its
 * subject and its reply subject: this leaves room for both with any prefix.
 */
export const MAX_ANSWER_IN_SUBJECT = 2048;

/**
 * `answer` as one subject token: its JSON in base64url (no dots, no wildcards, no spaces, whatever
 * the text). Undefined when the answer is too long to travel so; it then goes the usual way.
 *
 * This lets a responder whose write the events stream acknowledges straight to the requester (see
 * AcknowledgedRequester, and GroupCommit's hand-off) send its answer as one more token of that
 * acknowledgement's subject instead of in a reply of its own, as JetStream's own acknowledgement
 * subjects carry a delivery's metadata: one message and one wake-up of the requester less per
 * request, and the answer arrives only once the write is stored.
 */
export function answerToken(answer: unknown): string | undefined {
  const token = Buffer.from(JSON.stringify(answer), 'utf8').toString('base64url');
  return token.length <= MAX_ANSWER_IN_SUBJECT ? token : undefined;
}

/** The answer a subject token carries (answerToken); an error answer or a token that is not one is thrown as RpcFailed. */
export function answerCarriedBy(token: string): unknown {
  if (token.length === 0 || token.length > MAX_ANSWER_IN_SUBJECT || !/^[A-Za-z0-9_-]+$/.test(token)) throw new RpcFailed('the acknowledgement carries no valid answer');
  return decodeReply(Buffer.from(token, 'base64url'));
}
