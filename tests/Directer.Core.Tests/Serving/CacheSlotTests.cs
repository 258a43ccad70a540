using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Tests.Support;

namespace Directer.Core.Tests.Serving;

/// <summary>
/// The kept caches as documented on <see cref="ServingOptions"/>: at most CacheSlots caches, the least recently used
/// one overwritten, a diverging conversation forked into a free slot with its shared prefix copied (the other
/// conversation kept), a cancelled request's cache reusable, a failed one's forgotten; outputs always the cold ones.
/// </summary>
public sealed class CacheSlotTests : IDisposable
{
    private static readonly GenerationOptions Options = new() { MaxNewTokens = 5, EosTokenIds = [] };
    private readonly LlamaModel model;
    private readonly TokenGenerator cold;

    public CacheSlotTests()
    {
        TorchRuntime.EnsureInitialized();
        model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"));
        cold = new TokenGenerator(model, new ServingOptions { ReusePrefixes = false });
    }

    public void Dispose()
    {
        cold.Dispose();
        model.Dispose();
    }

    private static int[] Conversation(int first, int length) => Enumerable.Range(0, length).Select(i => 4 + ((first + (i * 13)) % 90)).ToArray();

    private async Task<GenerationResult> Same(TokenGenerator warm, int[] prompt, int cached)
    {
        var result = await warm.GenerateAsync(prompt, Options);
        Assert.Equal(cached, result.CachedPromptTokens);
        Assert.Equal((await cold.GenerateAsync(prompt, Options)).Ids, result.Ids);
        return result;
    }

    [Fact]
    public async Task The_least_recently_used_slot_is_overwritten_and_memory_stays_within_the_slots()
    {
        using var warm = new TokenGenerator(model, new ServingOptions { CacheSlots = 2, MaxConcurrentRows = 2 });
        int[] a = Conversation(1, 20), b = Conversation(2, 20), c = Conversation(3, 20);
        await Same(warm, a, 0);
        await Same(warm, b, 0);
        Assert.Equal(2, warm.CacheSlotsInUse);
        await Same(warm, a, a.Length - 1); // a is still kept: touching it makes b the least recently used
        await Same(warm, c, 0);            // overwrites b
        Assert.Equal(2, warm.CacheSlotsInUse);
        await Same(warm, b, 0);            // b was evicted (overwrites a, now the oldest)
        await Same(warm, c, c.Length - 1); // c survived
        Assert.Equal(2, warm.CacheSlotsInUse);

        // Memory: two caches, each sized for the longest request it served (rounded up to 256 positions, within the context).
        using var one = model.CreateCache(Math.Min(model.ContextLength, 256));
        Assert.Equal(2 * one.AllocatedBytes, warm.CacheBytes);
    }

    [Fact]
    public async Task A_diverging_request_forks_into_a_free_slot_with_the_shared_prefix_copied_and_the_original_kept()
    {
        using var warm = new TokenGenerator(model, new ServingOptions { CacheSlots = 2, MaxConcurrentRows = 2 });
        int[] trunk = Conversation(5, 24);
        int[] branch = [.. trunk.Take(15), 7, 8, 9];
        var first = await Same(warm, trunk, 0);
        await Same(warm, branch, 15); // copied from the trunk's slot into a new one
        Assert.Equal(2, warm.CacheSlotsInUse);
        await Same(warm, [.. trunk, .. first.Ids, 11], trunk.Length + first.Ids.Count - 1); // the trunk's slot is intact
        await Same(warm, [.. branch, 12], branch.Length); // so is the branch's (it holds branch + 4 generated, shares branch)
    }

    [Fact]
    public async Task With_one_slot_a_diverging_request_truncates_the_kept_sequence()
    {
        using var warm = new TokenGenerator(model, new ServingOptions { CacheSlots = 1, MaxConcurrentRows = 1 });
        int[] trunk = Conversation(6, 24);
        await Same(warm, trunk, 0);
        await Same(warm, [.. trunk.Take(10), 3, 2], 10); // ids below 4 never occur in Conversation
        await Same(warm, trunk, 10); // only the shared 10 survived the branch
        Assert.Equal(1, warm.CacheSlotsInUse);
    }

    [Fact]
    public async Task A_cancelled_request_leaves_a_cache_the_next_request_reuses_exactly()
    {
        using var warm = new TokenGenerator(model);
        int[] prompt = Conversation(8, 18);
        using var cts = new CancellationTokenSource();
        var seen = new List<int>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => warm.GenerateAsync(prompt, new GenerationOptions { MaxNewTokens = 20, EosTokenIds = [] }, null, id =>
        {
            seen.Add(id);
            if (seen.Count == 3)
            {
                cts.Cancel();
            }
        }, cts.Token));

        // The cache holds the prompt and the tokens fed back before the cancel was seen (all but the last one chosen).
        var next = await Same(warm, [.. prompt, .. seen, 40], prompt.Length + seen.Count - 1);
        Assert.NotEmpty(next.Ids);
    }

    [Fact]
    public async Task A_failed_request_leaves_nothing_to_reuse()
    {
        using var warm = new TokenGenerator(model);
        int[] prompt = Conversation(9, 18);
        await Assert.ThrowsAsync<InvalidOperationException>(() => warm.GenerateAsync(prompt, Options, new FailingSelector()));
        await Same(warm, prompt, 0);
    }

    [Fact]
    public async Task A_running_requests_cache_is_never_a_source_so_the_same_prompt_twice_at_once_is_prefilled_twice()
    {
        using var warm = new TokenGenerator(model, new ServingOptions { CacheSlots = 2, MaxConcurrentRows = 2 });
        int[] prompt = Conversation(10, 16);
        var expected = (await cold.GenerateAsync(prompt, Options)).Ids;

        // The first request waits in its first token's callback until the second is queued: its slot is in use then.
        using var queued = new SemaphoreSlim(0);
        bool first = true;
        var a = warm.GenerateAsync(prompt, Options, null, _ =>
        {
            if (first)
            {
                first = false;
                Assert.True(queued.Wait(TimeSpan.FromSeconds(30)));
            }
        });
        var b = warm.GenerateAsync(prompt, Options);
        queued.Release();
        var results = await Task.WhenAll(a, b);
        Assert.All(results, r => Assert.Equal(0, r.CachedPromptTokens));
        Assert.All(results, r => Assert.Equal(expected, r.Ids));
        Assert.Equal(2, warm.CacheSlotsInUse);
    }

    [Fact]
    public void Invalid_serving_options_name_the_setting()
    {
        var slots = Assert.Throws<ArgumentException>(() => new TokenGenerator(model, new ServingOptions { CacheSlots = 0, MaxConcurrentRows = 1 }));
        Assert.Contains("CacheSlots must be at least 1", slots.Message, StringComparison.Ordinal);
        var queue = Assert.Throws<ArgumentException>(() => new TokenGenerator(model, new ServingOptions { MaxQueuedRequests = -1 }));
        Assert.Contains("MaxQueuedRequests must be 0 or more", queue.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs the raw pass twice at its third step (a broken selector): the generator must throw and forget the cache.</summary>
    private sealed class FailingSelector : ITokenSelector
    {
        public void Begin(IReadOnlyList<int> promptIds)
        {
        }

        public int Select(DecodeStep step)
        {
            using var logits = step.RunRawPass();
            if (step.Index == 2)
            {
                using var again = step.RunRawPass();
            }

            return TokenSampler.ArgMax(logits);
        }
    }
}
