using Directer.Core.Modeling;
using TorchSharp;

namespace Directer.Core.Steering.Baselines;

/// <summary>Static KV steering: a fixed alpha on a fixed layer set, every step, no rejection.</summary>
internal sealed class StaticKeyScaling : ISteeringMethod
{
    private readonly IReadOnlySet<int> layers;
    private readonly double alpha;

    /// <summary>Creates the method; <paramref name="layers"/> null = every layer.</summary>
    public StaticKeyScaling(double alpha, IEnumerable<int>? layers, int layerCount)
    {
        if (!(alpha > 0) || double.IsInfinity(alpha))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "Static steering alpha must be a finite number > 0.");
        }

        this.alpha = alpha;
        this.layers = (layers ?? Enumerable.Range(0, layerCount)).ToHashSet();
        foreach (int layer in this.layers)
        {
            if (layer < 0 || layer >= layerCount)
            {
                throw new ArgumentOutOfRangeException(nameof(layers), layer, $"Layer {layer} does not exist: the model has layers 0..{layerCount - 1}.");
            }
        }
    }

    /// <inheritdoc />
    public string Name => "static";

    /// <inheritdoc />
    public bool ScalesScoreColumns => true;

    /// <inheritdoc />
    public IAttentionSteering ForPass(EmphasisPositions emphasis, int start, int totalKeys, torch.Device device) =>
        new KeyScaleSteering(emphasis, alpha, new[] { layers }, start, totalKeys, device);
}
