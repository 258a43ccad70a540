using Directer.Core.Hub;
using Directer.Core.Tests.Hub;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Directer.SemanticKernel.Tests;

/// <summary>Loading by Hugging Face model id through the connector, against a real hub server on 127.0.0.1.</summary>
public sealed class HubConnectorTests : IAsyncLifetime
{
    private const string RepoId = "directer-tests/tiny-chat";
    private readonly FakeHubServer server = new();
    private readonly string cache = Directory.CreateTempSubdirectory("directer-sk-hub-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        Directory.Delete(cache, recursive: true);
    }

    private ServiceProvider Services(CapturingLoggerProvider logs, bool offline = false, IProgress<HubDownloadProgress>? progress = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        services.AddDirecterChatCompletion(o =>
        {
            o.ModelId = RepoId;
            o.Endpoint = server.Endpoint.ToString();
            o.CacheDirectory = cache;
            o.Offline = offline;
            o.HubToken = string.Empty;
            o.MaxSequenceLength = 256;
            o.DownloadProgress = progress;
        }, serviceId: "hub");
        return services.BuildServiceProvider();
    }

    private static ChatHistory History()
    {
        var history = new ChatHistory("Answer in lowercase.");
        history.AddUserMessage("hello world");
        return history;
    }

    [Fact]
    public async Task AHubModelIsDownloadedOnFirstUseThenServedFromTheCacheWithTheHubGone()
    {
        server.Add(FakeHubRepo.FromFolder(RepoId, ChatCheckpoint.Path));
        var logs = new CapturingLoggerProvider();
        var progress = new RecordingProgress();
        string first;
        using (var provider = Services(logs, progress: progress))
        {
            var client = provider.GetRequiredKeyedService<IChatClient>("hub");
            var metadata = client.GetService<ChatClientMetadata>()!;
            Assert.Equal(("directer", RepoId), (metadata.ProviderName, metadata.DefaultModelId));
            Assert.Empty(server.Requests); // nothing is fetched before the first request

            var chat = provider.GetRequiredKeyedService<IChatCompletionService>("hub");
            Assert.Equal(RepoId, chat.Attributes["ModelId"]);
            var reply = await chat.GetChatMessageContentAsync(History(), new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { ["max_tokens"] = 4 } });
            Assert.Equal(RepoId, reply.ModelId);
            Assert.InRange(((UsageDetails)reply.Metadata!["Usage"]!).OutputTokenCount ?? 0, 1, 4);
            first = reply.Content!;

            Assert.Contains(progress.Reports, p => p.FileName == "model.safetensors" && p.Status == HubFileStatus.Completed && p.BytesDone == p.BytesTotal);
            var registryLogs = logs.Entries.Where(e => e.Category == typeof(DirecterModelRegistry).FullName).Select(e => e.Message).ToList();
            Assert.Contains(registryLogs, m => m.StartsWith($"Getting Hugging Face model {RepoId}@main from {server.Endpoint}", StringComparison.Ordinal));
            Assert.Contains(registryLogs, m => m.StartsWith("Downloaded model.safetensors", StringComparison.Ordinal));
            Assert.Contains(registryLogs, m => m.StartsWith($"Loaded {RepoId}", StringComparison.Ordinal));
        }

        await server.StopAsync();
        foreach (bool offline in new[] { false, true })
        {
            using var provider = Services(new CapturingLoggerProvider(), offline);
            var reply = await provider.GetRequiredKeyedService<IChatCompletionService>("hub").GetChatMessageContentAsync(History(), new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { ["max_tokens"] = 4 } });
            Assert.Equal(first, reply.Content);
        }
    }

    [Fact]
    public async Task OfflineWithAnEmptyCacheFailsTheRequestWithAClearError()
    {
        using var provider = Services(new CapturingLoggerProvider(), offline: true);
        var chat = provider.GetRequiredKeyedService<IChatCompletionService>("hub");
        var error = await Assert.ThrowsAsync<HubException>(() => chat.GetChatMessageContentAsync(History()));
        Assert.Contains($"Cannot load '{RepoId}' at revision 'main': offline mode is on", error.Message);
        Assert.Contains(cache, error.Message);
        Assert.Empty(server.Requests);
    }
}
