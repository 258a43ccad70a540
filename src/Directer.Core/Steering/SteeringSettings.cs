using Directer.Core.Generation;
using Directer.Core.Steering.Baselines;

namespace Directer.Core.Steering;

/// <summary>
/// One place that turns a method name and its settings into a token selector (used by the CLI,
/// the evaluation harness and the Semantic Kernel connector).
/// </summary>
public sealed record SteeringSettings
{
    /// <summary>The method (default DIRECTER).</summary>
    public SteeringMethod Method { get; init; } = SteeringMethod.Directer;

    /// <summary>Wrap a baseline in DIRECTER's plausibility gate (DIRECTER always has it).</summary>
    public bool Gate { get; init; }

    /// <summary>DIRECTER and static key scale (default 100).</summary>
    public double Alpha { get; init; } = 100;

    /// <summary>Plausibility threshold in (0, 1] (default 0.5).</summary>
    public double Beta { get; init; } = 0.5;

    /// <summary>DIRECTER's most steered passes per token (default 10).</summary>
    public int MaxTrials { get; init; } = 10;

    /// <summary>DIRECTER's strategy (default by device).</summary>
    public SteeringStrategy Strategy { get; init; } = SteeringStrategy.Auto;

    /// <summary>Static steering's layers (default all).</summary>
    public IReadOnlyList<int>? StaticLayers { get; init; }

    /// <summary>PASTA's coefficient a (default 0.01).</summary>
    public double PastaA { get; init; } = 0.01;

    /// <summary>SpotLight's target share τ (default 0.2).</summary>
    public double SpotLightTarget { get; init; } = 0.2;

    /// <summary>InstABoost's M (default 10).</summary>
    public double InstABoostM { get; init; } = 10;

    /// <summary>Parses a method name: none, directer, static, pasta, spotlight, instaboost (any case).</summary>
    public static SteeringMethod ParseMethod(string name) => name.Trim().ToLowerInvariant() switch
    {
        "none" or "zero-shot" or "off" => SteeringMethod.None,
        "directer" => SteeringMethod.Directer,
        "static" => SteeringMethod.Static,
        "pasta" => SteeringMethod.Pasta,
        "spotlight" => SteeringMethod.SpotLight,
        "instaboost" => SteeringMethod.InstABoost,
        _ => throw new ArgumentException($"Unknown steering method '{name}': use none, directer, static, pasta, spotlight or instaboost.", nameof(name)),
    };

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
            SteeringMethod.Directer => new DirecterSelector(spans, new DirecterOptions { Alpha = Alpha, Beta = Beta, MaxTrials = MaxTrials, Strategy = Strategy }),
            _ => new BaselineSelector(baseline!, spans, Gate, Beta),
        };
    }
}
