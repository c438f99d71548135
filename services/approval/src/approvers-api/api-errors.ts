import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { AuthenticationError } from '@chaperone/auth';
import { StoreUnavailable } from '@chaperone/event-store';
import { kubeStatus, type KubeStatus } from '@chaperone/k8s-status';
import { ApprovalError } from '../approvals';

/** A refusal the API answers as is. */
export class ApiRefusal extends Error {
  constructor(readonly status: KubeStatus) {
    super(status.message);
  }
}

/**
 * The Status an approver gets: a refused command answers with the reason its error carries (403 not
 * allowed to review, 404 unknown approval, 409 the verdict conflicts with one already taken…);
 * besides, 401 unauthenticated and 503 the store is down (nothing was recorded). Messages never
 * contain a token (AuthenticationError's messages are built to be safe).
 */
export function statusOf(e: unknown): KubeStatus {
  if (e instanceof ApiRefusal) return e.status;
  if (e instanceof AuthenticationError) {
    return kubeStatus('Unauthorized', `approvers authenticate with an OIDC bearer token: ${e.message}`);
  }
  if (e instanceof ApprovalError) return kubeStatus(e.reason, e.message, { name: e.approvalId, kind: 'approvals' });
  if (e instanceof StoreUnavailable) return kubeStatus('ServiceUnavailable', 'the approval store is unavailable; nothing was recorded, retry later');
  if (e instanceof HttpException) {
    const code = e.getStatus();
    if (code === 400) return kubeStatus('BadRequest', `the request is not valid: ${e.message}`);
    if (code === 404) return kubeStatus('NotFound', 'no such route; see GET /openapi.json');
    if (code === 413) return kubeStatus('RequestEntityTooLarge', 'the request body is too large');
  }
  return kubeStatus('InternalError', 'the approval service failed to handle the request; see its log');
}

/** Every error of the approvers API leaves as a Kubernetes-style Status JSON. */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApproversApi');

  catch(e: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const status = statusOf(e);
    if (status.code >= 500) this.logger.error(`${status.reason}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    res.status(status.code).set('cache-control', 'no-store').json(status);
  }
}
