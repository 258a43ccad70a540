using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Steering;
using Directer.Core.Steering.Baselines;
using Directer.Core.Tests.Support;
using Directer.Core.Tests.Checkpoints;
using Directer.Testing;

namespace Directer.Core.Tests.Steering;

/// <summary>
/// The selectors' sampled path and their traces (issue 19's mutation survivors). Expectations are independent of the
/// selector under test: a neutral steering (α = 1, M = 1, ...) must reproduce plain sampling with the same seed
/// (<see cref="SamplingSelector"/>, itself checked against transformers' warpers), and each trace record must follow
/// docs/STEERING.md: a gated step ran no steered pass, a baseline's other steps ran exactly one, a fallback emits the
/// raw choice, and β = 1 gates every step whose top two probabilities differ.
/// </summary>
public sealed class SelectorTraceTests : IDisposable
{
    private static readonly int[] Prompt = { 1, 17, 42, 5, 88, 23, 9, 61, 30, 77 };
    private static readonly TokenSpan[] Instruction = { new(2, 6) };
    private const int Steps = 12;
    private readonly LlamaModel model;
    private readonly TokenGenerator generator;

    public SelectorTraceTests()
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

    private static GenerationOptions Greedy => new() { MaxNewTokens = Steps, EosTokenIds = [] };

    // Tempered and top-k filtered, so the filtered distribution differs from the plain softmax.
    private static GenerationOptions Sampled(long seed) => Greedy with { Temperature = 0.7f, TopK = 20, Seed = seed };

    public static TheoryData<string> Methods() => BaselineStrengths.Names();

    private ISteeringMethod Neutral(string name) => BaselineStrengths.Neutral(name, model.LayerCount);

    private ISteeringMethod Strong(string name) => BaselineStrengths.Strong(name, model.LayerCount);

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task ANeutralBaselineSamplesLikePlainSampling(string name)
    {
        for (long seed = 1; seed <= 3; seed++)
        {
            var plain = await generator.GenerateAsync(Prompt, Sampled(seed));
            var greedy = await generator.GenerateAsync(Prompt, Greedy);
            Assert.NotEqual(greedy.Ids, plain.Ids); // the seed matters, so the comparison below tests the draw
            var selector = new BaselineSelector(Neutral(name), Instruction);
            var steered = await generator.GenerateAsync(Prompt, Sampled(seed), selector);
            Assert.Equal(plain.Ids, steered.Ids);
            Assert.All(selector.Trace, s => Assert.Equal(s.RawToken, s.ChosenToken));
        }
    }

    [Fact]
    public async Task GreedyTraceProbabilitiesAreTheSoftmaxOfTheRawLogits()
    {
        var selector = new BaselineSelector(Neutral("instaboost"), Instruction, gated: true, beta: 0.01);
        await generator.GenerateAsync(Prompt, Greedy, selector);
        Assert.Equal(Steps, selector.Trace.Count);
        Assert.All(selector.Trace, s =>
        {
            // Greedy emits the argmax, so its raw probability is the top one, a real probability.
            Assert.True(s.RawTopProbability is > 0 and <= 1, s.ToString());
            Assert.Equal(s.RawTopProbability, s.RawProbabilityOfChosen);
        });
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task WithoutTheGateEverySteeredChoiceIsEmittedWhateverBeta(string name)
    {
        // beta 1 would gate or reject (nearly) every step; without the gate it must not be used.
        var selector = new BaselineSelector(Strong(name), Instruction, gated: false, beta: 1);
        await generator.GenerateAsync(Prompt, Greedy, selector);
        Assert.Equal(Steps, selector.Trace.Count);
        Assert.All(selector.Trace, s =>
        {
            Assert.False(s.Gated);
            Assert.False(s.FellBack);
            Assert.Equal(1, s.Trials);
        });
        Assert.True(selector.Summary.ChangedShare > 0, $"{name} changed nothing");
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task GatedAtBetaOneEveryStepIsGatedAndRaw(string name)
    {
        var plain = await generator.GenerateAsync(Prompt, Greedy);
        var selector = new BaselineSelector(Strong(name), Instruction, gated: true, beta: 1);
        var result = await generator.GenerateAsync(Prompt, Greedy, selector);
        Assert.Equal(plain.Ids, result.Ids);
        Assert.All(selector.Trace, s =>
        {
            // y < 1·x whenever the top two differ, which a float32 softmax of this model always has.
            Assert.True(s.Gated, s.ToString());
            Assert.False(s.FellBack);
            Assert.Equal(0, s.Trials);
            Assert.Equal(s.RawToken, s.ChosenToken);
        });
        Assert.Equal(1.0, selector.Summary.GatedShare);
    }

    [Fact]
    public async Task GatedTraceRecordsAreConsistentAndSomeStrongChoicesFallBack()
    {
        const double beta = 0.5;
        int fallbacks = 0;
        foreach (string name in new[] { "static", "pasta", "spotlight", "instaboost" })
        {
            var selector = new BaselineSelector(Strong(name), Instruction, gated: true, beta: beta);
            await generator.GenerateAsync(Prompt, Greedy, selector);
            foreach (var s in selector.Trace)
            {
                if (s.Gated)
                {
                    Assert.Equal(0, s.Trials);
                    Assert.False(s.FellBack);
                }
                else
                {
                    Assert.Equal(1, s.Trials);
                }

                if (s.FellBack)
                {
                    Assert.Equal(s.RawToken, s.ChosenToken);
                    fallbacks++;
                }
                else if (!s.Gated)
                {
                    Assert.True(s.RawProbabilityOfChosen - (beta * s.RawTopProbability) > 0, $"{name}: {s}");
                }
            }
        }

        // Strong settings pick implausible tokens at some steps of this random model; the gate must reject them.
        Assert.True(fallbacks > 0, "no strong choice was rejected");
    }

    [Fact]
    public async Task ASelectorReusedForASecondGenerationStartsAFreshTrace()
    {
        var baseline = new BaselineSelector(Neutral("pasta"), Instruction);
        var directer = new DirecterSelector(Instruction, new SteeringSettings { Alpha = 4 });
        foreach (ISteeringSelector selector in new ISteeringSelector[] { baseline, directer })
        {
            await generator.GenerateAsync(Prompt, Greedy, selector);
            await generator.GenerateAsync(Prompt, Greedy, selector);
        }

        Assert.Equal(Steps, baseline.Trace.Count);
        Assert.Equal(Steps, directer.Trace.Count);
        Assert.Equal(Steps, directer.Summary.Steps);
    }

    [Theory]
    [InlineData(SteeringStrategy.Auto)]
    [InlineData(SteeringStrategy.Sequential)]
    [InlineData(SteeringStrategy.Batched)]
    [InlineData(SteeringStrategy.BatchedAfterGate)]
    public async Task NeutralDirecterSamplesLikePlainSampling(SteeringStrategy strategy)
    {
        for (long seed = 1; seed <= 3; seed++)
        {
            var plain = await generator.GenerateAsync(Prompt, Sampled(seed));
            // alpha 1 scales nothing: every steered pass equals the raw one, so the raw draw is emitted.
            var selector = new DirecterSelector(Instruction, new SteeringSettings { Alpha = 1, Beta = 0.3, Strategy = strategy });
            var steered = await generator.GenerateAsync(Prompt, Sampled(seed), selector);
            Assert.Equal(plain.Ids, steered.Ids);
            Assert.Equal(0, selector.Summary.ChangedShare);
            Assert.Equal(plain.Ids, selector.Trace.Select(s => s.RawToken));
        }
    }

    [Theory]
    [InlineData(SteeringStrategy.Sequential)]
    [InlineData(SteeringStrategy.Batched)]
    [InlineData(SteeringStrategy.BatchedAfterGate)]
    public async Task OnOneLayerThereIsNoSetToTrySoDirecterEmitsTheRawChoice(SteeringStrategy strategy)
    {
        // The candidate sets are all L layers and then halvings while a set has more than one layer (docs/DIRECTER.md):
        // with L = 1 there is none, so every step gates or falls back without a steered pass.
        using var temp = new TempFolder();
        string path = TinyCheckpoints.Write(new TinyCheckpointSpec { Name = "one-layer", NumHiddenLayers = 1 }, Path.Combine(temp.Path, "one-layer"));
        using var oneLayer = LlamaModel.Load(path, new ModelOptions { MaxSequenceLength = 48 });
        using var oneLayerGenerator = new TokenGenerator(oneLayer);
        var plain = await oneLayerGenerator.GenerateAsync(Prompt, Greedy);
        var selector = new DirecterSelector(Instruction, new SteeringSettings { Alpha = 1e4, Beta = 0.1, Strategy = strategy });
        var steered = await oneLayerGenerator.GenerateAsync(Prompt, Greedy, selector);
        Assert.Equal(plain.Ids, steered.Ids);
        Assert.All(selector.Trace, s =>
        {
            Assert.Equal(0, s.Trials);
            Assert.True(s.Gated || s.FellBack, s.ToString());
        });
    }

    [Fact]
    public async Task WithoutTheTraceTheSummaryIsStillKept()
    {
        var selector = new DirecterSelector(Instruction, new SteeringSettings { Alpha = 4, RecordTrace = false });
        await generator.GenerateAsync(Prompt, Greedy, selector);
        Assert.Empty(selector.Trace);
        Assert.Equal(Steps, selector.Summary.Steps);
        Assert.Equal("directer", selector.Summary.Method);
        Assert.NotNull(selector.Summary.Ranking);
    }

    [Fact]
    public void DirecterSelectBeforeBeginNamesTheMissingCall()
    {
        var selector = new DirecterSelector(Instruction);
        var error = Assert.Throws<InvalidOperationException>(() => selector.Select(null!));
        Assert.Contains("Begin", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownMethodIsAClearError()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SteeringSettings { Method = (SteeringMethod)99 }.CreateSelector(Instruction, 2));
        Assert.Equal("Method", error.ParamName);
        Assert.Contains("Unknown steering method", error.Message, StringComparison.Ordinal);
    }
}
