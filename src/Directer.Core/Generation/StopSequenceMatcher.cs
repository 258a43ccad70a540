namespace Directer.Core.Generation;

/// <summary>
/// Holds back generated ids while they could still be the start of a stop sequence, so that a
/// stream never shows ids that turn out to belong to a stop sequence.
/// </summary>
internal sealed class StopSequenceMatcher
{
    private readonly IReadOnlyList<IReadOnlyList<int>> sequences;
    private readonly List<int> pending = new();

    public StopSequenceMatcher(IReadOnlyList<IReadOnlyList<int>> sequences) => this.sequences = sequences;

    /// <summary>Adds <paramref name="id"/>; returns ids now safe to emit, and whether a stop sequence completed.</summary>
    public (IReadOnlyList<int> Released, bool Stopped) Push(int id)
    {
        pending.Add(id);
        foreach (var sequence in sequences)
        {
            if (EndsWith(pending, sequence))
            {
                var released = pending.Take(pending.Count - sequence.Count).ToList();
                pending.Clear();
                return (released, true);
            }
        }

        // Keep the longest suffix of pending that is a proper prefix of some stop sequence.
        int keep = 0;
        for (int length = Math.Min(pending.Count, sequences.Count == 0 ? 0 : sequences.Max(s => s.Count) - 1); length > 0; length--)
        {
            if (sequences.Any(s => s.Count > length && StartsWithSuffix(s, pending, length)))
            {
                keep = length;
                break;
            }
        }

        var ready = pending.Take(pending.Count - keep).ToList();
        pending.RemoveRange(0, pending.Count - keep);
        return (ready, false);
    }

    /// <summary>Releases whatever is held back (at the end of generation).</summary>
    public IReadOnlyList<int> Flush()
    {
        var rest = pending.ToList();
        pending.Clear();
        return rest;
    }

    private static bool EndsWith(List<int> ids, IReadOnlyList<int> sequence)
    {
        if (ids.Count < sequence.Count)
        {
            return false;
        }

        for (int i = 0; i < sequence.Count; i++)
        {
            if (ids[ids.Count - sequence.Count + i] != sequence[i])
            {
                return false;
            }
        }

        return true;
    }

    private static bool StartsWithSuffix(IReadOnlyList<int> sequence, List<int> ids, int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (sequence[i] != ids[ids.Count - length + i])
            {
                return false;
            }
        }

        return true;
    }
}
