using Directer.Core.Steering;

namespace Directer.Evaluation.Harness;

/// <summary>Steering statistics of a method over all its rows: shares are over all decode steps (rows weighted by length).</summary>
public sealed record SteeringStatistics
{
    /// <summary>Decode steps over all rows.</summary>
    public required long Steps { get; init; }

    /// <summary>Share of steps whose token came from an accepted steered pass.</summary>
    public required double SteeredShare { get; init; }

    /// <summary>Share of steps where the gate skipped steering.</summary>
    public required double GatedShare { get; init; }

    /// <summary>Share of steps with at least one rejected steered choice.</summary>
    public required double RejectedShare { get; init; }

    /// <summary>Share of steps that fell back to the raw choice after trying.</summary>
    public required double FallbackShare { get; init; }

    /// <summary>Mean steered passes per step.</summary>
    public required double MeanTrials { get; init; }

    /// <summary>Share of steps whose token differs from the unsteered choice.</summary>
    public required double ChangedShare { get; init; }

    /// <summary>Pools per-row summaries; null when there are none (the unsteered method).</summary>
    public static SteeringStatistics? Pool(IEnumerable<SteeringSummary?> summaries)
    {
        var rows = summaries.OfType<SteeringSummary>().ToList();
        if (rows.Count == 0)
        {
            return null;
        }

        long steps = rows.Sum(s => (long)s.Steps);
        double Weighted(Func<SteeringSummary, double> share) => steps == 0 ? 0 : rows.Sum(s => share(s) * s.Steps) / steps;
        return new SteeringStatistics
        {
            Steps = steps,
            SteeredShare = Weighted(s => s.SteeredShare),
            GatedShare = Weighted(s => s.GatedShare),
            RejectedShare = Weighted(s => s.RejectedShare),
            FallbackShare = Weighted(s => s.FallbackShare),
            MeanTrials = Weighted(s => s.MeanTrials),
            ChangedShare = Weighted(s => s.ChangedShare),
        };
    }
}
