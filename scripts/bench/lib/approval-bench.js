// What the approval and console benches share: a bench bus prefix with a local ES256 issuer and the
// environment the approval service (and the services around it) start with, clients of the bus, and
// the `open` message the ingress sends the approval service for a held `kubectl delete pod`.
'use strict';
const { randomUUID } = require('node:crypto');
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { connect } = require('nats');
const { ClientProxyFactory, Transport } = require('@nestjs/microservices');
const { createLocalIssuer } = require('@chaperone/auth');
const { busSubjects, requestFingerprint } = require('@chaperone/contracts');

/**
 * A bus prefix `<name>-<random>` on CHAPERONE_NATS_URL (or NATS_URL, or 127.0.0.1:4222), a local
 * issuer at issuerUrl whose JWKS is in a fresh directory, the services' environment for both, a NATS
 * connection and a Nest client that sends as the gateway does.
 */
async function approvalBenchSetup(name, issuerUrl) {
  const natsUrl = process.env.CHAPERONE_NATS_URL || process.env.NATS_URL || 'nats://127.0.0.1:4222';
  const subjects = busSubjects(`${name}-${randomUUID().slice(0, 6)}`);
  const dir = mkdtempSync(path.join(tmpdir(), `${name}-`));
  const issuer = await createLocalIssuer({ issuer: issuerUrl, audience: 'chaperone', alg: 'ES256' });
  issuer.writeJwksFile(path.join(dir, 'jwks.json'));
  const env = {
    CHAPERONE_NATS_URL: natsUrl,
    CHAPERONE_BUS_PREFIX: subjects.prefix,
    CHAPERONE_HEALTH_PORT: '0',
    CHAPERONE_OIDC_ISSUER: issuerUrl,
    CHAPERONE_OIDC_JWKS_FILE: path.join(dir, 'jwks.json'),
    CHAPERONE_OIDC_ALGORITHMS: 'ES256',
  };
  const nc = await connect({ servers: natsUrl, name });
  const gateway = ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: [natsUrl] } });
  return { natsUrl, subjects, dir, issuer, env, nc, gateway };
}

/**
 * The approval `open` for a held `kubectl delete pod <name> -n <namespace>` by identity, in ticket
 * mode (one approval from approverGroups, an hour to decide).
 */
function heldDeleteOpen({ name, namespace, identity, sessionId, rule, approverGroups }) {
  const p = `/api/v1/namespaces/${namespace}/pods/${name}`;
  return {
    schemaVersion: 1,
    requestId: randomUUID(),
    sessionId,
    traceId: '0'.repeat(32),
    interceptEventId: randomUUID(),
    decisionEventId: randomUUID(),
    identity,
    request: { isResourceRequest: true, path: p, verb: 'delete', apiPrefix: 'api', apiGroup: '', apiVersion: 'v1', namespace, resource: 'pods', subresource: '', name, parts: ['pods', name] },
    method: 'DELETE',
    path: p,
    query: '',
    requestFingerprint: requestFingerprint({ subject: identity.subject, verb: 'delete', path: p, query: '', bodyDigest: '' }),
    reason: 'bench',
    rule,
    spec: { mode: 'ticket', modeHeaderAllowed: false, timeoutSeconds: 3600, approverGroups, requiredApprovals: 1, requireReason: false, grantTtlSeconds: 3600 },
  };
}

module.exports = { approvalBenchSetup, heldDeleteOpen };
