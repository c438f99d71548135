// The checks after one fault, as a pure function of what was observed: the client's log, the API
// server's log of requests it received, the event store's index and its verification. Returns the
// table row and the violations, each with up to a few examples to follow up.
'use strict';
const { describeIncomplete, describeProblem } = require('@chaperone/evidence-chain');
const { tagOf } = require('./evidence');

/** No request may take longer than this. */
const HUNG_MS = 5000;
/**
 * The audit service's promise (docs/evidence.md): a partition whose holder died is taken over once
 * its lease has been seen unchanged for 3 s, on a fresh consumer that delivers what the dead holder
 * had not acknowledged first, so its evidence is stored again within a few seconds. While a replica
 * survives, no evidence may wait longer than this from its producer to the store; after a fault that
 * left none (every replica, or NATS), each session's evidence must be stored again within this of
 * the restart being ready (the backlog built up meanwhile has the drain bound).
 */
const STORE_LAG_MS = 10_000;
/** Effects that let a request reach the cluster. */
const PROCEEDS = new Set(['allow', 'mask', 'approve']);
const EXAMPLES = 3;

/**
 * @param {object} o
 * @param {number} o.phase            the phase's number; client entries carry it
 * @param {string} o.fault
 * @param {object[]} o.entries        every client entry of the run (load.js)
 * @param {object[]} o.apiLog         every API server record of the run (api-server.js)
 * @param {object} o.index            the event store index (evidence.js)
 * @param {object} o.report           verifyStore's report for the whole store
 * @param {Set<string>} o.attributed  findings already counted in an earlier phase (updated)
 * @param {{ killAt?: number, restartAt?: number, readyAt?: number, storeBackAt?: number }} o.timing
 *   storeBackAt: when the fault took every audit replica (or NATS) down, when they were ready again
 * @param {{ drained: boolean, seconds: number }} o.drain
 * @param {object[]} o.wentBack       store positions that went back during the phase
 * @param {string} o.runId
 */
function checkPhase(o) {
  const entries = o.entries.filter((e) => e.phase === o.phase);
  const byTag = new Map(o.entries.map((e) => [e.tag, e]));
  const violations = [];
  /** True the first time a finding that belongs to no client request is met: it counts in that phase only. */
  const firstSeen = (key) => !o.attributed.has(key) && Boolean(o.attributed.add(key));
  const violation = (kind, count, examples) => count > 0 && violations.push({ kind, count, examples: examples.slice(0, EXAMPLES) });

  // Which request id each client request got: its response header, else the store (by tag), else the API server's log.
  const apiByTag = new Map();
  const reachedCluster = new Set();
  for (const r of o.apiLog) {
    const tag = tagOf(r.userAgent, o.runId);
    if (tag && r.requestId) apiByTag.set(tag, r.requestId);
    if (r.requestId) reachedCluster.add(r.requestId);
  }
  const requestIdOf = (e) => e.requestId || o.index.byTag.get(e.tag) || apiByTag.get(e.tag) || '';
  const phaseOfRequest = new Map();
  for (const e of o.entries) {
    const id = requestIdOf(e);
    if (id) phaseOfRequest.set(id, e.phase);
  }
  const inPhase = (requestId) => phaseOfRequest.get(requestId) === o.phase;

  const ok = entries.filter((e) => e.status >= 200 && e.status < 300);
  const refused = entries.filter((e) => e.status >= 500);
  const rejected = entries.filter((e) => e.status >= 400 && e.status < 500);
  const noAnswer = entries.filter((e) => e.status === 0);

  // Every 2xx the client saw has its interception, decision and completion stored.
  const lost = [];
  for (const e of ok) {
    const id = requestIdOf(e);
    const r = id ? o.index.requests.get(id) : undefined;
    const missing = ['intercepted', 'decided', 'ended'].filter((k) => !r || r[k].size === 0);
    if (missing.length > 0) lost.push(`${e.op} ${e.tag} request ${id || '?'} (${e.status}) at ${new Date(e.start).toISOString()}: no ${missing.map((k) => (k === 'ended' ? 'RequestCompleted' : k === 'decided' ? 'PolicyDecided' : 'RequestIntercepted')).join(', ')}`);
  }
  violation('2xx without its intercept, decision and completion stored', lost.length, lost);

  // Nothing reached the cluster without a stored decision that let it through.
  const forwarded = o.apiLog.filter((r) => {
    const e = byTag.get(tagOf(r.userAgent, o.runId));
    return e ? e.phase === o.phase : false;
  });
  const undecided = [];
  for (const r of forwarded) {
    const rec = r.requestId ? o.index.requests.get(r.requestId) : undefined;
    if (!r.requestId) undecided.push(`${r.method} ${r.url} reached the cluster without a request id (user agent ${r.userAgent})`);
    else if (!rec || rec.intercepted.size === 0 || rec.decided.size === 0 || !PROCEEDS.has(rec.effect))
      undecided.push(`${r.method} ${r.url} request ${r.requestId}: reached the cluster; stored: ${rec ? `intercepted ${rec.intercepted.size}, decided ${rec.decided.size} (${rec.effect ?? '-'})` : 'nothing'}`);
  }
  // Records with no tag of the run are no client's: none should exist in a run's own cluster. Each
  // counts in the phase that first sees it.
  o.apiLog.forEach((r, i) => {
    if (tagOf(r.userAgent, o.runId) || !firstSeen(`api:${i}`)) return;
    undecided.push(`${r.method} ${r.url} with user agent "${r.userAgent}" and request id ${r.requestId || 'none'}`);
  });
  violation('forwarded without a stored decision', undecided.length, undecided);

  // No event twice; one interception, one decision and one end per request.
  const duplicated = [];
  for (const [eventId, requestId] of o.index.duplicates) {
    if (inPhase(requestId) || (!phaseOfRequest.has(requestId) && firstSeen(`dup:${eventId}`))) duplicated.push(`event ${eventId} stored ${o.index.eventIds.get(eventId)} times (request ${requestId || '-'})`);
  }
  for (const [requestId, r] of o.index.requests) {
    if (!inPhase(requestId)) continue;
    for (const k of ['intercepted', 'decided', 'ended']) if (r[k].size > 1) duplicated.push(`request ${requestId}: ${r[k].size} distinct ${k} events`);
  }
  violation('duplicated events', duplicated.length, duplicated);

  // Completeness, from the verification: requests let through whose end is not stored.
  const unfinished = [];
  for (const i of o.report.completeness?.incomplete ?? []) {
    if ((inPhase(i.requestId) || !phaseOfRequest.has(i.requestId)) && firstSeen(`incomplete:${i.kind}:${i.requestId}:${i.approvalId ?? ''}`)) {
      const answer = o.entries.find((e) => requestIdOf(e) === i.requestId);
      unfinished.push(
        `${describeIncomplete(i)}; ${reachedCluster.has(i.requestId) ? 'it reached the cluster' : 'the cluster never received it'}, the client saw ${answer ? answer.status || answer.error : 'nothing'}`,
      );
    }
  }
  violation('let through without a stored end (verify completeness)', unfinished.length, unfinished);

  violation('the chain does not verify', o.report.problems.length, o.report.problems.map(describeProblem));
  violation('stored events vanished (store position went back)', o.wentBack.length, o.wentBack.map((w) => `position ${w.from} → ${w.to}`));
  if (!o.drain.drained) violation('the audit service did not store the bus backlog in time', 1, [`still pending after ${o.drain.seconds} s`]);

  // How long the evidence of this phase's requests took to be stored (the audit service's lag).
  const from = o.timing.storeBackAt;
  let lagMs = null;
  let resumeMs = null;
  if (from === undefined) {
    lagMs = 0;
    const stalled = [];
    for (const [requestId, r] of o.index.requests) {
      if (!inPhase(requestId)) continue;
      const lag = Math.max(0, ...r.stored.map(([producedAt, storedAt]) => storedAt - producedAt));
      lagMs = Math.max(lagMs, lag);
      if (lag > STORE_LAG_MS) stalled.push({ requestId, lagMs: lag });
    }
    stalled.sort((a, b) => b.lagMs - a.lagMs);
    violation(
      `evidence stored more than ${STORE_LAG_MS / 1000} s after it was produced`,
      stalled.length,
      stalled.map((x) => `request ${x.requestId}: ${(x.lagMs / 1000).toFixed(1)} s`),
    );
  } else {
    // Nothing can be stored while no audit replica runs: per session, the first store after the restart.
    const firstStore = new Map();
    for (const [requestId, r] of o.index.requests) {
      if (!inPhase(requestId) || r.session === undefined) continue;
      for (const [, storedAt] of r.stored) if (storedAt >= from) firstStore.set(r.session, Math.min(firstStore.get(r.session) ?? Infinity, storedAt));
    }
    const late = [...firstStore].map(([session, at]) => ({ session, ms: at - from })).sort((a, b) => b.ms - a.ms);
    resumeMs = late.length > 0 ? late[0].ms : 0;
    const overdue = late.filter((x) => x.ms > STORE_LAG_MS);
    violation(
      `a session's evidence stored again more than ${STORE_LAG_MS / 1000} s after the restart`,
      overdue.length,
      overdue.map((x) => `session ${x.session}: ${(x.ms / 1000).toFixed(1)} s`),
    );
  }

  const latency = (e) => e.end - e.start;
  const hung = entries.filter((e) => latency(e) > HUNG_MS);
  violation(`requests hung longer than ${HUNG_MS / 1000} s`, hung.length, hung.map((e) => `${e.op} ${e.tag} ${(latency(e) / 1000).toFixed(1)} s → ${e.status || e.error}${e.requestId ? ` request ${e.requestId}` : ''}`));

  let recovery = null;
  if (o.timing.restartAt !== undefined) {
    const after = ok.filter((e) => e.start >= o.timing.restartAt).sort((a, b) => a.end - b.end)[0];
    recovery = after ? (after.end - o.timing.restartAt) / 1000 : undefined;
    if (!after) violation('no success after the restart', 1, ['no 2xx for a request started after the restart']);
  }

  return {
    row: {
      fault: o.fault,
      requests: entries.length,
      ok: ok.length,
      rejected: rejected.length,
      refused: refused.length,
      noAnswer: noAnswer.length,
      lost: lost.length,
      unfinished: unfinished.length,
      duplicated: duplicated.length,
      forwardedWithoutDecision: undecided.length,
      chainProblems: o.report.problems.length,
      maxLatencyS: entries.length > 0 ? Math.max(...entries.map(latency)) / 1000 : 0,
      hung: hung.length,
      recoveryS: recovery,
      storeLagS: lagMs === null ? null : lagMs / 1000,
      storeResumedS: resumeMs === null ? null : resumeMs / 1000,
      drainS: o.drain.seconds,
    },
    violations,
    errors: countBy(noAnswer.map((e) => e.error)),
    statuses: countBy(entries.filter((e) => e.status >= 400).map((e) => `${e.op} ${e.status}`)),
  };
}

function countBy(list) {
  const out = {};
  for (const k of list) out[k] = (out[k] ?? 0) + 1;
  return out;
}

module.exports = { checkPhase, HUNG_MS, STORE_LAG_MS };
