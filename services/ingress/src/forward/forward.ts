import { Inject, Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import { writeStatus } from '@chaperone/k8s-status';
import type { Forwarded, Prepared } from '../context/request-context';
import { Complete } from '../complete/complete';
import { toStatus } from '../errors/to-status';
import { GatewayFailure, type GatewayError } from '../errors/gateway-errors';
import { MaskingUnavailable } from '../masking-client/masking-client';
import { sendMasked } from './send-masked';
import { UPSTREAM } from '../tokens';
import type { Upstream } from '../upstream/upstream';
import { BodyCapture } from '../recording/body-capture';
import { Recorder } from '../recording/recorder';
import { TimedCapture } from '../recording/timed-capture';
import { Forwarder } from './forwarder';
import { passThrough, type Delivery } from './pass-through';
import { StreamingSessions } from '../sessions/streaming-sessions';
import { upstreamHeaders } from '../upstream/upstream-headers';

/**
 * Stage 7: send the request to the cluster as the gateway, impersonating the agent, and relay the
 * answer (masked where planned). From here this stage owns the completion record: it is stored
 * before a bounded response's last byte, and when a stream, an upgrade or a failed exchange ends.
 * Upgrades (exec, attach, port-forward) are handed to the streaming sessions.
 */
@Injectable()
export class Forward {
  private readonly logger = new Logger('Forward');
  private readonly forwarder: Forwarder;

  constructor(
    @Inject(UPSTREAM) upstream: Upstream,
    private readonly complete: Complete,
    private readonly recorder: Recorder,
    private readonly sessions: StreamingSessions,
  ) {
    this.forwarder = new Forwarder(upstream);
    this.logger.log(`upstream: ${upstream.describe}`);
  }

  run(ctx: Prepared): Forwarded {
    const forwarded: Forwarded = { ...ctx, stage: 'forwarded' };
    const { exchange, response, decision } = forwarded;
    const headers = upstreamHeaders(exchange.req.headers, {
      identity: ctx.refs.identity,
      sessionId: ctx.refs.sessionId,
      requestId: ctx.requestId,
      authorization: this.forwarder.authorization(),
      upgrade: exchange.kind === 'upgrade',
    });
    if (exchange.kind === 'upgrade') {
      // Relayed message by message after the cluster's 101, so the session is recorded and masked.
      this.sessions.start(forwarded, headers);
      return forwarded;
    }
    const { req, res } = exchange;
    if (decision.recording?.onStoreFailure === 'refuse' && !this.recorder.storeAvailable) {
      throw new GatewayFailure({ kind: 'recording-unavailable' });
    }
    const capture = captures(forwarded);
    if (capture.request) {
      const tap = capture.request;
      response.request = tap;
      // Attached in the same tick as the proxy's pipe, so no chunk flows before both listen.
      if (ctx.body) tap.update(ctx.body);
      else req.on('data', (chunk: Buffer) => tap.update(chunk));
    }
    response.response = capture.response;
    let answering = false;
    const sent = performance.now();
    // The agent left before the cluster answered (or the proxy gave up silently): still one completion.
    res.once('close', () => {
      if (!answering) this.complete.atEnd(forwarded);
    });
    this.forwarder.web(req, res, {
      headers,
      body: ctx.body,
      onError: (e) => {
        this.logger.warn(`upstream request ${ctx.requestId} failed: ${e.message}`);
        const status = toStatus({ kind: 'upstream-unavailable', message: (e as NodeJS.ErrnoException).code ?? 'connection failed' });
        if (!res.headersSent) response.gatewayStatus = status.code;
        writeStatus(res, status);
      },
      onResponse: (proxyRes) => {
        answering = true;
        forwarded.steps.since('upstream', sent);
        response.upstreamStatus = proxyRes.statusCode ?? 0;
        void this.respond(forwarded, proxyRes);
      },
    });
    return forwarded;
  }

  private async respond(ctx: Forwarded, proxyRes: IncomingMessage): Promise<void> {
    if (ctx.exchange.kind !== 'http') return;
    const { res } = ctx.exchange;
    const { response, masking } = ctx;
    const delivery: Delivery = {
      streaming: isStream(ctx),
      account: (sent) => {
        response.bytesOut += sent.length;
        response.response?.update(sent);
      },
      beforeLast: () => this.complete.beforeLastByte(ctx, masking),
    };
    try {
      response.finished = masking ? await sendMasked(proxyRes, res, masking, delivery, ctx.steps) : await passThrough(proxyRes, res, delivery);
    } catch (e) {
      proxyRes.destroy();
      response.finished = false;
      const error = failureOf(e);
      if (error) this.logger.warn(`response to ${ctx.requestId} withheld: ${toStatus(error).message}`);
      if (error && !res.headersSent) {
        const status = toStatus(error);
        response.gatewayStatus = status.code;
        writeStatus(res, status);
      } else {
        // Too late for a Status (or the cluster cut the response): cut the answer, never pass it on.
        res.destroy();
      }
    }
    this.complete.atEnd(ctx, masking);
  }
}

/** Why a response could not be released, as a gateway error; undefined when the cluster's side failed. */
function failureOf(e: unknown): GatewayError | undefined {
  if (e instanceof MaskingUnavailable) return { kind: 'masking-unavailable', message: e.message, forwarded: true };
  if (e instanceof GatewayFailure) return e.error;
  return undefined;
}

/**
 * What to capture of each body, by the policy's record level: `metadata` digests both; `request`
 * also keeps the request body; `request-and-response` also keeps the response as the agent received
 * it (a stream as timed chunks).
 */
function captures(ctx: Forwarded): { request: BodyCapture | undefined; response: (BodyCapture | TimedCapture) | undefined } {
  const level = ctx.decision.record;
  if (level === 'none') return { request: undefined, response: undefined };
  const capBytes = ctx.decision.recording?.maxBodyBytes ?? 0;
  const storeRequest = level === 'request' || level === 'request-and-response';
  const storeResponse = level === 'request-and-response';
  return {
    request: new BodyCapture({ store: storeRequest, capBytes }),
    response: storeResponse && isStream(ctx) ? new TimedCapture(capBytes, ctx.started, () => performance.now()) : new BodyCapture({ store: storeResponse, capBytes }),
  };
}

/** Responses that stay open and flow as events happen: their completion follows the close. */
function isStream(ctx: Forwarded): boolean {
  if (ctx.info.verb === 'watch') return true;
  return ctx.info.isResourceRequest && ctx.info.subresource === 'log' && /(^|&)follow=(true|1)(&|$)/.test(ctx.query);
}
