// Steady load of a bounded number of agents. Each client repeats: GET its pod's template pod
// (worker-0, allowed raw), GET the secret db-credentials (masked), DELETE its own pod and create it
// again. Every request carries a tag in its User-Agent (`chaos/<run> c<client>-<seq>`): the gateway
// stores it in RequestIntercepted and forwards it to the cluster, so the client's log, the API
// server's log and the event store can be joined even for requests that got no answer. The
// response header x-chaperone-request-id gives the gateway's request id when there is an answer.
'use strict';
const https = require('node:https');
const { Headers } = require('@chaperone/contracts');

/**
 * No request waits longer than this; one that does is recorded as a timeout (and counts as hung).
 * Longer than the gateway's own longest wait (a masking exchange, 30 s by default), so a request the
 * gateway gives up on shows its answer and how long it took.
 */
const REQUEST_TIMEOUT_MS = 40_000;
/** A pause between one client's requests, so the load is steady rather than saturating. */
const THINK_MS = 20;
/** After a failure (no answer or 5xx) a client backs off a little, as an agent would, instead of spinning. */
const BACKOFF_MS = 100;

const podBody = (name) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { app: 'chaos' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });

/** The cycle of one client: [op, method, path, body?]. */
function cycle(client) {
  const pod = `chaos-${client}`;
  return [
    ['get-pod', 'GET', '/api/v1/namespaces/default/pods/worker-0'],
    ['get-secret', 'GET', '/api/v1/namespaces/default/secrets/db-credentials'],
    ['delete-pod', 'DELETE', `/api/v1/namespaces/default/pods/${pod}`],
    ['create-pod', 'POST', '/api/v1/namespaces/default/pods', podBody(pod)],
  ];
}

/**
 * @param {{ runId: string, urls: string[], tokens: string[], caPem: string, now?: () => number }} opts
 * `tokens[i]` is client i's bearer token. Requests go round-robin over the ingress replicas.
 */
function startLoad(opts) {
  const now = opts.now ?? Date.now;
  const newAgents = () => opts.urls.map(() => new https.Agent({ keepAlive: true, maxSockets: opts.tokens.length, ca: opts.caPem }));
  let agents = newAgents();
  /** Every request, in start order: { tag, client, phase, op, method, path, ingress, start, end, status, error, requestId }. */
  const entries = [];
  let phase = 0;
  let running = false;
  let next = 0;
  let loops = [];
  // Sequence numbers go on across pauses, so every tag of a run is unique.
  const seqs = opts.tokens.map(() => 0);

  function send(client, seq, [op, method, path, body]) {
    const ingress = next++ % opts.urls.length;
    const entry = { tag: `c${client}-${seq}`, client, phase, op, method, path, ingress, start: now(), end: 0, status: 0, error: '', requestId: '' };
    entries.push(entry);
    return new Promise((resolve) => {
      let settled = false;
      const done = (status, error) => {
        if (settled) return;
        settled = true;
        entry.end = now();
        entry.status = status;
        entry.error = error;
        resolve(entry);
      };
      const req = https.request(
        new URL(path, opts.urls[ingress]),
        {
          method,
          agent: agents[ingress],
          headers: {
            authorization: `Bearer ${opts.tokens[client]}`,
            accept: 'application/json',
            'user-agent': `chaos/${opts.runId} ${entry.tag}`,
            ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
          },
          timeout: REQUEST_TIMEOUT_MS,
        },
        (res) => {
          entry.requestId = String(res.headers[Headers.requestId] ?? '');
          res.resume();
          res.on('end', () => done(res.statusCode ?? 0, ''));
          res.on('error', (e) => done(0, e.code || 'response-error'));
          res.on('aborted', () => done(0, 'aborted'));
        },
      );
      req.on('timeout', () => {
        req.destroy();
        done(0, 'timeout');
      });
      req.on('error', (e) => done(0, e.code || e.message));
      req.end(body);
    });
  }

  async function client(i) {
    const steps = cycle(i);
    for (let n = 0; running; n++) {
      const e = await send(i, seqs[i]++, steps[n % steps.length]);
      await new Promise((r) => setTimeout(r, e.status === 0 || e.status >= 500 ? BACKOFF_MS : THINK_MS));
    }
  }

  return {
    entries,
    /** Requests started from now on belong to phase `p`. */
    setPhase(p) {
      phase = p;
    },
    resume() {
      if (running) return;
      running = true;
      // Fresh connections after a pause: the gateway closes keep-alive connections idle for 5 s, and
      // reusing one as it closes is a reset that says nothing about the fault.
      for (const a of agents) a.destroy();
      agents = newAgents();
      loops = opts.tokens.map((_, i) => client(i));
    },
    /** Stop issuing; resolves when every request in flight has ended (each is bounded by REQUEST_TIMEOUT_MS). */
    async pause() {
      running = false;
      await Promise.all(loops);
    },
    close() {
      running = false;
      for (const a of agents) a.destroy();
    },
  };
}

module.exports = { startLoad, REQUEST_TIMEOUT_MS };
