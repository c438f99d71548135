import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OutgoingHttpHeaders } from 'node:http';
import { Headers } from '@chaperone/contracts';
import { Complete } from '../complete/complete';
import { respondWithStatus } from '../context/exchange';
import type { Forwarded, MaskingStream } from '../context/request-context';
import type { GatewayError } from '../errors/gateway-errors';
import { toStatus } from '../errors/to-status';
import { EvidenceWriter } from '../evidence/evidence-writer';
import { isWebSocket } from '../approval/hold-for-approval';
import { MaskingClient } from '../masking-client/masking-client';
import { Recorder } from '../recording/recorder';
import { INGRESS_CONFIG, UPSTREAM, type IngressConfig } from '../tokens';
import type { Upstream } from '../upstream/upstream';
import { offeredProtocols, relayableProtocols, supportedProtocols } from './channels/channel-protocol';
import { runExecSession } from './exec/run-exec-session';
import { runPortForward } from './portforward/run-port-forward';
import { relayRefusal, switchingProtocols, upgradeUpstream, type UpgradeAnswer } from './relay/upstream-upgrade';
import type { SessionDeps } from './session-deps';
import { sessionRequestOf } from './session-request';

/** Ends masking streams a session will not use (the masking service would otherwise wait for them). */
function release(...streams: (MaskingStream | undefined)[]): void {
  for (const s of streams) if (s) void s.end().catch(() => undefined);
}

/** Largest WebSocket message relayed (kubectl and the API server send 32 KiB or less). */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * Stage 7 for an upgrade (exec, attach, port-forward): the upgrade goes to the cluster, and only
 * once the cluster has switched protocols does the agent get the 101 and the relay start, message
 * by message, so the session is recorded (and its output masked where planned). A refusal by the
 * cluster is relayed as it is; an upgrade the relay cannot read (SPDY, a subprotocol it does not
 * speak) is refused rather than passed blind.
 */
@Injectable()
export class StreamingSessions {
  private readonly logger = new Logger('Sessions');
  private readonly deps: SessionDeps;

  constructor(
    @Inject(UPSTREAM) private readonly upstream: Upstream,
    @Inject(INGRESS_CONFIG) config: IngressConfig,
    private readonly complete: Complete,
    private readonly recorder: Recorder,
    private readonly masking: MaskingClient,
    evidence: EvidenceWriter,
  ) {
    this.deps = {
      complete,
      evidence,
      recorder,
      limits: { idleMs: config.execIdleTimeoutSeconds * 1000, maxMs: config.execMaxDurationSeconds * 1000, maxMessageBytes: MAX_MESSAGE_BYTES, closeGraceMs: 5000 },
      output: { flushMs: 200, maxPartialBytes: 256 * 1024, keepAliveMs: 10_000 },
      recordingMaxBytes: config.execRecordingMaxBytes,
    };
  }

  start(ctx: Forwarded, headers: OutgoingHttpHeaders): void {
    this.run(ctx, headers).catch((e: unknown) => {
      this.logger.warn(`session ${ctx.requestId} failed: ${e instanceof Error ? e.message : String(e)}`);
      if (ctx.exchange.kind === 'upgrade') ctx.exchange.socket.destroy();
      this.complete.atEnd(ctx);
    });
  }

  private async run(ctx: Forwarded, headers: OutgoingHttpHeaders): Promise<void> {
    const { exchange } = ctx;
    if (exchange.kind !== 'upgrade') return;
    const request = sessionRequestOf(ctx.info, ctx.query);
    if (!request) return this.refuse(ctx, { kind: 'bad-request', message: 'only pods/exec, pods/attach and pods/portforward can be upgraded through chaperone' });
    const websocket = isWebSocket(exchange.req.headers);
    let relayable: string[] = [];
    if (websocket) {
      relayable = relayableProtocols(request.kind, offeredProtocols(exchange.req.headers['sec-websocket-protocol']));
      if (relayable.length === 0) {
        const supported = supportedProtocols(request.kind).join(', ');
        return this.refuse(ctx, { kind: 'bad-request', message: `chaperone relays ${request.kind} over the WebSocket subprotocols ${supported}; none was offered` });
      }
      headers['sec-websocket-protocol'] = relayable.join(', ');
      // No extension (compression) is negotiated through the relay: it reads every frame.
      delete headers['sec-websocket-extensions'];
    }
    if (request.kind !== 'portforward' && ctx.decision.recording?.onStoreFailure === 'refuse' && !this.recorder.storeAvailable) {
      return this.refuse(ctx, { kind: 'recording-unavailable' });
    }
    let stderr: MaskingStream | undefined;
    if (ctx.masking) {
      try {
        stderr = await this.masking.open(ctx.requestId, 'lines', ctx.masking.profile);
      } catch (e) {
        return this.refuse(ctx, { kind: 'masking-unavailable', message: e instanceof Error ? e.message : 'masking unavailable', forwarded: false });
      }
    }
    const answer = await this.askCluster(ctx, headers);
    if (answer?.kind !== 'switched') release(ctx.masking?.stream, stderr);
    if (!answer) return;
    ctx.response.upstreamStatus = answer.res.statusCode ?? 0;
    const extra = { [Headers.requestId]: ctx.requestId };
    if (answer.kind === 'refused') {
      ctx.response.bytesOut = await relayRefusal(answer.res, exchange.socket, extra);
      ctx.response.finished = !exchange.socket.destroyed;
      this.complete.atEnd(ctx);
      return;
    }
    const protocol = String(answer.res.headers['sec-websocket-protocol'] ?? '');
    if (!websocket || !relayable.includes(protocol) || exchange.socket.destroyed) {
      // Switched to something the relay cannot read: the session is dropped before it starts.
      answer.socket.destroy();
      release(ctx.masking?.stream, stderr);
      ctx.response.upstreamStatus = 0;
      if (exchange.socket.destroyed) return this.complete.atEnd(ctx);
      const upgrade = String(exchange.req.headers.upgrade ?? '');
      return this.refuse(ctx, websocket ? { kind: 'bad-request', message: `the cluster chose the subprotocol "${protocol.slice(0, 60)}", which chaperone cannot relay` } : { kind: 'upgrade-not-supported', protocol: upgrade.slice(0, 60) });
    }
    exchange.socket.write(switchingProtocols(answer.res, extra));
    ctx.response.finished = true;
    const sides = { agent: exchange.socket, agentHead: exchange.head, cluster: answer.socket, clusterHead: answer.head };
    if (request.kind === 'portforward') await runPortForward(ctx, { request, protocol, sides }, this.deps);
    else await runExecSession(ctx, { request, protocol, sides, stderr }, this.deps);
  }

  /** The cluster's answer, or undefined when the agent left meanwhile or the cluster could not be reached (answered here). */
  private async askCluster(ctx: Forwarded, headers: OutgoingHttpHeaders): Promise<UpgradeAnswer | undefined> {
    if (ctx.exchange.kind !== 'upgrade') return undefined;
    const { socket, req } = ctx.exchange;
    let abort: () => void = () => undefined;
    const left = () => abort();
    socket.once('close', left);
    try {
      return await upgradeUpstream(this.upstream, req.url ?? '/', headers, (a) => (abort = a));
    } catch (e) {
      if (socket.destroyed) this.complete.atEnd(ctx);
      else this.refuse(ctx, { kind: 'upstream-unavailable', message: (e as NodeJS.ErrnoException).code ?? 'the upgrade to the cluster failed' });
      return undefined;
    } finally {
      socket.off('close', left);
    }
  }

  private refuse(ctx: Forwarded, error: GatewayError): void {
    const status = toStatus(error);
    ctx.response.gatewayStatus = status.code;
    respondWithStatus(ctx.exchange, status, { [Headers.requestId]: ctx.requestId });
    this.complete.atEnd(ctx);
  }
}
