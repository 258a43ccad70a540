using Directer.Core.Hub;

namespace Directer.Core.Tests.Hub;

/// <summary>Issue 13, item 6: a file whose size the hub does not state is stopped at a configurable cap instead of
/// written without bound before its hash can be checked (a real HTTP server on 127.0.0.1).</summary>
public sealed class HubSizeCapTests : IAsyncLifetime
{
    private const string RepoId = "directer-tests/tiny-qwen2";
    private readonly FakeHubServer server = new();
    private readonly string cache = Directory.CreateTempSubdirectory("directer-hub-cap-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        Directory.Delete(cache, recursive: true);
    }

    [Fact]
    public async Task AnEndlessFileOfUnknownSizeStopsAtTheCap()
    {
        server.Add(FakeHubRepo.FromFolder(RepoId, HubTestCheckpoint.Folder));
        server.Endless["tokenizer_config.json"] = true;
        var downloader = new HubModelDownloader(new HubClientOptions { Endpoint = server.Endpoint, CacheDirectory = cache, Offline = false, Token = "", MaxRetries = 0, MaxUnknownSizeBytes = 1 << 20 });

        var error = await Assert.ThrowsAsync<HubException>(() => downloader.DownloadAsync(RepoId));
        Assert.Contains("'tokenizer_config.json'", error.Message, StringComparison.Ordinal);
        Assert.Contains("more than 1048576 bytes (HubClientOptions.MaxUnknownSizeBytes)", error.Message, StringComparison.Ordinal);

        // Nothing of it is left on disk.
        long written = Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.True(written < 20_000_000, $"{written} bytes left in the cache");
        Assert.DoesNotContain(Directory.EnumerateFiles(cache, "*.incomplete", SearchOption.AllDirectories), f => new FileInfo(f).Length > 0);
    }

    [Fact]
    public void TheCapIsValidatedAndDefaultsTo64GiB()
    {
        Assert.Equal(64L << 30, new HubClientOptions().MaxUnknownSizeBytes);
        var error = Assert.Throws<ArgumentException>(() => new HubClientOptions { MaxUnknownSizeBytes = 0 }.WithEnvironmentDefaults(_ => null));
        Assert.Contains("MaxUnknownSizeBytes must be >= 1", error.Message, StringComparison.Ordinal);
    }
}
