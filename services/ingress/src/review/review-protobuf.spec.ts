import { isKubeProtobuf, reviewFromProtobuf } from './review-protobuf';

/** What kubectl 1.32 sent for `kubectl auth can-i get pods` (captured with -v=8). */
const CAN_I_GET_PODS = Buffer.from(
  '6b3873000a320a17617574686f72697a' +
  '6174696f6e2e6b38732e696f2f763112' +
  '1753656c665375626a65637441636365' +
  '7373526576696577123c0a100a001200' +
  '1a0022002a00320038004200121e0a1c' +
  '0a0764656661756c7412036765741a00' +
  '22002a04706f647332003a001a080800' +
  '12001a0020001a002200',
  'hex',
);

function ld(field: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(field << 3) | 2, payload.length]), payload]);
}
const str = (field: number, s: string) => ld(field, Buffer.from(s));

describe('reviews in Kubernetes protobuf', () => {
  it('reads the resource attributes kubectl auth can-i sends', () => {
    expect(isKubeProtobuf(CAN_I_GET_PODS)).toBe(true);
    expect(reviewFromProtobuf(CAN_I_GET_PODS, 'access').spec['resourceAttributes']).toEqual({ namespace: 'default', verb: 'get', group: '', version: '', resource: 'pods', subresource: '', name: '' });
  });

  it('reads a rules review namespace and non-resource attributes', () => {
    const rules = Buffer.concat([Buffer.from('k8s\0', 'latin1'), ld(2, ld(2, str(1, 'team-a')))]);
    expect(reviewFromProtobuf(rules, 'rules').spec['namespace']).toBe('team-a');
    const nonResource = Buffer.concat([Buffer.from('k8s\0', 'latin1'), ld(2, ld(2, ld(2, Buffer.concat([str(1, '/healthz'), str(2, 'get')]))))]);
    expect(reviewFromProtobuf(nonResource, 'access').spec['nonResourceAttributes']).toEqual({ path: '/healthz', verb: 'get' });
  });

  it('refuses a truncated message', () => {
    expect(() => reviewFromProtobuf(Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from([0x12, 0x40, 0x01])]), 'access')).toThrow(/truncated/);
  });
});
