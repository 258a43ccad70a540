using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using Directer.Core.Tokenization;

namespace Directer.Core.Generation.Constraints;

/// <summary>
/// The tokenizer's vocabulary as a byte trie (special tokens left out: they are never text), so the
/// tokens a grammar allows are found in one walk that shares the work of common prefixes. Built once
/// per tokenizer and cached.
/// </summary>
internal sealed class TokenTrie
{
    private static readonly ConditionalWeakTable<TextTokenizer, TokenTrie> Cache = new();
    private readonly ConcurrentDictionary<string, int[]> containing = new(StringComparer.Ordinal);

    private TokenTrie(byte[] edges, TokenTrie[] children, int[] tokens)
    {
        Edges = edges;
        Children = children;
        Tokens = tokens;
    }

    /// <summary>The byte on the edge to each child.</summary>
    public byte[] Edges { get; }

    /// <summary>The children, in the order of <see cref="Edges"/>.</summary>
    public TokenTrie[] Children { get; }

    /// <summary>The tokens whose bytes end at this node.</summary>
    public int[] Tokens { get; }

    /// <summary>
    /// Per id: every byte of the token is plain JSON string content (no quote, backslash or control byte), so inside an
    /// open string it is allowed and changes nothing. Inside a string these are allowed at once; only the others
    /// (<see cref="NonPlainTokens"/>) need the grammar.
    /// </summary>
    public bool[] PlainTokens { get; private set; } = [];

    /// <summary>How many ids <see cref="PlainTokens"/> marks.</summary>
    public int PlainCount { get; private set; }

    /// <summary>Non-special ids with at least one byte that is not plain string content.</summary>
    public int[] NonPlainTokens { get; private set; } = [];

    /// <summary>Whether <paramref name="b"/> leaves an open JSON string open and unchanged.</summary>
    public static bool IsPlainStringByte(byte b) => b >= 0x20 && b != '"' && b != '\\';

    /// <summary>Ids whose bytes contain the whole <paramref name="opener"/> (checked one by one outside calls); found once per opener.</summary>
    public int[] Containing(byte[] opener) => containing.GetOrAdd(Encoding.UTF8.GetString(opener), _ =>
        Enumerable.Range(0, TokenBytes.Length).Where(id => TokenBytes[id].AsSpan().IndexOf(opener) >= 0).ToArray());

    /// <summary>The UTF-8 bytes of every non-special token (empty for special ones).</summary>
    public byte[][] TokenBytes { get; private set; } = [];

    /// <summary>The trie of <paramref name="tokenizer"/>'s vocabulary.</summary>
    public static TokenTrie For(TextTokenizer tokenizer) => Cache.GetValue(tokenizer, Build);

    /// <summary>The node reached from here by <paramref name="path"/>, or null.</summary>
    public TokenTrie? Walk(ReadOnlySpan<byte> path)
    {
        var node = this;
        foreach (byte b in path)
        {
            int at = Array.IndexOf(node.Edges, b);
            if (at < 0)
            {
                return null;
            }

            node = node.Children[at];
        }

        return node;
    }

    private static TokenTrie Build(TextTokenizer tokenizer)
    {
        var root = new Builder();
        var bytes = new byte[tokenizer.VocabSize][];
        for (int id = 0; id < tokenizer.VocabSize; id++)
        {
            bytes[id] = [];
            if (tokenizer.IsSpecial(id))
            {
                continue;
            }

            byte[] text;
            try
            {
                text = tokenizer.TokenBytes(id).ToArray();
            }
            catch (ArgumentOutOfRangeException)
            {
                continue; // a hole in the id range
            }

            if (text.Length == 0)
            {
                continue;
            }

            bytes[id] = text;

            var node = root;
            foreach (byte b in text)
            {
                node = node.Child(b);
            }

            node.Tokens.Add(id);
        }

        var trie = root.Freeze();
        trie.PlainTokens = bytes.Select(b => b.Length > 0 && b.All(IsPlainStringByte)).ToArray();
        trie.NonPlainTokens = Enumerable.Range(0, bytes.Length).Where(id => bytes[id].Length > 0 && !trie.PlainTokens[id]).ToArray();
        trie.PlainCount = trie.PlainTokens.Count(plain => plain);
        trie.TokenBytes = bytes;
        return trie;
    }

    private sealed class Builder
    {
        private readonly SortedDictionary<byte, Builder> children = new();

        public List<int> Tokens { get; } = new();

        public Builder Child(byte b)
        {
            if (!children.TryGetValue(b, out var child))
            {
                child = new Builder();
                children[b] = child;
            }

            return child;
        }

        public TokenTrie Freeze() => new(children.Keys.ToArray(), children.Values.Select(c => c.Freeze()).ToArray(), Tokens.ToArray());
    }
}
