namespace Directer.Testing;

/// <summary>
/// SplitMix64 with an approximately normal sampler that uses only IEEE additions and multiplications
/// (Irwin–Hall: sum of 12 uniforms minus 6), so every machine produces the same bits; no libm, no torch RNG.
/// </summary>
public sealed class DeterministicRandom
{
    private ulong state;

    /// <summary>Creates a generator from a seed.</summary>
    /// <param name="seed">Any 64-bit seed.</param>
    public DeterministicRandom(ulong seed) => state = seed;

    /// <summary>Creates a generator for one named stream, e.g. one tensor of a checkpoint.</summary>
    /// <param name="seed">The checkpoint's seed.</param>
    /// <param name="name">The stream's name (hashed with FNV-1a).</param>
    public static DeterministicRandom ForName(ulong seed, string name)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in name)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return new DeterministicRandom(seed ^ hash);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>An approximately standard-normal value (mean 0, variance 1, bounded by ±6).</summary>
    public double NextNormal()
    {
        double sum = 0;
        for (int i = 0; i < 12; i++)
        {
            sum += NextDouble();
        }

        return sum - 6.0;
    }
}
