using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Modeling;

/// <summary>
/// Keys and values of one sequence, preallocated per layer for the whole context so that decoding
/// never concatenates or copies the cache. Holds raw (unsteered) keys and values only.
/// </summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor[] keys;
    private readonly Tensor[] values;

    private KvCache(Tensor[] keys, Tensor[] values, int length)
    {
        this.keys = keys;
        this.values = values;
        Capacity = (int)keys[0].shape[2];
        Length = length;
    }

    internal KvCache(int layers, int kvHeads, int headDim, int capacity, ScalarType dtype, Device device)
    {
        Capacity = capacity;
        keys = new Tensor[layers];
        values = new Tensor[layers];
        for (int i = 0; i < layers; i++)
        {
            keys[i] = empty(new long[] { 1, kvHeads, capacity, headDim }, dtype, device);
            values[i] = empty(new long[] { 1, kvHeads, capacity, headDim }, dtype, device);
        }
    }

    /// <summary>Number of positions the cache was allocated for.</summary>
    public int Capacity { get; }

    /// <summary>Number of positions currently held.</summary>
    public int Length { get; private set; }

    /// <summary>Forgets every position (the memory is kept for reuse).</summary>
    public void Reset() => Length = 0;

    /// <summary>Drops positions past <paramref name="length"/> (for reusing a shared prompt prefix).</summary>
    public void Truncate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Length);
        Length = length;
    }

    /// <summary>Checks that <paramref name="count"/> more positions fit.</summary>
    /// <exception cref="ContextLengthExceededException">They do not.</exception>
    public void EnsureRoom(int count)
    {
        if (Length + count > Capacity)
        {
            throw new ContextLengthExceededException(Length, count, Capacity);
        }
    }

    /// <summary>
    /// Replaces this cache's content with the first <paramref name="length"/> positions of <paramref name="source"/>
    /// (a shared prompt prefix served from another sequence's cache: a copy, no model pass).
    /// </summary>
    internal void CopyPrefixFrom(KvCache source, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, source.Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Capacity);
        if (source.keys.Length != keys.Length || source.keys[0].shape[1] != keys[0].shape[1] || source.keys[0].shape[3] != keys[0].shape[3])
        {
            throw new ArgumentException("The source cache belongs to a model of another shape.", nameof(source));
        }

        if (length > 0 && !ReferenceEquals(source, this))
        {
            for (int l = 0; l < keys.Length; l++)
            {
                using var k = source.keys[l].narrow(2, 0, length);
                using var v = source.values[l].narrow(2, 0, length);
                using var kSlot = keys[l].narrow(2, 0, length);
                using var vSlot = values[l].narrow(2, 0, length);
                kSlot.copy_(k);
                vSlot.copy_(v);
            }
        }

        Length = length;
    }

    /// <summary>Bytes one position takes (keys and values of every layer).</summary>
    public long BytesPerPosition => AllocatedBytes / Capacity;

    /// <summary>A deep copy (tests: the naive reference steering copies the cache on purpose).</summary>
    internal KvCache DeepCopy() => new(keys.Select(k => k.clone().DetachFromDisposeScope()).ToArray(), values.Select(v => v.clone().DetachFromDisposeScope()).ToArray(), Length);

    /// <summary>The whole key storage of a layer, [1, kvHeads, capacity, headDim] (tests).</summary>
    internal Tensor LayerKeys(int layer) => keys[layer];

    /// <summary>The whole value storage of a layer, [1, kvHeads, capacity, headDim].</summary>
    internal Tensor LayerValues(int layer) => values[layer];

    internal Tensor KeysPrefix(int layer, int length) => keys[layer].narrow(2, 0, length);

    internal Tensor ValuesPrefix(int layer, int length) => values[layer].narrow(2, 0, length);

    internal void Write(int layer, int start, Tensor k, Tensor v)
    {
        long n = k.shape[2];
        using var kSlot = keys[layer].narrow(2, start, n);
        using var vSlot = values[layer].narrow(2, start, n);
        kSlot.copy_(k);
        vSlot.copy_(v);
    }

    internal void Advance(int count) => Length += count;

    /// <summary>Bytes held by the preallocated tensors.</summary>
    public long AllocatedBytes => keys.Sum(k => k.NumberOfElements * k.ElementSize) * 2;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in keys.Concat(values))
        {
            t.Dispose();
        }
    }
}
