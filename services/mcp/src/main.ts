import { loadConfig } from '@chaperone/config';
import { bootstrapService, runMain } from '@chaperone/service-runtime';
import { mcpSettings } from './config';
import { McpModule } from './mcp.module';

runMain(async () => {
  const config = loadConfig(mcpSettings);
  await bootstrapService({
    service: 'mcp',
    module: McpModule.forRoot(config),
    healthHost: config.healthHost,
    healthPort: config.healthPort,
    jsonLogs: config.logFormat === 'json',
    httpApi: 'MCP (Streamable HTTP at /mcp)',
    // An apply may carry a manifest up to the API server's 3 MiB limit, in JSON-RPC.
    bodyLimit: '4mb',
  });
});
