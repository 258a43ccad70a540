using Directer.Core.Modeling;
using TorchSharp;

namespace Directer.Core.Steering.Baselines;

/// <summary>A single-pass steering method: builds the score modification of one steered pass.</summary>
internal interface ISteeringMethod
{
    /// <summary>Short name (static, pasta, spotlight, instaboost).</summary>
    string Name { get; }

    /// <summary>
    /// Whether <see cref="ForPass"/>'s steering only multiplies score columns (a <c>IScoreColumnScaling</c>), so that its
    /// rows may join other requests' rows in one pass of the decode kernels.
    /// </summary>
    bool ScalesScoreColumns { get; }

    /// <summary>
    /// The steering of a one-row pass starting at <paramref name="start"/> over
    /// <paramref name="totalKeys"/> key columns (only cached columns, before <paramref name="start"/>, are touched).
    /// </summary>
    IAttentionSteering ForPass(EmphasisPositions emphasis, int start, int totalKeys, torch.Device device);
}
