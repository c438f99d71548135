#!/usr/bin/env node
// Web console figures, against the built services as their own processes on the real NATS + JetStream
// store (a bench bus prefix, deleted afterwards) and Debian's Chromium driven by Playwright:
//   inbox   ms from navigation to the approvals inbox painted with N pending approvals (goal: 1,000 in ≤ 1 s):
//           its first page of rows and the count of all that wait; then the next page, as "Show more" loads it
//   search  ms for a session search through the console's API over a generated history (goal: 100,000 events, ≤ 300 ms),
//           a page as the console asks for it (the first page of each filter, and a next page)
// Prints a table with the goals and the machine's load average (a shared machine: compare figures taken at
// the same load), and writes bench-results/console.json.
// Usage: node scripts/bench console [approvals=1000] [events=100000]   (npm run bench:console)
/* global sessionStorage, document, requestAnimationFrame, window -- functions run in the browser page */
'use strict';
const { mkdirSync, mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { cpus, loadavg, tmpdir } = require('node:os');
const path = require('node:path');
const { performance } = require('node:perf_hooks');
const { firstValueFrom } = require('rxjs');
const { chromium } = require('playwright-core');
const { JetStreamEventStore, chainedEventStore } = require('@chaperone/event-store');
const { ROOT, startService, stopService } = require('../stack');
const { summarize } = require('./lib/timing');
const { approvalBenchSetup, heldDeleteOpen } = require('./lib/approval-bench');

/** Rows the console asks for at a time (services/console-ui/src/paging.ts PAGE_SIZE). */
const PAGE = 50;
const APPROVALS = Number(process.argv[2] || 1000);
const EVENTS = Number(process.argv[3] || 100000);
const ISSUER = 'https://issuer.bench-console.local';
const CHROMIUM = process.env.CHAPERONE_CHROMIUM || '/usr/bin/chromium';
const log = (m) => process.stderr.write(`[bench-console] ${m}\n`);
const dist = (p) => require(path.join(ROOT, 'services', 'reports', 'dist', p));

const stats = (ms) => summarize(ms, 0);

/** What the ingress sends the approval service for a held `kubectl delete pod`. */
function openMessage(i) {
  const agent = `agent-${i % 13}`;
  return heldDeleteOpen({
    name: `pod-${i}`,
    namespace: `team-${i % 7}`,
    sessionId: `bench-${i % 50}`,
    rule: 'delete-pods-needs-approval',
    approverGroups: ['approvers'],
    identity: { subject: agent, username: agent, groups: ['agents'], agent, issuer: ISSUER },
  });
}

async function pool(n, concurrency, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await fn(next++);
  }));
}

/**
 * Time from navigation to the inbox painted with its pending approvals, as the browser measures it:
 * `painted` when the count of all that wait and the first rows are on screen; `more` from a click on
 * "Show more" to the next page's rows painted.
 */
async function inboxPaint(consoleUrl, token, expected, runs = 8) {
  const profile = mkdtempSync(path.join(tmpdir(), 'bench-console-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    // Signed in already: the token where the console keeps it (this tab's sessionStorage).
    await context.addInitScript((t) => sessionStorage.setItem('chaperone.token', t), token);
    // Watched from inside the page from its start, so the time is the page's own, not when Playwright
    // gets to look after navigation: the first frame painted after the count and the first rows show.
    await context.addInitScript((n) => {
      const check = () => {
        const rows = document.querySelectorAll('[data-approval-id]').length;
        if (rows === 0 || !document.body.textContent.includes(`Pending (${n})`)) return setTimeout(check, 2);
        requestAnimationFrame(() => setTimeout(() => (window.benchInbox = { painted: performance.now(), firstRows: rows }), 0));
      };
      document.addEventListener('DOMContentLoaded', check);
    }, expected);
    const page = await context.newPage();
    page.on('pageerror', (e) => log(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && log(`page console: ${m.text()}`));
    const out = [];
    for (let i = 0; i <= runs; i++) {
      await page.goto(`${consoleUrl}approvals`);
      const times = await page.evaluate(
        (n) =>
          new Promise((resolve, reject) => {
            setTimeout(() => reject(new Error(`the inbox did not show ${n} pending and the next page within 60 s: (painted: ${JSON.stringify(window.benchInbox ?? null)})`)), 60_000);
            const painted = () => new Promise((r) => requestAnimationFrame(() => setTimeout(() => r(performance.now()), 0)));
            const rows = () => document.querySelectorAll('[data-approval-id]').length;
            const until = (ok, then) => (ok() ? then() : setTimeout(() => until(ok, then), 5));
            until(
              () => window.benchInbox !== undefined,
              () => {
                const { painted: t, firstRows: first } = window.benchInbox;
                // Where the time went: the first page's request, from the page's own resource timing.
                const list = performance.getEntriesByType('resource').find((e) => e.name.includes('/api/approvals?'));
                const base = { painted: t, firstRows: first, listStart: list?.startTime ?? 0, listMs: list?.duration ?? 0 };
                const button = document.querySelector('button.more');
                if (!button) return resolve(base);
                const clicked = performance.now();
                button.click();
                until(
                  () => rows() > first,
                  async () => resolve({ ...base, more: (await painted()) - clicked }),
                );
              },
            );
          }),
        expected,
      );
      const fcp = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null);
      if (i > 0) out.push({ ...times, fcp }); // the first run warms the browser's cache of the page itself
    }
    return out;
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function main() {
  const { subjects, dir, issuer, env, nc, gateway } = await approvalBenchSetup('bench-console', ISSUER);
  const alice = await issuer.sign({ sub: 'alice', groups: ['approvers'] }, { expiresIn: 3600 });
  const auditor = await issuer.sign({ sub: 'auditor', groups: ['compliance'] }, { expiresIn: 3600 });
  const running = [];
  const results = { approvals: APPROVALS, events: EVENTS, node: process.version, at: new Date().toISOString(), loadAverage: { start: load() } };
  try {
    // A history of EVENTS events in the store, as the workload generator writes it.
    const { emptySummary, generateHistory } = dist('workload/generate-history');
    const { writeHistory } = dist('workload/write-history');
    const raw = await JetStreamEventStore.create(nc, { streamName: subjects.evidenceStream, subjectPrefix: subjects.evidenceSubjectPrefix });
    let t0 = performance.now();
    const summary = emptySummary();
    const written = await writeHistory(chainedEventStore(raw), generateHistory({ events: EVENTS, agents: 50, seed: 1, start: new Date(Date.now() - 30 * 86_400_000), spanDays: 30, runId: 'bench' }, summary), { concurrency: 128 });
    log(`history: ${written} events in ${((performance.now() - t0) / 1000).toFixed(1)} s (${summary.sessions} sessions)`);

    const approval = await startService('approval', env);
    running.push(approval);
    const reports = await startService('reports', env);
    running.push(reports);
    const reportsUrl = reports.health.replace(/\/healthz$/, '');
    const consoleService = await startService('console', { ...env, CHAPERONE_CONSOLE_APPROVAL_URL: approval.urls[0], CHAPERONE_CONSOLE_REPORTS_URL: reportsUrl });
    running.push(consoleService);
    const consoleUrl = consoleService.health.replace(/healthz$/, '');

    // N pending approvals, opened as the ingress opens them.
    t0 = performance.now();
    await pool(APPROVALS, 16, (i) => firstValueFrom(gateway.send(subjects.approvalOpen, openMessage(i))));
    log(`opened ${APPROVALS} approvals in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const listed = await (await fetch(`${consoleUrl}api/approvals?limit=${PAGE}`, { headers: { authorization: `Bearer ${alice}` } })).json();
    if (!Array.isArray(listed.items)) throw new Error(`the inbox list failed: ${JSON.stringify(listed).slice(0, 300)}`);
    if (listed.total !== APPROVALS) throw new Error(`the inbox counts ${listed.total} pending approvals, not ${APPROVALS}`);

    results.loadAverage.inbox = load();
    const paint = await inboxPaint(consoleUrl, alice, APPROVALS);
    results.inbox = {
      ...stats(paint.map((r) => r.painted)),
      firstRows: paint[0]?.firstRows,
      listRequestedAt: stats(paint.map((r) => r.listStart)),
      listRequest: stats(paint.map((r) => r.listMs)),
      showMore: stats(paint.filter((r) => r.more !== undefined).map((r) => r.more)),
      firstContentfulPaintMs: Math.round(paint[0]?.fcp ?? 0),
    };
    log(`inbox: ${JSON.stringify(results.inbox)}`);

    // Session searches through the console once the reports service has read the whole history.
    const get = async (p) => {
      const res = await fetch(`${consoleUrl}api${p}`, { headers: { authorization: `Bearer ${auditor}` } });
      if (!res.ok) throw new Error(`${p}: ${res.status} ${await res.text()}`);
      return res.json();
    };
    for (let i = 0; ; i++) {
      const projections = await fetch(`${reportsUrl}/projections`, { headers: { authorization: `Bearer ${auditor}` } }).then((r) => r.json());
      if (projections.applied >= written) break;
      if (i > 600) throw new Error(`the reports service applied ${projections.applied} of ${written} events in 5 minutes`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const first = await get(`/sessions?limit=${PAGE}`);
    const sample = first.sessions[0];
    const week = new Date(Date.now() - 7 * 86_400_000).toISOString();
    const queries = [
      `/sessions?limit=${PAGE}`,
      ...(first.next ? [`/sessions?limit=${PAGE}&cursor=${first.next}`] : []),
      `/sessions?limit=${PAGE}&agent=${encodeURIComponent(sample.agent)}`,
      `/sessions?limit=${PAGE}&namespace=default`,
      `/sessions?limit=${PAGE}&resource=secrets`,
      `/sessions?limit=${PAGE}&decision=deny`,
      `/sessions?limit=${PAGE}&from=${week}`,
      `/sessions?limit=${PAGE}&agent=${encodeURIComponent(sample.agent)}&resource=pods&decision=approve&from=${week}`,
    ];
    results.loadAverage.search = load();
    results.search = {};
    const all = [];
    for (const q of queries) {
      await get(q);
      const times = [];
      for (let i = 0; i < 10; i++) {
        const t = performance.now();
        await get(q);
        times.push(performance.now() - t);
      }
      all.push(...times);
      results.search[q] = stats(times);
    }
    results.searchAll = stats(all);
    results.loadAverage.end = load();
    log(`search: ${JSON.stringify(results.searchAll)}`);
  } finally {
    for (const s of running.reverse()) await stopService(s);
    await gateway.close();
    const jsm = await nc.jetstreamManager();
    for await (const info of jsm.streams.list()) {
      const name = info.config.name;
      if (name.startsWith(subjects.evidenceStream.replace(/_EVIDENCE$/, '_')) || name.includes(`${subjects.prefix}-`)) await jsm.streams.delete(name).catch(() => false);
    }
    await nc.drain();
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench-results', 'console.json'), `${JSON.stringify(results, null, 2)}\n`);
  const { inbox, searchAll } = results;
  const rows = [
    [`inbox painted, ${APPROVALS} pending`, `p50 ${inbox.p50} ms, p95 ${inbox.p95} ms, max ${inbox.max} ms`, `goal ≤ 1000 ms (first contentful paint ${inbox.firstContentfulPaintMs} ms, ${inbox.firstRows} rows)`],
    [`  the first page asked for at`, `p50 ${inbox.listRequestedAt.p50} ms, p95 ${inbox.listRequestedAt.p95} ms`, 'after navigation: page, script, sign-in state'],
    [`  the first page's request`, `p50 ${inbox.listRequest.p50} ms, p95 ${inbox.listRequest.p95} ms`, 'console → approvers API → back'],
    [`  "Show more": the next ${PAGE} rows`, `p50 ${inbox.showMore.p50} ms, p95 ${inbox.showMore.p95} ms`, ''],
    [`session search, ${EVENTS} events`, `p50 ${searchAll.p50} ms, p95 ${searchAll.p95} ms, max ${searchAll.max} ms`, 'goal ≤ 300 ms'],
    ...Object.entries(results.search).map(([q, s]) => [`  ${q.length > 60 ? `${q.slice(0, 57)}...` : q}`, `p50 ${s.p50} ms, p95 ${s.p95} ms`, '']),
  ];
  const w = rows.reduce((m, r) => Math.max(m, r[0].length), 0);
  const w2 = rows.reduce((m, r) => Math.max(m, r[1].length), 0);
  process.stdout.write(`\nConsole (${process.version}, ${new Date().toISOString()})\n`);
  for (const [a, b, c] of rows) process.stdout.write(`  ${a.padEnd(w)}  ${b.padEnd(w2)}  ${c}\n`);
  const l = results.loadAverage;
  process.stdout.write(`  load average (1, 5, 15 min): ${l.start} at start, ${l.inbox} before the inbox, ${l.search} before the searches, ${l.end} at the end (${cpus().length} CPUs)\n`);
}

main().catch((e) => {
  process.stderr.write(`[bench-console] ${e.stack || e.message}\n`);
  process.exit(1);
});
