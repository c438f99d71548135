import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { StartupError } from '@chaperone/service-runtime';
import type { IngressConfig } from '../tokens';
import type { UpstreamSource } from './resolve-upstream';

/**
 * Which cluster, in order: in-cluster service account if asked; an explicit URL with a token
 * file; a kubeconfig (CHAPERONE_UPSTREAM_KUBECONFIG, else $KUBECONFIG, else ~/.kube/config).
 */
export function upstreamSource(config: IngressConfig, env: NodeJS.ProcessEnv = process.env): UpstreamSource {
  if (config.upstreamInCluster) return { kind: 'in-cluster' };
  if (config.upstreamUrl) {
    return { kind: 'token-file', url: config.upstreamUrl, tokenFile: config.upstreamTokenFile, caFile: config.upstreamCaFile };
  }
  const candidates = [config.upstreamKubeconfig, ...(env['KUBECONFIG'] ?? '').split(':'), join(homedir(), '.kube', 'config')];
  const path = candidates.find((p): p is string => !!p && existsSync(p));
  if (!path) {
    throw new StartupError(
      'no upstream cluster: set CHAPERONE_UPSTREAM_KUBECONFIG (or KUBECONFIG), CHAPERONE_UPSTREAM_IN_CLUSTER=true, or CHAPERONE_UPSTREAM_URL with CHAPERONE_UPSTREAM_TOKEN_FILE',
    );
  }
  return { kind: 'kubeconfig', path, context: config.upstreamContext };
}
