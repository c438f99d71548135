import { eventsText, objectText, tableText } from './render';
import { cut } from './results';

describe('what tools print', () => {
  it('prints a Table like kubectl get: priority-0 columns, a NAMESPACE column across namespaces', () => {
    const table = {
      kind: 'Table',
      columnDefinitions: [
        { name: 'Name', priority: 0 },
        { name: 'Status', priority: 0 },
        { name: 'IP', priority: 1 },
      ],
      rows: [
        { cells: ['web-1', 'Running', '10.0.0.1'], object: { metadata: { namespace: 'default' } } },
        { cells: ['coredns', 'Running', '10.0.0.2'], object: { metadata: { namespace: 'kube-system' } } },
      ],
    };
    expect(tableText(table, false)).toBe('NAME      STATUS\nweb-1     Running\ncoredns   Running');
    expect(tableText(table, true).split('\n')[2]).toBe('kube-system   coredns   Running');
    expect(tableText({ kind: 'Table', columnDefinitions: [], rows: [] }, false)).toBe('No resources found.');
  });

  it('leaves managedFields out of objects', () => {
    const text = objectText({ kind: 'Pod', metadata: { name: 'p', managedFields: [{ manager: 'kubectl' }] } }, 'yaml');
    expect(text).toBe('kind: Pod\nmetadata:\n  name: p\n');
  });

  it('prints events oldest first', () => {
    const text = eventsText(
      {
        items: [
          { type: 'Warning', reason: 'BackOff', message: 'restarting', lastTimestamp: '2026-01-01T00:00:02Z', count: 3, involvedObject: { kind: 'Pod', name: 'p' } },
          { type: 'Normal', reason: 'Pulled', message: 'pulled\n image', lastTimestamp: '2026-01-01T00:00:01Z', involvedObject: { kind: 'Pod', name: 'p' } },
        ],
      },
      true,
    ).split('\n');
    expect(text[1]).toMatch(/^2026-01-01T00:00:01Z\s+Normal\s+Pulled\s+pod\/p\s+1\s+pulled image$/);
    expect(text[2]).toMatch(/Warning\s+BackOff\s+pod\/p\s+3\s+restarting$/);
  });

  it('cuts long output and says so, with how to get less', () => {
    expect(cut('abc', 3, 'narrow it')).toBe('abc');
    expect(cut('abcdef', 3, 'narrow it')).toBe('abc\n[output cut: 3 of 6 characters shown. narrow it]');
  });
});
