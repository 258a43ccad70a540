using System.Text.RegularExpressions;

namespace Directer.Core.Hub;

/// <summary>Checks Hugging Face repository ids and revisions before they become URLs and cache paths.</summary>
public static partial class HubRepoId
{
    /// <summary>The revision used when none is given.</summary>
    public const string DefaultRevision = "main";

    /// <summary>
    /// Whether <paramref name="repoId"/> is a valid model id: <c>owner/name</c> (or a legacy bare
    /// <c>name</c>) of letters, digits, <c>-</c>, <c>_</c> and <c>.</c>, without <c>--</c> or <c>..</c>.
    /// </summary>
    /// <param name="repoId">The id to check.</param>
    /// <param name="error">Why it is not valid; null when it is.</param>
    public static bool IsValid(string? repoId, out string? error)
    {
        if (string.IsNullOrWhiteSpace(repoId))
        {
            error = "it is empty; expected 'owner/name', e.g. 'Qwen/Qwen2.5-0.5B-Instruct'";
            return false;
        }

        if (!Shape().IsMatch(repoId))
        {
            error = $"'{repoId}' is not of the form 'owner/name' (letters, digits, '-', '_' and '.', at most 96 characters each part), e.g. 'Qwen/Qwen2.5-0.5B-Instruct'";
            return false;
        }

        if (repoId.Contains("--", StringComparison.Ordinal) || repoId.Contains("..", StringComparison.Ordinal))
        {
            error = $"'{repoId}' contains '--' or '..', which the hub does not allow in repository ids";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Whether <paramref name="revision"/> is usable: a branch, tag, <c>refs/pr/N</c> or commit hash.</summary>
    /// <param name="revision">The revision to check.</param>
    /// <param name="error">Why it is not valid; null when it is.</param>
    public static bool IsValidRevision(string? revision, out string? error)
    {
        if (string.IsNullOrWhiteSpace(revision))
        {
            error = "it is empty; expected a branch, tag or commit hash such as 'main'";
            return false;
        }

        if (revision.Contains("..", StringComparison.Ordinal) || revision.StartsWith('/') || revision.EndsWith('/')
            || revision.Contains('\\') || revision.Any(char.IsControl) || revision.Any(char.IsWhiteSpace))
        {
            error = $"'{revision}' is not a valid git revision (no '..', '\\', spaces, or leading/trailing '/')";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>Whether <paramref name="revision"/> is a full 40-hex-digit commit hash.</summary>
    /// <param name="revision">The revision.</param>
    public static bool IsCommitHash(string revision) => CommitHash().IsMatch(revision);

    /// <summary>Throws <see cref="ArgumentException"/> naming the parameter when the id or revision is not valid.</summary>
    /// <param name="repoId">The repository id.</param>
    /// <param name="revision">The revision.</param>
    public static void Validate(string repoId, string revision)
    {
        if (!IsValid(repoId, out string? error))
        {
            throw new ArgumentException($"Hugging Face model id: {error}.", nameof(repoId));
        }

        if (!IsValidRevision(revision, out error))
        {
            throw new ArgumentException($"Hugging Face revision of '{repoId}': {error}.", nameof(revision));
        }
    }

    [GeneratedRegex(@"^([A-Za-z0-9_.\-]{1,96}/)?[A-Za-z0-9_.\-]{1,96}$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    [GeneratedRegex("^[0-9a-f]{40}$", RegexOptions.CultureInvariant)]
    private static partial Regex CommitHash();
}
