import { ContainerInfo } from './process';

/**
 * The fake container filesystem. Every container of the demo cluster holds the same few files;
 * two of them carry secret-looking values (a service-account JWT, a password) so masking of exec
 * output can be tested. None of them is a real credential.
 */
const b64url = (s: string) => Buffer.from(s).toString('base64url');

export const FAKE_SERVICE_ACCOUNT_JWT = [
  b64url(JSON.stringify({ alg: 'RS256', kid: 'demo-not-a-real-key' })),
  b64url(JSON.stringify({ iss: 'kubernetes/serviceaccount', sub: 'system:serviceaccount:default:default' })),
  b64url('fake-signature-not-a-real-token'),
].join('.');

export const FAKE_EXEC_PASSWORD = 'hunter2-exec-demo-password';

export const SECRET_FILE = '/etc/secret/token';
export const SERVICE_ACCOUNT_TOKEN_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/** Directories every container has, beyond those implied by its files. */
const BASE_DIRS = ['/bin', '/dev', '/etc', '/home', '/proc', '/root', '/sys', '/tmp', '/usr', '/var'];

export function containerFiles(c: ContainerInfo): Map<string, string> {
  return new Map([
    ['/etc/hostname', `${c.pod}\n`],
    ['/etc/os-release', 'NAME="BusyBox"\nID=busybox\nPRETTY_NAME="BusyBox 1.36 (demo container)"\n'],
    ['/etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n'],
    [SECRET_FILE, `token=${FAKE_SERVICE_ACCOUNT_JWT}\npassword=${FAKE_EXEC_PASSWORD}\n`],
    [SERVICE_ACCOUNT_TOKEN_FILE, FAKE_SERVICE_ACCOUNT_JWT],
    ['/var/run/secrets/kubernetes.io/serviceaccount/namespace', c.namespace],
  ]);
}

/** Resolves `path` against `cwd`, folding `.` and `..`. */
export function resolvePath(cwd: string, path: string): string {
  const parts = (path.startsWith('/') ? path : `${cwd}/${path}`).split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return '/' + out.join('/');
}

/** The names directly inside `dir`, or undefined when it is not a directory. */
export function listDirectory(files: Map<string, string>, dir: string): string[] | undefined {
  const prefix = dir === '/' ? '/' : `${dir}/`;
  const names = new Set<string>();
  for (const path of [...files.keys(), ...BASE_DIRS, '/dev/null', '/dev/zero', '/dev/urandom']) {
    if (!path.startsWith(prefix)) continue;
    const name = path.slice(prefix.length).split('/')[0];
    if (name) names.add(name);
  }
  if (names.size === 0 && !BASE_DIRS.includes(dir) && dir !== '/') return undefined;
  return [...names].sort();
}

export function isDirectory(files: Map<string, string>, path: string): boolean {
  return listDirectory(files, path) !== undefined;
}
