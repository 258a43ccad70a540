namespace Directer.Training.Data;

/// <summary>
/// A small, fully specified pseudo-random generator (SplitMix64), so that generated data is identical on
/// every platform and .NET version for the same seed (System.Random's algorithms are not a contract).
/// </summary>
internal sealed class SeededRandom
{
    private ulong state;

    public SeededRandom(ulong seed)
    {
        state = seed;
    }

    /// <summary>A generator for item <paramref name="index"/> of stream <paramref name="seed"/>, independent of other items.</summary>
    public static SeededRandom ForItem(long seed, long index, long stream = 0)
    {
        var mixer = new SeededRandom(unchecked((ulong)seed * 0x9E3779B97F4A7C15UL) ^ unchecked((ulong)stream * 0xD1B54A32D192ED03UL));
        ulong a = mixer.NextUInt64();
        return new SeededRandom(a ^ unchecked((ulong)index * 0xBF58476D1CE4E5B9UL));
    }

    public ulong NextUInt64()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>).</summary>
    public int Next(int maxExclusive)
    {
        if (maxExclusive <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "Upper bound must be positive.");
        }

        return (int)(NextUInt64() % (ulong)maxExclusive);
    }

    /// <summary>Uniform integer in [<paramref name="min"/>, <paramref name="maxInclusive"/>].</summary>
    public int Range(int min, int maxInclusive) => min + Next(maxInclusive - min + 1);

    /// <summary>Uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => NextDouble() < p;

    public T Pick<T>(IReadOnlyList<T> items)
    {
        if (items.Count == 0)
        {
            throw new ArgumentException("Cannot pick from an empty list.", nameof(items));
        }

        return items[Next(items.Count)];
    }

    /// <summary><paramref name="count"/> distinct items in random order.</summary>
    public List<T> Sample<T>(IReadOnlyList<T> items, int count)
    {
        var indices = Enumerable.Range(0, items.Count).ToArray();
        Shuffle(indices);
        return indices.Take(count).Select(i => items[i]).ToList();
    }

    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
