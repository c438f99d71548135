import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyLoadError, PolicyStore, type ReloadResult } from './policy-store';
import { identity, resourceRequest } from './test-support';

const policyAllowing = (resource: string, effect = 'allow') => `apiVersion: chaperone.dev/v1alpha1
kind: Policy
rules:
  - name: read
    effect: ${effect}
    subjects: { groups: ["agents"] }
    verbs: ["get"]
    apiGroups: [""]
    resources: ["${resource}"]
`;

/** Polls instead of sleeping a fixed time: fast when the watcher is fast, tolerant when not. */
async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for condition');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('PolicyStore', () => {
  let dir: string;
  let file: string;
  let store: PolicyStore | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chaperone-policy-'));
    file = join(dir, 'policy.yaml');
  });

  afterEach(() => {
    store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const getPods = resourceRequest('get', 'pods', { name: 'p' });
  const getSecrets = resourceRequest('get', 'secrets', { name: 's' });

  describe('fromFile', () => {
    it('throws PolicyLoadError with file:line:column when the policy is invalid', () => {
      writeFileSync(file, policyAllowing('pods', 'permit'));
      expect(() => PolicyStore.fromFile(file)).toThrow(PolicyLoadError);
      try {
        PolicyStore.fromFile(file);
      } catch (e) {
        const err = e as PolicyLoadError;
        expect(err.errors).toEqual([expect.objectContaining({ line: 5, column: 13, path: 'rules[0].effect' })]);
        expect(err.message).toContain(`${file}:5:13: rules[0].effect: expected one of allow|mask|approve|deny`);
      }
    });

    it('throws when the file does not exist', () => {
      expect(() => PolicyStore.fromFile(join(dir, 'missing.yaml'))).toThrow(/cannot read missing\.yaml: ENOENT/);
    });

    it('loads a valid file and evaluates with it', () => {
      writeFileSync(file, policyAllowing('pods'));
      store = PolicyStore.fromFile(file);
      expect(store.version).toMatch(/^sha256:/);
      expect(store.evaluate(identity(), getPods)).toMatchObject({ effect: 'allow', policyVersion: store.version });
    });
  });

  describe('reload', () => {
    it('switches to a valid new version', () => {
      // Given a store on a policy allowing pods
      writeFileSync(file, policyAllowing('pods'));
      store = PolicyStore.fromFile(file);
      const before = store.version;
      // When the file is changed to allow secrets and reloaded
      writeFileSync(file, policyAllowing('secrets'));
      const result = store.reload();
      // Then the new version is in force
      expect(result).toEqual({ ok: true, version: store.version, changed: true });
      expect(store.version).not.toBe(before);
      expect(store.evaluate(identity(), getSecrets).effect).toBe('allow');
      expect(store.evaluate(identity(), getPods).effect).toBe('deny');
    });

    it('reports unchanged content as not changed', () => {
      writeFileSync(file, policyAllowing('pods'));
      store = PolicyStore.fromFile(file);
      expect(store.reload()).toEqual({ ok: true, version: store.version, changed: false });
    });

    it('keeps the previous policy when the new file is invalid', () => {
      writeFileSync(file, policyAllowing('pods'));
      store = PolicyStore.fromFile(file);
      const before = store.version;
      writeFileSync(file, policyAllowing('secrets').replace('verbs:', 'verb:'));
      const result = store.reload();
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.errors).toContainEqual(expect.objectContaining({ line: 7, path: 'rules[0].verb' }));
      expect(store.version).toBe(before);
      expect(store.evaluate(identity(), getPods).effect).toBe('allow');
    });

    it('keeps the previous policy when the file disappears', () => {
      writeFileSync(file, policyAllowing('pods'));
      store = PolicyStore.fromFile(file);
      rmSync(file);
      expect(store.reload()).toEqual({ ok: false, errors: [expect.objectContaining({ line: 0 })] });
      expect(store.evaluate(identity(), getPods).effect).toBe('allow');
    });
  });

  describe('watch', () => {
    it('reloads when an editor replaces the file by rename', async () => {
      // Given a watched store
      writeFileSync(file, policyAllowing('pods'));
      store = PolicyStore.fromFile(file);
      const results: ReloadResult[] = [];
      store.watch((r) => results.push(r), { debounceMs: 20 });
      // When the file is replaced atomically, as vim and ConfigMap updates do
      const tmp = join(dir, '.policy.yaml.swp');
      writeFileSync(tmp, policyAllowing('secrets'));
      renameSync(tmp, file);
      // Then the new policy is picked up and reported once
      await waitFor(() => results.length > 0);
      expect(results[0]).toEqual({ ok: true, version: store.version, changed: true });
      expect(store.evaluate(identity(), getSecrets).effect).toBe('allow');

      // And the watch survives the rename: a second replacement is seen too
      writeFileSync(tmp, policyAllowing('configmaps'));
      renameSync(tmp, file);
      await waitFor(() => results.length > 1);
      expect(store.evaluate(identity(), resourceRequest('get', 'configmaps', { name: 'c' })).effect).toBe('allow');
    });

    it('reports an invalid edit once and keeps the previous policy', async () => {
      writeFileSync(file, policyAllowing('pods'));
      store = PolicyStore.fromFile(file);
      const before = store.version;
      const results: ReloadResult[] = [];
      store.watch((r) => results.push(r), { debounceMs: 20 });

      writeFileSync(file, policyAllowing('pods', 'permit'));
      await waitFor(() => results.length > 0);
      expect(results[0]).toEqual({ ok: false, errors: [expect.objectContaining({ line: 5, path: 'rules[0].effect' })] });
      expect(store.version).toBe(before);

      // Unrelated activity in the directory does not repeat the same error (a negative, so wait
      // several debounce periods rather than poll)
      writeFileSync(join(dir, 'unrelated.txt'), 'x');
      await new Promise((r) => setTimeout(r, 150));
      expect(results).toHaveLength(1);
      // Then fixing the file is reported as a change
      writeFileSync(file, policyAllowing('secrets'));
      await waitFor(() => results.length > 1);
      expect(results).toHaveLength(2);
      expect(results[1]).toMatchObject({ ok: true, changed: true });
    });

    it('follows a Kubernetes ConfigMap update (atomic swap of the ..data symlink)', async () => {
      // Given the layout the kubelet creates: policy.yaml -> ..data/policy.yaml, ..data -> ..v1
      mkdirSync(join(dir, '..v1'));
      writeFileSync(join(dir, '..v1', 'policy.yaml'), policyAllowing('pods'));
      symlinkSync('..v1', join(dir, '..data'));
      symlinkSync(join('..data', 'policy.yaml'), file);
      store = PolicyStore.fromFile(file);
      const results: ReloadResult[] = [];
      store.watch((r) => results.push(r), { debounceMs: 20 });
      // When the kubelet writes ..v2 and renames a new symlink over ..data
      mkdirSync(join(dir, '..v2'));
      writeFileSync(join(dir, '..v2', 'policy.yaml'), policyAllowing('secrets'));
      symlinkSync('..v2', join(dir, '..data_tmp'));
      renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
      // Then the new content is in force, though policy.yaml itself never changed
      await waitFor(() => results.length > 0);
      expect(results[0]).toMatchObject({ ok: true, changed: true });
      expect(store.evaluate(identity(), getSecrets).effect).toBe('allow');
    });

    it('stops after close()', async () => {
      writeFileSync(file, policyAllowing('pods'));
      store = PolicyStore.fromFile(file);
      const results: ReloadResult[] = [];
      store.watch((r) => results.push(r), { debounceMs: 20 });
      store.close();
      writeFileSync(file, policyAllowing('secrets'));
      // Nothing to poll for: give a watcher that wrongly survived ample time to fire.
      await new Promise((r) => setTimeout(r, 200));
      expect(results).toEqual([]);
      expect(store.evaluate(identity(), getSecrets).effect).toBe('deny');
    });

    it('refuses to watch twice', () => {
      writeFileSync(file, policyAllowing('pods'));
      store = PolicyStore.fromFile(file);
      store.watch(() => undefined);
      expect(() => store?.watch(() => undefined)).toThrow(/already watching/);
    });
  });
});
