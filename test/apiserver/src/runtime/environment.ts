import { ContainerInfo } from './process';

/**
 * The environment of every demo container: what a pod in a cluster usually has, plus a cloud
 * credential (AWS's own documentation example, not a real key) so masking of `env` can be tested.
 */
export const FAKE_AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
export const FAKE_AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

export function containerEnvironment(c: ContainerInfo, tty: boolean): Record<string, string> {
  return {
    PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOSTNAME: c.pod,
    ...(tty ? { TERM: 'xterm' } : {}),
    KUBERNETES_SERVICE_HOST: '10.96.0.1',
    KUBERNETES_SERVICE_PORT: '443',
    KUBERNETES_SERVICE_PORT_HTTPS: '443',
    AWS_ACCESS_KEY_ID: FAKE_AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: FAKE_AWS_SECRET_ACCESS_KEY,
    APP_CONTAINER: c.container,
    HOME: '/root',
  };
}
