using Directer.Core.Checkpoints;
using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Testing;

namespace Directer.Core.Tests.Generation;

/// <summary>Issue 13, item 3: NaN/∞ logits end a request with an exception naming the step (not a stream of token 0),
/// and loading can check the weights when asked.</summary>
public sealed class NonFiniteTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("directer-nan-").FullName;

    public NonFiniteTests() => TorchRuntime.EnsureInitialized();

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Poisoned(float value, string tensor = "model.norm.weight")
    {
        TinyCheckpoints.Write(TinyCheckpoints.LlamaGqaF32, directory);
        CheckpointPoison.Fill(directory, tensor, value);
        return directory;
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "")]
    public async Task NonFiniteLogitsEndTheRequestNamingTheStep(float value, string kind)
    {
        using var model = LlamaModel.Load(Poisoned(value));
        using var generator = new TokenGenerator(model);
        var emitted = new List<int>();
        var error = await Assert.ThrowsAsync<NonFiniteLogitsException>(() =>
            generator.GenerateAsync([1, 17, 42, 5], new GenerationOptions { MaxNewTokens = 8 }, onToken: emitted.Add));
        Assert.Equal(0, error.Step);
        Assert.Equal(3, error.Position);
        Assert.Contains("Decode step 0 (sequence position 3)", error.Message, StringComparison.Ordinal);
        Assert.Contains(kind, error.Message, StringComparison.Ordinal);
        Assert.Empty(emitted);
    }

    [Fact]
    public async Task SampledAndSteeredGenerationsStopToo()
    {
        using var model = LlamaModel.Load(Poisoned(float.NaN, "model.layers.1.mlp.down_proj.weight"));
        using var generator = new TokenGenerator(model);
        await Assert.ThrowsAsync<NonFiniteLogitsException>(() =>
            generator.GenerateAsync([1, 17, 42, 5], new GenerationOptions { MaxNewTokens = 4, Temperature = 0.8f, Seed = 3 }));
        var steering = new Directer.Core.Steering.SteeringSettings { Method = Directer.Core.Steering.SteeringMethod.Directer };
        var selector = steering.CreateSelector([new Directer.Core.Steering.TokenSpan(1, 3)], model.LayerCount);
        await Assert.ThrowsAsync<NonFiniteLogitsException>(() =>
            generator.GenerateAsync([1, 17, 42, 5], new GenerationOptions { MaxNewTokens = 4 }, selector));
    }

    [Fact]
    public void CheckWeightsNamesTheBrokenTensorAndIsOffByDefault()
    {
        string folder = Poisoned(float.NegativeInfinity, "model.layers.0.self_attn.k_proj.weight");
        var error = Assert.Throws<CheckpointException>(() => LlamaModel.Load(folder, new ModelOptions { CheckWeights = true }));
        Assert.Contains("'model.layers.0.self_attn.k_proj.weight'", error.Message, StringComparison.Ordinal);
        Assert.Contains("NaN or infinite", error.Message, StringComparison.Ordinal);
        using var unchecked_ = LlamaModel.Load(folder);
        Assert.False(new ModelOptions().CheckWeights);
    }

    [Fact]
    public void CheckWeightsAcceptsHealthyCheckpoints()
    {
        TinyCheckpoints.Write(TinyCheckpoints.Qwen2BiasTiedBf16, directory);
        using var model = LlamaModel.Load(directory, new ModelOptions { CheckWeights = true, DType = ComputeDType.BFloat16 });
        Assert.True(model.LayerCount > 0);
    }
}
