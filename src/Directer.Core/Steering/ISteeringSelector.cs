using Directer.Core.Generation;

namespace Directer.Core.Steering;

/// <summary>A token selector that steers and reports what it did.</summary>
public interface ISteeringSelector : ITokenSelector
{
    /// <summary>Per-step trace of the last generation.</summary>
    IReadOnlyList<SteeringStep> Trace { get; }

    /// <summary>Statistics of the last generation.</summary>
    SteeringSummary Summary { get; }
}
