import { applyJsonPatch, applyMergePatch, diffJson, reviewDiff } from './object-diff';

const live = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', resourceVersion: '42', labels: { app: 'web', tier: 'front' } },
  spec: { replicas: 3, template: { spec: { containers: [{ name: 'web', image: 'web:1', env: [{ name: 'TOKEN', value: '***' }] }] } } },
};
const text = (v: unknown) => ({ masked: JSON.stringify(v), truncated: false });

describe('the diff an approver sees', () => {
  it('given a merge patch, when reviewed, then it lists what changes on the live object', () => {
    const diff = reviewDiff({ verb: 'patch', contentType: 'application/merge-patch+json', body: text({ spec: { replicas: 0 }, metadata: { labels: { tier: null } } }), liveObject: text(live) });
    expect(diff).toMatchObject({
      available: true,
      basis: 'merge-patch',
      approximated: false,
      changes: [
        { path: '/metadata/labels/tier', op: 'remove', from: 'front' },
        { path: '/spec/replicas', op: 'replace', from: 3, to: 0 },
      ],
    });
  });

  it('given an RFC 6902 patch, then it is applied operation by operation', () => {
    const ops = [
      { op: 'test', path: '/spec/replicas', value: 3 },
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'web:2' },
      { op: 'add', path: '/metadata/labels/canary', value: 'yes' },
    ];
    const diff = reviewDiff({ verb: 'patch', contentType: 'application/json-patch+json', body: text(ops), liveObject: text(live) });
    expect(diff.available && diff.changes).toEqual([
      { path: '/metadata/labels/canary', op: 'add', to: 'yes' },
      { path: '/spec/template/spec/containers/0/image', op: 'replace', from: 'web:1', to: 'web:2' },
    ]);
    const failing = reviewDiff({ verb: 'patch', contentType: 'application/json-patch+json', body: text([{ op: 'test', path: '/spec/replicas', value: 9 }]), liveObject: text(live) });
    expect(failing).toEqual({ available: false, reason: expect.stringMatching(/test failed at \/spec\/replicas/) });
  });

  it('given a strategic merge patch or an apply, then it says the result is approximated', () => {
    const smp = reviewDiff({ verb: 'patch', contentType: 'application/strategic-merge-patch+json', body: text({ spec: { replicas: 5 } }), liveObject: text(live) });
    expect(smp).toMatchObject({ available: true, basis: 'strategic-merge-patch', approximated: true, note: expect.stringMatching(/approximated as a JSON merge patch/) });
    const apply = reviewDiff({
      verb: 'patch',
      contentType: 'application/apply-patch+yaml',
      body: { masked: 'apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: 1\n', truncated: false },
      liveObject: text(live),
    });
    expect(apply).toMatchObject({ available: true, basis: 'apply', approximated: true, changes: [{ path: '/spec/replicas', op: 'replace', from: 3, to: 1 }] });
  });

  it('given an update, then the body replaces the live object, ignoring server-maintained metadata', () => {
    const body = { ...live, metadata: { ...live.metadata, resourceVersion: '43' }, spec: { ...live.spec, replicas: 4 } };
    const diff = reviewDiff({ verb: 'update', contentType: 'application/json', body: text(body), liveObject: text(live) });
    expect(diff.available && diff.changes).toEqual([{ path: '/spec/replicas', op: 'replace', from: 3, to: 4 }]);
  });

  it('gives no diff, saying why, for deletes, missing live objects and truncated texts', () => {
    expect(reviewDiff({ verb: 'delete', contentType: '', body: undefined, liveObject: undefined })).toMatchObject({ available: false, reason: expect.stringMatching(/delete/) });
    expect(reviewDiff({ verb: 'patch', contentType: 'application/merge-patch+json', body: text({}), liveObject: undefined })).toMatchObject({ available: false });
    expect(reviewDiff({ verb: 'update', contentType: 'application/json', body: { masked: '{', truncated: true }, liveObject: text(live) })).toMatchObject({
      available: false,
      reason: expect.stringMatching(/truncated/),
    });
  });

  it('follows RFC 7386 and RFC 6902 on their own examples', () => {
    // RFC 7386 appendix A (a selection)
    expect(applyMergePatch({ a: 'b' }, { a: 'c' })).toEqual({ a: 'c' });
    expect(applyMergePatch({ a: 'b', b: 'c' }, { a: null })).toEqual({ b: 'c' });
    expect(applyMergePatch({ a: [{ b: 'c' }] }, { a: [1] })).toEqual({ a: [1] });
    expect(applyMergePatch(['a', 'b'], ['c', 'd'])).toEqual(['c', 'd']);
    expect(applyMergePatch({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 });
    // RFC 6902 appendix A.1, A.4, A.6, A.7
    expect(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }])).toEqual({ baz: 'qux', foo: 'bar' });
    expect(applyJsonPatch({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }])).toEqual({ foo: ['bar', 'baz'] });
    expect(applyJsonPatch({ foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } }, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }])).toEqual({
      foo: { bar: 'baz' },
      qux: { corge: 'grault', thud: 'fred' },
    });
    expect(applyJsonPatch({ foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }])).toEqual({ foo: ['all', 'cows', 'eat', 'grass'] });
    expect(() => applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }])).toThrow(/does not exist/);
  });

  it('lists array changes by index and escapes keys as JSON pointers', () => {
    expect(diffJson({ 'a/b': [1, 2] }, { 'a/b': [1, 3, 4] })).toEqual([
      { path: '/a~1b/1', op: 'replace', from: 2, to: 3 },
      { path: '/a~1b/2', op: 'add', to: 4 },
    ]);
  });
});
