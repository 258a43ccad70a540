namespace Directer.Core.Steering;

/// <summary>The steering methods Directer offers.</summary>
public enum SteeringMethod
{
    /// <summary>No steering (zero-shot).</summary>
    None,

    /// <summary>DIRECTER: key scaling with plausibility-guided back-off over ranked layers.</summary>
    Directer,

    /// <summary>Static KV steering: fixed alpha on a fixed layer set.</summary>
    Static,

    /// <summary>PASTA-style down-weighting of non-emphasised prompt tokens.</summary>
    Pasta,

    /// <summary>SpotLight-style dynamic attention share target.</summary>
    SpotLight,

    /// <summary>InstABoost-style constant boost of emphasised tokens.</summary>
    InstABoost,
}
