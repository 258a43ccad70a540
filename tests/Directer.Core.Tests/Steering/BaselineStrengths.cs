using Directer.Core.Steering;
using Directer.Core.Steering.Baselines;

namespace Directer.Core.Tests.Steering;

/// <summary>Each baseline at a strength that changes nothing (neutral) and at one that overwhelms the scores (strong).</summary>
internal static class BaselineStrengths
{
    /// <summary>The baselines by the names the tests use.</summary>
    public static TheoryData<string> Names() => new() { "static", "pasta", "spotlight", "instaboost" };

    /// <summary><paramref name="name"/> at the setting that leaves attention as it is.</summary>
    public static ISteeringMethod Neutral(string name, int layers) => name switch
    {
        "static" => new StaticKeyScaling(1, null, layers),
        "pasta" => new PastaSteering(layers, a: 1),
        "spotlight" => new SpotLightSteering(target: 1e-12),
        _ => new InstABoostSteering(multiplier: 1),
    };

    /// <summary><paramref name="name"/> at a setting far past any useful strength.</summary>
    public static ISteeringMethod Strong(string name, int layers) => name switch
    {
        "static" => new StaticKeyScaling(1e4, null, layers),
        "pasta" => new PastaSteering(layers, a: 1e-4),
        "spotlight" => new SpotLightSteering(target: 0.9),
        _ => new InstABoostSteering(multiplier: 1e4),
    };
}
