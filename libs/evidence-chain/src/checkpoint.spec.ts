import { generateKeyPairSync } from 'node:crypto';
import { GENESIS } from './chain';
import {
  checkpointPayload,
  CheckpointKeyError,
  generateCheckpointKeyPair,
  keyIdOf,
  loadPrivateKey,
  loadPublicKey,
  signCheckpoint,
  verifyCheckpoint,
} from './checkpoint';

const { privateKey, publicKey } = generateCheckpointKeyPair();
const now = () => new Date('2024-05-01T12:00:00.000Z');
const heads = { 'session-1': { revision: 4, hash: GENESIS.replace(/0$/, '1') }, 'session-2': { revision: 0, hash: GENESIS } };

describe('checkpoints', () => {
  it('signs canonical JSON of at, heads and keyId and verifies', () => {
    const cp = signCheckpoint(heads, { privateKey, keyId: 'k1', now });
    expect(cp.at).toBe('2024-05-01T12:00:00.000Z');
    expect(cp.keyId).toBe('k1');
    expect(cp.heads).toEqual(heads);
    expect(Buffer.from(cp.signature, 'base64')).toHaveLength(64);
    expect(checkpointPayload(cp).toString()).toBe(
      `{"at":"2024-05-01T12:00:00.000Z","heads":{"session-1":{"hash":"${heads['session-1'].hash}","revision":4},"session-2":{"hash":"${GENESIS}","revision":0}},"keyId":"k1"}`,
    );
    expect(verifyCheckpoint(cp, publicKey)).toBe(true);
  });

  it('accepts PEM keys', () => {
    const privPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const pubPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const cp = signCheckpoint(heads, { privateKey: privPem, keyId: 'k1', now });
    expect(verifyCheckpoint(cp, pubPem)).toBe(true);
    expect(loadPublicKey(privPem).export({ format: 'pem', type: 'spki' })).toEqual(pubPem);
  });

  it('rejects altered content, a tampered or malformed signature, and another key', () => {
    const cp = signCheckpoint(heads, { privateKey, keyId: 'k1', now });
    const sig = Buffer.from(cp.signature, 'base64');
    sig[0] = (sig[0] ?? 0) ^ 1;
    expect(verifyCheckpoint({ ...cp, signature: sig.toString('base64') }, publicKey)).toBe(false);
    expect(verifyCheckpoint({ ...cp, signature: 'not base64!' }, publicKey)).toBe(false);
    expect(verifyCheckpoint({ ...cp, signature: '' }, publicKey)).toBe(false);
    expect(verifyCheckpoint({ ...cp, at: '2024-05-01T12:00:01.000Z' }, publicKey)).toBe(false);
    expect(verifyCheckpoint({ ...cp, keyId: 'k2' }, publicKey)).toBe(false);
    expect(
      verifyCheckpoint({ ...cp, heads: { ...cp.heads, 'session-2': { revision: 1, hash: GENESIS } } }, publicKey),
    ).toBe(false);
    expect(verifyCheckpoint(cp, generateCheckpointKeyPair().publicKey)).toBe(false);
  });

  it('loads keys with clear errors that never echo key material', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const rsaPem = rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    const garbagePem = '-----BEGIN PRIVATE KEY-----\nU0VDUkVUU0VDUkVU\n-----END PRIVATE KEY-----\n';
    const cases: [() => unknown, RegExp][] = [
      [() => loadPrivateKey('SECRETSECRET'), /not a PEM document/],
      [() => loadPrivateKey(garbagePem), /could not parse the checkpoint private key PEM/],
      [() => loadPrivateKey(rsaPem), /expected an Ed25519 private key, got rsa/],
      [() => loadPublicKey(garbagePem), /could not parse the checkpoint public key PEM/],
      [() => signCheckpoint(heads, { privateKey: publicKey, keyId: 'k', now }), /got a public key/],
      [() => verifyCheckpoint(signCheckpoint(heads, { privateKey, keyId: 'k' }), privateKey), /got a private key/],
    ];
    for (const [fn, message] of cases) {
      let error: unknown;
      try {
        fn();
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(CheckpointKeyError);
      const text = String((error as Error).message);
      expect(text).toMatch(message);
      expect(text).not.toMatch(/SECRET|U0VDUkVU|BEGIN/);
      expect(text).not.toContain(rsaPem.split('\n')[1]);
    }
  });

  it('derives a stable key id from the public key', () => {
    expect(keyIdOf(publicKey)).toMatch(/^ed25519:[0-9a-f]{16}$/);
    expect(keyIdOf(publicKey)).toBe(keyIdOf(publicKey.export({ format: 'pem', type: 'spki' }).toString()));
    expect(keyIdOf(generateCheckpointKeyPair().publicKey)).not.toBe(keyIdOf(publicKey));
  });
});
