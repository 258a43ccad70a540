using Directer.Core.Modeling;

namespace Directer.Core.Generation;

/// <summary>
/// A step's pass declared before it runs (<see cref="IRunsRowsWithRawPass"/>): <see cref="Count"/> rows of the step's
/// input at its position, row 0 writing the cache (the raw row), row r steered by <see cref="Steering"/>'s row r, with
/// an optional <see cref="Capture"/>. The selector owns the steering and the capture.
/// </summary>
internal sealed record RowsWithRawPass(IAttentionSteering Steering, int Count, AttentionCapture? Capture)
{
    /// <summary>This step's rows of a pass over several sequences.</summary>
    public void AddTo(List<SequenceRow> rows, DecodeStep step)
    {
        for (int r = 0; r < Count; r++)
        {
            rows.Add(new SequenceRow(step.InputToken, step.Cache, step.Position, WriteCache: r == 0, Steering, r, Capture));
        }
    }

    /// <summary>Whether <paramref name="rows"/> rows with <paramref name="request"/> are this pass.</summary>
    public bool Matches(int rows, ForwardRequest request) =>
        rows == Count && request.WriteCache && ReferenceEquals(request.Steering, Steering) && ReferenceEquals(request.Capture, Capture);
}
