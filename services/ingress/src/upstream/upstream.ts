import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';

/** The cluster Chaperone forwards to, with the gateway's own credentials. */
export interface Upstream {
  /** Base URL of the API server, e.g. https://10.0.0.1:6443. */
  target: URL;
  /** Keep-alive agent carrying the CA and any client certificate. */
  agent: HttpAgent | HttpsAgent;
  /** The Authorization header value to send, read fresh from a token file when one is used. */
  authorization(): string | undefined;
  /** Where the credentials came from, for the start-up log (never the credential itself). */
  describe: string;
}
