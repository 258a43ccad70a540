using System.Collections.Concurrent;
using System.Diagnostics;
using Directer.Core.Chat;
using Directer.Core.Hub;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Directer.Extensions.AI;

/// <summary>
/// Loads each model source (a checkpoint folder, or a hub id and revision with its cache) once and shares it
/// among every service registered for it (a model takes hundreds of MB to GBs). A hub model is downloaded into
/// the hub cache first, with progress in the log and in <see cref="DirecterConnectorOptions.DownloadProgress"/>.
/// Thread-safe; a failed load is retried by the next request; disposes the models with the container.
/// </summary>
public sealed class DirecterModelRegistry : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<ChatModel>>> models = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource disposing = new();
    private readonly ILogger logger;
    private bool disposed;

    /// <summary>Creates the registry.</summary>
    public DirecterModelRegistry(ILogger<DirecterModelRegistry>? logger = null) => this.logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>Number of models loaded.</summary>
    public int LoadedCount => models.Values.Count(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully);

    /// <summary>The model for <paramref name="options"/>' source, loading it on first use (blocking; prefer <see cref="GetAsync"/>).</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public ChatModel Get(DirecterConnectorOptions options) => GetAsync(options).GetAwaiter().GetResult();

    /// <summary>
    /// The model for <paramref name="options"/>' source, downloading and loading it on first use. Cancelling stops
    /// this caller's wait; the shared load goes on for the others (and a later caller) until the registry is disposed.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="HubException">A hub model could not be downloaded or found in the cache.</exception>
    public async Task<ChatModel> GetAsync(DirecterConnectorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return await GetValidatedAsync(options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><see cref="GetAsync"/> for options already validated (a client checks its options once, when it is made).</summary>
    internal async Task<ChatModel> GetValidatedAsync(DirecterConnectorOptions options, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        string key = Key(options);
        var lazy = models.GetOrAdd(key, _ => new Lazy<Task<ChatModel>>(() => Task.Run(() => LoadAsync(options, disposing.Token)), LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (lazy.Value.IsFaulted || lazy.Value.IsCanceled)
        {
            models.TryRemove(KeyValuePair.Create(key, lazy)); // a failed load is retried on the next request
            throw;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        disposing.Cancel();
        foreach (var lazy in models.Values.Where(l => l.IsValueCreated && l.Value.IsCompletedSuccessfully))
        {
            lazy.Value.Result.Dispose();
        }

        models.Clear(); // the token source stays undisposed: loads still running observe its cancellation
    }

    private static string Key(DirecterConnectorOptions options)
    {
        string runtime = $"{options.DType}|{options.Device}|{options.ChatTemplate}|{options.MaxSequenceLength}|{options.Threads}|{options.CacheSlots}|{options.MaxConcurrentRows}|{options.ReusePrefixes}|{options.MaxQueuedRequests}";
        if (!string.IsNullOrWhiteSpace(options.ModelPath))
        {
            return $"path:{CanonicalFolder(options.ModelPath.Trim())}|{runtime}";
        }

        var hub = options.ToHubOptions().WithEnvironmentDefaults();
        return $"hub:{hub.Endpoint}|{hub.CacheDirectory}|{options.ModelId!.Trim()}@{options.Revision ?? HubRepoId.DefaultRevision}|{runtime}";
    }

    /// <summary>
    /// The folder's one name: absolute, without a trailing separator, with every symbolic link on the way resolved, so
    /// that <c>models/m</c>, <c>models/m/</c> and a link to it share one loaded model.
    /// </summary>
    internal static string CanonicalFolder(string path)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        string root = Path.GetPathRoot(full) ?? string.Empty;
        string current = root;
        foreach (string part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            var info = new DirectoryInfo(current);
            if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
            {
                current = Path.TrimEndingDirectorySeparator(Path.GetFullPath(target.FullName));
            }
        }

        return current;
    }

    private async Task<ChatModel> LoadAsync(DirecterConnectorOptions options, CancellationToken cancellationToken)
    {
        string folder;
        if (!string.IsNullOrWhiteSpace(options.ModelId))
        {
            var downloader = new HubModelDownloader(options.ToHubOptions(), logger);
            string repo = options.ModelId.Trim();
            string revision = options.Revision ?? HubRepoId.DefaultRevision;
            logger.LogInformation("Getting Hugging Face model {ModelId}@{Revision} from {Endpoint} into {Cache}{Offline}", repo, revision, downloader.Options.Endpoint, downloader.Options.CacheDirectory, downloader.Options.Offline == true ? " (offline: cache only)" : string.Empty);
            var snapshot = await downloader.DownloadAsync(repo, revision, new LoggingDownloadProgress(logger, options.DownloadProgress), cancellationToken).ConfigureAwait(false);
            logger.LogInformation("{ModelId}@{Revision} is commit {Commit} ({Bytes} bytes downloaded{Cached})", repo, revision, snapshot.Commit, snapshot.BytesDownloaded, snapshot.FromCacheOnly ? ", from the cache only" : string.Empty);
            folder = snapshot.Directory;
        }
        else
        {
            folder = Path.GetFullPath(options.ModelPath!.Trim());
            if (!Directory.Exists(folder))
            {
                throw new DirectoryNotFoundException($"ModelPath '{options.ModelPath}' ('{folder}') is not a folder: set it to a Hugging Face checkpoint folder (config.json, *.safetensors, tokenizer files), or use ModelId for a hub download.");
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        logger.LogInformation("Loading Directer model {ModelId} from {Path} ({DType}, {Device})", options.DisplayModelId, folder, options.DType, options.Device);
        var started = Stopwatch.StartNew();
        var model = ChatModel.Load(folder, options.ToChatModelOptions());
        if (cancellationToken.IsCancellationRequested)
        {
            model.Dispose();
            cancellationToken.ThrowIfCancellationRequested();
        }

        logger.LogInformation("Loaded {ModelId}: {Layers} layers, template {Template}, in {Seconds:F1} s", options.DisplayModelId, model.Model.LayerCount, model.Template.Name, started.Elapsed.TotalSeconds);
        return model;
    }
}
