using Directer.Core.Modeling;

namespace Directer.Core.Generation;

/// <summary>
/// One kept sequence: its KV cache and the token at every cached position (<c>Tokens[0..Cache.Length)</c>), which
/// is what a new prompt is matched against. The generator writes each position's token before the pass that caches it.
/// </summary>
internal sealed class CacheSlot : IDisposable
{
    public CacheSlot(KvCache cache)
    {
        Cache = cache;
        Tokens = new int[cache.Capacity];
    }

    /// <summary>The sequence's raw keys and values.</summary>
    public KvCache Cache { get; private set; }

    /// <summary>The token at each position (valid up to <see cref="KvCache.Length"/>).</summary>
    public int[] Tokens { get; private set; }

    /// <summary>Whether a generation is using the slot.</summary>
    public bool InUse { get; set; }

    /// <summary>When the slot was last handed out (the pool's clock), for least-recently-used eviction.</summary>
    public long LastUsed { get; set; }

    /// <summary>Positions shared with <paramref name="prompt"/>, at most <paramref name="limit"/>.</summary>
    public int CommonPrefix(IReadOnlyList<int> prompt, int limit)
    {
        int n = Math.Min(Math.Min(limit, prompt.Count), Cache.Length);
        int i = 0;
        while (i < n && Tokens[i] == prompt[i])
        {
            i++;
        }

        return i;
    }

    /// <summary>Swaps in <paramref name="larger"/>, keeping the first <paramref name="keep"/> positions; the old cache's tensors are freed.</summary>
    public void Grow(KvCache larger, int keep)
    {
        larger.CopyPrefixFrom(Cache, keep);
        var tokens = new int[larger.Capacity];
        Array.Copy(Tokens, tokens, keep);
        Cache.Dispose();
        Cache = larger;
        Tokens = tokens;
    }

    /// <summary>Takes the first <paramref name="length"/> positions of <paramref name="source"/> (or keeps its own when it is the source).</summary>
    public void TakePrefix(CacheSlot source, int length)
    {
        Cache.CopyPrefixFrom(source.Cache, length);
        if (!ReferenceEquals(source, this))
        {
            Array.Copy(source.Tokens, Tokens, length);
        }
    }

    /// <inheritdoc />
    public void Dispose() => Cache.Dispose();
}
