/** metav1.Status builders, shaped like the real API server's error responses. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: { reason?: string; message?: string; field?: string }[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message ?? status.reason ?? 'error');
  }
  get code(): number {
    return this.status.code;
  }
}

export function failure(code: number, reason: string, message: string, details?: StatusDetails): Status {
  // Same key order as the real server's JSON: details before code.
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

export function success(details?: StatusDetails): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(details ? { details } : {}), code: 200 };
}

/** `pods "x" not found` — `qualified` is the resource, with `.group` for non-core groups. */
export function notFound(qualified: string, name: string, group: string, kind: string): ApiError {
  return new ApiError(failure(404, 'NotFound', `${qualified} "${name}" not found`, { name, group, kind }));
}

export function alreadyExists(qualified: string, name: string, group: string, kind: string): ApiError {
  return new ApiError(failure(409, 'AlreadyExists', `${qualified} "${name}" already exists`, { name, group, kind }));
}

export function conflict(qualified: string, name: string, group: string, kind: string): ApiError {
  return new ApiError(
    failure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualified} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name, group, kind },
    ),
  );
}

export function badRequest(message: string): ApiError {
  return new ApiError(failure(400, 'BadRequest', message));
}

export function invalid(qualified: string, kindName: string, name: string, group: string, field: string, message: string): ApiError {
  return new ApiError(
    failure(422, 'Invalid', `${kindName} "${name}" is invalid: ${field}: ${message}`, {
      name,
      group,
      kind: kindName,
      causes: [{ reason: 'FieldValueInvalid', message, field }],
    }),
  );
}

export function methodNotAllowed(): ApiError {
  return new ApiError(failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
}

export function unsupportedMediaType(contentType: string): ApiError {
  return new ApiError(failure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json; got ${contentType}`));
}

export function notAcceptable(): ApiError {
  return new ApiError(failure(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/yaml'));
}

export function gone(message: string): ApiError {
  return new ApiError(failure(410, 'Expired', message));
}

export const unauthorized = (): Status => failure(401, 'Unauthorized', 'Unauthorized');

/** The real server's reply to a path it does not serve: a 404 Status with reason NotFound and an empty-ish message. */
export const pathNotFound = (): Status => failure(404, 'NotFound', 'the server could not find the requested resource');
