using TorchSharp;

namespace Directer.Core.Generation;

/// <summary>
/// A selector whose step may run in two phases: the raw pass first (<see cref="BeginStep"/>, which reads it and
/// declares the steered rows it needs), then those rows' logits (<see cref="EndStep"/>). The generator runs the
/// declared rows of several requests in one pass over their caches (continuous batching of steered passes); a
/// request alone runs them with <see cref="DecodeStep.RunSteeredRows"/>. Either way each row's logits are what the
/// request's own pass gives, so the tokens are the same.
/// </summary>
internal interface ISteersAfterRawPass : IRawPassFirst
{
    /// <summary>Whether step <paramref name="index"/> runs in two phases (see <see cref="IRawPassFirst.StartsWithRawPass"/>).</summary>
    bool DeclaresSteeredRows(int index, torch.Device device, bool concurrent);

    /// <summary>
    /// Phase 1: runs (or takes) the step's raw pass and decides; returns the read-only steered rows it needs at the
    /// step's position, or null when the step's token is chosen without any (the gate held). Every call is followed by
    /// one <see cref="EndStep"/>.
    /// </summary>
    SteeredRows? BeginStep(DecodeStep step);

    /// <summary>
    /// Phase 2: chooses the token with the declared rows' logits (float32 [rows, vocab], the token rules applied), or
    /// null when <see cref="BeginStep"/> declared none.
    /// </summary>
    int EndStep(DecodeStep step, torch.Tensor? steered);
}
