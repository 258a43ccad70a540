using TorchSharp;

namespace Directer.Core.Generation;

/// <summary>
/// A selector that says, before a step, whether the step begins with the plain raw pass (<see cref="DecodeStep.RunRawPass"/>,
/// before any other pass). Such a step's raw pass may run as one row of a pass over several requests' sequences
/// (continuous batching); its other passes follow as usual.
/// </summary>
internal interface IRawPassFirst
{
    /// <summary>
    /// Whether step <paramref name="index"/> (0 = the first decode step) begins with the plain raw pass on
    /// <paramref name="device"/>; <paramref name="concurrent"/>: other requests decode in the same round on the CPU decode
    /// kernels (where a selector may pick, among strategies that give the same tokens, the one that batches best).
    /// </summary>
    bool StartsWithRawPass(int index, torch.Device device, bool concurrent);
}
