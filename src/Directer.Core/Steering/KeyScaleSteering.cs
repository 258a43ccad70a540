using Directer.Core.Modeling;
using Directer.Core.Modeling.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Steering;

/// <summary>
/// DIRECTER's steering of one pass: in each row's layer set, the cached keys of the emphasised
/// positions count <c>alpha</c> times, applied as a multiplier on those score columns
/// (q·(αk) = α(q·k)) so no key is copied or changed. Only cached positions (before the pass's start)
/// are scaled, as in the reference code, which scales the past key values.
/// </summary>
public sealed class KeyScaleSteering : IAttentionSteering, IScoreColumnScaling, IDisposable
{
    private readonly IReadOnlyList<IReadOnlySet<int>> rowLayers;
    private readonly Tensor columns;
    private readonly double alpha;
    private readonly float[] mask;

    /// <summary>
    /// Creates the steering of a pass starting at <paramref name="start"/> with
    /// <paramref name="totalKeys"/> key columns; row r is steered in <paramref name="rowLayers"/>[r].
    /// </summary>
    public KeyScaleSteering(EmphasisPositions emphasis, double alpha, IReadOnlyList<IReadOnlySet<int>> rowLayers, int start, int totalKeys, Device device)
    {
        this.rowLayers = rowLayers;
        this.alpha = alpha;
        mask = new float[totalKeys];
        foreach (int position in emphasis.Positions)
        {
            if (position < start)
            {
                mask[position] = 1;
            }
        }

        columns = tensor(mask, ScalarType.Float32).to(device).DetachFromDisposeScope();
    }

    // multiplier = (active · emphasised · (alpha − 1)) + 1 in float32, as in Apply.
    float IScoreColumnScaling.Multiplier => (float)(alpha - 1) + 1f;

    float[] IScoreColumnScaling.Columns => mask;

    bool IScoreColumnScaling.IsRowScaled(int layer, int row) => rowLayers[row].Contains(layer);

    /// <inheritdoc />
    public bool AffectsLayer(int layer) => rowLayers.Any(r => r.Contains(layer));

    /// <inheritdoc />
    public void Apply(int layer, Tensor scores)
    {
        using var scope = NewDisposeScope();
        long rows = scores.shape[0];
        var active = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            active[r] = rowLayers[r].Contains(layer) ? 1 : 0;
        }

        // multiplier[r, j] = 1 + (alpha - 1) * active[r] * emphasised[j]
        var rowMask = tensor(active, ScalarType.Float32).to(columns.device).view(rows, 1);
        var multiplier = (rowMask * columns.view(1, -1) * (alpha - 1)) + 1;
        scores.mul_(multiplier.to_type(scores.dtype).view(rows, 1, 1, 1, -1));
    }

    /// <inheritdoc />
    public void Dispose() => columns.Dispose();
}
