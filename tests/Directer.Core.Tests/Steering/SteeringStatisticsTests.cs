using Directer.Core.Steering;

namespace Directer.Core.Tests.Steering;

/// <summary>
/// The layer ranking's arithmetic (docs/DIRECTER.md: d(p, j) = (1 − cos(in_j, out_j^p)) + (1 − cos(out_j, in_j^p)),
/// clipped at 0, averaged over p, ranked highest first, ties in layer order) and the per-generation summary, on
/// hand-made vectors whose cosines are known exactly.
/// </summary>
public sealed class SteeringStatisticsTests
{
    private static readonly float[] X = [1, 0];
    private static readonly float[] Y = [0, 1];
    private static readonly float[] MinusX = [-1, 0];
    private static readonly float[] Diagonal = [1, 1];

    [Fact]
    public void CosineIsExactAndZeroForAZeroVector()
    {
        Assert.Equal(1, LayerRanking.Cosine(X, [3, 0]));
        Assert.Equal(0, LayerRanking.Cosine(X, Y));
        Assert.Equal(-1, LayerRanking.Cosine(X, MinusX));
        Assert.Equal(1 / Math.Sqrt(2), LayerRanking.Cosine(X, Diagonal), 12);
        Assert.Equal(0, LayerRanking.Cosine([0, 0], X));
        Assert.Equal(0, LayerRanking.Cosine(X, [0, 0]));
    }

    [Fact]
    public void ReferenceRankingAveragesTheProbes()
    {
        // Two layers; raw inputs X, outputs X. Probe 0 turns layer 1's output to Y (distance 1), probe 1 turns
        // layer 1's input to −X (distance 2) and layer 0's output to Y (distance 1).
        float[][] rawIn = [X, X];
        float[][] rawOut = [X, X];
        (float[][], float[][]) Probe(int p) => p == 0 ? ([X, X], [X, Y]) : ([X, MinusX], [Y, X]);

        var ranking = LayerRanking.Compute(rawIn, rawOut, Probe, RankingVariant.Reference);
        Assert.Equal([0.5, 1.5], ranking.Sensitivity);
        Assert.Equal([1, 0], ranking.Order);
        Assert.Equal(new HashSet<int> { 1 }, ranking.Top(1));
        Assert.Equal(new HashSet<int> { 0, 1 }, ranking.Top(5));
    }

    [Fact]
    public void PaperDifferenceSubtractsTheRawDistanceAndClipsAtZero()
    {
        // Layer 0: raw in X, out Y (baseline 2·(1 − 0) = 2). Layer 1: raw in = out = X (baseline 0).
        float[][] rawIn = [X, X];
        float[][] rawOut = [Y, X];
        (float[][], float[][]) Probe(int p) => p == 0 ? ([MinusX, X], [MinusX, Y]) : ([X, X], [X, X]);

        var reference = LayerRanking.Compute(rawIn, rawOut, Probe, RankingVariant.Reference);
        var paper = LayerRanking.Compute(rawIn, rawOut, Probe, RankingVariant.PaperDifference);
        // Probe 0, layer 0: (1 − cos(X, −X)) + (1 − cos(Y, −X)) = 2 + 1 = 3; probe 1, layer 0: (1 − cos(X, X)) + (1 − cos(Y, X)) = 1.
        // Probe 0, layer 1: (1 − cos(X, Y)) + (1 − cos(X, X)) = 1; probe 1, layer 1: 0.
        Assert.Equal([2.0, 0.5], reference.Sensitivity);
        // Minus the baseline: layer 0: max(0, 3 − 2) + max(0, 1 − 2) = 1; layer 1 unchanged.
        Assert.Equal([0.5, 0.5], paper.Sensitivity);
        Assert.Equal([0, 1], paper.Order);   // tie: layer order
        Assert.Equal([0, 1], reference.Order);
    }

    private static SteeringStep Step(bool gated, int trials, bool fellBack, int raw, int chosen) => new()
    {
        Index = 0, Gated = gated, Trials = trials, LayersUsed = 1, FellBack = fellBack, RawToken = raw, ChosenToken = chosen,
        RawProbabilityOfChosen = 0.5f, RawTopProbability = 0.5f,
    };

    [Fact]
    public void StepKinds()
    {
        Assert.True(Step(false, 1, false, 1, 2).Steered);
        Assert.False(Step(false, 1, false, 1, 2).Rejected);          // accepted at the first trial
        Assert.True(Step(false, 2, false, 1, 2).Rejected);           // accepted after one rejection
        Assert.True(Step(false, 1, true, 1, 1).Rejected);            // tried once, fell back
        Assert.False(Step(false, 0, true, 1, 1).Rejected);           // fell back without trying (one layer left)
        Assert.False(Step(false, 0, true, 1, 1).Steered);
        Assert.False(Step(true, 0, false, 1, 1).Steered);
        Assert.False(Step(true, 0, false, 1, 1).Rejected);
        var fromP = SteeringStep.Of(3, false, 1, 4, false, 0, 2, [0.5f, 0.125f, 0.375f]);
        Assert.Equal(0.375f, fromP.RawProbabilityOfChosen);
        Assert.Equal(0.5f, fromP.RawTopProbability);
        Assert.Equal(3, fromP.Index);
        Assert.Equal(4, fromP.LayersUsed);
    }

    [Fact]
    public void SummaryShares()
    {
        SteeringStep[] steps =
        [
            Step(true, 0, false, 5, 5),     // gated
            Step(false, 1, false, 5, 6),    // steered, changed
            Step(false, 3, false, 5, 5),    // steered after rejections, same token
            Step(false, 2, true, 7, 7),     // fell back after trying
        ];
        var ranking = new LayerRanking([1, 0], [0.1, 0.2]);
        var summary = SteeringSummary.From("directer", steps, ranking);
        Assert.Equal("directer", summary.Method);
        Assert.Equal(4, summary.Steps);
        Assert.Equal(0.5, summary.SteeredShare);
        Assert.Equal(0.25, summary.GatedShare);
        Assert.Equal(0.5, summary.RejectedShare);
        Assert.Equal(0.25, summary.FallbackShare);
        Assert.Equal(1.5, summary.MeanTrials);
        Assert.Equal(0.25, summary.ChangedShare);
        Assert.Equal([1, 0], summary.Ranking);
        Assert.Equal([0.1, 0.2], summary.Sensitivity);

        var empty = SteeringSummary.From("static", [], null);
        Assert.Equal(0, empty.Steps);
        Assert.Equal(0, empty.SteeredShare);
        Assert.Equal(0, empty.MeanTrials);
        Assert.Null(empty.Ranking);
        Assert.Null(empty.Sensitivity);
    }
}
