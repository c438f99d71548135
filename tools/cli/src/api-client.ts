/**
 * JSON over HTTP to a Chaperone API (approvals, reports). The bearer token is sent, never printed:
 * errors carry the server's message and the HTTP status only.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiRequest {
  server: string;
  path: string;
  method?: 'GET' | 'POST';
  token?: string;
  body?: unknown;
  /** Default: parse JSON. 'text' returns the raw body (CSV, HTML). */
  accept?: 'json' | 'text';
}

export async function callApi<T = unknown>(req: ApiRequest): Promise<T> {
  const res = await send(req);
  const text = await res.text();
  if (req.accept === 'text') return text as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError(res.status, `the server answered ${res.status} with a body that is not JSON`);
  }
}

/** A successful answer as bytes, with its media type (stored bodies, which may be any bytes). */
export async function callApiBytes(req: Omit<ApiRequest, 'accept'>): Promise<{ bytes: Buffer; contentType: string; headers: Headers }> {
  const res = await send({ ...req, accept: 'text' });
  return { bytes: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get('content-type') ?? '', headers: res.headers };
}

/** The request, sent; a failure (unreachable, a redirect, a non-2xx answer) is an ApiError. */
async function send(req: ApiRequest): Promise<Response> {
  let url: URL;
  try {
    url = new URL(req.path, req.server.endsWith('/') ? req.server : `${req.server}/`);
  } catch {
    throw new ApiError(0, `invalid server URL ${JSON.stringify(req.server.slice(0, 80))}`);
  }
  const headers: Record<string, string> = { accept: req.accept === 'text' ? '*/*' : 'application/json' };
  if (req.token) headers['authorization'] = `Bearer ${req.token}`;
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, {
      method: req.method ?? 'GET',
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      redirect: 'manual',
    });
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    throw new ApiError(0, `cannot reach ${url.origin}${cause ? ` (${cause})` : ''}`);
  }
  // A token must only go where it was meant to: a redirect is reported, never followed.
  if (res.status >= 300 && res.status < 400) throw new ApiError(res.status, `${url.origin} answered with a redirect (${res.status}), which is never followed`);
  if (!res.ok) throw new ApiError(res.status, `${res.status} ${res.statusText}: ${errorMessage(await res.text())}`);
  return res;
}

/** The message of a Kubernetes Status or `{ error: { message } }` / `{ message }` body, else the text, capped. */
function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: { message?: unknown } };
    const m = body.message ?? body.error?.message;
    if (typeof m === 'string') return m.slice(0, 500);
  } catch {
    // not JSON: fall through to the raw text
  }
  return text.slice(0, 500) || '(empty body)';
}
