import { Module, type DynamicModule, type OnApplicationShutdown, Inject, Logger } from '@nestjs/common';
import type { DurableEventPublisher } from '@chaperone/bus';
import { readFileSync } from 'node:fs';
import { createAuthenticator, type Authenticator } from '@chaperone/auth';
import { EVENTS, oidcAuthConfig, runtimeOptions, ServiceRuntimeModule, StartupError } from '@chaperone/service-runtime';
import { ApprovalsClient } from './approvals/approvals-client';
import type { McpConfig } from './config';
import { DiscoveryCache } from './discovery/discovery-cache';
import { IngressClient } from './ingress/ingress-client';
import { ToolVisibility } from './tools/visibility/tool-visibility';
import type { ServerDeps } from './server/mcp-server-factory';
import { AUTHENTICATOR, MCP_CONFIG, SERVER_DEPS } from './tokens';
import { McpController } from './transport/mcp.controller';

/** This service's version, announced to MCP clients. */
export const MCP_SERVICE_VERSION = '0.1.0';

function readCa(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new StartupError(`CHAPERONE_MCP_INGRESS_CA_FILE: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function serverDeps(config: McpConfig, now: () => Date, events: DurableEventPublisher): ServerDeps {
  const log = new Logger('ToolCalls');
  const ingress = new IngressClient(config.ingressUrl, { caPem: readCa(config.ingressCaFile) });
  return {
    evidence: { publish: (event) => events.publish(event) },
    onRecordFailed: (tool, e) => log.error(`a ${tool} tool call could not be recorded: ${e instanceof Error ? e.message : String(e)}`),
    ingress,
    visibility: new ToolVisibility(ingress),
    approvals: new ApprovalsClient(config.approvalUrl, config.requestTimeoutMs),
    discovery: new DiscoveryCache(config.discoveryTtlSeconds * 1000),
    limits: {
      maxOutputChars: config.maxOutputChars,
      waitMaxSeconds: config.waitMaxSeconds,
      pollMs: config.pollMs,
      requestTimeoutMs: config.requestTimeoutMs,
      holdMaxSeconds: config.holdMaxSeconds,
    },
    now,
    version: MCP_SERVICE_VERSION,
  };
}

/**
 * The MCP service: MCP over Streamable HTTP for agents, each Kubernetes call sent to the ingress
 * with the caller's token. The ingress records every request the tools make; this service records
 * each tool call (McpToolCalled, naming those requests) on the same events stream.
 */
@Module({})
export class McpModule implements OnApplicationShutdown {
  static forRoot(config: McpConfig, opts: { now?: () => Date } = {}): DynamicModule {
    return {
      module: McpModule,
      imports: [ServiceRuntimeModule.forRoot(runtimeOptions('mcp', config, { events: true }))],
      controllers: [McpController],
      providers: [
        { provide: MCP_CONFIG, useValue: config },
        { provide: AUTHENTICATOR, useFactory: () => createAuthenticator(oidcAuthConfig(config)) },
        { provide: SERVER_DEPS, inject: [EVENTS], useFactory: (events: DurableEventPublisher) => serverDeps(config, opts.now ?? (() => new Date()), events) },
      ],
    };
  }

  constructor(
    @Inject(SERVER_DEPS) private readonly deps: ServerDeps,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
  ) {}

  onApplicationShutdown(): void {
    this.deps.ingress.close();
    this.authenticator.close();
  }
}
