import type { RequestInfo } from '@chaperone/contracts';
import type { SessionKind } from './channels/channel-protocol';

/** What a streaming request asks for, read from its path and query as the API server reads them. */
export interface SessionRequest {
  readonly kind: SessionKind;
  readonly pod: string;
  readonly namespace: string;
  readonly container: string;
  readonly command: readonly string[];
  readonly tty: boolean;
  readonly stdin: boolean;
  /** port-forward: the `ports` parameters (kubectl's SPDY tunnel names its ports per stream instead). */
  readonly ports: readonly number[];
}

const KINDS: readonly string[] = ['exec', 'attach', 'portforward'];

/** The session a request opens, or undefined when it is not pods/exec, pods/attach or pods/portforward. */
export function sessionRequestOf(info: RequestInfo, query: string): SessionRequest | undefined {
  if (!info.isResourceRequest || info.resource !== 'pods' || !KINDS.includes(info.subresource)) return undefined;
  const q = new URLSearchParams(query);
  const flag = (name: string) => ['true', '1'].includes((q.get(name) ?? '').toLowerCase());
  const ports = q
    .getAll('ports')
    .flatMap((v) => v.split(','))
    .map((p) => Number(p.trim()))
    .filter((p) => Number.isInteger(p) && p >= 1 && p <= 65535);
  return {
    kind: info.subresource as SessionKind,
    pod: info.name,
    namespace: info.namespace,
    container: q.get('container') ?? '',
    command: q.getAll('command'),
    tty: flag('tty'),
    stdin: flag('stdin'),
    ports,
  };
}
