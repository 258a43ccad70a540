namespace Directer.Core.Hub;

/// <summary>
/// One repository's folder in the Hugging Face hub cache, in huggingface_hub's layout:
/// <c>models--owner--name/blobs/&lt;etag&gt;</c> (file contents, named by their hash),
/// <c>snapshots/&lt;commit&gt;/&lt;file&gt;</c> (links to the blobs) and <c>refs/&lt;revision&gt;</c>
/// (the commit a branch or tag pointed to when last downloaded).
/// </summary>
internal sealed class HubCacheLayout
{
    /// <summary>The suffix of a blob still being downloaded.</summary>
    public const string IncompleteSuffix = ".incomplete";

    /// <summary>Creates the layout of <paramref name="repoId"/> under <paramref name="cacheDirectory"/>.</summary>
    /// <param name="cacheDirectory">The hub cache folder.</param>
    /// <param name="repoId">The model id, <c>owner/name</c>.</param>
    public HubCacheLayout(string cacheDirectory, string repoId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(cacheDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(repoId);
        CacheDirectory = Path.GetFullPath(cacheDirectory);
        RepoId = repoId;
        RepoFolder = Path.Combine(CacheDirectory, FolderName(repoId));
    }

    /// <summary>The cache folder.</summary>
    public string CacheDirectory { get; }

    /// <summary>The repository.</summary>
    public string RepoId { get; }

    /// <summary>The repository's folder, <c>models--owner--name</c>.</summary>
    public string RepoFolder { get; }

    /// <summary>Where blobs are stored.</summary>
    public string BlobsFolder => Path.Combine(RepoFolder, "blobs");

    /// <summary>The folder name of a model repository in the cache: <c>models--owner--name</c>.</summary>
    /// <param name="repoId">The model id.</param>
    public static string FolderName(string repoId) => "models--" + repoId.Replace("/", "--", StringComparison.Ordinal);

    /// <summary>The blob file for an etag.</summary>
    /// <param name="etag">The normalised etag (see the hub's <c>X-Linked-Etag</c>/<c>ETag</c>).</param>
    public string BlobPath(string etag) => Path.Combine(BlobsFolder, etag);

    /// <summary>The partial download of a blob.</summary>
    /// <param name="etag">The normalised etag.</param>
    public string IncompletePath(string etag) => BlobPath(etag) + IncompleteSuffix;

    /// <summary>The snapshot folder of a commit: a checkpoint folder once complete.</summary>
    /// <param name="commit">The commit hash.</param>
    public string SnapshotFolder(string commit) => Path.Combine(RepoFolder, "snapshots", commit);

    /// <summary>A file of a snapshot.</summary>
    /// <param name="commit">The commit hash.</param>
    /// <param name="fileName">The file's path in the repository ('/'-separated).</param>
    public string SnapshotFile(string commit, string fileName) =>
        Path.Combine(SnapshotFolder(commit), fileName.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>The file that records which commit <paramref name="revision"/> pointed to.</summary>
    /// <param name="revision">A branch, tag or <c>refs/pr/N</c>.</param>
    public string RefPath(string revision) => Path.Combine(RepoFolder, "refs", revision.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>
    /// The commit cached for <paramref name="revision"/>: the revision itself when it is a commit hash with a
    /// snapshot folder, else the commit in <c>refs/&lt;revision&gt;</c>; null when the cache does not know it.
    /// </summary>
    /// <param name="revision">The revision.</param>
    public string? CachedCommit(string revision)
    {
        if (HubRepoId.IsCommitHash(revision))
        {
            return Directory.Exists(SnapshotFolder(revision)) ? revision : null;
        }

        string path = RefPath(revision);
        if (!File.Exists(path))
        {
            return null;
        }

        string commit = File.ReadAllText(path).Trim();
        return commit.Length > 0 ? commit : null;
    }

    /// <summary>Records that <paramref name="revision"/> points to <paramref name="commit"/> (nothing for a commit hash).</summary>
    /// <param name="revision">The revision.</param>
    /// <param name="commit">The commit hash.</param>
    public void WriteRef(string revision, string commit)
    {
        if (revision == commit)
        {
            return;
        }

        string path = RefPath(revision);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        File.WriteAllText(temporary, commit);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// Makes <c>snapshots/&lt;commit&gt;/&lt;file&gt;</c> point at the blob: a relative symbolic link as
    /// huggingface_hub makes, or a copy where links cannot be created.
    /// </summary>
    /// <param name="commit">The commit hash.</param>
    /// <param name="fileName">The file's path in the repository.</param>
    /// <param name="etag">The blob's etag.</param>
    public void LinkSnapshotFile(string commit, string fileName, string etag)
    {
        string link = SnapshotFile(commit, fileName);
        string blob = BlobPath(etag);
        string folder = Path.GetDirectoryName(link)!;
        Directory.CreateDirectory(folder);
        if (File.Exists(link) || new FileInfo(link).LinkTarget is not null)
        {
            File.Delete(link);
        }

        try
        {
            File.CreateSymbolicLink(link, Path.GetRelativePath(folder, blob));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            File.Copy(blob, link, overwrite: true);
        }
    }
}
