import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { statusAsRawResponse, writeStatus } from '@chaperone/k8s-status';
import { Readiness, StartupError } from '@chaperone/service-runtime';
import { HandlerChain } from '../pipeline/handler-chain';
import { INGRESS_CONFIG, type IngressConfig } from '../tokens';
import { parserErrorStatus } from './parser-errors';
import { closeAfterResponse, PARSER_MAX_HEADER_BYTES, requestLimitStatus } from './request-limits';

/**
 * The Kubernetes API surface agents talk to: HTTPS (and optionally plain HTTP for local use).
 * Requests and upgrades go to the handler chain; what the HTTP parser itself refuses is answered
 * with a Status too, never with a dropped connection.
 */
@Injectable()
export class GatewayServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Gateway');
  private readonly servers: Server[] = [];
  readonly urls: string[] = [];

  constructor(
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
    private readonly chain: HandlerChain,
    readiness: Readiness,
  ) {
    readiness.add('listening', () => ({ ok: this.urls.length > 0, detail: this.urls.join(' ') }));
  }

  async onApplicationBootstrap(): Promise<void> {
    const { tlsCertFile, tlsKeyFile } = this.config;
    // The parser's own bound is generous; the configured limits are checked per request, with a Status.
    const limits = { maxHeaderSize: PARSER_MAX_HEADER_BYTES };
    if (tlsCertFile && tlsKeyFile) {
      let tls;
      try {
        tls = { cert: readFileSync(tlsCertFile), key: readFileSync(tlsKeyFile) };
      } catch (e) {
        throw new StartupError(`cannot read the TLS certificate or key: ${(e as NodeJS.ErrnoException).message}`);
      }
      await this.listen(createHttpsServer({ ...tls, ...limits, minVersion: 'TLSv1.2' }), this.config.httpsPort, 'https');
    } else if (tlsCertFile || tlsKeyFile) {
      throw new StartupError('CHAPERONE_TLS_CERT_FILE and CHAPERONE_TLS_KEY_FILE must be set together');
    }
    if (this.config.httpPort >= 0) await this.listen(createHttpServer(limits), this.config.httpPort, 'http');
    if (this.urls.length === 0) {
      throw new StartupError('no listener: set CHAPERONE_TLS_CERT_FILE and CHAPERONE_TLS_KEY_FILE for HTTPS, or CHAPERONE_HTTP_PORT for plain HTTP');
    }
  }

  private async listen(server: Server, port: number, scheme: 'http' | 'https'): Promise<void> {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      socket.on('error', () => socket.destroy());
      const refused = requestLimitStatus(req, this.config);
      if (refused) socket.end(statusAsRawResponse(refused));
      else void this.chain.handle({ kind: 'upgrade', req, socket, head });
    });
    server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex) => {
      const status = socket.writable ? parserErrorStatus(err, PARSER_MAX_HEADER_BYTES) : undefined;
      if (status) socket.end(statusAsRawResponse(status));
      else socket.destroy();
    });
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

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    // A refused request's unread body is not read past a small bound: the answer closes the connection.
    res.once('finish', () => closeAfterResponse(req));
    const refused = requestLimitStatus(req, this.config);
    if (refused) {
      writeStatus(res, refused);
      return;
    }
    void this.chain.handle({ kind: 'http', req, res });
  }

  async onApplicationShutdown(): Promise<void> {
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
