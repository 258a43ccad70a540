namespace Directer.Core.Steering;

/// <summary>DIRECTER's settings (defaults from the paper).</summary>
public sealed record DirecterOptions
{
    /// <summary>Key scale of emphasised positions, &gt; 0 (default 100; the paper reports 10 to 1e5 as stable).</summary>
    public double Alpha { get; init; } = 100;

    /// <summary>Plausibility threshold in (0, 1] (default 0.5).</summary>
    public double Beta { get; init; } = 0.5;

    /// <summary>Most steered passes per token, &gt;= 1 (default 10).</summary>
    public int MaxTrials { get; init; } = 10;

    /// <summary>Sequential or batched candidate passes (default: by device).</summary>
    public SteeringStrategy Strategy { get; init; } = SteeringStrategy.Auto;

    /// <summary>Layer-sensitivity formula (default: the reference code's).</summary>
    public RankingVariant Ranking { get; init; } = RankingVariant.Reference;

    /// <summary>Record a per-step trace (default true; the summary is always kept).</summary>
    public bool RecordTrace { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (!(Alpha > 0) || double.IsInfinity(Alpha))
        {
            throw new ArgumentOutOfRangeException(nameof(Alpha), Alpha, "DIRECTER alpha must be a finite number > 0 (1 = no steering; the paper uses 100).");
        }

        if (!(Beta > 0 && Beta <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Beta), Beta, "DIRECTER beta must be in (0, 1] (the paper uses 0.5).");
        }

        if (MaxTrials < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTrials), MaxTrials, "DIRECTER max trials must be at least 1 (the paper uses 10).");
        }
    }
}
