using Directer.Core.Runtime;
using Directer.Core.Steering;
using static TorchSharp.torch;

namespace Directer.Core.Tests.Steering;

/// <summary>
/// The key scaling of one pass at every span edge. A pass starting at position <c>start</c> feeds the token at
/// <c>start</c> (at the first decode step: the last prompt token); only cached positions before it are scaled,
/// as the reference code scales the past key values.
/// </summary>
public sealed class KeyScaleSteeringTests
{
    public KeyScaleSteeringTests() => TorchRuntime.EnsureInitialized();

    /// <summary>The multiplier the steering applies to each (row, key column) of all-ones scores.</summary>
    private static float[][] Multipliers(TokenSpan[] spans, int promptLength, double alpha, IReadOnlySet<int>[] rowLayers, int start, int totalKeys, int layer)
    {
        var emphasis = EmphasisPositions.Create(spans, promptLength);
        using var steering = new KeyScaleSteering(emphasis, alpha, rowLayers, start, totalKeys, CPU);
        // [rows, kv heads, group, queries, keys] as the attention passes them.
        using var scores = ones(new long[] { rowLayers.Length, 2, 2, 1, totalKeys });
        if (steering.AffectsLayer(layer))
        {
            steering.Apply(layer, scores);
        }

        var result = new float[rowLayers.Length][];
        for (int r = 0; r < rowLayers.Length; r++)
        {
            using var row = scores[r];
            float[] values = row.data<float>().ToArray();
            result[r] = values[..totalKeys];
            // Every head and query of a row gets the same multipliers.
            for (int i = 0; i < values.Length; i++)
            {
                Assert.Equal(result[r][i % totalKeys], values[i]);
            }
        }

        return result;
    }

    private static float[] Expected(int totalKeys, float alpha, params int[] scaled) =>
        Enumerable.Range(0, totalKeys).Select(j => scaled.Contains(j) ? alpha : 1f).ToArray();

    private static readonly IReadOnlySet<int>[] AllLayers = [new HashSet<int> { 0, 1 }];

    [Fact]
    public void PositionZeroIsScaled()
    {
        var m = Multipliers([new TokenSpan(0, 1)], 6, 4, AllLayers, start: 5, totalKeys: 6, layer: 0);
        Assert.Equal(Expected(6, 4, 0), m[0]);
    }

    [Fact]
    public void TheLastPromptTokenIsNotScaledAtTheFirstDecodeStep()
    {
        // Prompt of 6: positions 0..4 are cached, position 5 (the last prompt token) is fed in.
        var m = Multipliers([new TokenSpan(3, 6)], 6, 8, AllLayers, start: 5, totalKeys: 6, layer: 1);
        Assert.Equal(Expected(6, 8, 3, 4), m[0]);
    }

    [Fact]
    public void ASpanOfOnlyTheLastPromptTokenScalesNothingAtTheFirstStep()
    {
        var m = Multipliers([new TokenSpan(5, 6)], 6, 8, AllLayers, start: 5, totalKeys: 6, layer: 0);
        Assert.Equal(Expected(6, 8), m[0]);
    }

    [Fact]
    public void TheLastPromptTokenIsScaledOnceItIsCached()
    {
        // Second decode step: the prompt (0..5) is cached, the first generated token (6) is fed in.
        var m = Multipliers([new TokenSpan(3, 6)], 6, 8, AllLayers, start: 6, totalKeys: 7, layer: 0);
        Assert.Equal(Expected(7, 8, 3, 4, 5), m[0]);
    }

    [Fact]
    public void WholePromptSpan()
    {
        var m = Multipliers([new TokenSpan(0, 4)], 4, 2, AllLayers, start: 3, totalKeys: 4, layer: 0);
        Assert.Equal(Expected(4, 2, 0, 1, 2), m[0]);
    }

    [Fact]
    public void TouchingSpansScaleEveryPositionOfBothAndNothingAround()
    {
        var m = Multipliers([new TokenSpan(3, 5), new TokenSpan(1, 3)], 8, 16, AllLayers, start: 7, totalKeys: 8, layer: 0);
        Assert.Equal(Expected(8, 16, 1, 2, 3, 4), m[0]);
    }

    [Fact]
    public void SeparateSpansKeepTheGapUnscaled()
    {
        var m = Multipliers([new TokenSpan(0, 2), new TokenSpan(4, 5)], 8, 16, AllLayers, start: 7, totalKeys: 8, layer: 0);
        Assert.Equal(Expected(8, 16, 0, 1, 4), m[0]);
    }

    [Fact]
    public void OnlyRowsSteeredInTheLayerAreScaled()
    {
        IReadOnlySet<int>[] rows = [new HashSet<int> { 0 }, new HashSet<int> { 1, 2 }, new HashSet<int>()];
        var layer0 = Multipliers([new TokenSpan(1, 3)], 5, 4, rows, start: 4, totalKeys: 5, layer: 0);
        Assert.Equal(Expected(5, 4, 1, 2), layer0[0]);
        Assert.Equal(Expected(5, 4), layer0[1]);
        Assert.Equal(Expected(5, 4), layer0[2]);

        var layer2 = Multipliers([new TokenSpan(1, 3)], 5, 4, rows, start: 4, totalKeys: 5, layer: 2);
        Assert.Equal(Expected(5, 4), layer2[0]);
        Assert.Equal(Expected(5, 4, 1, 2), layer2[1]);
        Assert.Equal(Expected(5, 4), layer2[2]);
    }

    [Fact]
    public void AffectsExactlyTheLayersOfSomeRow()
    {
        var emphasis = EmphasisPositions.Create([new TokenSpan(0, 2)], 4);
        using var steering = new KeyScaleSteering(emphasis, 10, [new HashSet<int> { 1 }, new HashSet<int> { 3 }], 3, 4, CPU);
        Assert.False(steering.AffectsLayer(0));
        Assert.True(steering.AffectsLayer(1));
        Assert.False(steering.AffectsLayer(2));
        Assert.True(steering.AffectsLayer(3));
    }

    [Fact]
    public void AlphaMultipliesScoresOfAnyDType()
    {
        var emphasis = EmphasisPositions.Create([new TokenSpan(0, 1)], 3);
        using var steering = new KeyScaleSteering(emphasis, 0.5, [new HashSet<int> { 0 }], 2, 3, CPU);
        using var scores = tensor(new float[] { 3, -2, 5 }).to_type(ScalarType.BFloat16).view(1, 1, 1, 1, 3);
        steering.Apply(0, scores);
        Assert.Equal(ScalarType.BFloat16, scores.dtype);
        using var back = scores.to_type(ScalarType.Float32);
        Assert.Equal(new float[] { 1.5f, -2, 5 }, back.data<float>().ToArray());
    }
}
