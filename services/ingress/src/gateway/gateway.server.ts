import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { SpanStatusCode } from '@opentelemetry/api';
import { Headers, type RequestCompleted } from '@chaperone/contracts';
import { isUpgradeRequest } from '@chaperone/k8s-request';
import { statusAsRawResponse, writeStatus } from '@chaperone/k8s-status';
import { Readiness, StartupError } from '@chaperone/service-runtime';
import { GatewayFailure, type GatewayError } from '../errors/gateway-errors';
import { statusHeaders, toStatus } from '../errors/to-status';
import { ApprovalGate } from '../approval/approval-gate';
import { ClientGone } from '../approval/read-body';
import { newEvent, systemClock } from '../events/event-factory';
import type { Upstream } from '../upstream/upstream';
import { INGRESS_CONFIG, UPSTREAM, type IngressConfig } from '../tokens';
import { MaskingClient, MaskingUnavailable, type MaskStream } from '../masking/masking-client';
import { maskableRequestHeaders, maskingPlan, type MaskingPlan } from '../masking/masking-plan';
import { sendMasked } from '../masking/masked-response';
import { Forwarder, type ForwardResult, type ResponseHandler } from './forward';
import { Intercept, type RequestTrace } from './intercept';

/**
 * The Kubernetes API surface agents talk to: HTTPS (and optionally plain HTTP for local use).
 * Every request is admitted by `Intercept`, then forwarded; every admitted request ends with a
 * RequestCompleted event, whatever happened.
 */
@Injectable()
export class GatewayServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Gateway');
  private readonly servers: Server[] = [];
  private readonly forwarder: Forwarder;
  readonly urls: string[] = [];

  constructor(
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
    @Inject(UPSTREAM) upstream: Upstream,
    private readonly intercept: Intercept,
    private readonly masking: MaskingClient,
    private readonly approvals: ApprovalGate,
    readiness: Readiness,
  ) {
    this.forwarder = new Forwarder(upstream);
    readiness.add('listening', () => ({ ok: this.urls.length > 0, detail: this.urls.join(' ') }));
    this.logger.log(`upstream: ${upstream.describe}`);
  }

  async onApplicationBootstrap(): Promise<void> {
    const { tlsCertFile, tlsKeyFile } = this.config;
    if (tlsCertFile && tlsKeyFile) {
      let tls;
      try {
        tls = { cert: readFileSync(tlsCertFile), key: readFileSync(tlsKeyFile) };
      } catch (e) {
        throw new StartupError(`cannot read the TLS certificate or key: ${(e as NodeJS.ErrnoException).message}`);
      }
      await this.listen(createHttpsServer({ ...tls, minVersion: 'TLSv1.2' }), this.config.httpsPort, 'https');
    } else if (tlsCertFile || tlsKeyFile) {
      throw new StartupError('CHAPERONE_TLS_CERT_FILE and CHAPERONE_TLS_KEY_FILE must be set together');
    }
    if (this.config.httpPort >= 0) await this.listen(createHttpServer(), this.config.httpPort, 'http');
    if (this.urls.length === 0) {
      throw new StartupError('no listener: set CHAPERONE_TLS_CERT_FILE and CHAPERONE_TLS_KEY_FILE for HTTPS, or CHAPERONE_HTTP_PORT for plain HTTP');
    }
  }

  private async listen(server: Server, port: number, scheme: 'http' | 'https'): Promise<void> {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void this.onRequest(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.onUpgrade(req, socket, head));
    server.on('clientError', (_err, socket: Duplex) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.config.listenHost, resolve);
    });
    const { port: bound } = server.address() as AddressInfo;
    const url = `${scheme}://${this.config.listenHost}:${bound}`;
    this.urls.push(url);
    this.servers.push(server);
    this.logger.log(`Kubernetes API surface listening on ${url}`);
  }

  private begin(): RequestTrace {
    return { requestId: randomUUID(), started: performance.now(), span: Intercept.span('kubernetes.request') };
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t = this.begin();
    res.setHeader(Headers.requestId, t.requestId);
    let forwarded: ForwardResult | undefined;
    res.on('close', () => this.complete(t, forwarded, res.headersSent ? res.statusCode : 0, res.writableFinished));
    try {
      const admitted = await this.intercept.admit(req, t, false);
      if (req.destroyed) return;
      res.setHeader(Headers.sessionId, admitted.refs.sessionId);
      let body: Buffer | undefined;
      if (admitted.decision.effect === 'approve') {
        // Held (or ticketed) until a human approves; only a claimed grant gets past this line.
        body = (await this.whileConnected(res, (gone) => this.approvals.pass(req, admitted, t, gone, false))).body;
      }
      // A request whose body was read is destroyed once it ended (autoDestroy): then only its socket tells.
      const clientGone = () => (body ? req.socket.destroyed : req.destroyed);
      if (clientGone()) return;
      const plan = maskingPlan(admitted.info, admitted.decision);
      let onResponse: ResponseHandler | undefined;
      if (plan) {
        // Opened before anything is forwarded: if masking cannot be done, the cluster never sees the request.
        const stream = await this.openMasking(t.requestId, plan);
        maskableRequestHeaders(req.headers);
        onResponse = (proxyRes, account) => this.respondMasked(proxyRes, res, stream, plan, admitted.refs, account);
      }
      if (clientGone()) return;
      forwarded = this.forwarder.web(req, res, admitted.refs, admitted.decision.record, (e) => this.upstreamFailed(res, e), onResponse, body);
    } catch (e) {
      this.fail(e, (error) => writeStatus(res, toStatus(error), statusHeaders(error)), t);
    }
  }

  /** Runs `work` with a signal that fires if the client's connection closes first. */
  private async whileConnected<T>(conn: { on(e: 'close', f: () => void): unknown; off(e: 'close', f: () => void): unknown }, work: (gone: AbortSignal) => Promise<T>): Promise<T> {
    const gone = new AbortController();
    const onClose = () => gone.abort();
    conn.on('close', onClose);
    try {
      return await work(gone.signal);
    } finally {
      conn.off('close', onClose);
    }
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const t = this.begin();
    let forwarded: ForwardResult | undefined;
    let status = 0;
    socket.on('close', () => this.complete(t, forwarded, forwarded?.status || status, forwarded?.status === 101));
    socket.on('error', () => socket.destroy());
    const refuse = (error: GatewayError) => {
      const s = toStatus(error);
      status = s.code;
      socket.end(statusAsRawResponse(s, { [Headers.requestId]: t.requestId }));
    };
    try {
      // Admission first, so a refused exec says why (kubectl retries a failed WebSocket upgrade
      // over SPDY and would otherwise show only the protocol error).
      const admitted = await this.intercept.admit(req, t, true);
      // exec, attach and port-forward carry raw terminal and socket bytes that cannot be masked;
      // they run only where an allow rule explicitly lets responses through unmasked.
      if (!admitted.decision.unmasked) {
        throw new GatewayFailure({
          kind: 'masking-unavailable',
          message: `${admitted.info.isResourceRequest ? admitted.info.subresource || 'upgraded' : 'upgraded'} sessions cannot be masked; the policy must allow them with unmasked: true`,
        });
      }
      const protocol = String(req.headers.upgrade ?? '');
      const websocket = isUpgradeRequest(req.headers) && protocol.toLowerCase() === 'websocket';
      if (admitted.decision.effect === 'approve') {
        if (!websocket) {
          // kubectl's SPDY retry after a refused WebSocket: tell it what happened to the approval.
          const remembered = this.approvals.recentRefusals.recall(this.approvals.upgradeFingerprint(admitted));
          throw new GatewayFailure(
            remembered ?? { kind: 'approval-refused', message: 'this request needs human approval, which chaperone can hold only for WebSocket upgrades (kubectl 1.30+)' },
          );
        }
        await this.whileConnected(socket, (gone) => this.approvals.pass(req, admitted, t, gone, true));
      }
      if (!websocket) {
        throw new GatewayFailure({ kind: 'upgrade-not-supported', protocol: protocol.slice(0, 32) });
      }
      if (socket.destroyed) return;
      forwarded = this.forwarder.ws(req, socket, head, admitted.refs, () => {
        if (!socket.destroyed) refuse({ kind: 'upstream-unavailable', message: 'the upgrade to the cluster failed' });
      });
    } catch (e) {
      this.fail(e, refuse, t);
    }
  }

  private async openMasking(requestId: string, plan: MaskingPlan): Promise<MaskStream> {
    try {
      return await this.masking.open(requestId, plan.mode, plan.profile);
    } catch (e) {
      throw new GatewayFailure({ kind: 'masking-unavailable', message: e instanceof Error ? e.message : 'masking unavailable' });
    }
  }

  /** The cluster answered: mask its response on the way to the agent, or withhold it. */
  private respondMasked(
    proxyRes: IncomingMessage,
    res: ServerResponse,
    stream: MaskStream,
    plan: MaskingPlan,
    refs: Parameters<typeof newEvent.maskingApplied>[1],
    account: (sent: Buffer) => void,
  ): void {
    sendMasked(proxyRes, res, stream, plan.mode, account)
      .then(() => {
        const report = stream.report ?? { count: 0, paths: [], detectors: {} };
        this.intercept.record(
          newEvent.maskingApplied(systemClock, refs, { mode: plan.mode, profile: plan.profile, count: report.count, paths: report.paths.slice(0, 200), detectors: report.detectors }),
        );
      })
      .catch((e: unknown) => {
        proxyRes.destroy();
        const message = e instanceof MaskingUnavailable ? e.message : 'masking failed';
        this.logger.warn(`response to ${refs.requestId} withheld: ${message}`);
        // Before the head: a clean 503. After (a stream already flowing): cut it, never pass it on.
        if (!res.headersSent) writeStatus(res, toStatus({ kind: 'masking-unavailable', message }));
        else res.destroy();
      });
  }

  private fail(e: unknown, render: (error: GatewayError) => void, t: RequestTrace): void {
    // Nobody is left to answer (the client went away while its body was read or it was held).
    if (e instanceof ClientGone) return;
    if (e instanceof GatewayFailure) {
      render(e.error);
      return;
    }
    this.logger.error(`request ${t.requestId} failed unexpectedly: ${e instanceof Error ? e.message : String(e)}`);
    t.span.setStatus({ code: SpanStatusCode.ERROR });
    render({ kind: 'upstream-unavailable', message: 'internal gateway error' });
  }

  private upstreamFailed(res: ServerResponse, e: Error): void {
    this.logger.warn(`upstream request failed: ${e.message}`);
    writeStatus(res, toStatus({ kind: 'upstream-unavailable', message: (e as NodeJS.ErrnoException).code ?? 'connection failed' }));
  }

  /** RequestCompleted for every request that was intercepted: forwarded, refused, unavailable or aborted. */
  private complete(t: RequestTrace, forwarded: ForwardResult | undefined, status: number, finished: boolean): void {
    t.span.setAttribute('http.response.status_code', status);
    t.span.end();
    if (!t.refs) return;
    let outcome: RequestCompleted['payload']['outcome'];
    if (forwarded && forwarded.status > 0) outcome = finished ? 'forwarded' : 'aborted';
    else if (status === 0 && !finished && !forwarded) outcome = 'aborted';
    else if (status === 403) outcome = 'refused';
    else if (status >= 500 || status === 0) outcome = 'unavailable';
    else outcome = 'refused';
    const event = newEvent.requestCompleted(systemClock, t.refs, {
      outcome,
      status: forwarded?.status || status,
      bytesOut: forwarded?.bytesOut ?? 0,
      durationMs: Math.round((performance.now() - t.started) * 1000) / 1000,
      ...(forwarded?.requestTap ? { requestBody: forwarded.requestTap.result() } : {}),
      ...(forwarded?.responseTap && finished ? { responseBody: forwarded.responseTap.result() } : {}),
      ...(t.approvalId ? { approvalId: t.approvalId } : {}),
    });
    this.intercept.record(event);
  }

  async onApplicationShutdown(): Promise<void> {
    this.forwarder.close();
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
  }
}
