namespace Directer.Core.Tokenization;

/// <summary>
/// A tokenizer file could not be loaded: the message names the file, the JSON path (or protobuf field) and the
/// offending value. Raised for anything the loader does not support instead of silently approximating it.
/// </summary>
public sealed class TokenizerLoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="filePath">The file that was being read.</param>
    /// <param name="location">JSON path (for example <c>$.model.type</c>) or field name inside the file; null when the whole file is at fault.</param>
    /// <param name="problem">What is wrong, including the offending value.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public TokenizerLoadException(string filePath, string? location, string problem, Exception? inner = null)
        : base(location is null ? $"{filePath}: {problem}" : $"{filePath}: {location}: {problem}", inner)
    {
        FilePath = filePath;
        Location = location;
        Problem = problem;
    }

    /// <summary>The file that was being read.</summary>
    public string FilePath { get; }

    /// <summary>JSON path or field name inside <see cref="FilePath"/>; null when the whole file is at fault.</summary>
    public string? Location { get; }

    /// <summary>What is wrong, without the file and location prefix.</summary>
    public string Problem { get; }
}
