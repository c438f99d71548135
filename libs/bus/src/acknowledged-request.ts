import { createInbox, type Msg, type NatsConnection, type Subscription } from 'nats';
import { decodeJson, encodeJson } from './codec';
import { perRequestTable } from './per-request-table';
import { refusedBecause } from './durable-event-publisher';
import { decodeReply } from './json-rpc';
import { answerCarriedBy } from './answer-in-subject';
import { traceHeaders } from './trace-headers';

/** The events were not stored: the events stream refused them, or nothing stores the subject. */
export class NotStored extends Error {
  override readonly name = 'NotStored';
}

/** No reply (and acknowledgement) within the time given. */
export class RequestTimedOut extends Error {
  override readonly name = 'RequestTimedOut';
  readonly code = 'TIMEOUT';
}

interface Pending {
  reply?: unknown;
  /** A valid acknowledgement has come. */
  stored: boolean;
  /** Whether the reply says the acknowledgement comes here. */
  awaitingAck: boolean;
  acknowledgedTo(reply: unknown): string | undefined;
  resolve(reply: unknown): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Request/reply where the responder may hand the events stream's acknowledgement of what it stored
 * straight to the requester: the request names a reply subject and an acknowledgement subject (both
 * under this requester's own inbox), the responder publishes its events with the latter as reply
 * subject and answers at once, and the request resolves when both have come. That saves the hop
 * the acknowledgement would take through the responder, and the requester still acts only on the
 * server's own acknowledgement. The responder may also send its answer as one more token of the
 * acknowledgement's subject (answerToken) and no reply at all: the request then resolves with
 * that acknowledgement alone. One wildcard subscription serves every request of the connection.
 */
export class AcknowledgedRequester {
  private readonly inbox = createInbox();
  private readonly sub: Subscription;
  /** Requests awaiting their answer, by token. */
  private readonly pending = perRequestTable<Pending>();
  private next = 0;

  constructor(
    private readonly nc: NatsConnection,
    /** The stream an acknowledgement must name. */
    private readonly stream: string,
  ) {
    this.sub = nc.subscribe(`${this.inbox}.>`, { callback: (err, msg) => !err && this.route(msg) });
  }

  /**
   * Sends `build(acknowledgeTo)` to `subject` and resolves with the reply, once the acknowledgement
   * has come too when `acknowledgedTo(reply)` names this request's subject for it. An error reply is
   * thrown as RpcFailed, a refused store as NotStored, no answer in time as RequestTimedOut.
   */
  request(
    subject: string,
    build: (acknowledgeTo: string) => unknown,
    acknowledgedTo: (reply: unknown) => string | undefined,
    timeoutMs: number,
  ): Promise<unknown> {
    const token = (this.next++).toString(36);
    const ackSubject = `${this.inbox}.${token}.a`;
    return new Promise<unknown>((resolve, reject) => {
      const p: Pending = {
        stored: false,
        awaitingAck: false,
        acknowledgedTo,
        resolve,
        reject,
        timer: setTimeout(() => this.fail(token, new RequestTimedOut(`no answer within ${timeoutMs} ms`)), timeoutMs),
      };
      this.pending[token] = p;
      try {
        const headers = traceHeaders();
        this.nc.publish(subject, encodeJson(build(ackSubject)), { reply: `${this.inbox}.${token}.r`, ...(headers ? { headers } : {}) });
      } catch (e) {
        this.fail(token, e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  close(): void {
    this.sub.unsubscribe();
    for (const token of Object.keys(this.pending)) this.fail(token, new Error('the requester closed'));
  }

  private route(msg: Msg): void {
    // <inbox>.<token>.r (the reply), <inbox>.<token>.a (the acknowledgement), <inbox>.<token>.a.<answer>.
    const [token = '', kind, carried, ...beyond] = msg.subject.slice(this.inbox.length + 1).split('.');
    if (beyond.length > 0) return;
    const p = this.pending[token];
    if (!p) return;
    const status = msg.headers?.code ?? 0;
    if (kind === 'r' && carried === undefined) {
      if (status === 503) return this.fail(token, Object.assign(new Error('no responders'), { code: '503' }));
      let reply: unknown;
      try {
        reply = decodeReply(msg.data);
      } catch (e) {
        return this.fail(token, e as Error);
      }
      p.reply = reply;
      p.awaitingAck = p.acknowledgedTo(reply) === `${this.inbox}.${token}.a`;
    } else if (kind === 'a') {
      if (status === 503) return this.fail(token, new NotStored('no JetStream events stream answers'));
      const refused = notStored(msg, this.stream);
      if (refused) return this.fail(token, refused);
      p.stored = true;
      if (carried !== undefined) {
        try {
          p.reply = answerCarriedBy(carried);
        } catch (e) {
          return this.fail(token, e as Error);
        }
      }
    } else {
      return;
    }
    if (p.reply !== undefined && (!p.awaitingAck || p.stored)) {
      this.done(token);
      p.resolve(p.reply);
    }
  }

  private fail(token: string, e: Error): void {
    const p = this.pending[token];
    if (!p) return;
    this.done(token);
    p.reject(e);
  }

  private done(token: string): void {
    const p = this.pending[token];
    if (p) clearTimeout(p.timer);
    delete this.pending[token];
  }
}

/** Why a JetStream publish acknowledgement does not say the write is stored in `stream`; undefined when it does. */
function notStored(msg: Msg, stream: string): NotStored | undefined {
  let body: unknown;
  try {
    body = decodeJson(msg.data);
  } catch {
    return new NotStored('the acknowledgement is not JSON');
  }
  const b = body as { stream?: unknown; seq?: unknown; error?: { description?: unknown } };
  if (b.error) return new NotStored(refusedBecause(typeof b.error.description === 'string' ? b.error.description : 'no reason given'));
  if (b.stream !== stream || typeof b.seq !== 'number' || !Number.isSafeInteger(b.seq) || b.seq < 1) return new NotStored('the acknowledgement names another stream or no sequence');
  return undefined;
}
