using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Tests.Support;

namespace Directer.Core.Tests.Serving;

/// <summary>
/// The kept caches' tensors are freed when the generator lets go of them, as <see cref="CacheSlot.Grow"/> and
/// <see cref="PrefixCache"/> document: a slot grown for a longer request frees the cache it replaces, and the pool frees
/// every slot's cache when it is disposed (the generator's counters alone do not show it: they read the slot list).
/// A freed cache's tensors are invalid, so reading its size throws, as it does for any disposed TorchSharp tensor.
/// </summary>
public sealed class CacheDisposalTests : IDisposable
{
    private readonly LlamaModel model;

    public CacheDisposalTests()
    {
        TorchRuntime.EnsureInitialized();
        model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"));
    }

    public void Dispose() => model.Dispose();

    private static bool Freed(KvCache cache)
    {
        try
        {
            _ = cache.AllocatedBytes;
            return false;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    [Fact]
    public void AFreedCacheIsSeenAsFreed()
    {
        var cache = model.CreateCache(16);
        Assert.False(Freed(cache));
        cache.Dispose();
        Assert.True(Freed(cache));
    }

    [Fact]
    public void GrowingASlotFreesTheCacheItReplaces()
    {
        var small = model.CreateCache(16);
        using var slot = new CacheSlot(small);
        var larger = model.CreateCache(32);
        slot.Grow(larger, keep: 0);
        Assert.Same(larger, slot.Cache);
        Assert.Equal(32, slot.Tokens.Length);
        Assert.True(Freed(small));
        Assert.False(Freed(larger));
    }

    [Fact]
    public void DisposingThePoolFreesEverySlotsCache()
    {
        var pool = new PrefixCache(model, new ServingOptions { CacheSlots = 2, MaxConcurrentRows = 2 });
        var (first, _) = pool.Acquire([5, 6, 7], 16);
        var (second, _) = pool.Acquire([8, 9, 10], 16);
        pool.Release(first);
        Assert.Equal(2, pool.Count);
        Assert.False(Freed(first.Cache));
        Assert.False(Freed(second.Cache));

        pool.Dispose();
        Assert.Equal(0, pool.Count);
        Assert.True(Freed(first.Cache));
        Assert.True(Freed(second.Cache));
    }
}
