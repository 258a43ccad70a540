using System.Net;

namespace Directer.Core.Hub;

/// <summary>
/// A Hugging Face hub download or cache lookup failed. The message says which repository, revision
/// and file, what the hub (or the cache) answered and what to do about it.
/// </summary>
public sealed class HubException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong and what to do.</param>
    /// <param name="repoId">The repository.</param>
    /// <param name="fileName">The file, when one file is concerned.</param>
    /// <param name="statusCode">The HTTP status the hub answered, when it answered.</param>
    /// <param name="innerException">The cause.</param>
    public HubException(string message, string? repoId = null, string? fileName = null, HttpStatusCode? statusCode = null, Exception? innerException = null)
        : base(message, innerException)
    {
        RepoId = repoId;
        FileName = fileName;
        StatusCode = statusCode;
    }

    /// <summary>The repository, e.g. <c>Qwen/Qwen2.5-0.5B-Instruct</c>.</summary>
    public string? RepoId { get; }

    /// <summary>The file inside the repository, when one file is concerned.</summary>
    public string? FileName { get; }

    /// <summary>The HTTP status the hub answered; null when it was not reached or did not answer.</summary>
    public HttpStatusCode? StatusCode { get; }
}
