/// <reference types="jest" />
import type { INestApplication } from '@nestjs/common';
import { ClientProxyFactory, Transport, type ClientProxy } from '@nestjs/microservices';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom } from 'rxjs';
import type { NatsConnection } from 'nats';
import { createLocalIssuer, type AuthConfig, type LocalIssuer } from '@chaperone/auth';
import { busSubjects, requestFingerprint, type BusSubjects, type OpenApproval } from '@chaperone/contracts';
import { bootstrapService } from '@chaperone/service-runtime';
import { ApprovalModule, type ApprovalModuleOptions } from '../approval.module';
import { PublicUrl } from '../webhooks/public-url';

export const NATS_SERVERS = [process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222'];
export const TEST_ISSUER = 'https://issuer.approval.test';
export const TEST_AUDIENCE = 'chaperone';

/** Approvers' token settings for a test; without a JWKS file no token verifies (health tests). */
export function testAuthConfig(jwksFile?: string): AuthConfig {
  return {
    issuer: TEST_ISSUER,
    audiences: [TEST_AUDIENCE],
    algorithms: ['ES256'],
    clockToleranceSec: 5,
    jwks: jwksFile ? { kind: 'file', path: jwksFile } : { kind: 'url', url: 'http://127.0.0.1:9/jwks.json' },
    claims: { username: 'preferred_username' },
  };
}

/** A local OIDC issuer whose JWKS file the approval service reads. */
export async function testIssuer(): Promise<{ issuer: LocalIssuer; jwksFile: string }> {
  const issuer = await createLocalIssuer({ issuer: TEST_ISSUER, audience: TEST_AUDIENCE, alg: 'ES256' });
  const jwksFile = join(mkdtempSync(join(tmpdir(), 'approval-jwks-')), 'jwks.json');
  issuer.writeJwksFile(jwksFile);
  return { issuer, jwksFile };
}

export function testSubjects(): BusSubjects {
  return busSubjects(`t-apr-${randomUUID().slice(0, 8)}`);
}

/** Every stream the approval service creates under a test prefix. */
export async function deleteApprovalStreams(nc: NatsConnection, subjects: BusSubjects): Promise<void> {
  const jsm = await nc.jetstreamManager();
  await jsm.streams.delete(subjects.evidenceStream).catch(() => undefined);
}

export interface TestReplica {
  app: INestApplication;
  /** The approvers API base URL. */
  url: string;
  close(): Promise<void>;
}

/** One approval replica as main.ts starts it (HTTP + NATS queue group), on the test's prefix. */
export async function startReplica(
  subjects: BusSubjects,
  opts: Partial<Omit<ApprovalModuleOptions, 'runtime'>> = {},
): Promise<TestReplica> {
  const app = await bootstrapService({
    service: 'approval',
    module: ApprovalModule.forRoot({
      runtime: { service: 'approval', natsServers: NATS_SERVERS, busPrefix: subjects.prefix },
      eventStore: 'jetstream',
      auth: testAuthConfig(),
      ...opts,
    }),
    healthHost: '127.0.0.1',
    healthPort: 0,
    jsonLogs: true,
    quiet: true,
    messaging: { servers: NATS_SERVERS, queue: subjects.queue('approval') },
  });
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  app.get(PublicUrl).listeningAt(url);
  return { app, url, close: () => app.close() };
}

/** The gateway's side of the bus, through Nest's NATS client as the ingress uses it. */
export class GatewayBus {
  private readonly client: ClientProxy = ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: NATS_SERVERS } });

  send<T = unknown>(subject: string, payload: unknown): Promise<T> {
    return firstValueFrom(this.client.send<T>(subject, payload));
  }

  close(): Promise<void> {
    return this.client.close() as Promise<void>;
  }
}

export const agentIdentity = {
  subject: 'oidc|agent-7',
  username: 'agent-7',
  groups: ['agents'],
  agent: 'claude',
  issuer: TEST_ISSUER,
};

/** An OpenApproval for `kubectl delete pod <name>` in `shop`, as the gateway sends it. */
export function openDelete(
  name: string,
  overrides: { spec?: Partial<OpenApproval['spec']> } & Partial<Omit<OpenApproval, 'spec'>> = {},
): OpenApproval {
  const path = `/api/v1/namespaces/shop/pods/${name}`;
  const { spec, ...rest } = overrides;
  return {
    schemaVersion: 1,
    requestId: randomUUID(),
    sessionId: 'sess-1',
    traceId: 'trace-1',
    interceptEventId: randomUUID(),
    decisionEventId: randomUUID(),
    identity: agentIdentity,
    request: {
      isResourceRequest: true,
      path,
      verb: 'delete',
      apiPrefix: 'api',
      apiGroup: '',
      apiVersion: 'v1',
      namespace: 'shop',
      resource: 'pods',
      subresource: '',
      name,
      parts: ['pods', name],
    },
    method: 'DELETE',
    path,
    query: '',
    requestFingerprint: requestFingerprint({ subject: agentIdentity.subject, verb: 'delete', path, query: '', bodyDigest: '' }),
    reason: 'stuck in CrashLoopBackOff',
    rule: 'approve-pod-deletes',
    spec: {
      mode: 'ticket',
      modeHeaderAllowed: false,
      timeoutSeconds: 300,
      approverGroups: ['sre'],
      requiredApprovals: 1,
      requireReason: false,
      grantTtlSeconds: 600,
      ...spec,
    },
    ...rest,
  };
}
