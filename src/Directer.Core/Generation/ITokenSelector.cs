namespace Directer.Core.Generation;

/// <summary>
/// Chooses each generated token. It runs the step's raw pass itself (see <see cref="DecodeStep"/>)
/// so that steering can batch the raw pass with its steered candidates.
/// </summary>
public interface ITokenSelector
{
    /// <summary>Called once before the first step of a generation.</summary>
    void Begin(IReadOnlyList<int> promptIds);

    /// <summary>Returns the token to emit at <paramref name="step"/>.</summary>
    int Select(DecodeStep step);
}
