using Directer.Core.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Steering.Baselines;

/// <summary>
/// PASTA-style (Zhang et al. 2023): in the selected heads, add log(a) (a = 0.01) to the scores of
/// prompt tokens outside the emphasised spans, i.e. scale their attention weight by a before
/// renormalising.
/// </summary>
internal sealed class PastaSteering : ISteeringMethod
{
    private readonly IReadOnlyDictionary<int, IReadOnlySet<int>?> heads;
    private readonly double logA;

    /// <summary>
    /// Creates the method. <paramref name="heads"/> maps layer → heads to steer (null set = all
    /// heads of that layer); null = every head of every layer.
    /// </summary>
    public PastaSteering(int layerCount, double a = 0.01, IReadOnlyDictionary<int, IReadOnlySet<int>?>? heads = null)
    {
        if (!(a > 0 && a <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(a), a, "PASTA's coefficient a must be in (0, 1] (the paper uses 0.01).");
        }

        logA = Math.Log(a);
        this.heads = heads ?? Enumerable.Range(0, layerCount).ToDictionary(l => l, _ => (IReadOnlySet<int>?)null);
    }

    /// <inheritdoc />
    public string Name => "pasta";

    /// <inheritdoc />
    public bool ScalesScoreColumns => false;

    /// <inheritdoc />
    public IAttentionSteering ForPass(EmphasisPositions emphasis, int start, int totalKeys, Device device) =>
        new Pass(this, ColumnMask.PromptOutsideEmphasis(emphasis, start, totalKeys, device));

    private sealed class Pass(PastaSteering method, Tensor columns) : IAttentionSteering
    {
        public bool AffectsLayer(int layer) => method.heads.ContainsKey(layer);

        public void Apply(int layer, Tensor scores)
        {
            using var scope = NewDisposeScope();
            long kv = scores.shape[1], groups = scores.shape[2];
            var bias = columns.view(1, 1, 1, 1, -1) * method.logA;
            if (method.heads[layer] is { } selected)
            {
                var headMask = new float[kv * groups];
                foreach (int h in selected)
                {
                    if (h < 0 || h >= headMask.Length)
                    {
                        throw new ArgumentOutOfRangeException(nameof(selected), h, $"PASTA head {h} does not exist in layer {layer} (heads 0..{headMask.Length - 1}).");
                    }

                    headMask[h] = 1;
                }

                bias = bias * tensor(headMask, ScalarType.Float32).to(columns.device).view(1, kv, groups, 1, 1);
            }

            scores.add_(bias.to_type(scores.dtype));
        }
    }
}
