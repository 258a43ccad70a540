namespace Directer.Core.Modeling;

/// <summary>A sequence would grow past the KV cache's capacity (the model's context size).</summary>
public sealed class ContextLengthExceededException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public ContextLengthExceededException(int length, int adding, int capacity)
        : base($"The sequence would reach {length + adding} tokens ({length} held + {adding} new), past the context size of {capacity} tokens " +
               "(ModelOptions.MaxSequenceLength, bounded by config.json's max_position_embeddings and sliding_window).")
    {
        Length = length;
        Adding = adding;
        Capacity = capacity;
    }

    private ContextLengthExceededException(ContextLengthExceededException inner, string remedy)
        : base($"The sequence would reach {inner.Length + inner.Adding} tokens ({inner.Length} held + {inner.Adding} new), past the context size of {inner.Capacity} tokens: {remedy}", inner)
    {
        Length = inner.Length;
        Adding = inner.Adding;
        Capacity = inner.Capacity;
    }

    /// <summary>
    /// The same overflow, with a message that names what the caller's user can change (a front end's setting or flag
    /// rather than the engine's property); the original is the inner exception.
    /// </summary>
    public ContextLengthExceededException WithRemedy(string remedy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(remedy);
        return new ContextLengthExceededException(this, remedy);
    }

    /// <summary>Positions already in the cache.</summary>
    public int Length { get; }

    /// <summary>Positions that were to be added.</summary>
    public int Adding { get; }

    /// <summary>The cache capacity.</summary>
    public int Capacity { get; }
}
