// What the event store holds, as the checks need it: read incrementally (global order), indexed by
// request id and by the client's tag (from RequestIntercepted's user agent), with every event id
// counted to find duplicates. Also: waiting until the audit service has stored everything the bus
// holds, and the full chain verification (libs/evidence-chain verifyStore) with completeness.
'use strict';
const { readFileSync } = require('node:fs');
const { connect } = require('nats');
const { JetStreamEventStore } = require('@chaperone/event-store');
const { loadPublicKey, readAllPages, ResumePoint, verifyStore } = require('@chaperone/evidence-chain');

/** The client's tag in a User-Agent written by load.js (`chaos/<run> c<client>-<seq>`). */
function tagOf(userAgent, runId) {
  const m = /^chaos\/(\S+) (c\d+-\d+)$/.exec(userAgent || '');
  return m && m[1] === runId ? m[2] : undefined;
}

function emptyIndex() {
  return {
    /** Where the reading of the store stands (readAllPages). */
    cursor: new ResumePoint(),
    events: 0,
    /** eventId → times stored */
    eventIds: new Map(),
    /** eventId → requestId, only for ids stored more than once */
    duplicates: new Map(),
    /** requestId → { tag, session, effect, intercepted:Set, decided:Set, ended:Set, stored: [producedAt, storedAt][] } (each evidence event's times, ms) */
    requests: new Map(),
    /** tag → requestId */
    byTag: new Map(),
  };
}

/** @param {{ natsUrl: string, subjects: any, publicKeyFile: string, runId: string }} opts */
async function openEvidence(opts) {
  // Reconnects for ever: the run restarts NATS and reads again afterwards.
  const nc = await connect({ servers: opts.natsUrl, name: 'chaos-checks', maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  const jsm = await nc.jetstreamManager();
  const store = await JetStreamEventStore.create(nc, { streamName: opts.subjects.evidenceStream, subjectPrefix: opts.subjects.evidenceSubjectPrefix, ensureStream: false });
  const publicKey = loadPublicKey(readFileSync(opts.publicKeyFile, 'utf8'));
  let index = emptyIndex();
  /** Set when the store's last position went below what was already read: stored events vanished. */
  const wentBack = [];

  const requestOf = (requestId) => {
    let r = index.requests.get(requestId);
    if (!r) index.requests.set(requestId, (r = { tag: undefined, session: undefined, effect: undefined, intercepted: new Set(), decided: new Set(), ended: new Set(), stored: [] }));
    return r;
  };

  function add(e) {
    index.events++;
    const seen = (index.eventIds.get(e.eventId) ?? 0) + 1;
    index.eventIds.set(e.eventId, seen);
    const d = e.data && typeof e.data === 'object' ? e.data : {};
    const requestId = typeof d.requestId === 'string' ? d.requestId : '';
    if (seen > 1) index.duplicates.set(e.eventId, requestId);
    if (!requestId) return;
    // The producer's clock and the store's (one machine, one clock): how long the evidence was in transit.
    const producedAt = Date.parse(d.time);
    const storedAt = Date.parse(e.recordedAt);
    if (Number.isFinite(producedAt) && Number.isFinite(storedAt) && ['RequestIntercepted', 'PolicyDecided', 'RequestCompleted', 'MaskingApplied'].includes(e.type)) {
      const r = requestOf(requestId);
      r.stored.push([producedAt, storedAt]);
      if (typeof d.sessionId === 'string') r.session = d.sessionId;
    }
    switch (e.type) {
      case 'RequestIntercepted': {
        const r = requestOf(requestId);
        r.intercepted.add(e.eventId);
        const tag = tagOf(d.payload?.userAgent, opts.runId);
        if (tag) {
          r.tag = tag;
          index.byTag.set(tag, requestId);
        }
        break;
      }
      case 'PolicyDecided': {
        const r = requestOf(requestId);
        r.decided.add(e.eventId);
        r.effect = d.payload?.decision?.effect;
        break;
      }
      case 'RequestCompleted':
      case 'RequestOutcomeUnknown':
        requestOf(requestId).ended.add(e.eventId);
        break;
      default:
        break;
    }
  }

  return {
    get index() {
      return index;
    },
    wentBack,
    /** Read what was stored since the last call. */
    async catchUp() {
      const last = (await jsm.streams.info(opts.subjects.evidenceStream)).state.last_seq;
      if (last < index.cursor.position) {
        wentBack.push({ from: index.cursor.position, to: last, at: Date.now() });
        index = emptyIndex();
      }
      await readAllPages(store, 5000, add, index.cursor);
    },
    /**
     * Wait until every consumer of the bus's events stream (the audit service's) has nothing
     * pending or unacknowledged, twice in a row: everything published is stored. Resolves with the
     * seconds it took, or with `drained: false` at the deadline.
     */
    async drain(deadlineMs) {
      const t0 = Date.now();
      let quiet = 0;
      while (Date.now() - t0 < deadlineMs) {
        let pending = 0;
        try {
          for await (const ci of jsm.consumers.list(opts.subjects.eventsStream)) pending += ci.num_pending + ci.num_ack_pending;
        } catch {
          pending = -1;
        }
        quiet = pending === 0 ? quiet + 1 : 0;
        if (quiet >= 2) return { drained: true, seconds: (Date.now() - t0) / 1000 };
        await new Promise((r) => setTimeout(r, 250));
      }
      return { drained: false, seconds: (Date.now() - t0) / 1000 };
    },
    /** The whole store verified: chains, signed checkpoints and completeness (no grace: the load is paused and drained). */
    verify() {
      return verifyStore(store, { publicKey, completeness: { graceSeconds: 0 } });
    },
    async close() {
      await store.close();
      await nc.close();
    },
  };
}

module.exports = { openEvidence, tagOf };
