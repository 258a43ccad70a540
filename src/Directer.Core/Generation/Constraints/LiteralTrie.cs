namespace Directer.Core.Generation.Constraints;

/// <summary>
/// A byte trie of a fixed set of literals (tool names, argument names, enum values), each with an
/// index. <see cref="Below"/> holds the indices of the literals at or under a node (up to 64), so a walk
/// can refuse to enter a branch whose literals are all used up instead of reaching a dead end.
/// </summary>
internal sealed class LiteralTrie
{
    private readonly Dictionary<byte, LiteralTrie> children = new();

    /// <summary>The index of the literal that ends here, or -1.</summary>
    public int Terminal { get; private set; } = -1;

    /// <summary>Bit i is set when literal i ends at or under this node.</summary>
    public ulong Below { get; private set; }

    /// <summary>Whether a longer literal continues from here.</summary>
    public bool HasChildren => children.Count > 0;

    /// <summary>Builds the trie of <paramref name="literals"/> (at most 64; duplicates are refused).</summary>
    public static LiteralTrie Build(IReadOnlyList<byte[]> literals)
    {
        if (literals.Count > 64)
        {
            throw new ArgumentException($"At most 64 literals fit a constraint trie; got {literals.Count}.", nameof(literals));
        }

        var root = new LiteralTrie();
        for (int i = 0; i < literals.Count; i++)
        {
            var node = root;
            node.Below |= 1UL << i;
            foreach (byte b in literals[i])
            {
                if (!node.children.TryGetValue(b, out var next))
                {
                    next = new LiteralTrie();
                    node.children[b] = next;
                }

                node = next;
                node.Below |= 1UL << i;
            }

            if (node.Terminal >= 0)
            {
                throw new ArgumentException($"Literal {i} repeats literal {node.Terminal}.", nameof(literals));
            }

            node.Terminal = i;
        }

        return root;
    }

    /// <summary>The child reached by <paramref name="b"/> whose literals are not all in <paramref name="used"/>, or null.</summary>
    public LiteralTrie? Next(byte b, ulong used) =>
        children.TryGetValue(b, out var next) && (next.Below & ~used) != 0 ? next : null;
}
