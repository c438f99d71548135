#!/usr/bin/env node
// Writes docs/configuration.md from the services' configuration specs (each service's
// src/config.ts, built to dist/config.js), so the reference cannot drift from what the services
// validate at start. `--check` writes nothing and fails when the page differs from what the specs
// give (`npm test` runs it), or when code reads a CHAPERONE_* variable the page does not document.
//
// Usage: node scripts/docs/configuration.js [--check]   (after a build: it reads dist/)
'use strict';
const { existsSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, 'docs', 'configuration.md');

/** Every service, in the order of the request path; `spec` is the settings object its config.ts exports. */
const SERVICES = [
  {
    name: 'ingress',
    spec: 'ingressSettings',
    notes: [
      'The upstream cluster is chosen in this order: the pod\'s service account if `CHAPERONE_UPSTREAM_IN_CLUSTER`;',
      '`CHAPERONE_UPSTREAM_URL` with a token file (re-read at most once a minute, as bound service-account tokens',
      'rotate); a kubeconfig (`CHAPERONE_UPSTREAM_KUBECONFIG`, else `KUBECONFIG`, else `~/.kube/config`). Kubeconfig',
      'users with tokens, token files or client certificates work; exec and auth-provider plugins are refused at',
      'start. The gateway\'s identity needs only the right to impersonate (`deploy/kubernetes/`).',
    ],
  },
  { name: 'policy', spec: 'policySettings', notes: ['Rules and the agent registry: [policy](policy.md).'] },
  { name: 'masking', spec: 'maskingSettings', notes: ['Worker threads: [masking](masking.md#worker-threads).'] },
  {
    name: 'approval',
    spec: 'approvalSettings',
    notes: ['The approvers API is served on the approval service\'s health port: [approvals](approvals.md).'],
  },
  {
    name: 'audit',
    spec: 'auditSettings',
    notes: ['Make a checkpoint key with `openssl genpkey -algorithm ed25519`; `npm start` makes a development key in `.chaperone/` and signs every 10 s.'],
  },
  {
    name: 'reports',
    spec: 'reportsSettings',
    notes: ['Its API is served on its health port: [reports](reports.md). `npm start` sets the checkpoint public key.'],
  },
  { name: 'mcp', title: 'MCP', spec: 'mcpSettings', notes: ['MCP is served on its health port at `/mcp`: [MCP](mcp.md).'] },
  { name: 'exporter', spec: 'exporterSettings', notes: ['Sinks and formats: [evidence export](evidence-export.md).'] },
  { name: 'console', spec: 'consoleSettings', notes: ['Pages, API and health on one port; sign-in and roles: [console](console.md). `npm start` points it at its demo login.'] },
];

/** Settings that are not a service's: npm start's and the command line's. Checked for completeness like the rest. */
const TOOLS = [
  ['CHAPERONE_STATE_DIR', '`npm start`, `npm run reset`: where tokens, keys, certificates, the lock and a local NATS store are kept', '`.chaperone`'],
  ['CHAPERONE_TOKEN', '`chaperone`: the caller\'s OIDC token (an approver\'s, a compliance reader\'s or an agent\'s)', '(unset)'],
  ['CHAPERONE_TOKEN_FILE', '`chaperone mcp --stdio`: a file holding the agent\'s token, re-read when it changes', '(unset)'],
  ['CHAPERONE_APPROVAL_URL', '`chaperone approvals`: the approvers API', '`http://127.0.0.1:9403`'],
  ['CHAPERONE_REPORTS_SERVER', '`chaperone sessions`, `replay`, `report`, `projections`: the reports service', '`http://127.0.0.1:9405`'],
  ['CHAPERONE_FOLLOWER_NICE', '`npm start` (and the benches and tests, which start the services the same way): the niceness (0 to 19) the evidence\'s followers (audit, reports, exporter) run at, so on one machine they yield the cores to the processes a request waits on; each follower\'s session gets it too, since Linux\'s autogroup scheduling shares the cores between sessions before a process\'s own niceness counts; 0 runs them like the rest', '`10`'],
  ['CHAPERONE_NATS_GOMAXPROCS', '`npm start` (and the benches and tests), when it starts a NATS server: that server\'s scheduler threads (Go\'s GOMAXPROCS), 0 for Go\'s default of one per core; JetStream passes each stored message and its acknowledgement between goroutines, and on a host shared with the services fewer threads wake each other less often. A GOMAXPROCS already in the environment stands when this is unset', 'half of the cores, at least 1'],
  ['CHAPERONE_DEMO_LOGIN_PORT', '`npm start`: the port of the demo issuer\'s sign-in page (authorize and token endpoints) the console uses', 'a free port'],
  ['CHAPERONE_MCP_URL', '`chaperone mcp --stdio`: the MCP endpoint', '`http://127.0.0.1:9406/mcp`'],
];

function load(file) {
  if (!existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: build first (npx nx run-many -t build)`);
  return require(file);
}

function render() {
  const { describeConfig, describeDefault } = load(path.join(ROOT, 'libs', 'config', 'dist', 'index.js'));
  const runtime = load(path.join(ROOT, 'libs', 'service-runtime', 'dist', 'index.js'));
  const specs = SERVICES.map((s) => {
    const spec = load(path.join(ROOT, 'services', s.name, 'dist', 'config.js'))[s.spec];
    if (!spec) throw new Error(`services/${s.name}/src/config.ts exports no ${s.spec}`);
    return { ...s, settings: Object.values(spec) };
  });
  const envs = (spec) => Object.values(spec).map((x) => x.env);
  const groups = [
    { title: 'OIDC', anchor: 'oidc', intro: 'Services that verify tokens (agents\', approvers\', compliance readers\') trust the same issuer with the same settings.', envs: envs(runtime.oidcSettings()), spec: runtime.oidcSettings() },
    { title: 'Event store', anchor: 'event-store', intro: 'Services that write or read the evidence event store ([evidence](evidence.md)).', envs: envs(runtime.eventStoreSettings()), spec: runtime.eventStoreSettings() },
    {
      title: 'Blob store',
      anchor: 'blob-store',
      intro: 'Services that store or read evidence bodies ([blob store](blob-store.md)). S3 credentials come from the AWS SDK\'s standard chain (`AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, a profile, web identity or the instance role).',
      envs: envs(runtime.blobStoreSettings()),
      spec: runtime.blobStoreSettings(),
    },
  ];
  const common = runtime.commonSettings(0);
  const commonEnvs = envs(common);

  const lines = [
    '# Configuration',
    '',
    '<!-- Generated by scripts/docs/configuration.js from the services\' configuration specs; `npm test` fails when it differs. Do not edit by hand. -->',
    '',
    'Every service validates its environment at start; a bad value stops it with the key, the problem and',
    'the expected form, and secret values are never echoed. "(unset)" means the setting is optional;',
    '"(required)" means the service does not start without it.',
    '',
    '## Every service',
    '',
  ];
  // The common settings, with the defaults that differ per service (the health port) listed per service.
  const rows = Object.values(common).map((setting) => {
    const defaults = specs.map((s) => [s.name, describeDefault(s.settings.find((x) => x.env === setting.env))]);
    const same = defaults.every(([, d]) => d === defaults[0][1]);
    return { ...setting, shownDefault: same ? defaults[0][1] : defaults.map(([n, d]) => `${n} ${d}`).join(', ') };
  });
  lines.push(describeConfig(Object.fromEntries(rows.map((r) => [r.env, r]))), '');
  lines.push('`OTEL_EXPORTER_OTLP_ENDPOINT` (an OTLP/HTTP endpoint) exports traces when set; spans are always created.', '');

  for (const g of groups) {
    const users = specs.filter((s) => g.envs.every((e) => s.settings.some((x) => x.env === e))).map((s) => s.name);
    lines.push(`## ${g.title}`, '', `${g.intro} Read by: ${users.join(', ')}.`, '', describeConfig(g.spec), '');
  }

  for (const s of specs) {
    const used = groups.filter((g) => g.envs.every((e) => s.settings.some((x) => x.env === e)));
    const shared = new Set([...commonEnvs, ...used.flatMap((g) => g.envs)]);
    const own = s.settings.filter((x) => !shared.has(x.env));
    lines.push(`## ${s.title ?? `${s.name[0].toUpperCase()}${s.name.slice(1)}`}`, '');
    const also = ['[every service](#every-service)', ...used.map((g) => `[${g.title}](#${g.anchor})`)];
    lines.push(`Besides the settings of ${also.join(', ')}:`, '');
    lines.push(describeConfig(Object.fromEntries(own.map((x) => [x.env, x]))), '');
    if (s.notes.length > 0) lines.push(...s.notes, '');
  }

  lines.push('## npm start and the command line', '');
  lines.push('The `chaperone` command reads the bus and store settings above (`CHAPERONE_NATS_URL`, `CHAPERONE_BUS_PREFIX`,');
  lines.push('`CHAPERONE_EVENT_STORE`, the blob store\'s, the checkpoint keys\') with the same meaning, and:', '');
  lines.push('| variable | what | default |', '|---|---|---|', ...TOOLS.map((t) => `| \`${t[0]}\` | ${t[1]} | ${t[2]} |`), '');
  return lines.join('\n');
}

function walk(dir, keep, out = []) {
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    if (f.name === 'node_modules' || f.name === 'dist' || f.name === 'testing') continue;
    const p = path.join(dir, f.name);
    if (f.isDirectory()) walk(p, keep, out);
    else if (keep(f.name)) out.push(p);
  }
  return out;
}

/** CHAPERONE_* variables the code reads that the page does not name. */
function undocumented(page) {
  const production = (n) => n.endsWith('.ts') && !n.endsWith('.spec.ts');
  const sources = [
    // Services and libraries read their settings through specs; a direct read would bypass validation and this page.
    ...['services', 'libs'].flatMap((base) => readdirSync(path.join(ROOT, base)).flatMap((d) => walk(path.join(ROOT, base, d, 'src'), production))).map((f) => [f, /process\.env(?:\.|\[')(CHAPERONE_[A-Z0-9_]*[A-Z0-9])/g]),
    ...walk(path.join(ROOT, 'tools', 'cli', 'src'), production).map((f) => [f, /'(CHAPERONE_[A-Z0-9_]*[A-Z0-9])'/g]),
    ...[path.join(ROOT, 'scripts', 'start.js'), path.join(ROOT, 'scripts', 'reset.js'), ...walk(path.join(ROOT, 'scripts', 'process'), (n) => n.endsWith('.js'))].map((f) => [f, /\b(CHAPERONE_[A-Z0-9_]*[A-Z0-9])\b/g]),
  ];
  const missing = new Map();
  for (const [file, pattern] of sources) {
    for (const m of readFileSync(file, 'utf8').matchAll(pattern)) {
      if (!page.includes(`\`${m[1]}\``)) missing.set(m[1], path.relative(ROOT, file));
    }
  }
  return [...missing].map(([env, file]) => `${env} (read in ${file})`);
}

function main() {
  const check = process.argv.includes('--check');
  const page = render();
  const missing = undocumented(page);
  if (missing.length > 0) {
    console.error(`docs/configuration.md: not documented: ${missing.join(', ')}. Add it to a service's config spec, or to TOOLS in scripts/docs/configuration.js.`);
    process.exit(1);
  }
  if (!check) {
    writeFileSync(OUT, page);
    console.log('written docs/configuration.md');
    return;
  }
  const current = existsSync(OUT) ? readFileSync(OUT, 'utf8') : '';
  if (current === page) return;
  const a = current.split('\n');
  const b = page.split('\n');
  const at = b.findIndex((line, i) => line !== a[i]);
  console.error(`docs/configuration.md differs from the services' configuration specs (line ${at + 1}):`);
  console.error(`  in the file:   ${a[at] ?? '(end of file)'}`);
  console.error(`  from the code: ${b[at] ?? '(end of file)'}`);
  console.error('Run `node scripts/docs/configuration.js` to write it again; edit the specs, not the page.');
  process.exit(1);
}

main();
