using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Steering;
using Directer.Core.Tests.Support;

namespace Directer.Core.Tests.Serving;

/// <summary>
/// Concurrent requests decode together (plain rows in one raw pass over their own caches, steered rows beside them),
/// and each gets exactly what it gets alone: greedy, sampled with a seed, with a stop sequence, steered; a row that is
/// cancelled or fails mid-batch leaves, the others' output unchanged. On the CPU decode kernels (one pass over the
/// weights for all rows) and on the TorchSharp path.
/// </summary>
public sealed class ContinuousBatchingTests
{
    public ContinuousBatchingTests() => TorchRuntime.EnsureInitialized();

    public static TheoryData<string, bool, bool> Cases() => new()
    {
        { "llama-gqa-f32", true, false }, { "llama-gqa-f32", false, false }, { "llama-gqa-f32", true, true }, { "qwen2-bias-tied-bf16", true, false },
        { "llama-bias-f32", true, false }, { "mistral-sliding", true, false },
    };

    private sealed record Job(int[] Prompt, GenerationOptions Options, Func<ITokenSelector?> Selector);

    private static Job[] Jobs(LlamaModel model)
    {
        var random = new Random(model.VocabSize + model.LayerCount);
        int[] Ids(int n) => Enumerable.Range(0, n).Select(_ => random.Next(4, model.VocabSize)).ToArray();
        int[] steeredPrompt = Ids(11);
        return
        [
            new(Ids(7), new GenerationOptions { MaxNewTokens = 9, EosTokenIds = [] }, () => null),
            new(Ids(13), new GenerationOptions { MaxNewTokens = 5, EosTokenIds = [] }, () => null),
            new(Ids(4), new GenerationOptions { MaxNewTokens = 8, EosTokenIds = [], Temperature = 0.9f, TopK = 20, Seed = 123 }, () => null),
            new(steeredPrompt, new GenerationOptions { MaxNewTokens = 6, EosTokenIds = [] }, () => new DirecterSelector([new TokenSpan(1, 5)], new SteeringSettings { Alpha = 16, Beta = 0.3 })),
            new(Ids(9), new GenerationOptions { MaxNewTokens = 7, EosTokenIds = [], RepetitionPenalty = 1.3f }, () => null),
            new(steeredPrompt, new GenerationOptions { MaxNewTokens = 7, EosTokenIds = [] }, () => new SteeringSettings { Method = SteeringMethod.Pasta, Gate = true, Beta = 0.3 }.CreateSelector([new TokenSpan(2, 6)], model.LayerCount)),
            new(Ids(10), new GenerationOptions { MaxNewTokens = 8, EosTokenIds = [] }, () => new DirecterSelector([new TokenSpan(0, 4)], new SteeringSettings { Alpha = 128, Beta = 0.8, Strategy = SteeringStrategy.BatchedAfterGate })),
            new(Ids(12), new GenerationOptions { MaxNewTokens = 6, EosTokenIds = [] }, () => new SteeringSettings { Method = SteeringMethod.InstABoost }.CreateSelector([new TokenSpan(3, 7)], model.LayerCount)),
        ];
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Concurrent_requests_equal_their_solo_runs(string name, bool kernels, bool int8)
    {
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf(name), new ModelOptions { CpuDecodeKernels = kernels, Int8Weights = int8 });
        var jobs = Jobs(model);
        using var solo = new TokenGenerator(model, new ServingOptions { MaxConcurrentRows = 1, ReusePrefixes = false });
        var alone = new List<GenerationResult>();
        foreach (var job in jobs)
        {
            alone.Add(await solo.GenerateAsync(job.Prompt, job.Options, job.Selector()));
        }

        using var together = new TokenGenerator(model, new ServingOptions { CacheSlots = 8, MaxConcurrentRows = 8, ReusePrefixes = false });
        var results = await Task.WhenAll(jobs.Select(j => together.GenerateAsync(j.Prompt, j.Options, j.Selector())));
        Assert.True(together.PeakRows > 1, "the requests never ran together");
        Assert.True(together.BatchedPasses > 0, "no raw pass served several rows");
        for (int i = 0; i < jobs.Length; i++)
        {
            Assert.True(alone[i].Ids.SequenceEqual(results[i].Ids), $"{name} kernels {kernels} int8 {int8} job {i}: together {string.Join(",", results[i].Ids)} vs alone {string.Join(",", alone[i].Ids)}");
            Assert.Equal(alone[i].StopReason, results[i].StopReason);
        }
    }

    [Fact]
    public async Task Steered_requests_share_their_raw_passes_and_equal_their_solo_runs()
    {
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"));
        var jobs = Jobs(model).Skip(5).ToArray(); // PASTA with the gate, DIRECTER batched after the gate, InstABoost
        using var solo = new TokenGenerator(model, new ServingOptions { MaxConcurrentRows = 1, ReusePrefixes = false });
        var alone = new List<GenerationResult>();
        foreach (var job in jobs)
        {
            alone.Add(await solo.GenerateAsync(job.Prompt, job.Options, job.Selector()));
        }

        using var together = new TokenGenerator(model, new ServingOptions { ReusePrefixes = false });
        var results = await Task.WhenAll(jobs.Select(j => together.GenerateAsync(j.Prompt, j.Options, j.Selector())));
        Assert.True(together.BatchedPasses > 0, "no raw pass served several steered rows");
        for (int i = 0; i < jobs.Length; i++)
        {
            Assert.Equal(alone[i].Ids, results[i].Ids);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_row_cancelled_mid_batch_leaves_and_the_others_are_unchanged(bool kernels)
    {
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"), new ModelOptions { CpuDecodeKernels = kernels });
        var jobs = Jobs(model).Take(3).Select(j => j with { Options = j.Options with { MaxNewTokens = 12 } }).ToArray();
        using var solo = new TokenGenerator(model, new ServingOptions { MaxConcurrentRows = 1, ReusePrefixes = false });
        var alone = new List<GenerationResult>();
        foreach (var job in jobs)
        {
            alone.Add(await solo.GenerateAsync(job.Prompt, job.Options, job.Selector()));
        }

        using var together = new TokenGenerator(model, new ServingOptions { MaxConcurrentRows = 4, ReusePrefixes = false });
        using var cancel = new CancellationTokenSource();
        int seen = 0;
        var first = together.GenerateAsync(jobs[0].Prompt, jobs[0].Options);
        var cancelled = together.GenerateAsync(jobs[1].Prompt, jobs[1].Options, null, _ =>
        {
            if (++seen == 3)
            {
                cancel.Cancel();
            }
        }, cancel.Token);
        var third = together.GenerateAsync(jobs[2].Prompt, jobs[2].Options);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(3, seen);
        Assert.Equal(alone[0].Ids, (await first).Ids);
        Assert.Equal(alone[2].Ids, (await third).Ids);
        Assert.True(together.PeakRows > 1);
        Assert.Equal(0, together.PendingRequests);
    }

    [Fact]
    public async Task A_row_whose_selector_fails_leaves_with_its_error_and_the_others_finish()
    {
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"));
        var jobs = Jobs(model);
        using var solo = new TokenGenerator(model, new ServingOptions { MaxConcurrentRows = 1, ReusePrefixes = false });
        var expected = await solo.GenerateAsync(jobs[0].Prompt, jobs[0].Options);

        using var together = new TokenGenerator(model);
        var good = together.GenerateAsync(jobs[0].Prompt, jobs[0].Options);
        var bad = together.GenerateAsync(jobs[1].Prompt, jobs[1].Options, new ChoosesOutsideTheVocabulary());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => bad);
        Assert.Contains("outside the vocabulary", error.Message, StringComparison.Ordinal);
        Assert.Equal(expected.Ids, (await good).Ids);
    }

    private sealed class ChoosesOutsideTheVocabulary : ITokenSelector
    {
        public void Begin(IReadOnlyList<int> promptIds)
        {
        }

        public int Select(DecodeStep step)
        {
            using var logits = step.RunRawPass();
            return step.Index == 2 ? -1 : TokenSampler.ArgMax(logits);
        }
    }

    [Fact]
    public async Task Plain_requests_share_one_raw_pass_per_round()
    {
        // Only unsteered requests (the sampling selector): their raw passes must be rows of one pass, not one pass each.
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"));
        using var generator = new TokenGenerator(model, new ServingOptions { ReusePrefixes = false });
        var options = new GenerationOptions { MaxNewTokens = 6, EosTokenIds = [] };
        int[][] prompts = [[1, 17, 42, 5], [3, 8, 9], [7, 7, 2, 11, 4]];
        var alone = new List<IReadOnlyList<int>>();
        foreach (var prompt in prompts)
        {
            alone.Add((await generator.GenerateAsync(prompt, options)).Ids);
        }

        Assert.Equal(0, generator.BatchedPasses);

        // The first request waits in its first token's callback until the others are queued, so all three run together.
        using var queued = new SemaphoreSlim(0);
        bool first = true;
        var a = generator.GenerateAsync(prompts[0], options, null, _ =>
        {
            if (first)
            {
                first = false;
                Assert.True(queued.Wait(TimeSpan.FromSeconds(30)));
            }
        });
        var b = generator.GenerateAsync(prompts[1], options);
        var c = generator.GenerateAsync(prompts[2], options);
        queued.Release();
        var results = await Task.WhenAll(a, b, c);
        Assert.Equal(3, results[0].PeakConcurrentRequests);
        Assert.True(generator.BatchedPasses >= 5, $"{generator.BatchedPasses} shared raw passes for 5 rounds of 3 plain requests");
        Assert.Equal(alone, results.Select(r => r.Ids));
    }

    [Fact]
    public async Task A_request_that_fills_its_context_in_shared_rounds_ends_with_ContextFull_and_the_other_is_unchanged()
    {
        // 60 prompt tokens in a context of 64: decode inputs at positions 59..63, 5 tokens, the last four in rounds shared
        // with the short request; the round after that the long one has no room and must not join the shared pass.
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"), new ModelOptions { MaxSequenceLength = 64 });
        using var generator = new TokenGenerator(model, new ServingOptions { ReusePrefixes = false });
        int[] full = Enumerable.Range(0, 60).Select(i => 4 + (i * 7 % 90)).ToArray();
        var fullOptions = new GenerationOptions { MaxNewTokens = 100, EosTokenIds = [] };
        int[] other = [1, 17, 42, 5];
        var otherOptions = new GenerationOptions { MaxNewTokens = 10, EosTokenIds = [] };
        var aloneFull = await generator.GenerateAsync(full, fullOptions);
        var aloneOther = await generator.GenerateAsync(other, otherOptions);

        var results = await Together(generator, (full, fullOptions), (other, otherOptions));
        Assert.Equal(2, results[0].PeakConcurrentRequests);
        Assert.True(generator.BatchedPasses > 0, "the requests never shared a raw pass");
        Assert.Equal(StopReason.ContextFull, results[0].StopReason);
        Assert.Equal(5, results[0].DecodedTokens);
        Assert.Equal(aloneFull.Ids, results[0].Ids);
        Assert.Equal(aloneOther.Ids, results[1].Ids);
    }

    [Fact]
    public async Task Conversations_decoded_in_shared_rounds_continue_from_their_caches()
    {
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"));
        using var generator = new TokenGenerator(model);
        using var cold = new TokenGenerator(model, new ServingOptions { ReusePrefixes = false });
        var options = new GenerationOptions { MaxNewTokens = 6, EosTokenIds = [] };
        int[][] prompts = [[1, 17, 42, 5], [3, 8, 9, 60, 61]];
        var results = await Together(generator, (prompts[0], options), (prompts[1], options));
        Assert.True(generator.BatchedPasses > 0, "the requests never shared a raw pass");

        // Each slot knows every token it cached, those of the shared rounds too: all but the last generated one.
        for (int i = 0; i < prompts.Length; i++)
        {
            int[] next = [.. prompts[i], .. results[i].Ids, 40];
            var continued = await generator.GenerateAsync(next, options);
            Assert.Equal(prompts[i].Length + results[i].Ids.Count - 1, continued.CachedPromptTokens);
            Assert.Equal((await cold.GenerateAsync(next, options)).Ids, continued.Ids);
        }
    }

    [Fact]
    public async Task No_more_than_MaxConcurrentRows_requests_decode_together_and_the_rest_wait_their_turn()
    {
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"));
        using var generator = new TokenGenerator(model, new ServingOptions { CacheSlots = 4, MaxConcurrentRows = 2, ReusePrefixes = false });
        var options = new GenerationOptions { MaxNewTokens = 6, EosTokenIds = [] };
        int[][] prompts = [[1, 17, 42, 5], [3, 8, 9], [7, 7, 2, 11, 4], [9, 10, 11]];
        var alone = new List<IReadOnlyList<int>>();
        foreach (var prompt in prompts)
        {
            alone.Add((await generator.GenerateAsync(prompt, options)).Ids);
        }

        var results = await Together(generator, [.. prompts.Select(p => (p, options))]);
        Assert.Equal(2, generator.PeakRows);
        Assert.All(results, r => Assert.InRange(r.PeakConcurrentRequests, 1, 2));
        Assert.Equal(alone, results.Select(r => r.Ids));
    }

    /// <summary>Runs the requests together: the first waits in its first token's callback until the others are queued.</summary>
    private static async Task<GenerationResult[]> Together(TokenGenerator generator, params (int[] Prompt, GenerationOptions Options)[] jobs)
    {
        using var queued = new SemaphoreSlim(0);
        bool first = true;
        var head = generator.GenerateAsync(jobs[0].Prompt, jobs[0].Options, null, _ =>
        {
            if (first)
            {
                first = false;
                Assert.True(queued.Wait(TimeSpan.FromSeconds(30)));
            }
        });
        var rest = jobs.Skip(1).Select(j => generator.GenerateAsync(j.Prompt, j.Options)).ToList();
        queued.Release();
        return await Task.WhenAll([head, .. rest]);
    }
}
