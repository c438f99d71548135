// What an MCP tool call costs over the Kubernetes request it makes: one MCP client (the SDK's own,
// over Streamable HTTP) calling `get_resource` for a pod, one call at a time, against one keep-alive
// HTTPS client sending the same GET to the ingress. Both carry the same agent's token and go
// through the same gateway; the difference is the MCP service's part (JSON-RPC, the tool, its
// evidence event). Starts its own gateway with the MCP service (startBenchGateway, scripts/stack.js) and stops it.
'use strict';
const https = require('node:https');
const { performance } = require('node:perf_hooks');
const { startBenchGateway } = require('../../stack');
const { summarize } = require('./timing');

// Discovery first: the MCP service resolves resource names as kubectl does.
const RULES = `  - name: discovery
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["get"]
    nonResourceURLs: ["/api", "/api/*", "/apis", "/apis/*", "/version", "/openapi/*"]
  - name: bench-mcp-read
    effect: allow
    subjects: { groups: ["agents"] }
    verbs: ["get"]
    apiGroups: [""]
    resources: ["pods"]
`;
const POD = { metadata: { name: 'worker-0', namespace: 'default', labels: { app: 'worker' } }, spec: { containers: [{ name: 'worker', image: 'busybox' }] }, status: { phase: 'Running' } };

async function timed(n, once) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await once();
    times.push(performance.now() - t);
  }
  return times;
}

/** @param {{ n?: number, log?: (line: string) => void }} opts */
async function benchMcp({ n = 300, log = () => {} } = {}) {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StreamableHTTPClientTransport } = await import('@modelcontextprotocol/sdk/client/streamableHttp.js');
  log(`MCP tool call against its request: ${n} get_resource calls and ${n} direct GETs, one at a time`);
  const gw = await startBenchGateway({ rules: RULES, mcp: true, prepare: (api) => api.addObjects('pods', '', [POD]) });
  try {
    const token = await gw.issuer.sign({ sub: 'bench-mcp', agent: 'bench-agent', groups: ['agents'] }, { expiresIn: 3600 });
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false });
    const url = new URL('/api/v1/namespaces/default/pods/worker-0', gw.gatewayUrl);
    const direct = () =>
      new Promise((resolve, reject) => {
        https
          .get(url, { agent, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } }, (res) => {
            res.resume();
            res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`direct GET answered ${res.statusCode}`))));
          })
          .on('error', reject);
      });
    const client = new Client({ name: 'chaperone-bench', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(gw.mcpUrl), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
    const tool = async () => {
      const r = await client.callTool({ name: 'get_resource', arguments: { resource: 'pods', name: 'worker-0', namespace: 'default' } });
      if (r.isError) throw new Error(`get_resource failed: ${JSON.stringify(r.content).slice(0, 200)}`);
    };
    // Warm both paths (JIT, connections, the MCP session) outside the measurement.
    await timed(30, direct);
    await timed(30, tool);
    // Interleaved halves, so a change in the machine's load falls on both alike.
    const d = [];
    const m = [];
    for (let half = 0; half < 2; half++) {
      d.push(...(await timed(n / 2, direct)));
      m.push(...(await timed(n / 2, tool)));
    }
    await client.close();
    agent.destroy();
    const result = { n, direct: summarize(d, 2), mcp: summarize(m, 2) };
    result.addedP50 = +(result.mcp.p50 - result.direct.p50).toFixed(2);
    result.addedP99 = +(result.mcp.p99 - result.direct.p99).toFixed(2);
    log(`  direct p50 ${result.direct.p50} ms, via MCP p50 ${result.mcp.p50} ms (added ${result.addedP50} ms)`);
    const markdown = [
      'An MCP tool call against the request it makes (get one pod, one call at a time; p50 / p99 ms):',
      '',
      '| path | p50 | p99 |',
      '|---|---|---|',
      `| GET through the ingress | ${result.direct.p50} | ${result.direct.p99} |`,
      `| \`get_resource\` through the MCP service | ${result.mcp.p50} | ${result.mcp.p99} |`,
      `| added by the tool call | ${result.addedP50} | ${result.addedP99} |`,
    ].join('\n');
    return { result, markdown };
  } finally {
    await gw.stop();
  }
}

module.exports = { benchMcp };
