using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Steering;
using Directer.Core.Tests.Support;

namespace Directer.Core.Tests.Serving;

/// <summary>
/// A request served from a kept KV cache (the prompt's prefix already cached by an earlier request of the same
/// conversation) gives the same tokens as the same request on a generator that prefills everything, for every
/// steering method, on generated checkpoints; DIRECTER's ranking and trace are the cold run's too (the ranking is
/// recomputed per request from the raw cache, which reuse leaves raw).
/// </summary>
public sealed class PrefixReuseTests
{
    private const int MaxNew = 6;

    public PrefixReuseTests() => TorchRuntime.EnsureInitialized();

    public static TheoryData<string, ComputeDType, SteeringMethod, int> Cases()
    {
        var data = new TheoryData<string, ComputeDType, SteeringMethod, int>();
        var checkpoints = new (string Name, ComputeDType DType)[]
        {
            ("llama-gqa-f32", ComputeDType.Float32), ("qwen2-bias-tied-bf16", ComputeDType.BFloat16),
            ("llama31-rope-scaling", ComputeDType.Float32), ("mistral-sliding", ComputeDType.Float32), ("llama-bias-f32", ComputeDType.Float32),
        };
        int seed = 0;
        foreach (var (name, dtype) in checkpoints)
        {
            foreach (var method in Enum.GetValues<SteeringMethod>())
            {
                data.Add(name, dtype, method, seed++);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_tool_round_trip_served_from_the_cache_equals_a_cold_run(string name, ComputeDType dtype, SteeringMethod method, int seed)
    {
        var random = new Random(seed * 7919 + 17);
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf(name), new ModelOptions { DType = dtype });
        int context = model.ContextLength;

        // Turn 1: instructions, tools, question. Turn 2: all of it, the reply, a tool result. Turn 3: again, plus more.
        // Long first prompts prefill on TorchSharp (> 48 positions), the follow-ups' rests on the decode kernels.
        int first = seed % 2 == 0 ? Math.Min(context / 2, 56) : random.Next(8, 16);
        int[] prompt1 = RandomIds(random, model.VocabSize, first);
        var spans = new[] { new TokenSpan(2, Math.Min(first - 1, 9)) };
        var settings = new SteeringSettings { Method = method, Alpha = 16, Beta = 0.3 };
        var options = new GenerationOptions { MaxNewTokens = MaxNew, EosTokenIds = [] };

        using var warm = new TokenGenerator(model);
        using var cold = new TokenGenerator(model, new ServingOptions { ReusePrefixes = false });
        var reply1 = await warm.GenerateAsync(prompt1, options, settings.CreateSelector(spans, model.LayerCount));
        Assert.Equal(0, reply1.CachedPromptTokens);

        int[] history = [.. prompt1, .. reply1.Ids];
        int cachedExpected = prompt1.Length + reply1.Ids.Count - 1; // the last generated token was never fed back
        for (int turn = 2; turn <= 3; turn++)
        {
            int room = context - history.Length - (2 * MaxNew) - 2;
            int[] prompt = [.. history, .. RandomIds(random, model.VocabSize, Math.Min(10, room / 2)), 5];
            var warmSelector = settings.CreateSelector(spans, model.LayerCount);
            var coldSelector = settings.CreateSelector(spans, model.LayerCount);
            var reused = await warm.GenerateAsync(prompt, options, warmSelector);
            var fresh = await cold.GenerateAsync(prompt, options, coldSelector);
            string what = $"{name} {dtype} {method} turn {turn}, prompt of {prompt.Length}";

            Assert.True(reused.CachedPromptTokens == cachedExpected, $"{what}: {reused.CachedPromptTokens} cached tokens, expected {cachedExpected}");
            Assert.Equal(0, fresh.CachedPromptTokens);
            Assert.True(fresh.Ids.SequenceEqual(reused.Ids), $"{what}: reused {string.Join(",", reused.Ids)} vs cold {string.Join(",", fresh.Ids)}");
            Assert.Equal(fresh.StopReason, reused.StopReason);
            if (warmSelector is DirecterSelector steered && coldSelector is DirecterSelector reference)
            {
                Assert.Equal(reference.Ranking!.Order, steered.Ranking!.Order);
                Assert.Equal(reference.Trace.Select(s => (s.Gated, s.Trials, s.LayersUsed, s.ChosenToken)), steered.Trace.Select(s => (s.Gated, s.Trials, s.LayersUsed, s.ChosenToken)));
            }

            history = [.. prompt, .. reused.Ids];
            cachedExpected = prompt.Length + reused.Ids.Count - 1;
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Reuse_equals_a_cold_run_on_the_TorchSharp_path_and_with_int8_weights(bool int8)
    {
        // Without the decode kernels every pass is TorchSharp's; with int8 weights every pass is the kernels' (prefill
        // in chunks of 48 positions, so a reused prefix moves the chunk boundaries).
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"), new ModelOptions { CpuDecodeKernels = int8, Int8Weights = int8 });
        var random = new Random(int8 ? 5 : 6);
        int[] prompt1 = RandomIds(random, model.VocabSize, 60);
        var options = new GenerationOptions { MaxNewTokens = MaxNew, EosTokenIds = [] };
        using var warm = new TokenGenerator(model);
        using var cold = new TokenGenerator(model, new ServingOptions { ReusePrefixes = false });
        var reply = await warm.GenerateAsync(prompt1, options);
        int[] prompt2 = [.. prompt1, .. reply.Ids, .. RandomIds(random, model.VocabSize, 20)];
        var reused = await warm.GenerateAsync(prompt2, options);
        Assert.Equal(prompt1.Length + reply.Ids.Count - 1, reused.CachedPromptTokens);
        Assert.Equal((await cold.GenerateAsync(prompt2, options)).Ids, reused.Ids);
    }

    [Fact]
    public async Task A_repeated_prompt_reuses_all_but_its_last_token_and_an_unrelated_one_nothing()
    {
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"));
        using var generator = new TokenGenerator(model);
        var options = new GenerationOptions { MaxNewTokens = 4, EosTokenIds = [] };
        int[] prompt = [1, 17, 42, 5, 88, 23, 9];
        var first = await generator.GenerateAsync(prompt, options);
        var again = await generator.GenerateAsync(prompt, options);
        Assert.Equal(prompt.Length - 1, again.CachedPromptTokens); // the last prompt token is the first decode input
        Assert.Equal(first.Ids, again.Ids);

        var other = await generator.GenerateAsync([2, .. prompt], options);
        Assert.Equal(0, other.CachedPromptTokens);

        // A prompt that diverges inside the cached sequence reuses exactly the shared part.
        var diverged = await generator.GenerateAsync([2, 1, 17, 77, 5], options);
        Assert.Equal(3, diverged.CachedPromptTokens);
    }

    private static int[] RandomIds(Random random, int vocab, int count) =>
        Enumerable.Range(0, Math.Max(1, count)).Select(_ => random.Next(4, vocab)).ToArray();
}
