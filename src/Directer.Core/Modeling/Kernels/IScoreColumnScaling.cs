namespace Directer.Core.Modeling.Kernels;

/// <summary>
/// A steering that only multiplies some key columns' scores of some batch rows by one factor (as
/// DIRECTER's key scaling does). The decode kernels apply it inside the score loop instead of
/// calling <see cref="IAttentionSteering.Apply"/> on a tensor, which costs a handful of torch ops per
/// layer; both give the same float32 products.
/// </summary>
internal interface IScoreColumnScaling
{
    /// <summary>The factor, as the tensor path computes it in float32.</summary>
    float Multiplier { get; }

    /// <summary>1 for key columns that are scaled, 0 otherwise (length ≥ the pass's key count).</summary>
    float[] Columns { get; }

    /// <summary>Whether batch row <paramref name="row"/> is scaled in <paramref name="layer"/>.</summary>
    bool IsRowScaled(int layer, int row);
}
