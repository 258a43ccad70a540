using TorchSharp;

namespace Directer.Core.Generation;

/// <summary>
/// A selector whose step runs its raw row in one pass with steered rows it can name before the pass (DIRECTER's layer
/// ranking: raw row + one probe per layer; its <c>Batched</c> strategy: raw row + candidates). The generator joins
/// those rows to the round's shared raw pass and hands them to the step's <see cref="DecodeStep.RunBatch"/> call with
/// the same steering; a request alone runs that call itself. Same logits either way.
/// </summary>
internal interface IRunsRowsWithRawPass
{
    /// <summary>Whether step <paramref name="index"/> declares its pass before it runs (see <see cref="IRawPassFirst.StartsWithRawPass"/>).</summary>
    bool DeclaresRowsWithRawPass(int index, torch.Device device, bool concurrent);

    /// <summary>
    /// The step's pass, before it runs: row 0 writes the cache, every row is steered by the returned rows' steering.
    /// <see cref="ITokenSelector.Select"/> follows and must run exactly that pass with <see cref="DecodeStep.RunBatch"/>.
    /// </summary>
    RowsWithRawPass DeclareRowsWithRawPass(DecodeStep step);
}
