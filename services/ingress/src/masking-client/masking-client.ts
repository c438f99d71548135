import { Inject, Injectable } from '@nestjs/common';
import { Empty, headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection } from 'nats';
import { perRequestTable, requestJson, traceHeaders } from '@chaperone/bus';
import {
  MASK_ALIVE_OP,
  MASK_CLOSE_OP,
  MASK_CHUNK_BYTES,
  MaskHeaders,
  MaskOpenReplySchema,
  MaskReportSchema,
  parseContract,
  type BusSubjects,
  type MaskMode,
  type MaskOp,
  type MaskReport,
} from '@chaperone/contracts';
import { BUS, NATS_CONNECTION } from '@chaperone/service-runtime';
import { INGRESS_CONFIG, type IngressConfig } from '../tokens';

/** Masking could not be done; the response must be refused (or cut), never passed through. */
export class MaskingUnavailable extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'MaskingUnavailable';
  }
}

/**
 * While an exchange waits, the replica holding the stream is asked every this many ms whether it
 * is still there: one that took the exchange and died is found out within about this, not after
 * the exchange's timeout (which a large document may need in full on a healthy replica).
 */
export const MASK_ALIVE_EVERY_MS = 1000;

/**
 * Document chunks on their way to the masking replica at once, unanswered: enough to keep the
 * bytes moving while the cluster's response still arrives, few enough that a slow replica holds
 * the ingress back (it stops reading the cluster) rather than buffering the document in the bus.
 */
export const FEED_WINDOW = 4;

/**
 * Pages of masked output asked for at once (`next`) once the replica has said how much it still
 * holds: the round trip per page is hidden, and at most this many pages (MASK_CHUNK_BYTES each)
 * are on their way to the ingress at a time.
 */
export const PAGE_WINDOW = 4;

/** One response being masked by one masking replica. Calls must not overlap (awaited in order). */
export class MaskStream {
  report: MaskReport | undefined;
  /** Exchanges are strictly sequential: each waits for the previous one. */
  private chain: Promise<unknown> = Promise.resolve();
  /** Document chunks sent and not yet answered, oldest first. */
  private readonly feeding: Promise<Buffer[]>[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly subject: string,
    private readonly timeoutMs: number,
    /** Calls back when the bus connection drops (a request or reply in flight may be lost); returns the unsubscribe. */
    private readonly onDrop: (dropped: () => void) => () => void = () => () => undefined,
  ) {}

  /** Send bytes; returns the masked output that is complete so far (possibly empty). */
  async data(chunk: Buffer): Promise<Buffer> {
    const out: Buffer[] = [];
    for (let i = 0; i < chunk.length; i += MASK_CHUNK_BYTES) {
      out.push(...(await this.exchange('data', chunk.subarray(i, i + MASK_CHUNK_BYTES))));
    }
    return Buffer.concat(out);
  }

  /**
   * Send a document's bytes without waiting for each answer (a document's data answers carry no
   * output): up to FEED_WINDOW chunks travel at once, and this resolves once the window has room.
   * A failed chunk fails the next `feed` or `end`. Not for watch or lines, whose output is in order.
   */
  async feed(chunk: Buffer): Promise<void> {
    for (let i = 0; i < chunk.length; i += MASK_CHUNK_BYTES) {
      const sent = this.exchangeNow('data', chunk.subarray(i, i + MASK_CHUNK_BYTES));
      // Awaited later (by a full window or by end); until then a failure must not go unhandled.
      sent.catch(() => undefined);
      this.feeding.push(sent);
      if (this.feeding.length >= FEED_WINDOW) await this.feeding.shift();
    }
  }

  /**
   * Finish, optionally with the response's last bytes (one exchange instead of data + end for a
   * small response); returns the rest of the masked output; `report` is set afterwards. Chunks
   * still being fed are answered first: the replica takes a stream's messages in the order sent.
   */
  async end(last: Buffer = Buffer.alloc(0)): Promise<Buffer> {
    const split = Math.max(0, last.length - MASK_CHUNK_BYTES);
    await this.feed(last.subarray(0, split));
    const ending = this.exchange('end', last.subarray(split));
    ending.catch(() => undefined);
    // A chunk that failed says why; the end's own answer (the replica closed the stream) would not.
    for (const sent of this.feeding.splice(0)) await sent;
    return Buffer.concat(await ending);
  }

  /** Not needed after all (opened ahead of a decision that did not use it): the replica drops it. */
  close(): void {
    const h = natsHeaders();
    h.set(MaskHeaders.op, MASK_CLOSE_OP);
    try {
      this.nc.publish(this.subject, Empty, { headers: h });
    } catch {
      // The connection is closed: the replica's idle timer drops the stream.
    }
  }

  /** Keep an idle stream (a quiet watch) alive on the masking replica. */
  async keepAlive(): Promise<void> {
    await this.exchange('next', Buffer.alloc(0));
  }

  private exchange(op: MaskOp, body: Buffer): Promise<Buffer[]> {
    const run = this.chain.then(() => this.exchangeNow(op, body));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async exchangeNow(op: MaskOp, body: Buffer): Promise<Buffer[]> {
    const first = await this.page(op, body);
    if (!first.more) return [first.output];
    return [first.output, ...(await this.remainingPages(first.pending))];
  }

  /**
   * The rest of an answer that did not fit in one page. The replica said how many bytes it still
   * holds, so those pages are asked for PAGE_WINDOW at a time, in order; a replica that does not
   * say (an older one) is asked a page at a time. Pages that do not add up to what it said fail
   * the exchange: a response is never released short.
   */
  private async remainingPages(pending: number | undefined): Promise<Buffer[]> {
    const out: Buffer[] = [];
    if (pending === undefined) {
      for (;;) {
        const page = await this.page('next');
        out.push(page.output);
        if (!page.more) return out;
      }
    }
    const pages = Math.ceil(pending / MASK_CHUNK_BYTES);
    const asked: Promise<Page>[] = [];
    const ask = (): void => {
      const p = this.page('next');
      // Awaited in order below; one that fails after an earlier failure must not go unhandled.
      p.catch(() => undefined);
      asked.push(p);
    };
    while (asked.length < Math.min(pages, PAGE_WINDOW)) ask();
    const short = () => new MaskingUnavailable(`the masking service's pages did not add up to the ${pending} bytes it announced; the response was withheld`);
    let received = 0;
    for (let k = 0; k < pages; k++) {
      const page = await (asked[k] as Promise<Page>);
      if (asked.length < pages) ask();
      out.push(page.output);
      received += page.output.length;
      // Every page but the last says more; the last says no more.
      if (page.more === (k === pages - 1)) throw short();
    }
    if (received !== pending) throw short();
    return out;
  }

  /** One exchange with the replica: `op`, then one page of its answer (and the report, on the last). */
  private async page(op: MaskOp, body: Buffer = Buffer.alloc(0)): Promise<Page> {
    const h = natsHeaders();
    h.set(MaskHeaders.op, op);
    const reply = readReply(await this.watchedRequest(body, h));
    if (reply.report) this.report = reply.report;
    return reply;
  }
  /**
   * One exchange, failed as soon as the stream's replica is gone: every MASK_ALIVE_EVERY_MS it is
   * asked whether it still holds the stream; no responder means it died with the exchange in hand
   * (a replica that is merely busy masking answers, and the exchange keeps its full timeout).
   */
  private async watchedRequest(payload: Uint8Array, h: MsgHdrs): Promise<Msg> {
    const exchange = this.nc.request(this.subject, payload, { timeout: this.timeoutMs, headers: traceHeaders(h) });
    let done = false;
    let stopWatching = (): void => undefined;
    let timer: NodeJS.Timeout | undefined;
    const gone = new Promise<never>((_, reject) => {
      // NATS restarted or the connection dropped: the exchange or its answer may be lost, and the
      // replica, resubscribed after the reconnection, would still say it is alive.
      stopWatching = this.onDrop(() => reject(new MaskingUnavailable('the bus connection dropped while the masking service had this response; the rest of the response was withheld')));
      const ask = async (): Promise<void> => {
        const alive = natsHeaders();
        alive.set(MaskHeaders.op, MASK_ALIVE_OP);
        try {
          await this.nc.request(this.subject, Empty, { timeout: MASK_ALIVE_EVERY_MS, headers: alive });
        } catch (e) {
          if (!done && (e as { code?: string }).code === '503') {
            reject(new MaskingUnavailable('the masking service replica masking this response stopped before answering; the rest of the response was withheld'));
            return;
          }
        }
        if (!done) timer = setTimeout(() => void ask(), MASK_ALIVE_EVERY_MS);
      };
      timer = setTimeout(() => void ask(), MASK_ALIVE_EVERY_MS);
    });
    try {
      return await Promise.race([exchange, gone]);
    } catch (e) {
      if (e instanceof MaskingUnavailable) throw e;
      const code = (e as { code?: string }).code;
      if (code === 'TIMEOUT') throw new MaskingUnavailable(`the masking service did not answer within ${this.timeoutMs} ms`);
      throw new MaskingUnavailable(`the masking service did not answer (${e instanceof Error ? e.message : 'error'})`);
    } finally {
      done = true;
      clearTimeout(timer);
      stopWatching();
      exchange.catch(() => undefined);
    }
  }
}

/**
 * After a request found no masking replica, for this long reads are refused before they are sent
 * (their masking is opened first, as for every other request), instead of reaching the cluster
 * only to have their answers withheld.
 */
export const MASKING_ABSENT_MS = 5000;

/** A document masked in one request, and what was masked in it. */
export interface MaskedDocument {
  output: Buffer;
  report: MaskReport;
}

/** Masks small documents in one request, and opens masking streams, through the masking service's queue group. */
@Injectable()
export class MaskingClient {
  /** Streams waiting for an exchange, told when the bus connection drops; by a number of their own. */
  private readonly dropListeners = perRequestTable<() => void, number>();
  private nextListener = 0;
  /** When a request last found no masking replica (ms since the epoch); 0: not seen. */
  private absentAt = 0;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(BUS) private readonly subjects: BusSubjects,
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
  ) {
    void (async () => {
      for await (const s of nc.status()) if (s.type === 'disconnect' || s.type === 'reconnect') for (const l of Object.values(this.dropListeners)) l();
    })().catch(() => undefined);
  }

  /** Whether a request found no masking replica within the last MASKING_ABSENT_MS. */
  recentlyAbsent(now = Date.now()): boolean {
    return now - this.absentAt < MASKING_ABSENT_MS;
  }

  /**
   * Mask a whole document of at most MASK_DOCUMENT_MAX_BYTES in one request (any replica; nothing
   * is kept there). It is quick on a healthy replica, so it has the open's short timeout: a replica
   * that took it and died is found out in that time. Every failure is MaskingUnavailable.
   */
  async maskDocument(body: Buffer, profile: string): Promise<MaskedDocument> {
    const h = natsHeaders();
    h.set(MaskHeaders.profile, profile);
    const timeoutMs = this.config.maskingOpenTimeoutMs;
    let msg: Msg;
    try {
      msg = await this.nc.request(this.subjects.maskDocument, body, { timeout: timeoutMs, headers: traceHeaders(h) });
    } catch (e) {
      throw this.unanswered(e, timeoutMs, 'response');
    }
    const { output, report } = readReply(msg);
    if (!report) throw new MaskingUnavailable('the masking service answered without a valid report');
    return { output, report };
  }

  async open(requestId: string, mode: MaskMode, profile: string): Promise<MaskStream> {
    let raw: unknown;
    // Opening is quick on a healthy replica, so it has a short timeout of its own: a replica that
    // took the request and died is found out here, not after the (long) exchange timeout.
    const timeoutMs = this.config.maskingOpenTimeoutMs;
    try {
      raw = await requestJson(this.nc, this.subjects.maskOpen, { schemaVersion: 1, requestId, mode, profile }, timeoutMs);
    } catch (e) {
      throw this.unanswered(e, timeoutMs, 'request');
    }
    const reply = parseContract(MaskOpenReplySchema, 'MaskOpenReply', raw);
    return new MaskStream(this.nc, this.subjects.maskSession(reply.session), this.config.maskingTimeoutMs, (dropped) => {
      const id = this.nextListener++;
      this.dropListeners[id] = dropped;
      return () => {
        delete this.dropListeners[id];
      };
    });
  }

  /** An open or a document nobody answered: remembers an absent masking service (no responders). */
  private unanswered(e: unknown, timeoutMs: number, took: 'request' | 'response'): MaskingUnavailable {
    if ((e as { code?: string }).code === '503') this.absentAt = Date.now();
    return new MaskingUnavailable(failureOf(e, timeoutMs, took));
  }
}

/** One page of a masking exchange's answer. */
interface Page {
  output: Buffer;
  report: MaskReport | undefined;
  more: boolean;
  /** With `more`: the bytes the replica still holds, when it says. */
  pending: number | undefined;
}

/**
 * One masking exchange's answer: the masked bytes, the report when it came, whether more follows
 * and how much. An error the replica sent, or a report or count that breaks the contract, is
 * MaskingUnavailable.
 */
function readReply(msg: Msg): Page {
  const error = msg.headers?.get(MaskHeaders.error);
  if (error) throw new MaskingUnavailable(`masking failed: ${error}`);
  const raw = msg.headers?.get(MaskHeaders.report);
  let report: MaskReport | undefined;
  try {
    report = raw ? parseContract(MaskReportSchema, 'MaskReport', JSON.parse(raw)) : undefined;
  } catch {
    throw new MaskingUnavailable('the masking service answered without a valid report');
  }
  const more = msg.headers?.get(MaskHeaders.more) === '1';
  return { output: Buffer.from(msg.data), report, more, pending: more ? pendingOf(msg.headers?.get(MaskHeaders.pending)) : undefined };
}

/** The replica's count of bytes still held: absent (an older replica), or a positive whole number. */
function pendingOf(raw: string | undefined): number | undefined {
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0) throw new MaskingUnavailable('the masking service answered with an invalid count of bytes to come');
  return n;
}

/** What went wrong asking the masking service, as the agent's Status should say it. */
function failureOf(e: unknown, timeoutMs: number, took: 'request' | 'response'): string {
  const code = (e as { code?: string }).code;
  if (code === '503') return 'no masking service is running';
  if (code === 'TIMEOUT') return `the masking service took the ${took} but did not answer within ${timeoutMs} ms`;
  return `the masking service is unavailable (${e instanceof Error ? e.message : 'no answer'})`;
}
