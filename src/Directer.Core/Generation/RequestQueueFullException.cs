namespace Directer.Core.Generation;

/// <summary>
/// A request arrived while the model was busy and <see cref="ServingOptions.MaxQueuedRequests"/> others were already
/// waiting: it is refused at once rather than queued without bound. Retry later, or raise the bound.
/// </summary>
public sealed class RequestQueueFullException : InvalidOperationException
{
    /// <summary>Creates the exception for a queue of <paramref name="limit"/> waiting requests.</summary>
    public RequestQueueFullException(int limit)
        : base($"The model is busy and {limit} request(s) are already waiting (ServingOptions.MaxQueuedRequests = {limit}; connector option MaxQueuedRequests): retry later or raise the bound.") =>
        Limit = limit;

    /// <summary>The bound that was reached.</summary>
    public int Limit { get; }
}
