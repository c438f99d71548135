import { DeliveryFailed, type Transport } from './transport';

export interface WebhookOptions {
  url: string;
  /** Turns a batch into the request body (an audit EventList, or a JSON array of OCSF records). */
  body: (records: readonly unknown[]) => unknown;
  /** Sent as `Authorization: Bearer …`; never logged. */
  bearerToken?: string;
  timeoutMs: number;
}

/** One JSON POST per batch; any answer but 2xx, a timeout or a network error fails the batch. */
export class WebhookTransport implements Transport {
  readonly description: string;

  constructor(private readonly opts: WebhookOptions) {
    const u = new URL(opts.url);
    // Only scheme, host and path: a URL's user info or query may carry a credential.
    this.description = `webhook ${u.protocol}//${u.host}${u.pathname}`;
  }

  async deliver(records: readonly unknown[]): Promise<void> {
    if (records.length === 0) return;
    let res: Response;
    try {
      res = await fetch(this.opts.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.opts.bearerToken ? { authorization: `Bearer ${this.opts.bearerToken}` } : {}) },
        body: JSON.stringify(this.opts.body(records)),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      throw new DeliveryFailed(`${this.description}: ${(e as Error).name === 'TimeoutError' ? `no answer in ${this.opts.timeoutMs} ms` : (cause ?? (e as Error).message)}`);
    }
    await res.arrayBuffer().catch(() => undefined);
    if (res.status < 200 || res.status > 299) throw new DeliveryFailed(`${this.description}: answered ${res.status}`);
  }

  async close(): Promise<void> {}
}
