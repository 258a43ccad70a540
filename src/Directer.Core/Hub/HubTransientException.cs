namespace Directer.Core.Hub;

/// <summary>A failure worth retrying: a dropped connection, a timeout, 429 or a 5xx answer.</summary>
internal sealed class HubTransientException(string message, Exception? innerException = null) : Exception(message, innerException);
