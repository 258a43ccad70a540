namespace Directer.Core.Modeling;

/// <summary>Options of one forward pass.</summary>
public sealed record ForwardRequest
{
    /// <summary>
    /// Append row 0's keys and values to the cache and advance it (the raw row). A pass with
    /// <c>false</c> reads the cached prefix and leaves the cache untouched (steered passes). Other
    /// rows of a batch never write: every row attends to the shared prefix plus its own new tokens.
    /// </summary>
    public bool WriteCache { get; init; } = true;

    /// <summary>
    /// Position of the first new token; the pass attends to cache positions before it. Null = the
    /// cache's length. A read-only pass may re-run the last cached position (e.g. a steered pass of
    /// the token the raw pass just appended).
    /// </summary>
    public int? StartPosition { get; init; }

    /// <summary>Compute logits for the last position only (prefill and decode); else for every position.</summary>
    public bool LastPositionOnly { get; init; } = true;

    /// <summary>Score modifications for a steered pass; null for a raw pass.</summary>
    public IAttentionSteering? Steering { get; init; }

    /// <summary>Per-layer attention input/output recorder (layer ranking); null to skip.</summary>
    public AttentionCapture? Capture { get; init; }

    /// <summary>
    /// Rows after the first are only recorded by <see cref="Capture"/> (the layer ranking's probe rows): their logits are
    /// returned as zeros, and on the decode kernels neither their logits nor their last layer's MLP are computed (which
    /// nothing reads: a third of the demo model's ranking pass; on a large vocabulary the output head over every probe
    /// row dominates it). Row 0 and every row's captures are what the pass gives without it.
    /// </summary>
    internal bool FirstRowLogitsOnly { get; init; }

    /// <summary>A plain raw pass that appends to the cache and returns last-position logits.</summary>
    public static ForwardRequest Raw { get; } = new();
}
