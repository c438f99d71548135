import { Controller, Delete, Get, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { AuthenticationError, type Authenticator } from '@chaperone/auth';
import { kubeStatus, writeStatus } from '@chaperone/k8s-status';
import { bearerChallenge, MCP_PATH, protectedResourceMetadata, WELL_KNOWN } from '../auth/protected-resource';
import type { McpConfig } from '../config';
import { createMcpServer, type Caller, type ServerDeps } from '../server/mcp-server-factory';
import { TOOLS } from '../tools';
import { AUTHENTICATOR, MCP_CONFIG, SERVER_DEPS } from '../tokens';

/**
 * The MCP door over Streamable HTTP, stateless: every POST carries the caller's bearer token, is
 * verified here (an OAuth resource server of the agents' OIDC issuer), and is served by an MCP
 * server built for that request. There is no session and no server-initiated stream, so GET and
 * DELETE answer 405 once the caller is known.
 */
@Controller()
export class McpController {
  private readonly log = new Logger('McpController');

  constructor(
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Inject(MCP_CONFIG) private readonly config: McpConfig,
    @Inject(SERVER_DEPS) private readonly deps: ServerDeps,
  ) {}

  @Get(WELL_KNOWN.slice(1))
  metadataAtRoot(@Req() req: Request) {
    return protectedResourceMetadata(this.baseUrl(req), this.config.oidcIssuer);
  }

  @Get(`${WELL_KNOWN.slice(1)}${MCP_PATH}`)
  metadata(@Req() req: Request) {
    return protectedResourceMetadata(this.baseUrl(req), this.config.oidcIssuer);
  }

  @Post(MCP_PATH.slice(1))
  async post(@Req() req: Request, @Res() res: Response): Promise<void> {
    const caller = await this.admit(req, res);
    if (!caller) return;
    // Stateless, so there is no session to remember the caller's tools in: a tools/list works them out
    // (cached per caller for a short while). Other messages get every tool: a call to one the agent
    // may not use is refused by the policy with its reason, like any request.
    const hidden = listsTools(req.body) ? await this.deps.visibility.hidden(caller, TOOLS) : undefined;
    const server = createMcpServer(caller, this.deps, hidden);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    try {
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    } catch (e) {
      this.log.error(`MCP request failed: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) writeStatus(res, kubeStatus('InternalError', 'the MCP service could not handle this request'));
    }
  }

  @Get(MCP_PATH.slice(1))
  async get(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.notHere(req, res);
  }

  @Delete(MCP_PATH.slice(1))
  async delete(@Req() req: Request, @Res() res: Response): Promise<void> {
    await this.notHere(req, res);
  }

  private async notHere(req: Request, res: Response): Promise<void> {
    if (!(await this.admit(req, res))) return;
    writeStatus(res, kubeStatus('MethodNotAllowed', 'this MCP server is stateless: POST JSON-RPC messages to /mcp (no session, no server-initiated stream)'), {
      allow: 'POST',
    });
  }

  /** The caller, or a refusal already written: a foreign browser origin (403), no or a bad token (401). */
  private async admit(req: Request, res: Response): Promise<Caller | undefined> {
    const origin = req.headers.origin;
    // DNS rebinding: a web page must not reach a local MCP server through the user's browser.
    if (origin !== undefined && !this.config.allowedOrigins.includes(origin)) {
      writeStatus(res, kubeStatus('Forbidden', `requests from the browser origin ${JSON.stringify(origin.slice(0, 100))} are not allowed (CHAPERONE_MCP_ALLOWED_ORIGINS)`));
      return undefined;
    }
    const header = req.headers.authorization;
    if (!header) {
      writeStatus(res, kubeStatus('Unauthorized', 'MCP calls need an OIDC bearer token of the agents\' issuer (see the resource metadata)'), {
        'www-authenticate': bearerChallenge(this.baseUrl(req)),
      });
      return undefined;
    }
    try {
      const { identity, sessionId } = await this.authenticator.authenticate(header);
      // The header was verified as "Bearer <jwt>"; the token travels on to the ingress, never to a log.
      return { token: header.slice('bearer '.length), username: identity.username, identity, sessionId };
    } catch (e) {
      const why = e instanceof AuthenticationError ? e.message : 'the token could not be verified';
      writeStatus(res, kubeStatus('Unauthorized', `the bearer token was refused: ${why}`), { 'www-authenticate': bearerChallenge(this.baseUrl(req), why) });
      return undefined;
    }
  }

  /** The public URL, else what the client called (local use: http://127.0.0.1:9406). */
  private baseUrl(req: Request): string {
    if (this.config.publicUrl) return this.config.publicUrl;
    const host = req.headers.host;
    // Only a plain host[:port] is echoed into links; anything else falls back to the listen address.
    const safe = host && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host) ? host : `${this.config.healthHost}:${this.config.healthPort}`;
    return `${req.protocol}://${safe}`;
  }
}

/** Whether a JSON-RPC message (or batch) asks for the tool list. */
function listsTools(body: unknown): boolean {
  const messages: unknown[] = Array.isArray(body) ? body : [body];
  return messages.some((m) => typeof m === 'object' && m !== null && (m as { method?: unknown }).method === 'tools/list');
}
