namespace Directer.Core.Generation;

/// <summary>
/// How a <see cref="TokenGenerator"/> serves requests: how many sequences' KV caches it keeps for prefix reuse,
/// and how many requests may wait for the model.
/// </summary>
public sealed record ServingOptions
{
    /// <summary>Default <see cref="CacheSlots"/>.</summary>
    public const int DefaultCacheSlots = 4;

    /// <summary>Default <see cref="MaxConcurrentRows"/>.</summary>
    public const int DefaultMaxConcurrentRows = 4;

    /// <summary>Default <see cref="MaxQueuedRequests"/>.</summary>
    public const int DefaultMaxQueuedRequests = 64;

    /// <summary>
    /// KV caches kept, one per recent sequence (at least 1). A new request starts from the longest cached prefix of
    /// its prompt; when every slot holds another sequence, the least recently used one is overwritten. Memory is at
    /// most this many caches of the model's context (<see cref="Modeling.KvCache.BytesPerPosition"/> per position);
    /// a slot grows to the longest request it served.
    /// </summary>
    public int CacheSlots { get; init; } = DefaultCacheSlots;

    /// <summary>
    /// Requests decoded together (continuous batching), at most <see cref="CacheSlots"/> (each needs a cache): a request
    /// that arrives while others run joins the next round. Every round decodes one token of each running request; the
    /// raw passes of the steps that begin with one (every plain step, every baseline step, DIRECTER's steps after the
    /// first unless it runs the raw row with its candidates) run as rows of one pass over their own caches; the steered
    /// passes follow per request in the same round. 1 serves requests one at a time.
    /// </summary>
    public int MaxConcurrentRows { get; init; } = DefaultMaxConcurrentRows;

    /// <summary>Start requests from a cached prompt prefix (on by default); off, every request prefills its whole prompt.</summary>
    public bool ReusePrefixes { get; init; } = true;

    /// <summary>
    /// Run the steered rows several requests declare in shared passes (default: after their raw pass in a second pass,
    /// or with their raw row in the raw pass); off, each request runs its steered passes alone, as before steered
    /// batching (the benchmark's baseline; same tokens either way).
    /// </summary>
    internal bool BatchSteeredRows { get; init; } = true;

    /// <summary>
    /// Requests that may wait while <see cref="MaxConcurrentRows"/> run (0 = none may wait); one more is refused at once with
    /// <see cref="RequestQueueFullException"/>. A waiting request leaves the queue when its cancellation token fires.
    /// </summary>
    public int MaxQueuedRequests { get; init; } = DefaultMaxQueuedRequests;

    /// <summary>Every problem with these options, each naming the setting; empty when valid.</summary>
    public IReadOnlyList<string> GetValidationErrors(string prefix = "")
    {
        var errors = new List<string>();
        if (CacheSlots < 1)
        {
            errors.Add($"{prefix}CacheSlots must be at least 1 (one KV cache per kept sequence); got {CacheSlots}.");
        }

        if (MaxConcurrentRows < 1)
        {
            errors.Add($"{prefix}MaxConcurrentRows must be at least 1; got {MaxConcurrentRows}.");
        }
        else if (MaxConcurrentRows > CacheSlots && CacheSlots >= 1)
        {
            errors.Add($"{prefix}MaxConcurrentRows ({MaxConcurrentRows}) must not exceed CacheSlots ({CacheSlots}): every running request needs its own KV cache.");
        }

        if (MaxQueuedRequests < 0)
        {
            errors.Add($"{prefix}MaxQueuedRequests must be 0 or more (requests allowed to wait while one runs); got {MaxQueuedRequests}.");
        }

        return errors;
    }

    /// <summary>Throws when the options are invalid.</summary>
    /// <exception cref="ArgumentException">They are.</exception>
    internal void Validate()
    {
        var errors = GetValidationErrors("ServingOptions.");
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors));
        }
    }
}
