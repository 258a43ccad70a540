using Directer.Core.Checkpoints;
using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Steering;
using Directer.Core.Tests.Support;

namespace Directer.Core.Tests.Settings;

/// <summary>
/// Every Core setting at both edges of its documented range: the inclusive edge accepted, the exclusive edge (or the
/// next representable value past an inclusive one) rejected with an <see cref="ArgumentOutOfRangeException"/> that
/// names the setting.
/// </summary>
public sealed class CoreSettingsRangeTests
{
    private static readonly float AboveOneF = MathF.BitIncrement(1f);
    private static readonly double AboveOne = Math.BitIncrement(1.0);

    private static void Rejects(string name, Action validate)
    {
        var error = Assert.ThrowsAny<ArgumentException>(validate);
        Assert.Contains(name, error.ParamName + " " + error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GenerationOptionsEdges()
    {
        new GenerationOptions { MaxNewTokens = 1 }.Validate();
        Rejects("MaxNewTokens", () => new GenerationOptions { MaxNewTokens = 0 }.Validate());

        new GenerationOptions { Temperature = 0 }.Validate();                    // >= 0: 0 is greedy
        new GenerationOptions { Temperature = float.Epsilon }.Validate();
        new GenerationOptions { Temperature = float.MaxValue }.Validate();
        Rejects("Temperature", () => new GenerationOptions { Temperature = -float.Epsilon }.Validate());
        Rejects("Temperature", () => new GenerationOptions { Temperature = float.PositiveInfinity }.Validate());
        Rejects("Temperature", () => new GenerationOptions { Temperature = float.NaN }.Validate());

        new GenerationOptions { TopP = 1 }.Validate();                           // (0, 1]: 1 is "off"
        new GenerationOptions { TopP = float.Epsilon }.Validate();
        Rejects("TopP", () => new GenerationOptions { TopP = 0 }.Validate());
        Rejects("TopP", () => new GenerationOptions { TopP = AboveOneF }.Validate());
        Rejects("TopP", () => new GenerationOptions { TopP = -0.5f }.Validate());
        Rejects("TopP", () => new GenerationOptions { TopP = float.NaN }.Validate());

        new GenerationOptions { TopK = 1 }.Validate();
        new GenerationOptions { TopK = int.MaxValue }.Validate();
        Rejects("TopK", () => new GenerationOptions { TopK = 0 }.Validate());

        new GenerationOptions { StopSequences = [[7]] }.Validate();
        Rejects("StopSequences", () => new GenerationOptions { StopSequences = [[7], []] }.Validate());
    }

    [Fact]
    public void DirecterOptionsEdges()
    {
        new DirecterOptions { Alpha = double.Epsilon }.Validate();               // > 0
        new DirecterOptions { Alpha = double.MaxValue }.Validate();
        Rejects("Alpha", () => new DirecterOptions { Alpha = 0 }.Validate());
        Rejects("Alpha", () => new DirecterOptions { Alpha = double.PositiveInfinity }.Validate());
        Rejects("Alpha", () => new DirecterOptions { Alpha = double.NaN }.Validate());

        new DirecterOptions { Beta = 1 }.Validate();                             // (0, 1]
        new DirecterOptions { Beta = double.Epsilon }.Validate();
        Rejects("Beta", () => new DirecterOptions { Beta = 0 }.Validate());
        Rejects("Beta", () => new DirecterOptions { Beta = AboveOne }.Validate());
        Rejects("Beta", () => new DirecterOptions { Beta = double.NaN }.Validate());

        new DirecterOptions { MaxTrials = 1 }.Validate();
        Rejects("MaxTrials", () => new DirecterOptions { MaxTrials = 0 }.Validate());
    }

    private static readonly TokenSpan[] Spans = [new TokenSpan(0, 2)];

    [Fact]
    public void SteeringSettingsEdgesReachEveryMethod()
    {
        Assert.IsType<DirecterSelector>(new SteeringSettings { Beta = 1, MaxTrials = 1, Alpha = double.Epsilon }.CreateSelector(Spans, 4));
        Rejects("Beta", () => new SteeringSettings { Beta = AboveOne }.CreateSelector(Spans, 4));
        Rejects("Beta", () => new SteeringSettings { Beta = 0 }.CreateSelector(Spans, 4));
        Rejects("MaxTrials", () => new SteeringSettings { MaxTrials = 0 }.CreateSelector(Spans, 4));
        Rejects("Alpha", () => new SteeringSettings { Alpha = 0 }.CreateSelector(Spans, 4));

        // A gated baseline uses the same beta range; an ungated one ignores beta.
        new SteeringSettings { Method = SteeringMethod.Static, Gate = true, Beta = 1 }.CreateSelector(Spans, 4);
        Rejects("beta", () => new SteeringSettings { Method = SteeringMethod.Static, Gate = true, Beta = AboveOne }.CreateSelector(Spans, 4));
        Rejects("beta", () => new SteeringSettings { Method = SteeringMethod.Static, Gate = true, Beta = 0 }.CreateSelector(Spans, 4));
        new SteeringSettings { Method = SteeringMethod.Static, Gate = false, Beta = 0 }.CreateSelector(Spans, 4);

        new SteeringSettings { Method = SteeringMethod.Static, Alpha = double.Epsilon, StaticLayers = [0, 3] }.CreateSelector(Spans, 4);
        Rejects("alpha", () => new SteeringSettings { Method = SteeringMethod.Static, Alpha = 0 }.CreateSelector(Spans, 4));
        Rejects("alpha", () => new SteeringSettings { Method = SteeringMethod.Static, Alpha = double.PositiveInfinity }.CreateSelector(Spans, 4));
        Rejects("layers", () => new SteeringSettings { Method = SteeringMethod.Static, StaticLayers = [4] }.CreateSelector(Spans, 4));
        Rejects("layers", () => new SteeringSettings { Method = SteeringMethod.Static, StaticLayers = [-1] }.CreateSelector(Spans, 4));

        new SteeringSettings { Method = SteeringMethod.Pasta, PastaA = 1 }.CreateSelector(Spans, 4);        // (0, 1]
        new SteeringSettings { Method = SteeringMethod.Pasta, PastaA = double.Epsilon }.CreateSelector(Spans, 4);
        Rejects("a", () => new SteeringSettings { Method = SteeringMethod.Pasta, PastaA = 0 }.CreateSelector(Spans, 4));
        Rejects("a", () => new SteeringSettings { Method = SteeringMethod.Pasta, PastaA = AboveOne }.CreateSelector(Spans, 4));

        new SteeringSettings { Method = SteeringMethod.SpotLight, SpotLightTarget = double.Epsilon }.CreateSelector(Spans, 4); // (0, 1)
        new SteeringSettings { Method = SteeringMethod.SpotLight, SpotLightTarget = Math.BitDecrement(1.0) }.CreateSelector(Spans, 4);
        Rejects("target", () => new SteeringSettings { Method = SteeringMethod.SpotLight, SpotLightTarget = 0 }.CreateSelector(Spans, 4));
        Rejects("target", () => new SteeringSettings { Method = SteeringMethod.SpotLight, SpotLightTarget = 1 }.CreateSelector(Spans, 4));

        new SteeringSettings { Method = SteeringMethod.InstABoost, InstABoostM = double.Epsilon }.CreateSelector(Spans, 4); // > 0, finite
        Rejects("multiplier", () => new SteeringSettings { Method = SteeringMethod.InstABoost, InstABoostM = 0 }.CreateSelector(Spans, 4));
        Rejects("multiplier", () => new SteeringSettings { Method = SteeringMethod.InstABoost, InstABoostM = double.PositiveInfinity }.CreateSelector(Spans, 4));

        Assert.Null(new SteeringSettings { Method = SteeringMethod.None, Beta = 0, Alpha = 0 }.CreateSelector(Spans, 4));
    }

    [Theory]
    [InlineData("llama-gqa-f32")]
    [InlineData("mistral-sliding")]
    public void ModelOptionsEdges(string name)
    {
        string folder = GeneratedCheckpoints.PathOf(name);
        var config = ModelConfig.Load(Path.Combine(folder, "config.json"));
        int limit = Math.Min(config.MaxPositionEmbeddings, config.SlidingWindow ?? int.MaxValue);

        using (var one = LlamaModel.Load(folder, new ModelOptions { MaxSequenceLength = 1 }))
        {
            Assert.Equal(1, one.ContextLength);
        }

        using (var full = LlamaModel.Load(folder, new ModelOptions { MaxSequenceLength = limit }))
        {
            Assert.Equal(limit, full.ContextLength);
        }

        Rejects("MaxSequenceLength", () => LlamaModel.Load(folder, new ModelOptions { MaxSequenceLength = 0 }).Dispose());
        Rejects("MaxSequenceLength", () => LlamaModel.Load(folder, new ModelOptions { MaxSequenceLength = limit + 1 }).Dispose());
        Rejects("Threads", () => LlamaModel.Load(folder, new ModelOptions { Threads = 0 }).Dispose());
    }
}
