using Directer.Core.Steering;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Tests.Steering;

/// <summary>
/// DIRECTER's halving layer sets (docs/DIRECTER.md): all L layers, then the ⌊L/2^t⌋ most sensitive, while a set has
/// more than one layer and at most MaxTrials sets; and the strategy Auto resolves to by device.
/// </summary>
public sealed class CandidateSetTests
{
    private static readonly LayerRanking Ranking = new([5, 2, 7, 0, 1, 3, 4, 6], new double[8]);

    private static List<int[]> Sets(int layers, int maxTrials, LayerRanking ranking) =>
        new DirecterSelector([new TokenSpan(0, 1)], new SteeringSettings { MaxTrials = maxTrials })
            .CandidateSets(layers, ranking).Select(s => s.Order().ToArray()).ToList();

    [Fact]
    public void EightLayersHalveDownToTwo()
    {
        var sets = Sets(8, 10, Ranking);
        Assert.Equal(3, sets.Count);
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], sets[0]);
        Assert.Equal([0, 2, 5, 7], sets[1]);
        Assert.Equal([2, 5], sets[2]);
    }

    [Theory]
    [InlineData(1, 8, 1)]
    [InlineData(2, 8, 2)]
    [InlineData(3, 8, 3)]
    [InlineData(10, 2, 1)]     // two layers: all of them, then a single layer is never tried
    [InlineData(10, 1, 0)]     // one layer: nothing to try
    [InlineData(10, 5, 2)]     // 5, then ⌊5/2⌋ = 2, then 1 stops
    [InlineData(10, 4, 2)]
    public void MaxTrialsAndLayerCountBoundTheSets(int maxTrials, int layers, int expectedCount)
    {
        var ranking = new LayerRanking(Enumerable.Range(0, layers).Reverse().ToArray(), new double[layers]);
        var sets = Sets(layers, maxTrials, ranking);
        Assert.Equal(expectedCount, sets.Count);
        for (int t = 0; t < sets.Count; t++)
        {
            int size = t == 0 ? layers : layers >> t;
            Assert.Equal(size, sets[t].Length);
            Assert.Equal(Enumerable.Range(layers - size, size), sets[t]);   // the most sensitive (here: the last) layers
        }
    }

    [Fact]
    public void AutoStrategyByDevice()
    {
        Assert.Equal(SteeringStrategy.BatchedAfterGate, DirecterSelector.Resolve(SteeringStrategy.Auto, CPU));
        Assert.Equal(SteeringStrategy.Batched, DirecterSelector.Resolve(SteeringStrategy.Auto, new Device(DeviceType.CUDA)));
        foreach (var s in new[] { SteeringStrategy.Sequential, SteeringStrategy.Batched, SteeringStrategy.BatchedAfterGate })
        {
            Assert.Equal(s, DirecterSelector.Resolve(s, CPU));
            Assert.Equal(s, DirecterSelector.Resolve(s, new Device(DeviceType.CUDA)));
        }
    }

    [Fact]
    public void SelectBeforeBeginIsAnError()
    {
        var selector = new DirecterSelector([new TokenSpan(0, 1)]);
        Assert.Throws<InvalidOperationException>(() => selector.Select(null!));
        Assert.Null(selector.Ranking);
        Assert.Empty(selector.Trace);
        Assert.Equal(0, selector.Summary.Steps);
    }
}
