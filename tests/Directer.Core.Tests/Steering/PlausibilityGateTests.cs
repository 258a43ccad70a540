using Directer.Core.Steering;

namespace Directer.Core.Tests.Steering;

/// <summary>
/// DIRECTER's plausibility rules at their boundaries (docs/DIRECTER.md): a steered choice c passes only when
/// P(c) − β·max P &gt; 0 (strictly), and a step can be changed by steering only when the runner-up y is not below
/// β·x (x the largest probability). Values are dyadic so that β·max P is exact.
/// </summary>
public sealed class PlausibilityGateTests
{
    [Theory]
    [InlineData(0.25f, 0.5, false)]          // P(c) = β·max P exactly: not plausible (strict >)
    [InlineData(0.25000003f, 0.5, true)]     // one float ulp above
    [InlineData(0.24999999f, 0.5, false)]    // one ulp below
    [InlineData(0.125f, 0.25, false)]        // = 0.25 · 0.5
    [InlineData(0.375f, 0.75, false)]        // = 0.75 · 0.5
    [InlineData(0.375f, 0.5, true)]
    public void ACandidateMustBeStrictlyAboveBetaTimesTheMaximum(float candidateP, double beta, bool plausible)
    {
        float[] p = [0.5f, candidateP, 0.01f];
        Assert.Equal(plausible, PlausibilityGate.IsPlausible(p, 1, beta, 0.5f));
    }

    [Fact]
    public void AtBetaOneNotEvenTheArgmaxOrATiedTokenIsPlausible()
    {
        float[] p = [0.4f, 0.4f, 0.2f];
        Assert.False(PlausibilityGate.IsPlausible(p, 0, 1.0, 0.4f));
        Assert.False(PlausibilityGate.IsPlausible(p, 1, 1.0, 0.4f));
        Assert.True(PlausibilityGate.IsPlausible(p, 1, 0.999, 0.4f));
    }

    [Fact]
    public void PlausibilityUsesTheGivenMaximumAndTheCandidatesOwnProbability()
    {
        float[] p = [0.1f, 0.3f, 0.6f];
        Assert.True(PlausibilityGate.IsPlausible(p, 1, 0.5, 0.5f));   // 0.3 > 0.25
        Assert.False(PlausibilityGate.IsPlausible(p, 1, 0.5, 0.6f));  // 0.3 = 0.3
        Assert.False(PlausibilityGate.IsPlausible(p, 0, 0.5, 0.6f));
        Assert.True(PlausibilityGate.IsPlausible(p, 2, 0.5, 0.6f));
    }

    [Theory]
    [InlineData(new[] { 0.5f, 0.25f, 0.25f }, 0.5, true)]          // y = β·x exactly: not below, steering may change
    [InlineData(new[] { 0.5f, 0.1f, 0.25000003f }, 0.5, true)]
    [InlineData(new[] { 0.5f, 0.24999999f, 0.1f }, 0.5, false)]     // y one ulp below β·x: gated
    [InlineData(new[] { 0.25f, 0.5f, 0.25f }, 0.5, true)]          // maximum not first
    [InlineData(new[] { 0.2f, 0.1f, 0.7f }, 0.5, false)]           // maximum last, runner-up first
    [InlineData(new[] { 0.1f, 0.2f, 0.7f }, 0.25, true)]           // runner-up after the first, below the max
    [InlineData(new[] { 0.4f, 0.4f, 0.2f }, 1.0, true)]            // tie at β = 1: y = x is not below x
    [InlineData(new[] { 0.4f, 0.39999998f, 0.2f }, 1.0, false)]    // below the tie at β = 1
    [InlineData(new[] { 0.7f, 0.1f, 0.2f }, 0.25, true)]           // runner-up found after a smaller value
    [InlineData(new[] { 0.7f, 0.2f, 0.1f }, 0.5, false)]
    [InlineData(new[] { 1.0f }, 0.5, false)]                       // one token: nothing else can be chosen
    public void TheTopTwoGate(float[] p, double beta, bool canChange)
    {
        Assert.Equal(canChange, PlausibilityGate.SteeringCanChangeOutcome(p, beta));
    }
}
