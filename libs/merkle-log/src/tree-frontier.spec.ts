import { leafHash, MerkleTree, TreeFrontier } from '.';

describe('TreeFrontier', () => {
  it('has the same head as the whole tree at every size, also when resumed from its hex form', () => {
    const tree = new MerkleTree();
    let frontier = TreeFrontier.empty();
    expect(frontier.rootHash()).toEqual(tree.rootHash());
    for (let i = 0; i < 130; i++) {
      const h = leafHash(Buffer.from(`event-${i}`));
      tree.appendLeafHash(h);
      frontier.appendLeafHash(h);
      expect(frontier.size).toBe(i + 1);
      expect(frontier.rootHash().equals(tree.rootHash())).toBe(true);
      if (i % 7 === 0) frontier = TreeFrontier.fromHex(frontier.size, frontier.toHex());
    }
    expect(frontier.toHex()).toHaveLength(2); // 130 = 128 + 2
  });

  it('refuses hashes that do not fit the size', () => {
    const f = TreeFrontier.empty();
    for (let i = 0; i < 5; i++) f.appendLeafHash(leafHash(Buffer.from(`e${i}`)));
    expect(() => TreeFrontier.fromHex(7, f.toHex())).toThrow(RangeError); // 7 = 4 + 2 + 1: three subtrees
    expect(() => TreeFrontier.fromHex(5, ['zz', 'yy'])).toThrow();
    expect(TreeFrontier.fromHex(5, f.toHex()).rootHash().equals(f.rootHash())).toBe(true);
  });
});
