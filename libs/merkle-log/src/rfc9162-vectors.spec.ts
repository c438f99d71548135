import { EMPTY_TREE_HASH, leafHash, MerkleTree, toHex, verifyConsistency, verifyInclusion } from '.';

/**
 * The reference vectors of the Certificate Transparency implementations (transparency-dev/merkle,
 * proof/verify_test.go): eight leaves, the heads of every prefix, and known inclusion and
 * consistency proofs. Matching them shows the tree shape and hashing are RFC 6962/9162's.
 */
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map((h) => Buffer.from(h, 'hex'));

/** ROOTS[i] is the head of the tree of the first i + 1 leaves. */
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** { leaf (0-based index), size, path } */
const INCLUSION = [
  { leaf: 0, size: 1, path: [] },
  {
    leaf: 0,
    size: 8,
    path: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    leaf: 5,
    size: 8,
    path: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { leaf: 2, size: 3, path: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    leaf: 1,
    size: 5,
    path: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];

const CONSISTENCY = [
  { m: 1, n: 1, proof: [] },
  {
    m: 1,
    n: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    m: 6,
    n: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    m: 2,
    n: 5,
    proof: ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b'],
  },
  {
    m: 6,
    n: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];

const hex = (hs: readonly string[]) => hs.map((h) => Buffer.from(h, 'hex'));
const tree = MerkleTree.fromLeaves(LEAVES);

describe('RFC 6962/9162 reference vectors', () => {
  it('the empty tree head is SHA-256 of nothing', () => {
    expect(toHex(EMPTY_TREE_HASH)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(new MerkleTree().rootHash())).toBe(toHex(EMPTY_TREE_HASH));
  });

  it('the head of every prefix of the eight leaves', () => {
    expect(ROOTS.map((_, i) => toHex(tree.rootHash(i + 1)))).toEqual(ROOTS);
  });

  it.each(INCLUSION)('inclusion proof of leaf $leaf in a tree of $size', ({ leaf, size, path }) => {
    expect(tree.inclusionProof(leaf, size).map(toHex)).toEqual(path);
    const root = Buffer.from(ROOTS[size - 1] as string, 'hex');
    expect(verifyInclusion(leafHash(LEAVES[leaf] as Buffer), leaf, size, hex(path), root)).toBe(true);
    // The same proof for the neighbouring leaf, or against another size, does not verify.
    expect(verifyInclusion(leafHash(LEAVES[leaf] as Buffer), leaf + 1, size, hex(path), root)).toBe(false);
    expect(verifyInclusion(leafHash(LEAVES[leaf] as Buffer), leaf, size * 2, hex(path), root)).toBe(false);
  });

  it.each(CONSISTENCY)('consistency proof from $m to $n', ({ m, n, proof }) => {
    expect(tree.consistencyProof(m, n).map(toHex)).toEqual(proof);
    const oldRoot = Buffer.from(ROOTS[m - 1] as string, 'hex');
    const newRoot = Buffer.from(ROOTS[n - 1] as string, 'hex');
    expect(verifyConsistency(m, n, hex(proof), oldRoot, newRoot)).toBe(true);
    if (m !== n) {
      expect(verifyConsistency(m, n, hex(proof), newRoot, oldRoot)).toBe(false);
      expect(verifyConsistency(m, n, [], oldRoot, newRoot)).toBe(false);
    }
  });

  it('flipping one bit of any proof hash breaks it', () => {
    for (const { m, n, proof } of CONSISTENCY) {
      for (let i = 0; i < proof.length; i++) {
        const bad = hex(proof);
        (bad[i] as Buffer)[0] = ((bad[i] as Buffer)[0] as number) ^ 16;
        expect(verifyConsistency(m, n, bad, Buffer.from(ROOTS[m - 1] as string, 'hex'), Buffer.from(ROOTS[n - 1] as string, 'hex'))).toBe(false);
      }
    }
    for (const { leaf, size, path } of INCLUSION) {
      for (let i = 0; i < path.length; i++) {
        const bad = hex(path);
        (bad[i] as Buffer)[0] = ((bad[i] as Buffer)[0] as number) ^ 8;
        expect(verifyInclusion(leafHash(LEAVES[leaf] as Buffer), leaf, size, bad, Buffer.from(ROOTS[size - 1] as string, 'hex'))).toBe(false);
      }
    }
  });
});
