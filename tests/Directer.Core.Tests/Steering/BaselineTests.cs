using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Steering;
using Directer.Core.Steering.Baselines;
using Directer.Core.Tests.Support;

namespace Directer.Core.Tests.Steering;

public sealed class BaselineTests : IDisposable
{
    private static readonly int[] Prompt = { 1, 17, 42, 5, 88, 23, 9, 61, 30, 77 };
    private static readonly TokenSpan[] Instruction = { new(2, 6) };
    private readonly LlamaModel model;
    private readonly TokenGenerator generator;

    public BaselineTests()
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

    public static TheoryData<string> NeutralMethods() => BaselineStrengths.Names();

    private ISteeringMethod Neutral(string name) => BaselineStrengths.Neutral(name, model.LayerCount);

    private ISteeringMethod Strong(string name) => BaselineStrengths.Strong(name, model.LayerCount);

    [Theory]
    [MemberData(nameof(NeutralMethods))]
    public async Task ANeutralSettingReproducesUnsteeredGreedy(string name)
    {
        var plain = await generator.GenerateAsync(Prompt, Budget);
        var selector = new BaselineSelector(Neutral(name), Instruction);
        var steered = await generator.GenerateAsync(Prompt, Budget, selector);
        Assert.Equal(plain.Ids, steered.Ids);
        Assert.Equal(0, selector.Summary.ChangedShare);
    }

    [Theory]
    [MemberData(nameof(NeutralMethods))]
    public async Task AStrongSettingChangesTokensAndTheGateKeepsEveryChoicePlausible(string name)
    {
        var free = new BaselineSelector(Strong(name), Instruction);
        await generator.GenerateAsync(Prompt, Budget, free);
        Assert.True(free.Summary.ChangedShare > 0, $"{name} changed nothing");

        const double beta = 0.5;
        var gated = new BaselineSelector(Strong(name), Instruction, gated: true, beta: beta);
        await generator.GenerateAsync(Prompt, Budget, gated);
        Assert.Equal(name + "+gate", gated.Summary.Method);
        foreach (var step in gated.Trace)
        {
            // Emitted tokens are the raw choice or pass the plausibility test.
            Assert.True(step.ChosenToken == step.RawToken || step.RawProbabilityOfChosen - (beta * step.RawTopProbability) > 0, step.ToString());
            if (step.FellBack || step.Gated)
            {
                Assert.Equal(step.RawToken, step.ChosenToken);
            }
        }
    }

    [Fact]
    public void SettingsBuildEveryMethodAndRejectUnknownNames()
    {
        foreach (var method in Enum.GetValues<SteeringMethod>())
        {
            var selector = new SteeringSettings { Method = method }.CreateSelector(Instruction, model.LayerCount);
            Assert.Equal(method == SteeringMethod.None, selector is null);
        }

        Assert.Equal(SteeringMethod.SpotLight, SteeringSettings.ParseMethod("SpotLight"));
        var error = Assert.Throws<ArgumentException>(() => SteeringSettings.ParseMethod("magic"));
        Assert.Contains("magic", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new StaticKeyScaling(2, new[] { 7 }, model.LayerCount));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PastaSteering(model.LayerCount, a: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpotLightSteering(target: 1.5));
    }
}
