using System.Net;
using System.Text.Json;
using Directer.Core.Checkpoints;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Directer.Core.Hub;

/// <summary>
/// Downloads the files a Directer checkpoint needs from a Hugging Face hub repository into the hub cache
/// (huggingface_hub's layout, shared with Python), resuming interrupted files and verifying each file's size and
/// hash; or, offline or when the hub cannot be reached, finds the checkpoint in the cache.
/// </summary>
/// <remarks>
/// The file list comes from <c>GET /api/models/{repo}/revision/{revision}</c> (<c>sha</c>, <c>siblings</c>);
/// each file's etag and size from a <c>HEAD /{repo}/resolve/{commit}/{file}</c> (<c>X-Linked-Etag</c> and
/// <c>X-Linked-Size</c> for LFS files, <c>ETag</c> and <c>Content-Length</c> otherwise).
/// </remarks>
public sealed class HubModelDownloader
{
    private readonly HttpMessageHandler? handler;
    private readonly ILogger logger;

    /// <summary>Creates a downloader.</summary>
    /// <param name="options">Endpoint, token, cache, offline mode; unset values come from the environment.</param>
    /// <param name="logger">Receives progress and retries; null = none.</param>
    /// <param name="handler">The HTTP handler to use (not disposed; it must not follow redirects itself); null = a new one per download.</param>
    /// <exception cref="ArgumentException">An option or environment variable is invalid.</exception>
    public HubModelDownloader(HubClientOptions? options = null, ILogger? logger = null, HttpMessageHandler? handler = null)
    {
        Options = (options ?? new HubClientOptions()).WithEnvironmentDefaults();
        this.logger = logger ?? NullLogger.Instance;
        this.handler = handler;
    }

    /// <summary>The options in use, with the environment's values filled in.</summary>
    public HubClientOptions Options { get; }

    /// <summary>
    /// The checkpoint of <paramref name="repoId"/> at <paramref name="revision"/>, downloaded into the cache as
    /// needed. Offline, or when the hub cannot be reached, the cached snapshot is used if it is complete.
    /// </summary>
    /// <param name="repoId">The model id, e.g. <c>Qwen/Qwen2.5-0.5B-Instruct</c>.</param>
    /// <param name="revision">Branch, tag or commit; null = <c>main</c>.</param>
    /// <param name="progress">Receives per-file progress; null = none.</param>
    /// <param name="cancellationToken">Cancels; a partial file is kept and resumed next time.</param>
    /// <exception cref="HubException">The checkpoint cannot be had; the message says why and what to do.</exception>
    public async Task<HubSnapshot> DownloadAsync(string repoId, string? revision = null, IProgress<HubDownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        revision ??= HubRepoId.DefaultRevision;
        HubRepoId.Validate(repoId, revision);
        var layout = new HubCacheLayout(Options.CacheDirectory!, repoId);
        if (Options.Offline == true)
        {
            return FromCache(layout, revision, "offline mode is on (HF_HUB_OFFLINE=1 or the Offline option), so the hub is not asked", null);
        }

        using var http = new HubHttp(Options, handler);
        (string Commit, IReadOnlyList<string> Siblings) info;
        try
        {
            info = await RepoInfoAsync(http, repoId, revision, cancellationToken).ConfigureAwait(false);
        }
        catch (HubUnreachableException e)
        {
            logger.LogWarning("The hub at {Endpoint} cannot be reached ({Reason}); looking for {Repo}@{Revision} in the cache", Options.Endpoint, e.Message, repoId, revision);
            return FromCache(layout, revision, $"the hub at {Options.Endpoint} cannot be reached ({e.Message})", e);
        }

        string commit = info.Commit;
        var files = HubCheckpointFiles.Select(repoId, revision, info.Siblings).ToList();
        logger.LogInformation("{Repo}@{Revision} is commit {Commit}; checkpoint files: {Files}", repoId, revision, commit, string.Join(", ", files));
        var siblings = new HashSet<string>(info.Siblings, StringComparer.Ordinal);
        long fetched = 0;
        int start = 0;

        // A sharded checkpoint's index names its shards: fetch it first.
        if (files.Remove(CheckpointWeights.IndexFileName))
        {
            fetched += await EnsureFileAsync(http, layout, revision, commit, CheckpointWeights.IndexFileName, 1, files.Count + 1, progress, cancellationToken).ConfigureAwait(false);
            var shards = HubCheckpointFiles.ShardsOf(layout.SnapshotFile(commit, CheckpointWeights.IndexFileName));
            if (shards.FirstOrDefault(s => !siblings.Contains(s)) is { } absent)
            {
                throw new HubException($"The shard index of '{repoId}' at revision '{revision}' names '{absent}', which the repository does not have.", repoId, absent);
            }

            files.Insert(0, CheckpointWeights.IndexFileName);
            files.AddRange(shards);
            start = 1;
        }

        for (int i = start; i < files.Count; i++)
        {
            fetched += await EnsureFileAsync(http, layout, revision, commit, files[i], i + 1, files.Count, progress, cancellationToken).ConfigureAwait(false);
        }

        string folder = layout.SnapshotFolder(commit);
        var missing = HubCheckpointFiles.Missing(folder);
        if (missing.Count > 0)
        {
            throw new HubException($"After downloading '{repoId}' at revision '{revision}', snapshot '{folder}' still lacks: {string.Join(", ", missing)}.", repoId, missing[0]);
        }

        layout.WriteRef(revision, commit);
        return new HubSnapshot(repoId, revision, commit, folder, files, fetched, FromCacheOnly: false);
    }

    /// <summary>The complete cached checkpoint of <paramref name="repoId"/> at <paramref name="revision"/>, or null.</summary>
    /// <param name="repoId">The model id.</param>
    /// <param name="revision">Branch, tag or commit; null = <c>main</c>.</param>
    public HubSnapshot? TryGetCached(string repoId, string? revision = null)
    {
        revision ??= HubRepoId.DefaultRevision;
        HubRepoId.Validate(repoId, revision);
        var layout = new HubCacheLayout(Options.CacheDirectory!, repoId);
        string? commit = layout.CachedCommit(revision);
        if (commit is null || HubCheckpointFiles.Missing(layout.SnapshotFolder(commit)).Count > 0)
        {
            return null;
        }

        string folder = layout.SnapshotFolder(commit);
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/')).Order(StringComparer.Ordinal).ToList();
        return new HubSnapshot(repoId, revision, commit, folder, files, 0, FromCacheOnly: true);
    }

    private HubSnapshot FromCache(HubCacheLayout layout, string revision, string why, Exception? cause)
    {
        if (TryGetCached(layout.RepoId, revision) is { } cached)
        {
            logger.LogInformation("Using cached {Repo}@{Revision} (commit {Commit}) from {Folder}", layout.RepoId, revision, cached.Commit, cached.Directory);
            return cached;
        }

        string? commit = layout.CachedCommit(revision);
        string state = commit is null
            ? HubRepoId.IsCommitHash(revision)
                ? $"has no snapshot '{layout.SnapshotFolder(revision)}'"
                : $"has no record of revision '{revision}' ('{layout.RefPath(revision)}' is missing)"
            : $"has snapshot '{layout.SnapshotFolder(commit)}', which lacks {string.Join(", ", HubCheckpointFiles.Missing(layout.SnapshotFolder(commit)))}";
        string fix = Options.Offline == true
            ? "Download the model once with offline mode off (unset HF_HUB_OFFLINE or the Offline option), or point the cache directory (HF_HUB_CACHE or the CacheDirectory option) at a cache that has it."
            : "Check the network and the endpoint (HF_ENDPOINT or the Endpoint option), or point the cache directory (HF_HUB_CACHE or the CacheDirectory option) at a cache that has the model.";
        throw new HubException(
            $"Cannot load '{layout.RepoId}' at revision '{revision}': {why}, and the hub cache '{layout.CacheDirectory}' {state}. {fix}",
            layout.RepoId, innerException: cause);
    }

    private async Task<(string Commit, IReadOnlyList<string> Siblings)> RepoInfoAsync(HubHttp http, string repoId, string revision, CancellationToken cancellationToken)
    {
        var uri = http.Url($"api/models/{repoId}/revision/{Uri.EscapeDataString(revision)}");
        return await WithRetriesAsync($"the file list of '{repoId}'", async () =>
        {
            using var response = await http.SendAsync(HttpMethod.Get, uri, null, null, cancellationToken).ConfigureAwait(false);
            ThrowUnlessSuccess(http, response, repoId, revision, null);
            string json = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                using var document = JsonDocument.Parse(json);
                var root = document.RootElement;
                string? sha = root.TryGetProperty("sha", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
                if (sha is null || !HubRepoId.IsCommitHash(sha))
                {
                    throw new HubException($"The hub's answer for '{repoId}' at revision '{revision}' ({uri}) has no commit 'sha'.", repoId);
                }

                if (!root.TryGetProperty("siblings", out var list) || list.ValueKind != JsonValueKind.Array)
                {
                    throw new HubException($"The hub's answer for '{repoId}' at revision '{revision}' ({uri}) has no 'siblings' file list.", repoId);
                }

                var siblings = list.EnumerateArray()
                    .Select(e => e.TryGetProperty("rfilename", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : null)
                    .OfType<string>().ToList();
                return (sha, (IReadOnlyList<string>)siblings);
            }
            catch (JsonException e)
            {
                throw new HubException($"The hub's answer for '{repoId}' at revision '{revision}' ({uri}) is not JSON: {e.Message}", repoId, innerException: e);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> EnsureFileAsync(HubHttp http, HubCacheLayout layout, string revision, string commit, string fileName, int number, int count, IProgress<HubDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string snapshotFile = layout.SnapshotFile(commit, fileName);
        if (File.Exists(snapshotFile))
        {
            long length = new FileInfo(snapshotFile).Length;
            progress?.Report(new HubDownloadProgress(layout.RepoId, fileName, number, count, length, length, HubFileStatus.Cached));
            return 0;
        }

        var file = await HeadAsync(http, layout.RepoId, revision, commit, fileName, cancellationToken).ConfigureAwait(false);
        string blob = layout.BlobPath(file.Etag.Value);
        if (File.Exists(blob) && (file.Size is null || new FileInfo(blob).Length == file.Size))
        {
            layout.LinkSnapshotFile(commit, fileName, file.Etag.Value);
            progress?.Report(new HubDownloadProgress(layout.RepoId, fileName, number, count, new FileInfo(blob).Length, file.Size, HubFileStatus.Cached));
            return 0;
        }

        logger.LogInformation("Downloading {File} of {Repo} ({Size} bytes, checked by {Check})", fileName, layout.RepoId, file.Size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown", file.Etag.Description);
        long reported = -1;
        long step = Math.Max(1 << 20, (file.Size ?? 0) / 100);
        void OnProgress(long done)
        {
            if (progress is not null && (reported < 0 || done - reported >= step || done == file.Size))
            {
                reported = done;
                progress.Report(new HubDownloadProgress(layout.RepoId, fileName, number, count, done, file.Size, HubFileStatus.Downloading));
            }
        }

        var download = new HubBlobDownload(http, layout, Options.MaxRetries, Options.MaxUnknownSizeBytes, logger);
        long fetched = await download.RunAsync(file, revision, OnProgress, cancellationToken).ConfigureAwait(false);
        layout.LinkSnapshotFile(commit, fileName, file.Etag.Value);
        long size = new FileInfo(blob).Length;
        progress?.Report(new HubDownloadProgress(layout.RepoId, fileName, number, count, size, size, HubFileStatus.Completed));
        return fetched;
    }

    private async Task<HubFileMetadata> HeadAsync(HubHttp http, string repoId, string revision, string commit, string fileName, CancellationToken cancellationToken)
    {
        string path = string.Join('/', fileName.Split('/').Select(Uri.EscapeDataString));
        var uri = http.Url($"{repoId}/resolve/{commit}/{path}");

        // Stop at the redirect to the CDN (it carries the LFS etag and size); follow the hub's own relative ones (renamed repos).
        bool StopAt(HttpResponseMessage r) => HubHttp.Header(r, "X-Linked-Etag") is not null || (r.Headers.Location is { IsAbsoluteUri: true } l && !http.IsHubHost(l));
        return await WithRetriesAsync($"'{fileName}' of '{repoId}'", async () =>
        {
            HttpResponseMessage sent;
            try
            {
                sent = await http.SendAsync(HttpMethod.Head, uri, null, StopAt, cancellationToken).ConfigureAwait(false);
            }
            catch (HubUnreachableException e)
            {
                throw new HubTransientException(e.Message, e); // the hub answered the file list: retry
            }

            using var response = sent;
            bool redirect = HubHttp.IsRedirect(response.StatusCode);
            if (!redirect)
            {
                ThrowUnlessSuccess(http, response, repoId, revision, fileName);
            }

            string? etagHeader = HubHttp.Header(response, "X-Linked-Etag") ?? HubHttp.Header(response, "ETag");
            if (etagHeader is null)
            {
                throw new HubException($"The hub sent no ETag for '{fileName}' of '{repoId}' at revision '{revision}' ({uri}), so the file cannot be verified or cached. Is {http.Endpoint} a Hugging Face hub (or a mirror of one)?", repoId, fileName);
            }

            HubEtag etag;
            try
            {
                etag = HubEtag.Parse(etagHeader);
            }
            catch (FormatException e)
            {
                throw new HubException($"The hub sent an unusable ETag for '{fileName}' of '{repoId}': {e.Message}", repoId, fileName, innerException: e);
            }

            long? size = long.TryParse(HubHttp.Header(response, "X-Linked-Size"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long linked) ? linked
                : !redirect ? response.Content.Headers.ContentLength
                : null;
            var download = redirect && response.Headers.Location is { } location ? (location.IsAbsoluteUri ? location : new Uri(uri, location)) : uri;
            return new HubFileMetadata(fileName, etag, size, download);
        }, cancellationToken).ConfigureAwait(false);
    }

    private static void ThrowUnlessSuccess(HubHttp http, HttpResponseMessage response, string repoId, string revision, string? fileName)
    {
        if (HubHttp.IsTransient(response.StatusCode))
        {
            throw new HubTransientException($"the hub answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw http.Error(response, repoId, revision, fileName);
        }
    }

    private async Task<T> WithRetriesAsync<T>(string what, Func<Task<T>> action, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await action().ConfigureAwait(false);
            }
            catch (HubTransientException e) when (attempt < Options.MaxRetries)
            {
                logger.LogWarning("Fetching {What} failed ({Reason}); retrying ({Attempt}/{Max})", what, e.Message, attempt + 1, Options.MaxRetries);
                await Task.Delay(TimeSpan.FromMilliseconds(250 * (1 << attempt)), cancellationToken).ConfigureAwait(false);
            }
            catch (HubTransientException e)
            {
                throw new HubException($"Fetching {what} from {Options.Endpoint} failed after {Options.MaxRetries + 1} attempts: {e.Message}.", innerException: e, statusCode: e.InnerException is HttpRequestException { StatusCode: HttpStatusCode s } ? s : null);
            }
        }
    }
}
