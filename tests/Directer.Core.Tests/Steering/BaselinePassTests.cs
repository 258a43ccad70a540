using Directer.Core.Runtime;
using Directer.Core.Steering;
using Directer.Core.Steering.Baselines;
using static TorchSharp.torch;

namespace Directer.Core.Tests.Steering;

/// <summary>
/// One pass of each baseline on hand-made pre-softmax scores: which columns change and by how much (docs/STEERING.md).
/// Only cached prompt positions (before the pass's start) are touched, as in DIRECTER's key scaling.
/// </summary>
public sealed class BaselinePassTests
{
    public BaselinePassTests() => TorchRuntime.EnsureInitialized();

    /// <summary>Applies one pass of <paramref name="method"/> to <paramref name="scores"/> ([1, kv, group, 1, keys]).</summary>
    private static float[] Apply(ISteeringMethod method, TokenSpan[] spans, int promptLength, int start, float[] scores, int layer = 0, long kv = 1)
    {
        var emphasis = EmphasisPositions.Create(spans, promptLength);
        var pass = method.ForPass(emphasis, start, scores.Length / (int)kv, CPU);
        using var t = tensor(scores).view(1, kv, 1, 1, -1);
        if (pass.AffectsLayer(layer))
        {
            pass.Apply(layer, t);
        }

        (pass as IDisposable)?.Dispose();
        return t.data<float>().ToArray();
    }

    private static void Near(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-6, $"[{i}] {actual[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void InstABoostAddsLogMOnCachedEmphasisedColumns()
    {
        var method = new InstABoostSteering(4);
        Assert.Equal("instaboost", method.Name);
        float ln4 = MathF.Log(4);
        // Prompt of 5, span [1, 3) and [4, 5): position 4 is the token fed in (start 4), not cached yet.
        Near([0, ln4, 1 + ln4, 1, 2], Apply(method, [new TokenSpan(1, 3), new TokenSpan(4, 5)], 5, 4, [0, 0, 1, 1, 2]));
        // Next step: position 4 is cached, the generated token at 5 is not emphasised.
        Near([0, ln4, ln4, 0, ln4, 0], Apply(method, [new TokenSpan(1, 3), new TokenSpan(4, 5)], 5, 5, [0, 0, 0, 0, 0, 0]));
    }

    [Fact]
    public void PastaScalesDownThePromptOutsideTheEmphasis()
    {
        var method = new PastaSteering(2, 0.25);
        Assert.Equal("pasta", method.Name);
        float lnA = MathF.Log(0.25f);
        // Prompt of 5 fully cached (start 5), emphasis [1, 3): positions 0, 3, 4 down-weighted; the new token (5) not.
        Near([lnA, 0, 0, lnA, lnA, 0], Apply(method, [new TokenSpan(1, 3)], 5, 5, new float[6]));
        // First decode step: the last prompt token (4) is the one fed in, not cached.
        Near([lnA, 0, 0, lnA, 0], Apply(method, [new TokenSpan(1, 3)], 5, 4, new float[5]));
    }

    [Fact]
    public void PastaSteersOnlyItsLayersAndHeads()
    {
        var heads = new Dictionary<int, IReadOnlySet<int>?> { [1] = new HashSet<int> { 1 } };
        var method = new PastaSteering(4, 0.5, heads);
        float lnA = MathF.Log(0.5f);
        // Layer 0 is not steered; in layer 1 only head 1 of two.
        Near(new float[6], Apply(method, [new TokenSpan(0, 1)], 3, 3, new float[6], layer: 0, kv: 2));
        Near([0, 0, 0, 0, lnA, lnA], Apply(method, [new TokenSpan(0, 1)], 3, 3, new float[6], layer: 1, kv: 2));

        var bad = new PastaSteering(4, 0.5, new Dictionary<int, IReadOnlySet<int>?> { [0] = new HashSet<int> { 2 } });
        Assert.Throws<ArgumentOutOfRangeException>(() => Apply(bad, [new TokenSpan(0, 1)], 3, 3, new float[6], layer: 0, kv: 2));
        var negative = new PastaSteering(4, 0.5, new Dictionary<int, IReadOnlySet<int>?> { [0] = new HashSet<int> { -1 } });
        Assert.Throws<ArgumentOutOfRangeException>(() => Apply(negative, [new TokenSpan(0, 1)], 3, 3, new float[6], layer: 0, kv: 2));
    }

    [Fact]
    public void SpotLightLiftsTheEmphasisedShareOnlyWhenBelowTarget()
    {
        var method = new SpotLightSteering(0.5);
        Assert.Equal("spotlight", method.Name);
        // Equal scores over 4 keys, emphasis on 1 cached key: share 1/4 < 0.5, boost ln(0.5 / 0.25) = ln 2.
        Near([MathF.Log(2), 0, 0, 0], Apply(method, [new TokenSpan(0, 1)], 3, 3, new float[4]));
        // Share already above the target: unchanged.
        Near([5, 0, 0, 0], Apply(method, [new TokenSpan(0, 1)], 3, 3, [5, 0, 0, 0]));
        // Emphasis only on the token fed in: nothing cached to lift.
        Near(new float[3], Apply(method, [new TokenSpan(2, 3)], 3, 2, new float[3]));
    }

    [Fact]
    public void PastaHeadsAreNumberedOverKvHeadsTimesGroups()
    {
        // GQA: 2 kv heads × 2 query heads per group = heads 0..3; head h is kv h / 2, group h % 2.
        var heads = new Dictionary<int, IReadOnlySet<int>?> { [0] = new HashSet<int> { 0, 3 } };
        var method = new PastaSteering(1, 0.5, heads);
        float lnA = MathF.Log(0.5f);
        var emphasis = EmphasisPositions.Create([new TokenSpan(0, 1)], 3);
        var pass = method.ForPass(emphasis, 3, 3, CPU);
        using var scores = zeros(new long[] { 1, 2, 2, 1, 3 });
        pass.Apply(0, scores);
        // Prompt positions 1 and 2 lie outside the emphasis: lowered in heads 0 and 3 only.
        Near([0, lnA, lnA, 0, 0, 0, 0, 0, 0, 0, lnA, lnA], scores.data<float>().ToArray());

        var missing = new PastaSteering(1, 0.5, new Dictionary<int, IReadOnlySet<int>?> { [0] = new HashSet<int> { 4 } });
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => missing.ForPass(emphasis, 3, 3, CPU).Apply(0, zeros(new long[] { 1, 2, 2, 1, 3 })));
        Assert.Contains("PASTA head 4 does not exist in layer 0 (heads 0..3)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SpotLightSharesAreSummedOverTheEmphasisedKeysPerHead()
    {
        var method = new SpotLightSteering(0.5);
        var emphasis = EmphasisPositions.Create([new TokenSpan(0, 2)], 3);
        var pass = method.ForPass(emphasis, 3, 4, CPU);
        float ln3 = MathF.Log(3);
        // Head 0: weights (1, 1, 3, 3)/8, share of keys 0 and 1 is 1/4 < 1/2: both lifted by ln 2.
        // Head 1: weights (3, 1, 1, 1)/6, share 2/3 >= 1/2: unchanged.
        using var scores = tensor(new float[] { 0, 0, ln3, ln3, ln3, 0, 0, 0 }).view(1, 2, 1, 1, 4);
        pass.Apply(0, scores);
        float ln2 = MathF.Log(2);
        Near([ln2, ln2, ln3, ln3, ln3, 0, 0, 0], scores.data<float>().ToArray());
    }

    [Fact]
    public void StaticScalingMultipliesCachedEmphasisedScoresInItsLayers()
    {
        var method = new StaticKeyScaling(3, [1], 2);
        Assert.Equal("static", method.Name);
        Near([1, 2, 3], Apply(method, [new TokenSpan(0, 3)], 3, 2, [1, 2, 3], layer: 0));
        Near([3, 6, 3], Apply(method, [new TokenSpan(0, 3)], 3, 2, [1, 2, 3], layer: 1));
        Near([3, 6, 9, 4], Apply(new StaticKeyScaling(3, null, 2), [new TokenSpan(0, 3)], 3, 3, [1, 2, 3, 4], layer: 0));
    }
}
