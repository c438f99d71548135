/** Calls to the console's API (/api/…), with the signed-in user's token; errors carry the API's own message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(token: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(`/api${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = { message: text.slice(0, 300) };
  }
  if (!res.ok) throw new ApiError(res.status, String((json as { message?: unknown }).message ?? `the API answered ${res.status}`));
  return json as T;
}

/** A file from the API (a report download): fetched with the token, saved by the browser under the server's name. */
export async function download(token: string, path: string, fallbackName: string): Promise<void> {
  const res = await fetch(`/api${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new ApiError(res.status, `the download failed (${res.status})`);
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Follow the live approval stream (server-sent events read with fetch, so the token goes in a
 * header, not the URL). Calls onChange for every change and after each reconnect; returns a stop.
 */
export function followApprovals(token: string, onChange: () => void, onState: (live: boolean) => void): () => void {
  const stop = new AbortController();
  const run = async (): Promise<void> => {
    while (!stop.signal.aborted) {
      try {
        const res = await fetch('/api/live/approvals', { headers: { authorization: `Bearer ${token}` }, signal: stop.signal });
        if (!res.ok || !res.body) throw new Error(String(res.status));
        onState(true);
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            const frame = buf.slice(0, i);
            buf = buf.slice(i + 2);
            if (/^event: (changed|ready)$/m.test(frame)) onChange();
          }
        }
      } catch {
        // Reconnect below.
      }
      onState(false);
      if (!stop.signal.aborted) await new Promise((r) => setTimeout(r, 2000));
    }
  };
  void run();
  return () => stop.abort();
}
