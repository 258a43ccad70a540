using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Tests.Checkpoints;
using Directer.Core.Tests.Support;
using Directer.Testing;

namespace Directer.Core.Tests.Serving;

/// <summary>
/// How big a kept cache is: room for the prompt and the token budget rounded up to 256 positions, within the context
/// (`TokenGenerator.CapacityFor`), grown when a later request on the same slot needs more — with the shared prefix
/// kept and the tokens equal to a cold run. Needs a context longer than 256, so the checkpoint is written here with
/// 1,024 positions (the shared generated ones have 128, where every cache is the whole context).
/// </summary>
public sealed class CacheCapacityTests : IDisposable
{
    private readonly TempFolder temp = new();
    private readonly LlamaModel model;
    private readonly TokenGenerator cold;

    public CacheCapacityTests()
    {
        TorchRuntime.EnsureInitialized();
        var spec = TinyCheckpoints.Get("llama-gqa-f32") with { MaxPositionEmbeddings = 1024 };
        model = LlamaModel.Load(TinyCheckpoints.Write(spec, Path.Combine(temp.Path, spec.Name)));
        cold = new TokenGenerator(model, new ServingOptions { ReusePrefixes = false });
    }

    public void Dispose()
    {
        cold.Dispose();
        model.Dispose();
        temp.Dispose();
    }

    private long BytesFor(int positions)
    {
        using var cache = model.CreateCache(positions);
        return cache.AllocatedBytes;
    }

    private static int[] Tokens(int length, int seed) => Enumerable.Range(0, length).Select(i => 4 + ((seed + (i * 13)) % 90)).ToArray();

    private async Task<GenerationResult> Same(TokenGenerator warm, int[] prompt, int maxNewTokens, int cached)
    {
        var options = new GenerationOptions { MaxNewTokens = maxNewTokens, EosTokenIds = [] };
        var result = await warm.GenerateAsync(prompt, options);
        Assert.Equal(cached, result.CachedPromptTokens);
        Assert.Equal((await cold.GenerateAsync(prompt, options)).Ids, result.Ids);
        return result;
    }

    [Fact]
    public async Task AForkIntoASmallerLeastRecentlyUsedSlotGrowsItAndTakesThePrefixFromTheSource()
    {
        using var warm = new TokenGenerator(model, new ServingOptions { CacheSlots = 2, MaxConcurrentRows = 2 });
        await Same(warm, Tokens(10, 3), 5, 0);        // slot Y: 256 positions, 14 held
        int[] x = Tokens(300, 1);
        await Same(warm, x, 5, 0);                    // slot X: 512 positions, 304 held

        // Shares 280 positions with X, then diverges: X keeps its sequence, so the target is the least recently used
        // slot, Y, which must grow to 512 and hold X's 280 (none of its own 14).
        int[] fork = [.. x.Take(280), .. Tokens(20, 9)];
        await Same(warm, fork, 5, 280);
        Assert.Equal(2 * BytesFor(512), warm.CacheBytes);
        await Same(warm, [.. x, 7], 5, x.Length); // X's slot is intact: it holds x and 4 generated, shares x
    }

    [Fact]
    public async Task ACacheHoldsThePromptAndBudgetRoundedUpTo256AndGrowsForALongerRequest()
    {
        Assert.Equal(1024, model.ContextLength);
        using var warm = new TokenGenerator(model, new ServingOptions { CacheSlots = 1, MaxConcurrentRows = 1 });

        // 251 + 5 = 256 positions exactly: one block of 256, not two.
        int[] first = Tokens(251, 1);
        await Same(warm, first, 5, 0);
        Assert.Equal(BytesFor(256), warm.CacheBytes);

        // The same conversation continued to 300 + 5 positions: the slot grows to 512 and keeps the shared prefix.
        int[] longer = [.. first, .. Tokens(49, 2)];
        var grown = await Same(warm, longer, 5, first.Length); // the slot holds first + 5 generated tokens; longer goes on differently
        Assert.Equal(BytesFor(512), warm.CacheBytes);

        // The grown slot knows its tokens, the kept prefix's too: the conversation continued again starts after all of
        // them but the last generated one (never fed back).
        await Same(warm, [.. longer, .. grown.Ids, 40], 5, longer.Length + grown.Ids.Count - 1);
        Assert.Equal(BytesFor(512), warm.CacheBytes);

        // A short request afterwards reuses the grown slot as it is: no shrinking, no second cache.
        await Same(warm, Tokens(10, 3), 5, 0);
        Assert.Equal(BytesFor(512), warm.CacheBytes);
    }
}
