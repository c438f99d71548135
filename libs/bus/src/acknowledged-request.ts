import { createInbox, type Msg, type NatsConnection, type Subscription } from 'nats';
import { decodeJson, encodeJson } from './codec';
import { refusedBecause } from './durable-event-publisher';
import { isErrorReply, RpcFailed } from './rpc-errors';
import { traceHeaders } from './trace-headers';

/** A JetStream publish acknowledgement as the server sends it. */
export interface StoredAck {
  stream: string;
  seq: number;
  duplicate: boolean;
}

/** The events were not stored: the events stream refused them, or nothing stores the subject. */
export class NotStored extends Error {
  override readonly name = 'NotStored';
}

/** No reply (and acknowledgement) within the time given. */
export class RequestTimedOut extends Error {
  override readonly name = 'RequestTimedOut';
  readonly code = 'TIMEOUT';
}

/** The responder's answer, and the store's acknowledgement when the responder delegated it. */
export interface AcknowledgedReply {
  reply: unknown;
  ack: StoredAck | undefined;
}

interface Pending {
  reply?: unknown;
  ack?: StoredAck;
  /** Whether the reply says the acknowledgement comes here. */
  awaitingAck: boolean;
  acknowledgedTo(reply: unknown): string | undefined;
  resolve(v: AcknowledgedReply): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Request/reply where the responder may hand the events stream's acknowledgement of what it stored
 * straight to the requester: the request names a reply subject and an acknowledgement subject (both
 * under this requester's own inbox), the responder publishes its events with the latter as reply
 * subject and answers at once, and the request resolves when both have come. That saves the hop
 * the acknowledgement would take through the responder, and the requester still acts only on the
 * server's own acknowledgement. One wildcard subscription serves every request of the connection.
 */
export class AcknowledgedRequester {
  private readonly inbox = createInbox();
  private readonly sub: Subscription;
  private readonly pending = new Map<string, Pending>();
  private next = 0;

  constructor(
    private readonly nc: NatsConnection,
    /** The stream an acknowledgement must name. */
    private readonly stream: string,
  ) {
    this.sub = nc.subscribe(`${this.inbox}.*.*`, { callback: (err, msg) => !err && this.route(msg) });
  }

  /**
   * Sends `build(acknowledgeTo)` to `subject`. An error reply is thrown as RpcFailed, a refused
   * store as NotStored, no answer in time as RequestTimedOut; `acknowledgedTo(reply)` tells whether
   * the reply says the acknowledgement comes to this requester.
   */
  request(
    subject: string,
    build: (acknowledgeTo: string) => unknown,
    acknowledgedTo: (reply: unknown) => string | undefined,
    timeoutMs: number,
  ): Promise<AcknowledgedReply> {
    const token = (this.next++).toString(36);
    const ackSubject = `${this.inbox}.${token}.a`;
    return new Promise<AcknowledgedReply>((resolve, reject) => {
      const p: Pending = {
        awaitingAck: false,
        acknowledgedTo,
        resolve,
        reject,
        timer: setTimeout(() => this.fail(token, new RequestTimedOut(`no answer within ${timeoutMs} ms`)), timeoutMs),
      };
      this.pending.set(token, p);
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
    for (const token of [...this.pending.keys()]) this.fail(token, new Error('the requester closed'));
  }

  private route(msg: Msg): void {
    const rest = msg.subject.slice(this.inbox.length + 1);
    const dot = rest.indexOf('.');
    const token = rest.slice(0, dot);
    const kind = rest.slice(dot + 1);
    const p = this.pending.get(token);
    if (!p) return;
    const status = msg.headers?.code ?? 0;
    if (kind === 'r') {
      if (status === 503) return this.fail(token, Object.assign(new Error('no responders'), { code: '503' }));
      let reply: unknown;
      try {
        reply = decodeJson(msg.data);
      } catch {
        return this.fail(token, new RpcFailed('the reply is not JSON'));
      }
      if (isErrorReply(reply)) return this.fail(token, new RpcFailed(reply.error.message));
      p.reply = reply;
      p.awaitingAck = p.acknowledgedTo(reply) === `${this.inbox}.${token}.a`;
    } else if (kind === 'a') {
      if (status === 503) return this.fail(token, new NotStored('no JetStream events stream answers'));
      const ack = parseAck(msg, this.stream);
      if (ack instanceof Error) return this.fail(token, ack);
      p.ack = ack;
    } else {
      return;
    }
    if (p.reply !== undefined && (!p.awaitingAck || p.ack)) {
      this.done(token);
      p.resolve({ reply: p.reply, ack: p.awaitingAck ? p.ack : undefined });
    }
  }

  private fail(token: string, e: Error): void {
    const p = this.pending.get(token);
    if (!p) return;
    this.done(token);
    p.reject(e);
  }

  private done(token: string): void {
    const p = this.pending.get(token);
    if (p) clearTimeout(p.timer);
    this.pending.delete(token);
  }
}

function parseAck(msg: Msg, stream: string): StoredAck | NotStored {
  let body: unknown;
  try {
    body = decodeJson(msg.data);
  } catch {
    return new NotStored('the acknowledgement is not JSON');
  }
  const b = body as { stream?: unknown; seq?: unknown; duplicate?: unknown; error?: { description?: unknown } };
  if (b.error) return new NotStored(refusedBecause(typeof b.error.description === 'string' ? b.error.description : 'no reason given'));
  if (b.stream !== stream || typeof b.seq !== 'number' || !Number.isSafeInteger(b.seq) || b.seq < 1) return new NotStored('the acknowledgement names another stream or no sequence');
  return { stream: b.stream, seq: b.seq, duplicate: b.duplicate === true };
}
