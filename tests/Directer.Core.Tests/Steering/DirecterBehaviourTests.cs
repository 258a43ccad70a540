using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Steering;
using Directer.Core.Tests.Support;

namespace Directer.Core.Tests.Steering;

public sealed class DirecterBehaviourTests : IDisposable
{
    private static readonly int[] Prompt = { 1, 17, 42, 5, 88, 23, 9, 61, 30, 77 };
    private static readonly TokenSpan[] Instruction = { new(2, 6) };
    private readonly LlamaModel model;
    private readonly TokenGenerator generator;

    public DirecterBehaviourTests()
    {
        TorchRuntime.EnsureInitialized();
        model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"), new ModelOptions { MaxSequenceLength = 48 });
        generator = new TokenGenerator(model);
    }

    public void Dispose()
    {
        generator.Dispose();
        model.Dispose();
    }

    private static GenerationOptions Budget => new() { MaxNewTokens = 12, EosTokenIds = [] };

    private async Task<(GenerationResult Result, DirecterSelector Selector)> Steer(SteeringSettings options, IReadOnlyList<TokenSpan>? spans = null, int[]? prompt = null)
    {
        var selector = new DirecterSelector(spans ?? Instruction, options);
        var result = await generator.GenerateAsync(prompt ?? Prompt, Budget, selector);
        return (result, selector);
    }

    [Fact]
    public async Task AlphaOneIsExactlyUnsteeredGreedy()
    {
        var plain = await generator.GenerateAsync(Prompt, Budget);
        foreach (var strategy in new[] { SteeringStrategy.Sequential, SteeringStrategy.Batched, SteeringStrategy.BatchedAfterGate })
        {
            var (result, selector) = await Steer(new SteeringSettings { Alpha = 1, Strategy = strategy });
            Assert.Equal(plain.Ids, result.Ids);
            Assert.All(selector.Trace, s => Assert.Equal(s.RawToken, s.ChosenToken));
        }
    }

    [Fact]
    public async Task BetaNearZeroAcceptsTheFirstSteeredCandidateEveryStep()
    {
        var (result, selector) = await Steer(new SteeringSettings { Alpha = 1e4, Beta = 1e-12 });
        Assert.Equal(12, selector.Trace.Count);
        Assert.All(selector.Trace, s =>
        {
            Assert.False(s.Gated);
            Assert.False(s.FellBack);
            Assert.Equal(1, s.Trials);
            Assert.Equal(model.LayerCount, s.LayersUsed);
        });
        Assert.Equal(1.0, selector.Summary.SteeredShare);
        // Strong steering changes at least one token of this random model.
        Assert.True(selector.Summary.ChangedShare > 0, "alpha 1e4 changed no token");
        Assert.Equal(result.Ids, selector.Trace.Select(s => s.ChosenToken));
    }

    [Fact]
    public async Task BetaOneLetsOnlyTiesPassSoTheOutputIsUnsteered()
    {
        var plain = await generator.GenerateAsync(Prompt, Budget);
        var (result, selector) = await Steer(new SteeringSettings { Alpha = 1e4, Beta = 1 });
        Assert.Equal(plain.Ids, result.Ids);
        Assert.All(selector.Trace.Skip(1), s => Assert.True(s.Gated || s.FellBack));
        Assert.True(selector.Trace[0].FellBack); // the first step is never gated
    }

    [Fact]
    public async Task SpanEdgesAtPositionZeroAndOverTheLastPromptTokenWork()
    {
        var (first, _) = await Steer(new SteeringSettings { Beta = 0.1 }, new[] { new TokenSpan(0, 1) });
        Assert.Equal(12, first.Ids.Count);
        var (last, selector) = await Steer(new SteeringSettings { Beta = 0.1 }, new[] { new TokenSpan(Prompt.Length - 3, Prompt.Length) });
        Assert.Equal(12, last.Ids.Count);
        Assert.NotNull(selector.Ranking);
    }

    [Fact]
    public async Task EmptyOrOutOfRangeSpansAreClearErrors()
    {
        var none = await Assert.ThrowsAsync<ArgumentException>(() => Steer(new SteeringSettings(), Array.Empty<TokenSpan>()));
        Assert.Contains("at least one emphasised token span", none.Message);
        var outside = await Assert.ThrowsAsync<ArgumentException>(() => Steer(new SteeringSettings(), new[] { new TokenSpan(8, 11) }));
        Assert.Contains("[8, 11)", outside.Message);
        Assert.Contains("10 tokens", outside.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => Steer(new SteeringSettings(), new[] { new TokenSpan(3, 3) }));
    }

    [Theory]
    [InlineData(0.0, 0.5, 10, "Alpha")]
    [InlineData(-5.0, 0.5, 10, "Alpha")]
    [InlineData(double.NaN, 0.5, 10, "Alpha")]
    [InlineData(100.0, 0.0, 10, "Beta")]
    [InlineData(100.0, 1.5, 10, "Beta")]
    [InlineData(100.0, 0.5, 0, "MaxTrials")]
    public void BadSettingsAreRejectedByName(double alpha, double beta, int trials, string setting)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new DirecterSelector(Instruction, new SteeringSettings { Alpha = alpha, Beta = beta, MaxTrials = trials }));
        Assert.Equal(setting, error.ParamName);
    }

    [Fact]
    public void CandidateSetsHalveTheRankedLayersLikeThePaper()
    {
        var selector = new DirecterSelector(Instruction, new SteeringSettings());
        var ranking = new LayerRanking(Enumerable.Range(0, 32).Reverse().ToArray(), new double[32]);
        var sets = selector.CandidateSets(32, ranking);
        Assert.Equal(new[] { 32, 16, 8, 4, 2 }, sets.Select(s => s.Count));
        Assert.Equal(new[] { 31, 30 }, sets[^1].OrderByDescending(l => l));
        var capped = new DirecterSelector(Instruction, new SteeringSettings { MaxTrials = 2 }).CandidateSets(32, ranking);
        Assert.Equal(new[] { 32, 16 }, capped.Select(s => s.Count));
        Assert.Empty(selector.CandidateSets(1, new LayerRanking(new[] { 0 }, new double[1])));
    }

    [Fact]
    public async Task SamplingIsReproducibleAndTemperatureZeroIsThePaperAlgorithm()
    {
        var sampled = new GenerationOptions { MaxNewTokens = 12, EosTokenIds = [], Temperature = 0.8f, Seed = 42 };
        var a = await generator.GenerateAsync(Prompt, sampled, new DirecterSelector(Instruction, new SteeringSettings { Beta = 0.2 }));
        var b = await generator.GenerateAsync(Prompt, sampled, new DirecterSelector(Instruction, new SteeringSettings { Beta = 0.2 }));
        Assert.Equal(a.Ids, b.Ids);

        var naive = NaiveDirecter.Generate(model, Prompt, Instruction, 128, 0.3, 10, 12);
        var (greedy, _) = await Steer(new SteeringSettings { Alpha = 128, Beta = 0.3 });
        Assert.Equal(naive.Ids, greedy.Ids);
    }

    [Fact]
    public void SteeredPassesNeverWriteTheCache()
    {
        using var cache = model.CreateCache(48);
        using var prefix = TorchSharp.torch.tensor(Prompt.Select(i => (long)i).ToArray()).unsqueeze(0);
        model.Forward(prefix, cache).Dispose();
        using var snapshot = cache.DeepCopy();
        var emphasis = EmphasisPositions.Create(Instruction, Prompt.Length);
        var rows = new IReadOnlySet<int>[] { Enumerable.Range(0, model.LayerCount).ToHashSet(), new HashSet<int> { 1 } };
        using var steering = new KeyScaleSteering(emphasis, 1e4, rows, Prompt.Length - 1, Prompt.Length, model.Device);
        using var input = TorchSharp.torch.tensor(new long[] { Prompt[^1], Prompt[^1] }).unsqueeze(1);
        model.Forward(input, cache, new ForwardRequest { WriteCache = false, StartPosition = Prompt.Length - 1, Steering = steering }).Dispose();
        Assert.Equal(Prompt.Length, cache.Length);
        for (int layer = 0; layer < model.LayerCount; layer++)
        {
            using var diff = (cache.LayerKeys(layer).narrow(2, 0, Prompt.Length) - snapshot.LayerKeys(layer).narrow(2, 0, Prompt.Length)).abs().max();
            Assert.True(diff.item<float>() == 0, $"layer {layer} keys changed");
        }
    }
}
