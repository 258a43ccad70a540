using Directer.Core.Requests;
using Directer.Core.Steering.Baselines;

namespace Directer.Core.Steering;

/// <summary>
/// How to steer: the method and its parameters (DIRECTER's and the baselines'), and the one place that turns them
/// into a token selector (used by the CLI, the evaluation harness and the connectors). Ranges are those of
/// <see cref="RequestSettings"/>.
/// </summary>
public sealed record SteeringSettings
{
    /// <summary>The method (default DIRECTER).</summary>
    public SteeringMethod Method { get; init; } = SteeringMethod.Directer;

    /// <summary>Wrap a baseline in DIRECTER's plausibility gate (DIRECTER always has it).</summary>
    public bool Gate { get; init; }

    /// <summary>DIRECTER and static key scale, &gt; 0 (default 100; the paper reports 10 to 1e5 as stable).</summary>
    public double Alpha { get; init; } = 100;

    /// <summary>Plausibility threshold in (0, 1] (default 0.5).</summary>
    public double Beta { get; init; } = 0.5;

    /// <summary>DIRECTER's most steered passes per token, &gt;= 1 (default 10).</summary>
    public int MaxTrials { get; init; } = 10;

    /// <summary>DIRECTER's strategy (default by device).</summary>
    public SteeringStrategy Strategy { get; init; } = SteeringStrategy.Auto;

    /// <summary>DIRECTER's layer-sensitivity formula (default: the reference code's).</summary>
    public RankingVariant Ranking { get; init; } = RankingVariant.Reference;

    /// <summary>Record DIRECTER's per-step trace (default true; the summary is always kept).</summary>
    public bool RecordTrace { get; init; } = true;

    /// <summary>Static steering's layers (default all).</summary>
    public IReadOnlyList<int>? StaticLayers { get; init; }

    /// <summary>PASTA's coefficient a (default 0.01).</summary>
    public double PastaA { get; init; } = 0.01;

    /// <summary>SpotLight's target share τ (default 0.2).</summary>
    public double SpotLightTarget { get; init; } = 0.2;

    /// <summary>InstABoost's M (default 10).</summary>
    public double InstABoostM { get; init; } = 10;

    /// <summary>Parses a method name: none, directer, static, pasta, spotlight, instaboost (any case).</summary>
    /// <exception cref="ArgumentException">Not a method; the message lists them.</exception>
    public static SteeringMethod ParseMethod(string name) => RequestSettings.ParseMethod(name);

    /// <summary>Parses a strategy name: auto, sequential, batched, batched-after-gate (any case; '_' or '-').</summary>
    /// <exception cref="ArgumentException">Not a strategy; the message lists them.</exception>
    public static SteeringStrategy ParseStrategy(string name) => RequestSettings.ParseStrategy(name);

    /// <summary>
    /// The selector for <paramref name="spans"/> on a model of <paramref name="layerCount"/> layers;
    /// null for <see cref="SteeringMethod.None"/>.
    /// </summary>
    public ISteeringSelector? CreateSelector(IEnumerable<TokenSpan> spans, int layerCount)
    {
        ISteeringMethod? baseline = Method switch
        {
            SteeringMethod.None or SteeringMethod.Directer => null,
            SteeringMethod.Static => new StaticKeyScaling(Alpha, StaticLayers, layerCount),
            SteeringMethod.Pasta => new PastaSteering(layerCount, PastaA),
            SteeringMethod.SpotLight => new SpotLightSteering(SpotLightTarget),
            SteeringMethod.InstABoost => new InstABoostSteering(InstABoostM),
            _ => throw new ArgumentOutOfRangeException(nameof(Method), Method, "Unknown steering method."),
        };
        return Method switch
        {
            SteeringMethod.None => null,
            SteeringMethod.Directer => new DirecterSelector(spans, this),
            _ => new BaselineSelector(baseline!, spans, Gate, Beta),
        };
    }
}
