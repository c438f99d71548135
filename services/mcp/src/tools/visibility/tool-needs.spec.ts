import type { ResourceRule } from '@chaperone/contracts';
import { usable, type ToolNeed } from './tool-needs';

const SELF_REVIEW: ResourceRule = { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] };
const READ: ResourceRule = { verbs: ['get', 'list'], apiGroups: ['', 'apps'], resources: ['pods', 'deployments'] };
const EXEC: ToolNeed[] = [{ verbs: ['create'], group: '', resource: 'pods/exec' }];
const DELETE: ToolNeed[] = [{ verbs: ['delete'] }];
const SCALE: ToolNeed[] = [{ verbs: ['patch'], subresource: 'scale' }];

describe('whether a tool can ever be used under these rules', () => {
  it('a tool without needs always can', () => {
    expect(usable(undefined, [])).toBe(true);
  });

  it('a verb no rule grants cannot; the self-review rule grants no tool', () => {
    expect(usable(DELETE, [SELF_REVIEW, READ])).toBe(false);
    expect(usable(EXEC, [SELF_REVIEW, READ])).toBe(false);
    expect(usable([{ verbs: ['get'] }], [SELF_REVIEW, READ])).toBe(true);
  });

  it('a fixed resource needs a rule naming it, its parent\'s "/*", or "*"', () => {
    expect(usable(EXEC, [{ verbs: ['create'], apiGroups: [''], resources: ['pods/exec'] }])).toBe(true);
    expect(usable(EXEC, [{ verbs: ['create'], apiGroups: [''], resources: ['pods/*'] }])).toBe(true);
    expect(usable(EXEC, [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }])).toBe(true);
    expect(usable(EXEC, [{ verbs: ['create'], apiGroups: [''], resources: ['pods', 'configmaps'] }])).toBe(false);
    expect(usable(EXEC, [{ verbs: ['create'], apiGroups: ['apps'], resources: ['pods/exec'] }])).toBe(false);
  });

  it('a subresource of any resource needs a rule naming one', () => {
    expect(usable(SCALE, [{ verbs: ['patch'], apiGroups: ['apps'], resources: ['deployments/scale'] }])).toBe(true);
    expect(usable(SCALE, [{ verbs: ['patch'], apiGroups: ['apps'], resources: ['deployments'] }])).toBe(false);
  });
});
