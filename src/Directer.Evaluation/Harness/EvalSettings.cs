namespace Directer.Evaluation.Harness;

/// <summary>Decoding settings shared by every method of a run.</summary>
public sealed record EvalSettings
{
    /// <summary>Most tokens generated per row (default 256, enough for most IFEval answers; the demo model uses 96).</summary>
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>0 = greedy (default).</summary>
    public float Temperature { get; init; }

    /// <summary>
    /// Sampling seed. Each row samples with its own seed derived from this one and the row's key, so a row gets the
    /// same tokens whatever the order, the methods beside it, or an interruption in between.
    /// </summary>
    public long? Seed { get; init; }
}
