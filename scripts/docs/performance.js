#!/usr/bin/env node
// Renders docs/performance.md from the last full `npm run bench` (bench-results/latest.md and
// latest.json): the prose here says how to run and read it, the figures come from the run, so the
// doc never quotes numbers a later run contradicts. `npm run bench` calls render() after a full
// run; run this file to render again from the results on disk.
//
// It also writes the README's performance block (between its markers) from the same run.
//
// Usage: node scripts/docs/performance.js [--results <dir>] [--out <file>] [--readme <file>]
'use strict';
const { existsSync, readFileSync, writeFileSync } = require('node:fs');
const path = require('node:path');
const { chaperoneCpuMs } = require('../bench/lib/processes');
const { floorCpuMs } = require('../bench/lib/design-floor');
const { HALF_MAX_BOUNDS, withinHalfMaxBounds } = require('../bench/lib/latency-goals');

const ROOT = path.resolve(__dirname, '..', '..');

const INTRO = `# Performance

What Chaperone costs per Kubernetes request, measured by \`npm run bench\` (\`scripts/bench/overhead.js\`).
This page is generated from the last full run (\`scripts/docs/performance.js\`); do not edit it by
hand.

## What the bench runs

It builds what it needs, starts a NATS server of its own on free ports (unless
\`CHAPERONE_NATS_URL\` names one), so its message counters and CPU are the bench's alone, the test API
server over HTTPS and a **bare proxy** (node + http-proxy-3 over HTTPS with a keep-alive agent: the
floor any Node proxy pays), each in its own process, and Chaperone's services with a bus prefix of
its own. The bench agent is registered in an agents file like a production agent. autocannon then
drives the same GETs through (a) the API server directly, (b) the bare proxy and (c) Chaperone:

- **maximum throughput** of each target, after warming it up until its throughput settles (2 s
  windows until two in a row are within 10 %, at most 16 s), so every process on its path is
  measured in its steady state: compiled hot code, heaps grown to the load. A closed loop keeps
  as many requests in flight as it has connections, and its throughput is that number divided by
  the latency until some process on the path is busy all the time; a target whose requests make
  more hops needs more in flight to reach what it can carry. So each target then runs 3 s over 10
  connections (\`--connections\`), then 20, 40 and 80 while its throughput still grows by more than
  5 %, and its maximum is measured over the count of the highest (the page lists every probe). On the allow path the
  bare proxy, Chaperone and the design floor then run twice more for 4 s each, alternating, and
  the throughput goal takes each one's median of its three runs: a virtual machine's host changes
  speed within tens of seconds, and one run of each can catch one target in a fast spell and the
  other in a slow one;
- a **constant arrival rate of half of Chaperone's maximum** for all three targets (the latency goals
  are stated at that load): one request every 1/rate seconds over 10 keep-alive connections
  (\`--connections\`) for every target, whatever the answers, each timed from the moment it was due (a
  request due while every connection is busy waits, and that wait counts), as wrk2 does (\`pacedGets\` in
  \`scripts/bench/lib/timing.js\`). Each request is a prepared buffer written to a kept TLS
  connection and its answer is parsed in place (\`lib/keep-alive-gets.js\`): Node's own HTTPS client
  cost the load generator about as much CPU per request as the API server, on the cores the
  gateway under test needs. autocannon's own rate option is not used there: each of its
  connections sends its quota for the second back to back and then waits for the next second, so
  the load arrives in bursts at full speed and measures the maximum's latency again. On the allow
  path direct, Chaperone and the floor then run twice more at that rate for 4 s each, alternating,
  and the goal takes the median of the three rounds' added p50 and p99 over direct in the same
  round; then once each at an eighth, a quarter and three eighths of Chaperone's maximum (latency
  by load), which says up to what load the goal's bounds hold where they do not at half;
- **one keep-alive client**, one request at a time, timed with \`performance.now()\` (autocannon
  reports whole milliseconds; a 1 ms goal needs better); then twice more with half as many
  requests, alternating direct, Chaperone (and the floor), and the one-client goals take the median
  of the three rounds' added p50 over direct in the same round;
- **the design's floor** on the allow path (\`--floor 0\` skips it): a gateway process with none of
  Chaperone's work that makes the hops Chaperone's design puts on an admitted request
  (\`scripts/bench/lib/floor-gateway.js\`). It asks a policy stand-in in another process, which
  stores a record in a JetStream stream with the gateway's inbox as reply subject, so the stream's
  acknowledgement is the answer; it forwards with http-proxy-3 as the bare proxy does; it stores a
  completion and awaits its acknowledgement before the response leaves. It runs right after
  Chaperone at the maximum, at the same constant rate and with one client, on the same NATS, API
  server and runtime. Floor against bare is what the hops cost; Chaperone against floor is what
  Chaperone's own work costs (authentication, request attributes, rules, the events, the
  evidence's consumers, metrics);
- **peak RSS** and **CPU milliseconds per request** of every process, from \`/proc\`;
- **the bus per admitted request**: NATS messages and KB published and delivered (the server's
  \`/varz\`) and JetStream writes (the bench's streams), for Chaperone and the design floor, and
  the KB each of Chaperone's services published and was delivered (\`/connz\`, by connection name);
- (f) **watch events per second**: a burst of ConfigMaps counted on one watch directly, through the
  bare proxy and through Chaperone (raw and masked);
- **policy decision time** for 10 and 10,000 rules (the indexed evaluator and a linear scan);
- a **soak** (\`--soak <seconds>\`, 30 by default) of allowed pod gets and masked secret gets,
  alternating, at half of the maximum of the slower of the two, sampling the RSS of every process
  every 5 s;
- **Merkle proofs** over an evidence log of 1,000,000 events: tree build time, inclusion and
  consistency proof sizes and times (\`--proofs <events>\`, 0 skips it);
- **recording's cost**: a small get and a 1 MB list under \`record: none\` against
  \`record: request-and-response\`, and exec throughput through a recorded session against an
  unrecorded one (\`--recording 0\` skips it);
- an **MCP tool call** against the request it makes (\`--mcp 0\` skips it).

CPU and NATS figures are counted from a run's first request until the consumers have drained what it
published (the evidence is finished after the responses); they include the bus's own background
traffic over that time (partition lease renewals, heartbeats), which the bench reports on its own.

\`\`\`sh
npm run bench                    # about 15 minutes; needs nats-server installed (or CHAPERONE_NATS_URL)
npm run bench -- --soak 600      # with a 10-minute memory soak
npm run bench -- --only get-pod --duration 5   # one scenario while tuning (no watch, soak, nor this page)
npm run bench -- pairs --b "CHAPERONE_AUDIT_BATCH_LINGER_MS=10" --pairs 3   # two settings, alternating pairs of one scenario
\`\`\`

It prints markdown tables and writes \`bench-results/latest.json\` and \`bench-results/latest.md\`
(not committed), then this page. Every process it started ends with it, also on an error or Ctrl-C,
and it deletes the JetStream streams of its prefix. Every bench is a topic of one entry,
\`scripts/bench\` (\`npm run bench -- <topic> [arguments]\`, or \`npm run bench:<topic>\`, which
builds first; \`npm run bench -- help\` lists them); the component benches (evidence, masking,
approval, verify, reports, exec, proofs, ...) are described in the topic pages.
`;

const READING = `## How to read these figures

**Every process runs on one machine**: the load generator, the API server, the bare proxy,
Chaperone's services and NATS. On a machine with few cores, contention changes absolute figures by
an order of magnitude between a quiet and a busy run; read the ratios and the CPU milliseconds per
request first (they are the least sensitive to other load), and expect tens of percent of noise on
throughput and tails between two quiet runs. Run the bench on a quiet machine, or with NATS and the
audit service on other hosts, before quoting absolute numbers.

**A virtual machine's speed varies with its host's load**, and a quiet guest does not show it: its
processes simply get less done per CPU millisecond. The direct run is the yardstick: the test API
server does the same work for every direct request, so its CPU milliseconds per request (the
"direct" rows of the CPU table) and the direct throughput say how fast the host was during the run.
Compare them between two runs before comparing anything else; in runs on 2-vCPU guests here the
same code gave 0.067 ms per direct request at 14,500 req/s (an Intel Xeon host), 0.08 ms at 11,000
to 12,000 req/s (an AMD EPYC host) and 0.11 to 0.15 ms at 6,300 to 8,800 req/s on a slow spell of
the latter, with every other figure worse in proportion. The processor model the run had is in the
first line of its figures.

**Some virtual machines stall every process now and then.** A platform that takes memory back from
its guests may run the kernel's DAMON memory monitor in them; the first line of the figures says
when it ran during the run, and how often. On the 2-vCPU guests here it samples every half second,
its kernel thread (\`kdamond\`) then runs for 20 to 25 ms, and every process on the machine slows
down meanwhile: a paced run's slow requests gather at those moments, the design floor's as much as
Chaperone's. On such a guest, a 6 s paced run of the floor at 500 req/s with the monitor switched
off for the test gave a p99 of 8.8 ms, where ten such runs with it on gave 15 to 32 ms; with it
off, Chaperone's slowest requests gathered at its own services' old-generation garbage collections
instead. The bench only reads the monitor's settings (\`scripts/bench/lib/kernel-memory-monitor.js\`):
it is the platform's, and the figures are what that platform gives.

## Where the cost goes

- **The design has a floor.** Fail-closed evidence puts three waits on every admitted request
  before its answer leaves: a separate policy service's decision, stored; the cluster; the
  completion, stored. The bench's design floor (above) is that path with nothing else on it, and
  the goals table gives its figure beside Chaperone's where the run measured it. Where the floor
  itself is above a goal, no work inside the services reaches that goal on that machine: it needs
  fewer hops (a design change) or cheaper ones (NATS and the services on their own cores, as in
  production, or a faster host). Where Chaperone is well above the floor, the difference is its
  own work, and that is what tuning the services can win.
- **Throughput is CPU per request.** On a machine shared by every process, maximum throughput is
  about the cores' time divided by the CPU one request costs across all of them (the CPU table
  above). Each admitted request is three durable events (\`RequestIntercepted\`, \`PolicyDecided\`,
  \`RequestCompleted\`) stored by JetStream on disk, then appended by the audit service to the
  hash-chained event store, and followed by the reports read model (whole) and the audit reconciler (headers only). That
  evidence is the product. Most of the cost is messages and the system calls that move them, so
  the evidence path is built to send few: the intercept and the decision are one bus message, the
  writes the ingress and the policy service ask for together (in one turn of the event loop, in
  one socket read) go out as one message per partition (a group commit), the audit service pulls its messages when it is ready for
  a batch (not one delivery each) and stores a session's events of a 50 ms window as one stored message, and the store's followers pull what was stored in batches. What is
  left is mostly the cost of waking a process: a message costs little more added to a write that
  goes anyway. In production NATS, audit and reports run on their own nodes, and only the
  ingress's share scales with ingress replicas.
- **Latency is process hops.** Before a request goes to the API server it crosses ingress → NATS →
  policy → NATS (the intercept and the decision stored in one JetStream write, whose
  acknowledgement the server sends straight to the ingress, with the decision in its subject) →
  ingress; before its last byte is released, one more JetStream write stores its completion. The floor by design is those two
  acknowledgements plus the proxy itself (bare minus direct). The table of what the ingress waited
  on splits a one-client request into those parts, from the ingress's own
  \`chaperone_ingress_step_duration\` metric (the same figures an operator sees in production, see
  [operations](operations.md#metrics)): each hop through NATS costs a wake-up of the process it
  reaches, so on a busy or virtualised machine the decision and the completion take several times
  a bare NATS round trip. Inside the NATS server, JetStream hands each stored message and its
  acknowledgement from goroutine to goroutine; with a scheduler thread per core each hand-off can
  wake a sleeping thread on the other core, so a NATS server started by \`npm start\` or the bench
  runs with half of the host's cores as scheduler threads (\`CHAPERONE_NATS_GOMAXPROCS\`, one on 2
  cores; see [configuration](configuration.md)): on 2 cores, with two stacks measured in turns,
  that took 0.12 to 0.26 ms off a one-client request (the design floor's and Chaperone's alike)
  and moved the maximum throughput by a few per cent (higher in two runs of three, 3 % lower in the
  third); at 50 requests a second, when every process sleeps between requests, it made no
  difference.
- **Half of the maximum is not half of the machine.** At the maximum, a process woken by a message
  finds several waiting and handles them in one go; at a steady half of that rate each request
  arrives alone and wakes every process on its path itself, and on a virtual machine a wake-up (the
  system call that sends a message to a sleeping process, and the sleep and wake of the one
  receiving it) costs about as much as the work it brings. So one request costs more CPU there than
  at the maximum (compare the two CPU tables), the cores are busy most of the time at "half" the
  load (the last column), and a request waits for a core at almost every hop: that waiting, with
  the pauses below, is most of the p99 at half of the maximum. On one machine the evidence's
  followers (audit, reports) therefore start at a lower priority (\`CHAPERONE_FOLLOWER_NICE\`,
  niceness 10 by default, set on the process and on its session, which Linux's autogroup
  scheduling shares the cores by first; see [configuration](configuration.md)): they answer no request, so
  they run in the time the request path leaves and catch up after it, instead of holding a core
  (or, in a garbage collection, both) while a request waits. With NATS, audit and reports on
  nodes of their own, the ingress's and the policy service's share is what is left on the
  gateway's cores.
- **Tails are pauses.** Every process on the path collects its garbage, and a request that reaches
  a paused process waits the pause out; a request crosses several processes. The table of
  garbage-collection pauses above counts them during the run at half of the maximum, from each
  service's \`v8js_gc_duration\` metric (operators see the same on the dashboard). A young-generation
  collection costs what survives it, so nothing of a request may stay reachable once it has
  ended. That includes a long-lived \`WeakMap\` keyed by a request: V8's young collections take
  its values as live until the next full collection, and a value that leads back to its key (a
  callback closing over the request) keeps the whole request alive; the ingress routes each
  cluster response through its own request object for that reason (a \`WeakMap\` there makes its
  young collections more than twice as long). Likewise no long-lived \`Map\` or \`Set\` gains and
  loses an entry per request on the request path: a table that is rehashed or cleared stays linked
  to the one that replaces it, so one such table in the old generation keeps every later entry
  alive through young collections (pending requests are kept in plain objects instead). On this machine the ingress's young collections
  take about 3 to 9 ms each, old-generation collections of every service add 5 to 25 ms now
  and then, and with every process on two cores the scheduler's delays come on top: pauses of the
  size of the half-maximum p99. The ingress and the masking service, which hold whole response
  bodies for the length of a request, start with a young generation of 16 to 32 MB a semi-space
  and skip full collections below 128 MB of old generation (see [masking](masking.md)): in V8's
  default heap a large body's buffers can be promoted, and the external memory they then hold
  brings a full collection every few large responses (fetching masked 1 MB lists one after
  another, the ingress ran one every 3 to 5 lists in most runs, at 24 to 38 ms of its CPU per
  list, against none and 11 to 22 ms with the larger young generation; at 20 such lists a second
  the old-generation floor kept both services at 7 to 9 ms a list for 3 minutes, where without it
  the masking service ran one every 10 to 15 lists and the ingress's CPU per list doubled after a
  minute). It costs memory: garbage may fill the old generation up to that floor (in a 30 s soak
  of small requests at 654 a second the ingress held 263 to 298 MB, against 197 to 213 MB
  without it). For small requests it made no difference. A larger young generation still
  (\`--max-semi-space-size=64\`, every service) cost more CPU per request in every paired run
  here, and \`--single-threaded-gc\` showed no consistent effect either way.
- **A masked response** to a get or list adds one exchange with the masking service once the
  cluster's answer is in: a document of up to 256 KiB goes whole and comes back masked (nothing is
  opened before the request is sent, and the masking replica keeps nothing). Larger documents,
  watches, logs and what writes echo back go through a masking stream, opened while policy decides
  when the last request of that kind needed one. A large document costs CPU in the
  masking service (a one-pass masker over the JSON bytes that never builds the object tree; see
  [masking](masking.md)) and moves through NATS both ways, fed while the cluster still sends it.
- **Followers of the store.** Evidence subjects name their kind (\`<prefix>.evidence.<kind>.<stream>\`),
  so the approval read model gets only approval events, filtered by the server; the reports
  projection needs every event, and takes them in batches every 50 ms: a batch is a burst of work
  for the reports service and of deliveries for NATS, and on a shared machine the request path
  waits behind it (at a quarter of the maximum here, requests over 12 ms at the ingress in four
  8 s rounds: 427 with 1 s batches, 276 with 250 ms, 192 with 50 ms).

The design choices behind the request path's costs are in [decisions](decisions.md#the-request-paths-costs).
`;

/** Where a run keeps each part's single runs and the medians of its alternating rounds (addedMedians). */
const PARTS = { oneClient: ['sequential', 'oneClientAdded'], half: ['half', 'halfAdded'] };

/**
 * What Chaperone or the floor (`which`) added over direct, p50 and p99, in one part of the run
 * (PARTS): the medians of the part's alternating rounds where the run has them, else its one run.
 */
function addedOverDirect(r, part, which) {
  const [runs, rounds] = PARTS[part];
  const median = r[rounds]?.median?.[which];
  if (median?.p50 !== undefined) return { ...median, how: 'median of 3 alternating rounds: ' };
  const run = which === 'floor' ? r.floor?.[runs] : r[runs].chaperone;
  const direct = r[runs].direct;
  return { p50: run ? run.p50 - direct.p50 : undefined, p99: run ? run.p99 - direct.p99 : undefined, how: '' };
}

const figure = (x, digits = 1) => (x === undefined || x === null || Number.isNaN(x) ? 'n/a' : String(+x.toFixed(digits)));

/** The goals the bench is measured against, evaluated on the run's figures: [goal, this run, state] rows. */
function goalRows(result) {
  const find = (scenario, variant) => (result.http ?? []).find((r) => r.scenario === scenario && (variant === undefined || r.variant === variant));
  const rows = [];
  const pod = find('get-pod', 'raw');
  if (pod) {
    // The design's floor (a gateway making the same hops with none of the work), where the run has it.
    const floor = pod.floor;
    const onFloor = (text) => (floor ? `; design floor: ${text}` : '');
    // The median of three alternating runs of each where the run has them (one run of each can
    // catch the host in a fast spell for one and a slow one for the other); else the measured run.
    const m = pod.throughputRounds?.median ?? { bare: pod.max.bare.rps, chaperone: pod.max.chaperone.rps, floor: floor?.max.rps };
    const how = pod.throughputRounds ? 'median of 3 alternating runs: ' : '';
    const share = m.chaperone / m.bare;
    // One decimal: a whole percent would print 24.9 % as the goal's 25 % beside "missed".
    rows.push([
      "allow-path throughput at least 25 % of the bare proxy's (beyond: 50 %)",
      `${how}${figure(m.chaperone)} vs ${figure(m.bare)} req/s (${figure(share * 100)} %)${onFloor(`${figure(m.floor)} req/s (${figure((m.floor / m.bare) * 100)} %)`)}`,
      share >= 0.5 ? 'met, and the goal beyond' : share >= 0.25 ? 'met' : 'missed',
    ]);
    const one = addedOverDirect(pod, 'oneClient', 'chaperone');
    rows.push([
      'one client, added p50 over direct ≤ 1.5 ms (unmasked)',
      `${one.how}+${figure(one.p50, 2)} ms${onFloor(`+${figure(addedOverDirect(pod, 'oneClient', 'floor').p50, 2)} ms`)}`,
      one.p50 <= 1.5 ? 'met' : 'missed',
    ]);
    const half = addedOverDirect(pod, 'half', 'chaperone');
    const halfFloor = floor ? addedOverDirect(pod, 'half', 'floor') : undefined;
    const halfMet = withinHalfMaxBounds(half);
    // Missed at half: the highest lower load (bench's latency by load) at which the bounds held, for sizing.
    const holds = halfMet ? undefined : [...(pod.loadCurve ?? [])].reverse().find((pt) => withinHalfMaxBounds(pt.added.chaperone));
    const heldAt = !pod.loadCurve || halfMet ? '' : holds ? `; within both bounds at ${holds.rate} req/s (${holds.share * 100} % of the maximum): +${figure(holds.added.chaperone.p50)} / +${figure(holds.added.chaperone.p99)} ms` : '; not within both bounds at any lower load measured';
    rows.push([
      `at half of the maximum, added p50 ≤ ${HALF_MAX_BOUNDS.p50} ms and p99 ≤ ${HALF_MAX_BOUNDS.p99} ms`,
      `at ${pod.halfRate} req/s, ${half.how}+${figure(half.p50)} / +${figure(half.p99)} ms${onFloor(`+${figure(halfFloor?.p50)} / +${figure(halfFloor?.p99)} ms`)}${heldAt}`,
      halfMet ? 'met' : 'missed',
    ]);
    const cpu = chaperoneCpuMs(pod.max.chaperone.cpuMsPerRequest);
    const floorCpu = floor ? floorCpuMs(floor.max.cpuMsPerRequest) : undefined;
    rows.push(['CPU per admitted request, every Chaperone process and NATS, ≤ 2 ms', `${figure(cpu, 2)} ms${onFloor(`${figure(floorCpu, 2)} ms`)}`, cpu <= 2 ? 'met' : 'missed']);
  }
  const masked = find('get-pod', 'masked');
  if (masked) {
    const one = addedOverDirect(masked, 'oneClient', 'chaperone');
    rows.push(['one client, added p50 over direct ≤ 2 ms (masked)', `${one.how}+${figure(one.p50, 2)} ms`, one.p50 <= 2 ? 'met' : 'missed']);
  }
  const list = find('list-1mb');
  if (list) {
    const one = addedOverDirect(list, 'oneClient', 'chaperone');
    const added = one.p50;
    rows.push(['a masked 1 MB list adds at most 25 ms (beyond: 15 ms)', `one client, ${one.how}+${figure(added)} ms at p50 over direct`, added <= 15 ? 'met, and the goal beyond' : added <= 25 ? 'met' : 'missed']);
  }
  const soak = result.soak;
  if (soak) {
    const services = ['ingress', 'policy', 'masking', 'approval', 'audit', 'reports'].filter((n) => soak.perProcess[n]);
    const growth = services.map((n) => [n, (soak.perProcess[n].endMb / soak.perProcess[n].startMb - 1) * 100]);
    const worst = Math.max(...growth.map(([, g]) => g));
    const state = soak.seconds < 600 ? `not shown: a ${soak.seconds} s soak (run with --soak 600)` : worst <= 5 ? 'met' : 'to watch';
    rows.push([
      'memory flat over 10 minutes (services within 5 % after warm-up)',
      `${soak.seconds} s soak from ${soak.startAtS} s: ${growth.map(([n, g]) => `${n} ${g >= 0 ? '+' : ''}${figure(g)} %`).join(', ')}`,
      state,
    ]);
  }
  return rows;
}

const goalTable = (rows) => ['| goal | this run | state |', '|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)];

function goals(result) {
  const rows = goalRows(result);
  return rows.length === 0 ? '' : ['## Goals', '', ...goalTable(rows), ''].join('\n');
}

const README_START = '<!-- performance figures: written by scripts/docs/performance.js from the last full `npm run bench`; do not edit by hand -->';
const README_END = '<!-- end of performance figures -->';

/** The README's summary of the same run: the goals and what one admitted request costs the bus. */
function readmeFigures(result, markdown) {
  const machine = /^Run \S+ on ([^;]*);/m.exec(markdown)?.[1] ?? 'the bench machine';
  const pod = (result.http ?? []).find((r) => r.scenario === 'get-pod' && r.variant === 'raw');
  const nats = pod?.max.chaperone.nats;
  const rows = goalRows(result);
  if (nats) rows.push(['NATS per admitted request (allow path, at maximum)', `${figure(nats.msgsIn)} msgs in, ${figure(nats.msgsOut)} out${nats.kbIn != null ? ` (${figure(nats.kbIn)} KB in, ${figure(nats.kbOut)} KB out)` : ''}, ${figure(nats.jetStreamWrites)} JetStream writes`, '']);
  return [
    README_START,
    `From one full \`npm run bench\` on ${machine}, with every process on that machine: the test API`,
    'server directly, a bare Node proxy and Chaperone, driven with the same GETs.',
    '',
    ...goalTable(rows),
    '',
    '[Performance](docs/performance.md) has every figure of that run, how it is measured and where the time goes.',
    README_END,
  ].join('\n');
}

/** Replace the README's generated block with this run's figures (the block must be there once). */
function renderReadme(result, markdown, readme = path.join(ROOT, 'README.md')) {
  const text = readFileSync(readme, 'utf8');
  const start = text.indexOf(README_START);
  const end = text.indexOf(README_END);
  if (start < 0 || end < start) throw new Error(`${path.relative(ROOT, readme)} has no generated performance block`);
  writeFileSync(readme, text.slice(0, start) + readmeFigures(result, markdown) + text.slice(end + README_END.length));
  return readme;
}

/** The run's tables, without the run's date: docs describe the figures, not when they were taken. */
function figures(markdown) {
  return markdown
    .trim()
    .replace(/^Run \S+ on (.*)$/m, 'Measured on $1')
    .concat('\n');
}

function render({ results = path.join(ROOT, 'bench-results'), out = path.join(ROOT, 'docs', 'performance.md'), readme = path.join(ROOT, 'README.md') } = {}) {
  const mdFile = path.join(results, 'latest.md');
  if (!existsSync(mdFile)) throw new Error(`no ${path.relative(ROOT, mdFile)}: run \`npm run bench\` first`);
  const jsonFile = path.join(results, 'latest.json');
  const result = existsSync(jsonFile) ? JSON.parse(readFileSync(jsonFile, 'utf8')) : {};
  const markdown = readFileSync(mdFile, 'utf8');
  const page = [INTRO, '## Figures of the last run\n', figures(markdown), goals(result), READING].filter(Boolean).join('\n');
  writeFileSync(out, page);
  renderReadme(result, markdown, readme);
  return out;
}

module.exports = { render };

if (require.main === module) {
  const args = process.argv.slice(2);
  const opts = {};
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === '--results') opts.results = path.resolve(args[i + 1]);
    else if (args[i] === '--out') opts.out = path.resolve(args[i + 1]);
    else if (args[i] === '--readme') opts.readme = path.resolve(args[i + 1]);
    else {
      console.error('usage: node scripts/docs/performance.js [--results <dir>] [--out <file>] [--readme <file>]');
      process.exit(2);
    }
  }
  try {
    console.log(`written ${path.relative(process.cwd(), render(opts))} and the README's performance block`);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
