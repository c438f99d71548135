import { Inject, Injectable, type CanActivate, type ExecutionContext, HttpException } from '@nestjs/common';
import type { Request } from 'express';
import { AuthenticationError, type Authenticator } from '@chaperone/auth';
import { kubeStatus } from '@chaperone/k8s-status';
import type { Identity } from '@chaperone/contracts';
import { AUTHENTICATOR, REPORTS_CONFIG } from '../tokens';
import type { ReportsConfig } from '../config';

/** A refusal as a Kubernetes Status body (what every Chaperone API answers errors with). */
export function statusError(reason: 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'ServiceUnavailable' | 'Conflict' | 'InternalError', message: string): HttpException {
  if (reason === 'Conflict') return new HttpException({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code: 409 }, 409);
  const s = kubeStatus(reason, message);
  return new HttpException(s, s.code);
}

/**
 * Only members of the compliance group(s) read sessions and reports: an OIDC token from the
 * ingress's issuer, with one of CHAPERONE_REPORTS_GROUPS in its groups claim. 401 when the token is
 * missing or invalid (saying why, never echoing it), 403 when the identity is not in the group.
 */
@Injectable()
export class ComplianceAccess implements CanActivate {
  constructor(
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
    @Inject(REPORTS_CONFIG) private readonly config: ReportsConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request & { reader?: Identity }>();
    let identity: Identity;
    try {
      identity = (await this.authenticator.authenticate(req.headers.authorization)).identity;
    } catch (e) {
      const why = e instanceof AuthenticationError ? e.message : 'the token could not be verified';
      throw statusError('Unauthorized', `reports need an OIDC bearer token of a member of ${this.groups()}: ${why}`);
    }
    if (!identity.groups.some((g) => this.config.complianceGroups.includes(g))) {
      throw statusError('Forbidden', `user "${identity.username}" is not in ${this.groups()}, which may read sessions and reports`);
    }
    req.reader = identity;
    return true;
  }

  private groups(): string {
    const g = this.config.complianceGroups;
    return g.length === 1 ? `group "${g[0]}"` : `one of the groups ${g.map((x) => `"${x}"`).join(', ')}`;
  }
}
