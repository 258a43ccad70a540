using Directer.Core.Steering;

namespace Directer.Core.Tests.Steering;

/// <summary>
/// The rule <see cref="SteeringStrategy.Auto"/> uses on the CPU, as docs/STEERING.md states it: an exponential average
/// (weight 1/4) of the steps the gate let through, starting at 1/4 (as if only the step before had passed); batch the candidates with the raw row from 0.25 on.
/// </summary>
public sealed class GatePassRateTests
{
    [Fact]
    public void AGenerationStartsBatchingAndOneGatedStepStopsIt()
    {
        var rate = new GatePassRate();
        rate.Reset();
        Assert.Equal(0.25, rate.Value);
        Assert.True(rate.FavoursBatching);
        rate.Record(gated: true);
        Assert.Equal(0.1875, rate.Value, 12);
        Assert.False(rate.FavoursBatching);
    }

    [Fact]
    public void AfterARunOfPassesFourGatedStepsKeepBatchingAndTheFifthStops()
    {
        var rate = new GatePassRate();
        rate.Reset();
        for (int i = 0; i < 60; i++)
        {
            rate.Record(gated: false);
        }

        Assert.Equal(1, rate.Value, 6);
        var expected = new[] { 0.75, 0.5625, 0.421875, 0.31640625, 0.2373046875 };
        for (int step = 0; step < expected.Length; step++)
        {
            rate.Record(gated: true);
            Assert.Equal(expected[step], rate.Value, 6);
            Assert.Equal(step < 4, rate.FavoursBatching);
        }
    }

    [Fact]
    public void AnyStepThatPassesTheGateMakesTheNextOneBatchAndTheRateHoldsAtTheThreshold()
    {
        var rate = new GatePassRate();
        rate.Reset();
        for (int i = 0; i < 40; i++)
        {
            rate.Record(gated: true);
        }

        Assert.False(rate.FavoursBatching);
        rate.Record(gated: false); // 0.25 + 0.75 · (almost 0): at the threshold, which counts
        Assert.True(rate.FavoursBatching);
        rate.Record(gated: true);
        Assert.False(rate.FavoursBatching);

        // Exactly at 0.25 batches (inclusive), just below does not.
        var atThreshold = new GatePassRate();
        atThreshold.Reset();
        for (int i = 0; i < 2000; i++)
        {
            atThreshold.Record(gated: true);
        }

        atThreshold.Record(gated: false);
        Assert.Equal(GatePassRate.BatchingThreshold, atThreshold.Value, 12);
        Assert.True(atThreshold.FavoursBatching);
    }

    [Fact]
    public void MeasuredCostsDecideOnceKnownBatchingWhenOnePassCostsLessThanTheRawPassPlusTheRateTimesTheCandidates()
    {
        var rate = new GatePassRate();
        rate.Reset(); // 0.25: the threshold alone would batch
        Assert.True(rate.FavoursBatchingAt(raw: null, candidates: 1.2, both: 1.4));
        Assert.True(rate.FavoursBatchingAt(raw: 1.0, candidates: null, both: 1.4));
        Assert.True(rate.FavoursBatchingAt(raw: 1.0, candidates: 1.2, both: null));

        // Expected cost after the gate: 1 + 0.25 · 1.2 = 1.3.
        Assert.False(rate.FavoursBatchingAt(raw: 1.0, candidates: 1.2, both: 1.4));
        Assert.False(rate.FavoursBatchingAt(raw: 1.0, candidates: 1.2, both: 1.3)); // a tie keeps the raw pass alone
        Assert.True(rate.FavoursBatchingAt(raw: 1.0, candidates: 1.2, both: 1.29));

        for (int i = 0; i < 40; i++)
        {
            rate.Record(gated: false);
        }

        // Nearly every step passes (rate ≈ 1): after the gate ≈ 1 + 1.2 = 2.2, so even a costly batch pays.
        Assert.True(rate.FavoursBatchingAt(raw: 1.0, candidates: 1.2, both: 2.1));
        Assert.False(rate.FavoursBatchingAt(raw: 1.0, candidates: 1.2, both: 2.3));

        for (int i = 0; i < 80; i++)
        {
            rate.Record(gated: true);
        }

        // Nearly every step gated (rate ≈ 0): batching must cost no more than the raw pass, whatever the threshold says.
        Assert.False(rate.FavoursBatching);
        Assert.True(rate.FavoursBatchingAt(raw: 1.0, candidates: 1.2, both: 0.99));
        Assert.False(rate.FavoursBatchingAt(raw: 1.0, candidates: 1.2, both: 1.01));
    }

    [Theory]
    [InlineData(0.7, 0.9)] // the random 125M bench model: most steps batch
    [InlineData(0.12, 0.3)] // the demo model: most steps run the raw pass alone
    public void TheShareOfBatchedStepsFollowsHowOftenTheGatePasses(double passes, double bound)
    {
        var random = new Random(5);
        var rate = new GatePassRate();
        rate.Reset();
        int batched = 0;
        const int steps = 4000;
        for (int i = 0; i < steps; i++)
        {
            batched += rate.FavoursBatching ? 1 : 0;
            rate.Record(gated: random.NextDouble() >= passes);
        }

        double share = (double)batched / steps;
        Assert.True(passes > 0.5 ? share >= bound : share <= bound, $"gate passes {passes:P0}: {share:P1} of the steps batched");
    }
}
