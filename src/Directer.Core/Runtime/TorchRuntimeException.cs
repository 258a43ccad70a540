namespace Directer.Core.Runtime;

/// <summary>TorchSharp's native runtime could not be loaded; the message names the cause and the fix.</summary>
public sealed class TorchRuntimeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TorchRuntimeException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
