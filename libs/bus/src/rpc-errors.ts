import type { RpcErrorReply } from '@chaperone/contracts';

/** The handler answered with an error (a Nest `err` field, or a plain `{ error: { message } }`). */
export class RpcFailed extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'RpcFailed';
  }
}

/**
 * Thrown by a plain-JSON handler to answer `{ error: { message } }`. The message goes to the
 * requester as is: say what was wrong and what to do, never a token or a secret value.
 */
export class ErrorReply extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ErrorReply';
  }

  toReply(): RpcErrorReply {
    return { error: { message: this.message } };
  }
}

/** True for `{ error: { message: string } }`; a successful reply never has an `error` field. */
export function isErrorReply(reply: unknown): reply is RpcErrorReply {
  if (reply === null || typeof reply !== 'object' || !('error' in reply)) return false;
  const error = (reply as { error: unknown }).error;
  return error !== null && typeof error === 'object' && typeof (error as { message?: unknown }).message === 'string';
}
