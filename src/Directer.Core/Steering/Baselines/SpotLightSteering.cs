using Directer.Core.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Steering.Baselines;

/// <summary>
/// SpotLight-style (Venkateswaran and Contractor 2025): per layer, head and query, if the attention
/// share ψ of the emphasised tokens is below the target τ, add log(τ/ψ) to their scores.
/// </summary>
internal sealed class SpotLightSteering : ISteeringMethod
{
    private readonly double target;

    /// <summary>Creates the method with target share <paramref name="target"/> (0.1 to 0.3 in the paper).</summary>
    public SpotLightSteering(double target = 0.2)
    {
        if (!(target > 0 && target < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(target), target, "SpotLight's target share τ must be in (0, 1) (the paper uses 0.1 to 0.3).");
        }

        this.target = target;
    }

    /// <inheritdoc />
    public string Name => "spotlight";

    /// <inheritdoc />
    public bool ScalesScoreColumns => false;

    /// <inheritdoc />
    public IAttentionSteering ForPass(EmphasisPositions emphasis, int start, int totalKeys, Device device) =>
        new Pass(target, ColumnMask.Emphasised(emphasis, start, totalKeys, device));

    private sealed class Pass(double target, Tensor columns) : IAttentionSteering
    {
        public bool AffectsLayer(int layer) => true;

        public void Apply(int layer, Tensor scores)
        {
            using var scope = NewDisposeScope();
            var mask = columns.view(1, 1, 1, 1, -1);
            var share = (scores.softmax(-1, ScalarType.Float32) * mask).sum(-1, keepdim: true).clamp_min(1e-30);
            var boost = (target / share).log().clamp_min(0); // 0 where ψ ≥ τ
            scores.add_((boost * mask).to_type(scores.dtype));
        }
    }
}
