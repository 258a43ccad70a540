namespace Directer.Core.Steering;

/// <summary>Which layer-sensitivity formula ranks the layers.</summary>
public enum RankingVariant
{
    /// <summary>
    /// The reference code's: D[p][j] = max(0, (1 − cos(in_j, out'_j)) + (1 − cos(out_j, in'_j))).
    /// </summary>
    Reference,

    /// <summary>
    /// The paper's text: the same distance minus the unsteered one, 2(1 − cos(in_j, out_j)), floored at 0.
    /// </summary>
    PaperDifference,
}
