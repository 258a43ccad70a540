using Directer.Core.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Steering.Baselines;

/// <summary>InstABoost-style (Guardieiro et al. 2025): add log(M) to the emphasised tokens' scores in all layers.</summary>
internal sealed class InstABoostSteering : ISteeringMethod
{
    private readonly double logM;

    /// <summary>Creates the method with boost <paramref name="multiplier"/> M &gt; 1 (default 10).</summary>
    public InstABoostSteering(double multiplier = 10)
    {
        if (!(multiplier > 0) || double.IsInfinity(multiplier))
        {
            throw new ArgumentOutOfRangeException(nameof(multiplier), multiplier, "InstABoost's M must be a finite number > 0.");
        }

        logM = Math.Log(multiplier);
    }

    /// <inheritdoc />
    public string Name => "instaboost";

    /// <inheritdoc />
    public bool ScalesScoreColumns => false;

    /// <inheritdoc />
    public IAttentionSteering ForPass(EmphasisPositions emphasis, int start, int totalKeys, Device device) =>
        new Pass(logM, ColumnMask.Emphasised(emphasis, start, totalKeys, device));

    private sealed class Pass(double logM, Tensor columns) : IAttentionSteering
    {
        public bool AffectsLayer(int layer) => true;

        public void Apply(int layer, Tensor scores)
        {
            using var bias = columns.view(1, 1, 1, 1, -1) * logM;
            scores.add_(bias.to_type(scores.dtype));
        }
    }
}
