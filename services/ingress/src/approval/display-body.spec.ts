import type { RequestInfo } from '@chaperone/contracts';
import { MASK, MASKED_BASE64 } from '@chaperone/masking';
import { capText, maskedForDisplay } from './display-body';

const on = (resource: string): RequestInfo => ({
  isResourceRequest: true,
  path: `/api/v1/namespaces/default/${resource}/x`,
  verb: 'patch',
  apiPrefix: 'api',
  apiGroup: '',
  apiVersion: 'v1',
  namespace: 'default',
  resource,
  subresource: '',
  name: 'x',
  parts: [resource, 'x'],
});
const PASSWORD = Buffer.from('hunter2-very-secret').toString('base64');

describe('maskedForDisplay: what approvers see of a body', () => {
  it('masks a Secret’s data', () => {
    const body = Buffer.from(JSON.stringify({ kind: 'Secret', apiVersion: 'v1', metadata: { name: 'x' }, data: { password: PASSWORD } }));
    const shown = maskedForDisplay(body, 'application/json', on('secrets'), 'default');
    expect(shown.truncated).toBe(false);
    expect(shown.masked).not.toContain(PASSWORD);
    expect(JSON.parse(shown.masked)).toMatchObject({ kind: 'Secret', data: { password: MASKED_BASE64 } });
  });

  it('masks a merge patch to a Secret (no kind in the body) without adding one', () => {
    const body = Buffer.from(JSON.stringify({ data: { password: PASSWORD } }));
    const shown = JSON.parse(maskedForDisplay(body, 'application/merge-patch+json', on('secrets'), 'default').masked) as Record<string, unknown>;
    expect(shown).toEqual({ data: { password: MASKED_BASE64 } });
  });

  it('masks every value of a JSON patch to a Secret', () => {
    const body = Buffer.from(JSON.stringify([{ op: 'replace', path: '/data/password', value: PASSWORD }]));
    expect(JSON.parse(maskedForDisplay(body, 'application/json-patch+json', on('secrets'), 'default').masked)).toEqual([
      { op: 'replace', path: '/data/password', value: MASK },
    ]);
  });

  it('masks a server-side apply body in YAML, and tokens in any string', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const yaml = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  note: "token ${jwt}"\n`;
    const shown = maskedForDisplay(Buffer.from(yaml), 'application/apply-patch+yaml', on('configmaps'), 'default');
    expect(shown.masked).not.toContain(jwt);
    expect(JSON.parse(shown.masked)).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'x' } });
  });

  it('caps the text on a character boundary and says so', () => {
    expect(capText('ab€cd', 4)).toEqual({ masked: 'ab', truncated: true });
    expect(capText('abc', 3)).toEqual({ masked: 'abc', truncated: false });
  });
});
