import type { RequestInfo, ResourceRequestInfo } from '@chaperone/contracts';
import { isUpgradeRequest, parseRequestInfo } from './index';

function info(method: string, url: string, opts?: { upgrade?: boolean }): RequestInfo {
  const r = parseRequestInfo(method, url, opts);
  if (!r.ok) throw new Error(`unexpected refusal for ${method} ${url}: ${r.reason}`);
  return r.info;
}

function resource(method: string, url: string, opts?: { upgrade?: boolean }): ResourceRequestInfo {
  const i = info(method, url, opts);
  if (!i.isResourceRequest) throw new Error(`expected a resource request for ${url}`);
  return i;
}

function reason(method: string, url: string): string {
  const r = parseRequestInfo(method, url);
  if (r.ok) throw new Error(`expected refusal for ${method} ${url}`);
  return r.reason;
}

describe('TestGetAPIRequestInfo (requestinfo_test.go) success cases', () => {
  // method, url, verb, prefix, group, version, namespace, resource, subresource, name, parts
  type Row = [string, string, string, string, string, string, string, string, string, string, string[]];
  const rows: Row[] = [
    // resource paths
    ['GET', '/api/v1/namespaces', 'list', 'api', '', 'v1', '', 'namespaces', '', '', ['namespaces']],
    ['GET', '/api/v1/namespaces/other', 'get', 'api', '', 'v1', 'other', 'namespaces', '', 'other', ['namespaces', 'other']],
    ['GET', '/api/v1/namespaces/other/pods', 'list', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
    ['GET', '/api/v1/namespaces/other/pods/foo', 'get', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods', 'foo']],
    ['HEAD', '/api/v1/namespaces/other/pods/foo', 'get', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods', 'foo']],
    ['GET', '/api/v1/pods', 'list', 'api', '', 'v1', '', 'pods', '', '', ['pods']],
    ['HEAD', '/api/v1/pods', 'list', 'api', '', 'v1', '', 'pods', '', '', ['pods']],
    ['PATCH', '/api/v1/namespaces/new-namespace', 'patch', 'api', '', 'v1', '', 'namespaces', '', 'new-namespace', ['namespaces', 'new-namespace']],
    // special verbs
    ['GET', '/api/v1/watch/pods', 'watch', 'api', '', 'v1', '', 'pods', '', '', ['pods']],
    ['GET', '/api/v1/pods?watch=true', 'watch', 'api', '', 'v1', '', 'pods', '', '', ['pods']],
    ['GET', '/api/v1/pods?watch=false', 'list', 'api', '', 'v1', '', 'pods', '', '', ['pods']],
    ['GET', '/api/v1/watch/namespaces/other/pods', 'watch', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
    ['GET', '/api/v1/namespaces/other/pods?watch=1', 'watch', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
    ['GET', '/api/v1/namespaces/other/pods?watch=0', 'list', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
    // subresource identification
    ['GET', '/api/v1/namespaces/other/pods/foo/status', 'get', 'api', '', 'v1', 'other', 'pods', 'status', 'foo', ['pods', 'foo', 'status']],
    ['GET', '/api/v1/namespaces/other/pods/foo/proxy/subpath', 'get', 'api', '', 'v1', 'other', 'pods', 'proxy', 'foo', ['pods', 'foo', 'proxy', 'subpath']],
    ['PUT', '/api/v1/namespaces/other/finalize', 'update', 'api', '', 'v1', 'other', 'namespaces', 'finalize', 'other', ['namespaces', 'other', 'finalize']],
    ['PUT', '/api/v1/namespaces/other/status', 'update', 'api', '', 'v1', 'other', 'namespaces', 'status', 'other', ['namespaces', 'other', 'status']],
    // verb identification
    ['PATCH', '/api/v1/namespaces/other/pods/foo', 'patch', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods', 'foo']],
    ['DELETE', '/api/v1/namespaces/other/pods/foo', 'delete', 'api', '', 'v1', 'other', 'pods', '', 'foo', ['pods', 'foo']],
    ['POST', '/api/v1/namespaces/other/pods', 'create', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
    // deletecollection verb identification
    ['DELETE', '/api/v1/nodes', 'deletecollection', 'api', '', 'v1', '', 'nodes', '', '', ['nodes']],
    ['DELETE', '/api/v1/namespaces', 'deletecollection', 'api', '', 'v1', '', 'namespaces', '', '', ['namespaces']],
    ['DELETE', '/api/v1/namespaces/other/pods', 'deletecollection', 'api', '', 'v1', 'other', 'pods', '', '', ['pods']],
    // The Go table lists prefix "api" for these rows but never asserts it; the code yields "apis".
    ['DELETE', '/apis/extensions/v1/namespaces/other/pods', 'deletecollection', 'apis', 'extensions', 'v1', 'other', 'pods', '', '', ['pods']],
    // api group / version identification
    ['POST', '/apis/extensions/v1/namespaces/other/pods', 'create', 'apis', 'extensions', 'v1', 'other', 'pods', '', '', ['pods']],
    ['POST', '/apis/extensions/v1beta3/namespaces/other/pods', 'create', 'apis', 'extensions', 'v1beta3', 'other', 'pods', '', '', ['pods']],
  ];

  it.each(rows)('%s %s', (method, url, verb, apiPrefix, apiGroup, apiVersion, namespace, res, subresource, name, parts) => {
    const i = resource(method, url);
    expect(i).toEqual({
      isResourceRequest: true,
      path: url.split('?')[0],
      verb,
      apiPrefix,
      apiGroup,
      apiVersion,
      namespace,
      resource: res,
      subresource,
      name,
      parts,
    });
  });
});

describe('TestGetAPIRequestInfo error cases / TestGetNonAPIRequestInfo', () => {
  it.each([
    ['no resource path', '/'],
    ['just apiversion', '/api/version/'],
    ['just prefix, group, version', '/apis/group/version/'],
    ['bad prefix', '/badprefix/version/resource'],
    ['missing api group', '/apis/version/resource'],
    ['bad root', '/not-api/version/resource'],
    ['group without enough steps', '/apis/extensions/v1beta1'],
    ['group without enough steps 2', '/apis/extensions/v1beta1/'],
    ['not enough steps', '/api/version'],
    ['one step', '/api'],
  ])('%s: %s is a non-resource request', (_name, url) => {
    expect(info('GET', url)).toEqual({ isResourceRequest: false, path: url, verb: 'get' });
  });

  it.each([
    ['simple groupless', '/api/version/resource'],
    ['simple group', '/apis/group/version/resource/name/subresource'],
    ['more steps', '/api/version/resource/name/subresource'],
    ['group list', '/apis/batch/v1/job'],
    ['group get', '/apis/batch/v1/job/foo'],
    ['group subresource', '/apis/batch/v1/job/foo/scale'],
  ])('%s: %s is a resource request', (_name, url) => {
    expect(info('GET', url).isResourceRequest).toBe(true);
  });

  it('"empty" (Go tests the empty URL) is refused: a request-target must start with "/"', () => {
    expect(reason('GET', '')).toMatch(/must start with/);
  });

  it.each([
    '/version',
    '/healthz',
    '/livez',
    '/readyz',
    '/api',
    '/apis',
    '/api/v1',
    '/apis/apps',
    '/apis/apps/v1',
    '/openapi/v2',
    '/openapi/v3/apis/apps/v1',
    '/metrics',
  ])('%s is non-resource with the lower-cased method', (url) => {
    expect(info('GET', url)).toEqual({ isResourceRequest: false, path: url, verb: 'get' });
    expect(info('POST', url)).toEqual({ isResourceRequest: false, path: url, verb: 'post' });
    expect(info('OPTIONS', url)).toEqual({ isResourceRequest: false, path: url, verb: 'options' });
  });
});

describe('TestFieldSelectorParsing (requestinfo_test.go)', () => {
  it.each([
    ['no selector', '/apis/group/version/resource', '', 'list'],
    ['metadata.name selector', '/apis/group/version/resource?fieldSelector=metadata.name=name1', 'name1', 'list'],
    ['metadata.name selector with watch', '/apis/group/version/resource?watch=true&fieldSelector=metadata.name=name1', 'name1', 'watch'],
    ['random selector', '/apis/group/version/resource?fieldSelector=foo=bar', '', 'list'],
    ['invalid selector with metadata.name', '/apis/group/version/resource?fieldSelector=metadata.name=name1,foo', '', 'list'],
    ['invalid selector with metadata.name with watch', '/apis/group/version/resource?fieldSelector=metadata.name=name1,foo&watch=true', '', 'watch'],
    ['invalid selector with metadata.name with watch false', '/apis/group/version/resource?fieldSelector=metadata.name=name1,foo&watch=false', '', 'list'],
  ])('%s', (_name, url, name, verb) => {
    const i = resource('GET', url);
    expect(i.name).toBe(name);
    expect(i.verb).toBe(verb);
  });

  it.each([
    ['== operator', 'metadata.name==a', 'a'],
    ['!= does not pin a name', 'metadata.name!=a', ''],
    ['other terms are fine', 'status.phase=Running,metadata.name=a', 'a'],
    ['first match after bytewise sort wins', 'metadata.name=b,metadata.name=a', 'a'],
    ['escaped value', 'metadata.name=a\\,b', 'a,b'],
    ['names with "/" are ignored', 'metadata.name=a/b', ''],
    ['names with "%" are ignored', 'metadata.name=a%25b', ''],
    ['".." is ignored', 'metadata.name=..', ''],
    ['bad escape invalidates the selector', 'metadata.name=a\\b', ''],
    ['trailing backslash invalidates', 'metadata.name=a\\', ''],
    ['empty terms are skipped', 'metadata.name=a,', 'a'],
    ['lhs is not trimmed', 'metadata.name =a', ''],
  ])('%s', (_name, selector, name) => {
    expect(resource('GET', `/api/v1/pods?fieldSelector=${encodeURIComponent(selector)}`).name).toBe(name);
  });

  it('DELETE without a name never reads fieldSelector: deletecollection, no name', () => {
    expect(resource('DELETE', '/api/v1/pods?fieldSelector=metadata.name%3Da')).toMatchObject({ verb: 'deletecollection', name: '' });
  });

  it('any undecodable list option discards the fieldSelector name but keeps watch (Go fallback path)', () => {
    for (const bad of ['limit=abc', 'limit=', 'timeoutSeconds=1.5', 'limit=9223372036854775808', 'labelSelector=a%3D%3D%3D']) {
      const i = resource('GET', `/api/v1/pods?watch=1&fieldSelector=metadata.name%3Dx&${bad}`);
      expect(i).toMatchObject({ verb: 'watch', name: '' });
    }
    expect(resource('GET', '/api/v1/pods?limit=-9223372036854775808&fieldSelector=metadata.name%3Dx')).toMatchObject({ verb: 'list', name: 'x' });
  });

  it.each([
    ['', true],
    ['app', true],
    ['!app', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', true],
    ['app in (a, b)', true],
    ['app notin (a,b)', true],
    ['app in ()', true],
    ['app in (,)', true],
    ['app=', true],
    ['example.com/app=web,tier', true],
    ['replicas>3', true],
    ['replicas<-3', false],
    ['replicas>x', false],
    ['app=web,', false],
    ['app==', true],
    ['app===', false],
    ['!app=web', false],
    ['app in a', false],
    ['app in (a', false],
    ['-app', false],
    ['Example.com/app', false],
    ['app=' + 'x'.repeat(64), false],
    ['app web', false],
  ])('labelSelector %j valid=%s', (sel, valid) => {
    const i = resource('GET', `/api/v1/pods?fieldSelector=metadata.name%3Dx&labelSelector=${encodeURIComponent(sel)}`);
    expect(i.name).toBe(valid ? 'x' : '');
  });
});

describe('watch query parameter (runtime.Convert_Slice_string_To_bool)', () => {
  it.each([
    ['watch=true', 'watch'],
    ['watch=1', 'watch'],
    ['watch=yes', 'watch'],
    ['watch=', 'watch'],
    ['watch', 'watch'],
    ['watch=0', 'list'],
    ['watch=false', 'list'],
    ['watch=FALSE', 'list'],
    ['watch=False', 'list'],
    ['watch=f', 'watch'],
    ['watch=00', 'watch'],
    ['watch=false&watch=true', 'list'],
    ['watch=true&watch=false', 'watch'],
    ['watch=%20false', 'watch'],
    ['watch+=1', 'list'],
    ['Watch=1', 'list'],
    ['watch=fal%C5%BFe', 'list'], // EqualFold: U+017F folds to "s"
  ])('%s -> %s', (q, verb) => {
    expect(resource('GET', `/api/v1/pods?${q}`).verb).toBe(verb);
  });

  it('the ToLower fallback (after a decode error) does not fold U+017F', () => {
    expect(resource('GET', '/api/v1/pods?limit=x&watch=fal%C5%BFe').verb).toBe('watch');
    expect(resource('GET', '/api/v1/pods?limit=x&watch=FALSE').verb).toBe('list');
  });

  it('a named GET ignores watch, like Go', () => {
    expect(resource('GET', '/api/v1/namespaces/a/pods/p?watch=true').verb).toBe('get');
  });
});

describe('more Go behaviour', () => {
  it('mirrors a single trailing slash the way splitPath trims it', () => {
    expect(resource('GET', '/api/v1/namespaces/default/pods/')).toMatchObject({
      path: '/api/v1/namespaces/default/pods/',
      verb: 'list',
      namespace: 'default',
      resource: 'pods',
      name: '',
      parts: ['pods'],
    });
    expect(resource('GET', '/api/v1/namespaces/default/pods/p/')).toMatchObject({ verb: 'get', name: 'p' });
    expect(info('GET', '/apis/')).toEqual({ isResourceRequest: false, path: '/apis/', verb: 'get' });
  });

  it('deprecated /watch/ path form sets the verb whatever the method', () => {
    expect(resource('GET', '/apis/apps/v1/watch/namespaces/ns/deployments/d')).toMatchObject({ verb: 'watch', namespace: 'ns', name: 'd' });
    expect(resource('DELETE', '/api/v1/watch/pods').verb).toBe('watch');
    expect(resource('GET', '/api/v1/watch/namespaces')).toMatchObject({ verb: 'watch', resource: 'namespaces', namespace: '' });
  });

  it('/watch with nothing after it is an error in Go, refused here', () => {
    expect(reason('GET', '/api/v1/watch')).toMatch(/unable to determine kind and namespace/);
    expect(reason('GET', '/apis/apps/v1/watch/')).toMatch(/unable to determine kind and namespace/);
  });

  it('namespace handling', () => {
    expect(resource('GET', '/api/v1/namespaces/ns/namespaces')).toMatchObject({ namespace: 'ns', resource: 'namespaces', parts: ['namespaces'] });
    expect(resource('GET', '/api/v1/namespaces/ns/status')).toMatchObject({ namespace: 'ns', resource: 'namespaces', name: 'ns', subresource: 'status' });
    expect(resource('PATCH', '/api/v1/namespaces/ns/status')).toMatchObject({ namespace: 'ns', name: 'ns', subresource: 'status' });
    expect(resource('PUT', '/api/v1/namespaces/ns')).toMatchObject({ namespace: 'ns', name: 'ns', verb: 'update' });
    expect(resource('DELETE', '/api/v1/namespaces/ns')).toMatchObject({ namespace: 'ns', name: 'ns', verb: 'delete' });
    expect(resource('GET', '/apis/apps/v1/namespaces/ns/deployments/d/scale')).toMatchObject({
      apiPrefix: 'apis',
      apiGroup: 'apps',
      namespace: 'ns',
      resource: 'deployments',
      name: 'd',
      subresource: 'scale',
    });
    expect(resource('GET', '/api/v1/nodes/n/proxy/a/b')).toMatchObject({ namespace: '', resource: 'nodes', name: 'n', subresource: 'proxy', parts: ['nodes', 'n', 'proxy', 'a', 'b'] });
  });

  it('decodes percent-escapes of ordinary characters like url.Path', () => {
    expect(resource('GET', '/api/v1/namespaces/d%65fault/pods/f%6F%6f')).toMatchObject({
      path: '/api/v1/namespaces/default/pods/foo',
      namespace: 'default',
      name: 'foo',
    });
    expect(resource('GET', '/api/v1/namespaces/a/pods/x%3Fy%23z%25')).toMatchObject({ name: 'x?y#z%' });
    expect(resource('GET', '/api/v1/namespaces/a/pods/%C3%A9')).toMatchObject({ name: 'é' });
    expect(resource('GET', '/api/v1/namespaces/a/pods/a+b')).toMatchObject({ name: 'a+b' });
  });

  it('query keys and values are decoded with "+" as space', () => {
    expect(resource('GET', '/api/v1/pods?fieldSelector=metadata.name%3Da+b').name).toBe('a b');
  });
});

describe('refusals', () => {
  it.each([
    ['relative path', 'api/v1/pods'],
    ['absolute-form', 'http://host/api/v1/pods'],
    ['asterisk-form', '*'],
    ['dot segment', '/api/v1/namespaces/./pods'],
    ['dot-dot segment', '/api/v1/namespaces/a/../b/pods'],
    ['encoded dot-dot', '/api/v1/namespaces/a/%2e%2E/pods'],
    ['leading dot-dot', '/../api/v1/pods'],
    ['empty segment', '/api/v1//pods'],
    ['leading double slash', '//api/v1/pods'],
    ['double trailing slash', '/api/v1/pods//'],
    ['encoded slash', '/api/v1/namespaces/a%2Fb/pods'],
    ['encoded slash lower', '/api/v1/namespaces/a%2fb/pods'],
    ['encoded backslash', '/api/v1/namespaces/a%5cb/pods'],
    ['raw backslash', '/api/v1/namespaces/a\\b/pods'],
    ['encoded NUL', '/api/v1/namespaces/a%00/pods'],
    ['encoded NUL in query', '/api/v1/pods?x=%00'],
    ['raw NUL', '/api/v1/pods\u0000'],
    ['invalid escape', '/api/v1/namespaces/a%zz/pods'],
    ['truncated escape', '/api/v1/pods%4'],
    ['invalid utf-8', '/api/v1/pods/%ff'],
    ['encoded control char', '/api/v1/pods/a%0Ab'],
    ['raw control char', '/api/v1/pods/a\tb'],
    ['raw DEL', '/api/v1/pods/a\u007fb'],
    ['raw space', '/api/v1/pods/a b'],
    ['raw non-ASCII', '/api/v1/pods/é'],
    ['fragment', '/api/v1/pods#x'],
    ['over-long path', '/api/v1/pods/' + 'a'.repeat(8 * 1024)],
    ['semicolon in query', '/api/v1/pods?watch=1;limit=2'],
    ['bad escape in query', '/api/v1/pods?fieldSelector=%zz'],
    ['bad escape in query key', '/api/v1/pods?%G1=1'],
    ['invalid utf-8 in query', '/api/v1/pods?x=%ff'],
    ['non-resource dot segment', '/healthz/..'],
    ['non-resource empty segment', '/openapi//v2'],
  ])('%s', (_name, url) => {
    expect(reason('GET', url)).toEqual(expect.any(String));
  });

  it('accepts a path of exactly 8 KiB', () => {
    const url = '/api/v1/pods/' + 'a'.repeat(8 * 1024 - '/api/v1/pods/'.length);
    expect(resource('GET', url).name).toHaveLength(8 * 1024 - 13);
  });

  it.each(['', 'GE T', 'GET\r\n', 'G(ET'])('invalid method %j', (m) => {
    expect(reason(m, '/api/v1/pods')).toMatch(/method/);
  });

  it('refuses verbs the contract cannot express', () => {
    expect(reason('OPTIONS', '/api/v1/pods')).toMatch(/not supported/);
    expect(reason('get', '/api/v1/pods')).toMatch(/not supported/); // Go: case-sensitive, verb ""
    expect(reason('GET', '/api/v1/proxy/namespaces/a/pods/p')).toMatch(/proxy/);
  });

  it('reasons never echo the query string', () => {
    const secret = 'token=SECRET-VALUE-123';
    for (const url of [`/api/v1/pods?${secret}&a=%zz`, `/api/v1//pods?${secret}`, `/api/v1/pods?${secret};x`]) {
      expect(reason('GET', url)).not.toContain('SECRET');
    }
  });
});

describe('connection upgrades on streaming subresources', () => {
  it.each(['exec', 'attach', 'portforward'])('GET upgrade on pods/%s is create', (sub) => {
    const url = `/api/v1/namespaces/ns/pods/p/${sub}?command=sh`;
    expect(resource('GET', url, { upgrade: true })).toMatchObject({ verb: 'create', subresource: sub, name: 'p' });
    expect(resource('POST', url, { upgrade: true }).verb).toBe('create');
    expect(resource('GET', url).verb).toBe('get');
    expect(resource('GET', url, { upgrade: false }).verb).toBe('get');
  });

  it('does not touch other subresources or verbs', () => {
    expect(resource('GET', '/api/v1/namespaces/ns/pods/p/log', { upgrade: true }).verb).toBe('get');
    expect(resource('GET', '/api/v1/namespaces/ns/pods', { upgrade: true }).verb).toBe('list');
    expect(resource('HEAD', '/api/v1/namespaces/ns/pods/p/exec', { upgrade: true }).verb).toBe('get');
    expect(resource('GET', '/api/v1/watch/namespaces/ns/pods/p/exec', { upgrade: true }).verb).toBe('watch');
  });

  it('isUpgradeRequest', () => {
    expect(isUpgradeRequest({ connection: 'Upgrade', upgrade: 'websocket' })).toBe(true);
    expect(isUpgradeRequest({ Connection: 'keep-alive, Upgrade', Upgrade: 'SPDY/3.1' })).toBe(true);
    expect(isUpgradeRequest({ connection: ['keep-alive', 'upgrade'], upgrade: ['websocket'] })).toBe(true);
    expect(isUpgradeRequest({ connection: 'keep-alive', upgrade: 'websocket' })).toBe(false);
    expect(isUpgradeRequest({ connection: 'Upgrade' })).toBe(false);
    expect(isUpgradeRequest({ connection: 'Upgrade', upgrade: ' ' })).toBe(false);
    expect(isUpgradeRequest({})).toBe(false);
  });
});
