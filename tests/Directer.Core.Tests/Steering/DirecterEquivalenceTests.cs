using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Steering;
using Directer.Core.Tests.Support;

namespace Directer.Core.Tests.Steering;

/// <summary>
/// Property-style: over generated checkpoints, prompts, spans, alphas and betas, both fast
/// strategies give the naive implementation's ids, ranking and trace. Alphas are powers of two so
/// that scaling keys and scaling scores are bitwise the same computation.
/// </summary>
public sealed class DirecterEquivalenceTests
{
    public DirecterEquivalenceTests() => TorchRuntime.EnsureInitialized();

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (string name in new[] { "llama-gqa-f32", "qwen2-bias-tied-bf16", "llama31-rope-scaling", "mistral-sliding" })
        {
            for (int seed = 0; seed < 3; seed++)
            {
                data.Add(name, seed);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BothStrategiesReproduceTheNaiveLoop(string name, int seed)
    {
        var random = new Random(seed * 7919 + name.Length);
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf(name), new ModelOptions { MaxSequenceLength = 32 });
        int length = random.Next(6, 14);
        int[] prompt = Enumerable.Range(0, length).Select(_ => random.Next(4, model.VocabSize)).ToArray();
        var spans = RandomSpans(random, length);
        double alpha = new[] { 2.0, 16, 128, 1024 }[random.Next(4)];
        double beta = new[] { 0.1, 0.3, 0.5, 0.8 }[random.Next(4)];
        int maxTrials = random.Next(1, 4);
        const int maxNew = 8;

        var naive = NaiveDirecter.Generate(model, prompt, spans, alpha, beta, maxTrials, maxNew);
        using var generator = new TokenGenerator(model);
        foreach (var strategy in new[] { SteeringStrategy.Sequential, SteeringStrategy.Batched, SteeringStrategy.BatchedAfterGate })
        {
            var selector = new DirecterSelector(spans, new DirecterOptions { Alpha = alpha, Beta = beta, MaxTrials = maxTrials, Strategy = strategy });
            var result = await generator.GenerateAsync(prompt, new GenerationOptions { MaxNewTokens = maxNew, EosTokenIds = [] }, selector);
            string what = $"{name} seed {seed} {strategy} alpha {alpha} beta {beta} trials {maxTrials} spans {string.Join(",", spans)}";
            Assert.True(naive.Ranking.SequenceEqual(selector.Ranking!.Order), $"{what}: ranking {string.Join(",", selector.Ranking!.Order)} vs naive {string.Join(",", naive.Ranking)}");
            Assert.True(naive.Ids.SequenceEqual(result.Ids), $"{what}: ids {string.Join(",", result.Ids)} vs naive {string.Join(",", naive.Ids)}");
            AssertSameTrace(naive.Trace, selector.Trace, what);
        }
    }

    /// <summary>
    /// Spans that cover the last prompt token (the token fed in at the first decode step, so not yet cached and
    /// not scaled then, but scaled from the second step on), alone, with the whole prompt, and touching another span.
    /// </summary>
    public static TheoryData<string, int, int> LastTokenCases()
    {
        var data = new TheoryData<string, int, int>();
        string[] names = ["llama-gqa-f32", "qwen2-bias-tied-bf16", "llama31-rope-scaling", "mistral-sliding"];
        for (int i = 0; i < names.Length; i++)
        {
            data.Add(names[i], i, i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LastTokenCases))]
    public async Task SpansOverTheLastPromptTokenMatchTheNaiveLoop(string name, int shape, int seed)
    {
        var random = new Random(4099 * (seed + 1));
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf(name), new ModelOptions { MaxSequenceLength = 32 });
        const int length = 9;
        int[] prompt = Enumerable.Range(0, length).Select(_ => random.Next(4, model.VocabSize)).ToArray();
        List<TokenSpan> spans = shape switch
        {
            0 => [new TokenSpan(length - 1, length)],
            1 => [new TokenSpan(0, length)],
            2 => [new TokenSpan(2, 5), new TokenSpan(5, length)],
            _ => [new TokenSpan(0, 1), new TokenSpan(length - 2, length)],
        };
        const double alpha = 1024;
        const double beta = 0.1;
        const int maxTrials = 3;
        const int maxNew = 6;

        var naive = NaiveDirecter.Generate(model, prompt, spans, alpha, beta, maxTrials, maxNew);
        using var generator = new TokenGenerator(model);
        foreach (var strategy in new[] { SteeringStrategy.Sequential, SteeringStrategy.Batched, SteeringStrategy.BatchedAfterGate })
        {
            var selector = new DirecterSelector(spans, new DirecterOptions { Alpha = alpha, Beta = beta, MaxTrials = maxTrials, Strategy = strategy });
            var result = await generator.GenerateAsync(prompt, new GenerationOptions { MaxNewTokens = maxNew, EosTokenIds = [] }, selector);
            string what = $"{name} {strategy} spans {string.Join(",", spans)}";
            Assert.True(naive.Ranking.SequenceEqual(selector.Ranking!.Order), $"{what}: ranking {string.Join(",", selector.Ranking!.Order)} vs naive {string.Join(",", naive.Ranking)}");
            Assert.True(naive.Ids.SequenceEqual(result.Ids), $"{what}: ids {string.Join(",", result.Ids)} vs naive {string.Join(",", naive.Ids)}");
            AssertSameTrace(naive.Trace, selector.Trace, what);
        }
    }

    /// <summary>
    /// Every decision field equal; the raw probability within float rounding (a batched raw row and
    /// a single-row softmax differ in the last bits).
    /// </summary>
    internal static void AssertSameTrace(IReadOnlyList<SteeringStep> expected, IReadOnlyList<SteeringStep> actual, string what)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            var e = expected[i];
            var a = actual[i];
            Assert.True(e with { RawProbabilityOfChosen = 0, RawTopProbability = 0 } == a with { RawProbabilityOfChosen = 0, RawTopProbability = 0 }, $"{what}: step {i}: {a} vs naive {e}");
            Assert.True(Math.Abs(e.RawProbabilityOfChosen - a.RawProbabilityOfChosen) <= 1e-5 * Math.Max(1e-3, e.RawProbabilityOfChosen), $"{what}: step {i} probability {a.RawProbabilityOfChosen} vs {e.RawProbabilityOfChosen}");
        }
    }

    private static List<TokenSpan> RandomSpans(Random random, int length)
    {
        var spans = new List<TokenSpan>();
        int count = random.Next(1, 3);
        for (int i = 0; i < count; i++)
        {
            int start = random.Next(0, length - 1);
            spans.Add(new TokenSpan(start, random.Next(start + 1, Math.Min(length, start + 5) + 1)));
        }

        return spans;
    }
}
