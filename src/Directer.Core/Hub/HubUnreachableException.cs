namespace Directer.Core.Hub;

/// <summary>The hub could not be reached at all (connection refused, name resolution, timeout before any answer).</summary>
internal sealed class HubUnreachableException(string message, Exception? innerException = null) : Exception(message, innerException);
