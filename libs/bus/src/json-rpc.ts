import type { Msg, NatsConnection } from 'nats';
import type { RpcErrorReply } from '@chaperone/contracts';
import { decodeJson, encodeJson } from './codec';
import { context } from '@opentelemetry/api';
import { ErrorReply, isErrorReply, RpcFailed } from './rpc-errors';
import { startMessageSpan, traceHeaders } from './trace-headers';

/**
 * Plain-JSON request/reply on core NATS, for the hot paths: the request is the message body, the
 * reply is the answer or `{ error: { message } }` (RpcErrorReply). No envelope, no framework between
 * the subscription and the handler.
 */

/**
 * Ask and return the decoded answer. An error reply is thrown as RpcFailed; failures to get an
 * answer (timeout, no responders, connection closed) are thrown as the NATS client throws them.
 */
export async function requestJson(nc: NatsConnection, subject: string, data: unknown, timeoutMs: number): Promise<unknown> {
  const headers = traceHeaders();
  const msg = await nc.request(subject, encodeJson(data), headers ? { timeout: timeoutMs, headers } : { timeout: timeoutMs });
  return decodeReply(msg.data);
}

/** The answer a reply carries; an error reply, or one that is not JSON, is thrown as RpcFailed. */
export function decodeReply(data: Uint8Array): unknown {
  let reply: unknown;
  try {
    reply = decodeJson(data);
  } catch {
    throw new RpcFailed('the reply is not JSON');
  }
  if (isErrorReply(reply)) throw new RpcFailed(reply.error.message);
  return reply;
}

export interface JsonResponder {
  /** Subscribed and taking requests (false once draining). */
  readonly active: boolean;
  /** Requests being handled now. */
  readonly inFlight: number;
  /** Take no more requests, and resolve once every request taken has been answered. */
  drain(): Promise<void>;
}

/**
 * What a handler returns when its answer went another way (with the events stream's acknowledgement
 * of its write, see answerToken): the responder sends no reply of its own.
 */
export const ANSWERED_ELSEWHERE: unique symbol = Symbol('chaperone.bus.answeredElsewhere');

export interface ServeRequestsOptions {
  subject: string;
  /** Replicas in one queue group share the requests: each is handled once. */
  queue: string;
  /** Handle and answer one request (it has a reply subject); a rejection goes to onUnexpected. */
  handle(msg: Msg): Promise<void>;
  onUnexpected(error: unknown): void;
  /** The span a traced request is handled in (default: the subject). */
  spanName?: string;
}

export type ServeJsonOptions = Omit<ServeRequestsOptions, 'handle'> & {
  /**
   * The answer to one decoded request, or ANSWERED_ELSEWHERE. Throw ErrorReply to answer an error
   * whose message is safe to show; anything else thrown is answered with a generic message and
   * passed to onUnexpected.
   */
  handle(request: unknown): Promise<unknown>;
};

const NOT_JSON: RpcErrorReply = { error: { message: 'the request is not valid JSON' } };
const FAILED: RpcErrorReply = { error: { message: 'the request failed inside the service (see its log)' } };

/**
 * Serve a subject with a callback subscription: decode, handle, reply. A message without a reply
 * subject asks nothing and is ignored; a body that is not JSON is answered without being handled
 * (the parser's message quotes the input, so it is not passed on).
 */
export function serveJson(nc: NatsConnection, opts: ServeJsonOptions): JsonResponder {
  const respond = (msg: Msg, reply: unknown): void => {
    try {
      msg.respond(encodeJson(reply));
    } catch (e) {
      // The connection closed under the request: the requester times out and fails closed.
      opts.onUnexpected(e);
    }
  };
  return serveRequests(nc, {
    ...opts,
    handle: async (msg) => {
      let request: unknown;
      try {
        request = decodeJson(msg.data);
      } catch {
        respond(msg, NOT_JSON);
        return;
      }
      try {
        const reply = await opts.handle(request);
        if (reply !== ANSWERED_ELSEWHERE) respond(msg, reply);
      } catch (e) {
        if (!(e instanceof ErrorReply)) opts.onUnexpected(e);
        respond(msg, e instanceof ErrorReply ? e.toReply() : FAILED);
      }
    },
  });
}

/**
 * The requests of a subject, each handled once in the queue group, in the span of the trace its
 * sender is in: the subscription, the count of requests being handled, and a drain that takes no
 * more and resolves once every request taken (those on their way to this replica included) has
 * been handled. serveJson is this with JSON bodies; raw-bytes endpoints use it directly.
 */
export function serveRequests(nc: NatsConnection, opts: ServeRequestsOptions): JsonResponder {
  let inFlight = 0;
  let draining = false;
  let idle: (() => void) | undefined;

  const settled = (): void => {
    inFlight--;
    if (inFlight === 0 && idle) idle();
  };

  const sub = nc.subscribe(opts.subject, {
    queue: opts.queue,
    callback: (err, msg) => {
      if (err) {
        opts.onUnexpected(err);
        return;
      }
      if (!msg.reply) return;
      inFlight++;
      const traced = msg.headers ? startMessageSpan(opts.spanName ?? opts.subject, msg) : undefined;
      const handling = traced ? context.with(traced.ctx, () => opts.handle(msg)) : opts.handle(msg);
      handling
        .catch((e: unknown) => opts.onUnexpected(e))
        .finally(() => {
          traced?.span.end();
          settled();
        })
        .catch(() => undefined);
    },
  });

  return {
    get active() {
      return !draining && !sub.isClosed();
    },
    get inFlight() {
      return inFlight;
    },
    async drain() {
      draining = true;
      if (!sub.isClosed()) {
        // Unsubscribes at the server and delivers what was already on its way to this replica.
        await sub.drain().catch(() => undefined);
      }
      if (inFlight > 0) await new Promise<void>((resolve) => (idle = resolve));
    },
  };
}
