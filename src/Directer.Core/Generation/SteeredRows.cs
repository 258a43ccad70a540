using Directer.Core.Modeling;

namespace Directer.Core.Generation;

/// <summary>
/// The steered rows a step declares after its raw pass (<see cref="ISteersAfterRawPass.BeginStep"/>): <see cref="Count"/>
/// read-only rows of the step's input token at its position, row r steered by <see cref="Steering"/>'s row r. Owns the
/// steering (disposed with it); whoever runs the rows disposes them.
/// </summary>
internal sealed class SteeredRows : IDisposable
{
    /// <summary>Creates <paramref name="count"/> rows steered by <paramref name="steering"/>.</summary>
    public SteeredRows(IAttentionSteering steering, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Steering = steering;
        Count = count;
    }

    /// <summary>The steering of the rows (row r of the pass is its row r).</summary>
    public IAttentionSteering Steering { get; }

    /// <summary>How many rows.</summary>
    public int Count { get; }

    /// <summary>This request's rows of a pass over several sequences: its input at its position over its cache, read-only.</summary>
    public void AddTo(List<SequenceRow> rows, DecodeStep step)
    {
        for (int r = 0; r < Count; r++)
        {
            rows.Add(new SequenceRow(step.InputToken, step.Cache, step.Position, WriteCache: false, Steering, r));
        }
    }

    /// <inheritdoc />
    public void Dispose() => (Steering as IDisposable)?.Dispose();
}
