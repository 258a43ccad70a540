using System.Net;
using Directer.Core.Chat;
using Directer.Core.Hub;
using Directer.Core.Runtime;
using Directer.Core.Templates;

namespace Directer.Core.Tests.Hub;

public sealed class HubDownloadTests : IAsyncLifetime
{
    private const string RepoId = "directer-tests/tiny-qwen2";
    private readonly FakeHubServer server = new();
    private readonly string cache = Directory.CreateTempSubdirectory("directer-hub-cache-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        Directory.Delete(cache, recursive: true);
    }

    private HubModelDownloader Downloader(bool offline = false, string token = "", int retries = 3) =>
        new(new HubClientOptions { Endpoint = server.Endpoint, CacheDirectory = cache, Offline = offline, Token = token, MaxRetries = retries });

    private FakeHubRepo AddTinyRepo(IReadOnlyDictionary<string, byte[]>? extra = null) =>
        server.Add(FakeHubRepo.FromFolder(RepoId, HubTestCheckpoint.Folder, extra));

    private string Layout(params string[] parts) => Path.Combine([cache, "models--directer-tests--tiny-qwen2", .. parts]);

    private int ContentGets(string fileName) =>
        server.Requests.Count(r => r.Method == "GET" && (r.Path.Contains("/resolve/", StringComparison.Ordinal) ? r.Path.EndsWith("/" + fileName, StringComparison.Ordinal) : r.Path.Contains("name=" + Uri.EscapeDataString(fileName), StringComparison.Ordinal)));

    [Fact]
    public async Task AFreshDownloadFillsTheHubCacheLayoutWithOnlyCheckpointFilesAndTheModelGenerates()
    {
        var repo = AddTinyRepo(new Dictionary<string, byte[]>
        {
            ["README.md"] = "# tiny"u8.ToArray(),
            ["pytorch_model.bin"] = new byte[64],
            ["onnx/model.safetensors"] = new byte[32],
        });
        var progress = new RecordingProgress();
        var snapshot = await Downloader().DownloadAsync(RepoId, progress: progress);

        Assert.Equal(repo.Commit, snapshot.Commit);
        Assert.False(snapshot.FromCacheOnly);
        Assert.Equal(Layout("snapshots", repo.Commit), snapshot.Directory);
        Assert.Equal(repo.Commit, File.ReadAllText(Layout("refs", "main")));
        Assert.Equal(["config.json", "generation_config.json", "tokenizer_config.json", "tokenizer.json", "model.safetensors"], snapshot.Files);
        Assert.True(snapshot.BytesDownloaded > new FileInfo(Path.Combine(HubTestCheckpoint.Folder, "model.safetensors")).Length);

        // Weights are stored by their SHA-256, git files by their blob SHA-1; snapshot files are relative links to them.
        byte[] weights = File.ReadAllBytes(Path.Combine(HubTestCheckpoint.Folder, "model.safetensors"));
        Assert.True(File.Exists(Layout("blobs", FakeHubRepo.Sha256(weights))));
        Assert.True(File.Exists(Layout("blobs", FakeHubRepo.GitBlobSha1(File.ReadAllBytes(Path.Combine(HubTestCheckpoint.Folder, "config.json"))))));
        var link = new FileInfo(Path.Combine(snapshot.Directory, "model.safetensors"));
        Assert.Equal(Path.Combine("..", "..", "blobs", FakeHubRepo.Sha256(weights)), link.LinkTarget);
        Assert.Empty(Directory.GetFiles(Layout("blobs"), "*.incomplete"));

        // Nothing else was fetched: not the README, the pickle or the subfolder.
        Assert.DoesNotContain(server.Requests, r => r.Path.Contains("README", StringComparison.Ordinal) || r.Path.Contains(".bin", StringComparison.Ordinal) || r.Path.Contains("onnx", StringComparison.Ordinal));

        // Progress: every file completes with its size known.
        var completed = progress.Reports.Where(p => p.Status == HubFileStatus.Completed).ToList();
        Assert.Equal(snapshot.Files, completed.Select(p => p.FileName));
        Assert.All(completed, p => Assert.Equal(p.BytesTotal, p.BytesDone));
        Assert.All(progress.Reports, p => Assert.Equal(5, p.FileCount));
        Assert.Contains(progress.Reports, p => p.FileName == "model.safetensors" && p.Status == HubFileStatus.Downloading && p.BytesTotal == weights.Length);

        TorchRuntime.EnsureInitialized();
        using var model = ChatModel.Load(snapshot.Directory, new ChatModelOptions { ChatTemplate = "qwen2.5", Model = new() { MaxSequenceLength = 128 } });
        var result = await model.CompleteAsync(new ChatRequest { Turns = [new ChatTurn(ChatRole.User, "hello world")], MaxNewTokens = 4 });
        Assert.InRange(result.CompletionTokens, 1, 4);
    }

    [Fact]
    public async Task ASecondRunUsesTheCacheWithoutDownloadingAndWithTheServerStopped()
    {
        var repo = AddTinyRepo();
        var first = await Downloader().DownloadAsync(RepoId);
        int gets = server.Requests.Count(r => r.Method == "GET");

        // Online again: only the file list is asked for, every file comes from the cache.
        var progress = new RecordingProgress();
        var second = await Downloader().DownloadAsync(RepoId, progress: progress);
        Assert.Equal(first.Directory, second.Directory);
        Assert.Equal(0, second.BytesDownloaded);
        Assert.Equal(gets + 1, server.Requests.Count(r => r.Method == "GET"));
        Assert.All(progress.Reports, p => Assert.Equal(HubFileStatus.Cached, p.Status));

        // The hub is gone: the complete cached snapshot is used.
        await server.StopAsync();
        var offlineFallback = await Downloader().DownloadAsync(RepoId);
        Assert.True(offlineFallback.FromCacheOnly);
        Assert.Equal(repo.Commit, offlineFallback.Commit);
        Assert.Equal(first.Directory, offlineFallback.Directory);

        // Offline mode, by commit hash too.
        var offline = await Downloader(offline: true).DownloadAsync(RepoId, repo.Commit);
        Assert.Equal(first.Directory, offline.Directory);
        Assert.NotNull(Downloader().TryGetCached(RepoId));
        Assert.Null(Downloader().TryGetCached(RepoId, "v2"));
    }

    [Fact]
    public async Task ADroppedConnectionMidFileIsResumedWithARangeRequest()
    {
        AddTinyRepo();
        byte[] weights = File.ReadAllBytes(Path.Combine(HubTestCheckpoint.Folder, "model.safetensors"));
        int half = weights.Length / 2;
        server.CutOnce("model.safetensors", half);
        var snapshot = await Downloader().DownloadAsync(RepoId);

        Assert.Equal(weights, File.ReadAllBytes(Path.Combine(snapshot.Directory, "model.safetensors")));
        var cdn = server.Requests.Where(r => r.Method == "GET" && r.Path.StartsWith("/cdn/", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, cdn.Count);
        Assert.Null(cdn[0].Header("Range"));
        Assert.Equal($"bytes={half}-", cdn[1].Header("Range"));
    }

    [Fact]
    public async Task AnInterruptedDownloadIsKeptAndTheNextRunResumesIt()
    {
        AddTinyRepo();
        byte[] weights = File.ReadAllBytes(Path.Combine(HubTestCheckpoint.Folder, "model.safetensors"));
        int part = weights.Length / 3;
        server.CutOnce("model.safetensors", part);
        var error = await Assert.ThrowsAsync<HubException>(() => Downloader(retries: 0).DownloadAsync(RepoId));
        Assert.Contains("model.safetensors", error.Message);
        Assert.Contains("resumes", error.Message);
        string incomplete = Layout("blobs", FakeHubRepo.Sha256(weights) + ".incomplete");
        Assert.Equal(part, new FileInfo(incomplete).Length);
        Assert.False(File.Exists(Layout("refs", "main")));

        var snapshot = await Downloader(retries: 0).DownloadAsync(RepoId);
        Assert.Equal(weights, File.ReadAllBytes(Path.Combine(snapshot.Directory, "model.safetensors")));
        Assert.Equal($"bytes={part}-", server.Requests.Last(r => r.Path.StartsWith("/cdn/", StringComparison.Ordinal)).Header("Range"));
        Assert.False(File.Exists(incomplete));
    }

    [Fact]
    public async Task AHashMismatchIsAClearErrorAndTheBadFileIsNotKept()
    {
        AddTinyRepo();

        // A git file altered in transit is caught by its blob SHA-1.
        server.Corrupt("config.json");
        var error = await Assert.ThrowsAsync<HubException>(() => Downloader().DownloadAsync(RepoId));
        Assert.Equal("config.json", error.FileName);
        Assert.Contains("git blob SHA-1", error.Message);
        Assert.Empty(Directory.GetFiles(Layout("blobs")));

        // An LFS file by its SHA-256.
        server.Corrupt("config.json", on: false);
        byte[] weights = File.ReadAllBytes(Path.Combine(HubTestCheckpoint.Folder, "model.safetensors"));
        string sha = FakeHubRepo.Sha256(weights);
        server.Corrupt("model.safetensors");
        error = await Assert.ThrowsAsync<HubException>(() => Downloader().DownloadAsync(RepoId));
        Assert.Equal("model.safetensors", error.FileName);
        Assert.Contains("damaged", error.Message);
        Assert.Contains("SHA-256", error.Message);
        Assert.Contains(sha, error.Message);
        Assert.False(File.Exists(Layout("blobs", sha)));
        Assert.False(File.Exists(Layout("blobs", sha + ".incomplete")));
        Assert.Null(Downloader().TryGetCached(RepoId));

        server.Corrupt("model.safetensors", on: false);
        var snapshot = await Downloader().DownloadAsync(RepoId);
        Assert.Equal(weights, File.ReadAllBytes(Path.Combine(snapshot.Directory, "model.safetensors")));
    }

    [Fact]
    public async Task OfflineWithAnEmptyCacheNamesWhatIsMissing()
    {
        AddTinyRepo();
        var error = await Assert.ThrowsAsync<HubException>(() => Downloader(offline: true).DownloadAsync(RepoId));
        Assert.Contains("offline", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(RepoId, error.Message);
        Assert.Contains("revision 'main'", error.Message);
        Assert.Contains(Path.Combine("refs", "main"), error.Message);
        Assert.Empty(server.Requests);

        // A snapshot missing its weights is named file by file.
        var snapshot = await Downloader().DownloadAsync(RepoId);
        File.Delete(Path.Combine(snapshot.Directory, "model.safetensors"));
        error = await Assert.ThrowsAsync<HubException>(() => Downloader(offline: true).DownloadAsync(RepoId));
        Assert.Contains("lacks model.safetensors", error.Message);
    }

    [Fact]
    public async Task ARepositoryWithOnlyPickleWeightsIsRefused()
    {
        server.Add(new FakeHubRepo("old/bin-only", new Dictionary<string, byte[]>
        {
            ["config.json"] = "{}"u8.ToArray(),
            ["tokenizer.json"] = "{}"u8.ToArray(),
            ["pytorch_model.bin"] = new byte[16],
        }));
        var error = await Assert.ThrowsAsync<HubException>(() => Downloader().DownloadAsync("old/bin-only"));
        Assert.Contains("pytorch_model.bin", error.Message);
        Assert.Contains("safetensors", error.Message);
        Assert.Contains("refs/pr/", error.Message);
        Assert.DoesNotContain(server.Requests, r => r.Path.Contains("resolve", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A401SaysToSetATokenAndTheTokenIsSentToTheHubOnly()
    {
        AddTinyRepo();
        server.RequiredToken = "hf_secret";
        var error = await Assert.ThrowsAsync<HubException>(() => Downloader().DownloadAsync(RepoId));
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains("HF_TOKEN", error.Message);
        Assert.Contains("No access token was sent", error.Message);

        error = await Assert.ThrowsAsync<HubException>(() => Downloader(token: "hf_wrong").DownloadAsync(RepoId));
        Assert.Contains("not accepted", error.Message);

        var snapshot = await Downloader(token: "hf_secret").DownloadAsync(RepoId);
        Assert.Empty(HubCheckpointFiles.Missing(snapshot.Directory));
        Assert.Contains(server.Requests, r => r.Path.StartsWith("/cdn/", StringComparison.Ordinal));
        Assert.All(server.Requests.Where(r => r.Path.StartsWith("/cdn/", StringComparison.Ordinal)), r => Assert.Null(r.Header("Authorization")));
        Assert.All(server.Requests.Where(r => r.Path.StartsWith("/api/", StringComparison.Ordinal)).Skip(2), r => Assert.Equal("Bearer hf_secret", r.Header("Authorization")));
    }

    [Fact]
    public async Task UnknownRevisionsAndRepositoriesAreClearErrors()
    {
        AddTinyRepo();
        var error = await Assert.ThrowsAsync<HubException>(() => Downloader().DownloadAsync(RepoId, "v9"));
        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains("Revision 'v9' does not exist", error.Message);

        error = await Assert.ThrowsAsync<HubException>(() => Downloader().DownloadAsync("nobody/nothing"));
        Assert.Contains("'nobody/nothing'", error.Message);
        Assert.Contains("check the model id", error.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => Downloader().DownloadAsync("not a repo"));
    }

    [Fact]
    public async Task AShardedCheckpointDownloadsTheIndexAndEveryShardAndLoads()
    {
        server.Add(FakeHubRepo.FromFolder("directer-tests/tiny-sharded", HubTestCheckpoint.ShardedFolder, branches: ["main", "refs/pr/1"]));
        var progress = new RecordingProgress();
        var snapshot = await Downloader().DownloadAsync("directer-tests/tiny-sharded", "refs/pr/1", progress);
        Assert.Contains("model.safetensors.index.json", snapshot.Files);
        Assert.Contains("model-00001-of-00002.safetensors", snapshot.Files);
        Assert.Contains("model-00002-of-00002.safetensors", snapshot.Files);
        Assert.True(File.Exists(Path.Combine(cache, "models--directer-tests--tiny-sharded", "refs", "refs", "pr", "1")));
        Assert.Equal(snapshot.Files.Count, progress.Reports.Count(p => p.Status == HubFileStatus.Completed));
        TorchRuntime.EnsureInitialized();
        using var model = Directer.Core.Modeling.LlamaModel.Load(snapshot.Directory);
        Assert.Equal(2, model.LayerCount);
    }

    [Fact]
    public async Task CancellingADownloadStopsItAndALaterRunCompletes()
    {
        AddTinyRepo();
        using var cts = new CancellationTokenSource();
        var progress = new RecordingProgress(p =>
        {
            if (p.FileName == "model.safetensors")
            {
                cts.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Downloader().DownloadAsync(RepoId, progress: progress, cancellationToken: cts.Token));
        Assert.Null(Downloader().TryGetCached(RepoId));
        var snapshot = await Downloader().DownloadAsync(RepoId);
        Assert.Empty(HubCheckpointFiles.Missing(snapshot.Directory));
    }

    [Fact]
    public async Task AnUnreachableHubWithAnEmptyCacheSaysSo()
    {
        await server.StopAsync();
        var error = await Assert.ThrowsAsync<HubException>(() => Downloader().DownloadAsync(RepoId));
        Assert.Contains("cannot be reached", error.Message);
        Assert.Contains(server.Endpoint.ToString(), error.Message);
        Assert.Contains("HF_ENDPOINT", error.Message);
    }

    [Fact]
    public async Task AServerThatKeepsFailingOrStopsMidDownloadGivesAHubException()
    {
        AddTinyRepo();
        server.CdnUnavailable = true;
        var error = await Assert.ThrowsAsync<HubException>(() => Downloader(retries: 1).DownloadAsync(RepoId));
        Assert.Contains("'model.safetensors' of 'directer-tests/tiny-qwen2' failed after 2 attempts", error.Message);
        Assert.Contains("503", error.Message);
        Assert.Equal(2, server.Requests.Count(r => r.Path.StartsWith("/cdn/", StringComparison.Ordinal)));

        server.CdnUnavailable = false;
        var progress = new RecordingProgress(p =>
        {
            if (p.FileName == "config.json" && p.Status == HubFileStatus.Completed)
            {
                server.StopAsync().GetAwaiter().GetResult();
            }
        });
        string cache2 = Path.Combine(cache, "second");
        var downloader = new HubModelDownloader(new HubClientOptions { Endpoint = server.Endpoint, CacheDirectory = cache2, Offline = false, Token = "", MaxRetries = 0 });
        error = await Assert.ThrowsAsync<HubException>(() => downloader.DownloadAsync(RepoId, progress: progress));
        Assert.Contains("generation_config.json", error.Message);
    }

    [Fact]
    public void TheCacheFolderNameFollowsHuggingFaceHub()
    {
        Assert.Equal("models--Qwen--Qwen2.5-0.5B-Instruct", HubCacheLayout.FolderName("Qwen/Qwen2.5-0.5B-Instruct"));
        Assert.Equal("models--gpt2", HubCacheLayout.FolderName("gpt2"));
    }
}
