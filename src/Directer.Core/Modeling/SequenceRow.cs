namespace Directer.Core.Modeling;

/// <summary>
/// One row of a pass over several sequences (<see cref="LlamaModel.ForwardSequences(IReadOnlyList{SequenceRow})"/>): one
/// token at <see cref="Start"/> over <see cref="Cache"/>'s first <see cref="Start"/> positions. A writing row is a raw
/// pass at the cache's end (its keys and values are appended); a read-only row (a steered candidate) leaves the cache
/// as it is, and may share its cache with other rows. <see cref="Steering"/>'s row <see cref="SteeringRow"/> steers it:
/// a batch of rows of one steered request keeps its steering's row numbers 0, 1, … in order, so each row computes what
/// that request's own k-row pass computes. <see cref="Capture"/> records the attention input and output of such a
/// batch of rows (DIRECTER's ranking), as the request's own pass with that capture would.
/// </summary>
internal readonly record struct SequenceRow(int Token, KvCache Cache, int Start, bool WriteCache, IAttentionSteering? Steering = null, int SteeringRow = 0, AttentionCapture? Capture = null)
{
    /// <summary>The raw row of a decode step: <paramref name="token"/> appended at the end of <paramref name="cache"/>.</summary>
    public static SequenceRow Raw(int token, KvCache cache) => new(token, cache, cache.Length, WriteCache: true);
}
