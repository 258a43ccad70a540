using Directer.Core.Steering;
using Directer.Core.Steering.Baselines;

namespace Directer.Core.Tests.Steering;

/// <summary>
/// The baselines' parameter ranges at both edges, as their documentation states them (PASTA a in (0, 1], SpotLight
/// τ in (0, 1), InstABoost M and static α finite and &gt; 0, the gate's β in (0, 1], layers 0..L−1): the inclusive
/// edge is accepted, the next representable value past it rejected, and the error names the parameter and the range.
/// </summary>
public sealed class BaselineArgumentTests
{
    private static readonly TokenSpan[] Spans = [new TokenSpan(0, 1)];

    [Fact]
    public void PastaCoefficientIsInZeroExclusiveToOneInclusive()
    {
        _ = new PastaSteering(2, a: 1);
        _ = new PastaSteering(2, a: double.Epsilon);
        foreach (double bad in new[] { 0, Math.BitIncrement(1.0), -0.5, double.NaN })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PastaSteering(2, a: bad));
            Assert.Equal("a", error.ParamName);
            Assert.Contains("(0, 1]", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SpotLightTargetIsStrictlyBetweenZeroAndOne()
    {
        _ = new SpotLightSteering(double.Epsilon);
        _ = new SpotLightSteering(Math.BitDecrement(1.0));
        foreach (double bad in new[] { 0, 1, -0.1, double.NaN })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SpotLightSteering(bad));
            Assert.Equal("target", error.ParamName);
            Assert.Contains("(0, 1)", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void InstABoostMultiplierIsFiniteAndPositive()
    {
        _ = new InstABoostSteering(double.Epsilon);
        _ = new InstABoostSteering(double.MaxValue);
        foreach (double bad in new[] { 0, -1, double.PositiveInfinity, double.NaN })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new InstABoostSteering(bad));
            Assert.Equal("multiplier", error.ParamName);
            Assert.Contains("finite number > 0", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void StaticAlphaIsFiniteAndPositiveAndItsLayersExist()
    {
        _ = new StaticKeyScaling(double.Epsilon, null, 4);
        _ = new StaticKeyScaling(double.MaxValue, [0, 3], 4);
        foreach (double bad in new[] { 0, -2, double.PositiveInfinity, double.NaN })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new StaticKeyScaling(bad, null, 4));
            Assert.Equal("alpha", error.ParamName);
            Assert.Contains("finite number > 0", error.Message, StringComparison.Ordinal);
        }

        foreach (int layer in new[] { -1, 4 })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new StaticKeyScaling(2, [layer], 4));
            Assert.Equal("layers", error.ParamName);
            Assert.Contains($"Layer {layer} does not exist", error.Message, StringComparison.Ordinal);
            Assert.Contains("layers 0..3", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TheGatesBetaIsInZeroExclusiveToOneInclusiveAndOnlyCheckedWhenGated()
    {
        var method = new InstABoostSteering(2);
        _ = new BaselineSelector(method, Spans, gated: true, beta: 1);
        _ = new BaselineSelector(method, Spans, gated: true, beta: double.Epsilon);
        foreach (double bad in new[] { 0, Math.BitIncrement(1.0), double.NaN })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new BaselineSelector(method, Spans, gated: true, beta: bad));
            Assert.Equal("beta", error.ParamName);
            Assert.Contains("(0, 1]", error.Message, StringComparison.Ordinal);
        }

        // Without the gate beta is not used, so it is not checked.
        _ = new BaselineSelector(method, Spans, gated: false, beta: 0);
    }

    [Fact]
    public void SummaryNamesTheMethodAndTheGate()
    {
        var method = new InstABoostSteering(2);
        Assert.Equal("instaboost", new BaselineSelector(method, Spans).Summary.Method);
        Assert.Equal("instaboost+gate", new BaselineSelector(method, Spans, gated: true).Summary.Method);
        Assert.Equal("spotlight", new SpotLightSteering().Name);
        Assert.Equal("static", new StaticKeyScaling(2, null, 1).Name);
    }

    [Fact]
    public void SelectBeforeBeginIsAnError()
    {
        var selector = new BaselineSelector(new InstABoostSteering(2), Spans);
        var error = Assert.Throws<InvalidOperationException>(() => selector.Select(null!));
        Assert.Contains("Begin", error.Message, StringComparison.Ordinal);
    }
}
