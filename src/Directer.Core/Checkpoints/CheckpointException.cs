namespace Directer.Core.Checkpoints;

/// <summary>
/// A checkpoint (weights file, checkpoint folder or config.json) cannot be used. The message says which
/// file, tensor or field is wrong and what was expected.
/// </summary>
public sealed class CheckpointException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and what was expected; names the file, tensor or field.</param>
    /// <param name="filePath">The file or folder at fault, when known.</param>
    /// <param name="tensorName">The tensor at fault, when the error is about one tensor.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public CheckpointException(string message, string? filePath = null, string? tensorName = null, Exception? inner = null)
        : base(message, inner)
    {
        FilePath = filePath;
        TensorName = tensorName;
    }

    /// <summary>The file or folder at fault, when known.</summary>
    public string? FilePath { get; }

    /// <summary>The tensor at fault, when the error is about one tensor.</summary>
    public string? TensorName { get; }
}
