namespace Directer.Core.Steering;

/// <summary>Steering statistics of one generation.</summary>
public sealed record SteeringSummary
{
    /// <summary>Steering method name (directer, static, pasta, spotlight, instaboost).</summary>
    public required string Method { get; init; }

    /// <summary>Decode steps taken.</summary>
    public required int Steps { get; init; }

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

    /// <summary>Share of steps where the emitted token differs from the raw choice.</summary>
    public required double ChangedShare { get; init; }

    /// <summary>Layer ranking (DIRECTER only), most sensitive first.</summary>
    public IReadOnlyList<int>? Ranking { get; init; }

    /// <summary>Sensitivity per layer (DIRECTER only).</summary>
    public IReadOnlyList<double>? Sensitivity { get; init; }

    /// <summary>Builds the summary of <paramref name="steps"/>.</summary>
    public static SteeringSummary From(string method, IReadOnlyList<SteeringStep> steps, LayerRanking? ranking)
    {
        double Share(Func<SteeringStep, bool> f) => steps.Count == 0 ? 0 : steps.Count(f) / (double)steps.Count;
        return new SteeringSummary
        {
            Method = method,
            Steps = steps.Count,
            SteeredShare = Share(s => s.Steered),
            GatedShare = Share(s => s.Gated),
            RejectedShare = Share(s => s.Rejected),
            FallbackShare = Share(s => s.FellBack),
            MeanTrials = steps.Count == 0 ? 0 : steps.Average(s => s.Trials),
            ChangedShare = Share(s => s.ChosenToken != s.RawToken),
            Ranking = ranking?.Order,
            Sensitivity = ranking?.Sensitivity,
        };
    }
}
