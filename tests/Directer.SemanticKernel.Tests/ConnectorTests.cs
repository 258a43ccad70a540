using Directer.Core.Steering;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace Directer.SemanticKernel.Tests;

public sealed class ConnectorTests
{
    private static ChatHistory History()
    {
        var history = new ChatHistory("Answer in lowercase.");
        history.AddUserMessage("hello world");
        return history;
    }

    private static PromptExecutionSettings Settings(int maxTokens = 8) => new()
    {
        ExtensionData = new Dictionary<string, object> { ["steering"] = "directer", ["beta"] = 1e-9, ["max_tokens"] = maxTokens },
    };

    [Fact]
    public async Task DependencyInjectionResolvesKeyedServicesSharingOneModel()
    {
        var services = new ServiceCollection();
        services.AddDirecterChatCompletion(ChatCheckpoint.Path, serviceId: "local");
        services.AddDirecterChatClient(ChatCheckpoint.Path, serviceId: "second");
        using var provider = services.BuildServiceProvider();
        var completion = provider.GetRequiredKeyedService<IChatCompletionService>("local");
        var client = provider.GetRequiredKeyedService<IChatClient>("local");
        var second = provider.GetRequiredKeyedService<IChatClient>("second");
        Assert.IsType<DirecterChatCompletionService>(completion);
        Assert.Same(client, provider.GetRequiredKeyedService<IChatClient>("local"));
        Assert.NotSame(client, second);

        // Models load on first use (or LoadAsync), once per source.
        var registry = provider.GetRequiredService<DirecterModelRegistry>();
        Assert.Equal(0, registry.LoadedCount);
        var first = await ((DirecterChatClient)client).LoadAsync();
        Assert.Same(first, await ((DirecterChatClient)second).LoadAsync());
        Assert.Equal(1, registry.LoadedCount);
        Assert.Null(provider.GetKeyedService<IChatCompletionService>("second"));
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddDirecterChatClient(" "));
    }

    [Fact]
    public async Task AKernelChatCompletionReturnsTextUsageAndTheSteeringSummary()
    {
        var kernel = Kernel.CreateBuilder().AddDirecterChatCompletion(ChatCheckpoint.Path).Build();
        var chat = kernel.GetRequiredService<IChatCompletionService>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var reply = await chat.GetChatMessageContentAsync(History(), Settings(), kernel);
        double wall = clock.Elapsed.TotalSeconds;
        Assert.Equal(AuthorRole.Assistant, reply.Role);
        double decode = Assert.IsType<double>(reply.Metadata![DirecterChatClient.DecodeSecondsKey]);
        Assert.InRange(decode, double.Epsilon, wall); // the decode steps' own time, within the call's
        Assert.NotNull(reply.Content);
        // SK puts usage and the message's additional properties into the metadata.
        var usage = Assert.IsType<UsageDetails>(reply.Metadata!["Usage"]);
        Assert.InRange(usage.OutputTokenCount ?? 0, 1, 8);
        Assert.True(usage.InputTokenCount > 10);
        var summary = Assert.IsType<SteeringSummary>(reply.Metadata[DirecterChatClient.SteeringSummaryKey]);
        Assert.Equal("directer", summary.Method);
        Assert.True(summary.SteeredShare > 0, "emphasis from settings did not reach the engine");
    }

    [Fact]
    public async Task StreamingYieldsTheSameTextAsNonStreamingAndParallelCallersGetTheSameAnswer()
    {
        var kernel = Kernel.CreateBuilder().AddDirecterChatCompletion(ChatCheckpoint.Path).Build();
        var chat = kernel.GetRequiredService<IChatCompletionService>();
        var once = await chat.GetChatMessageContentAsync(History(), Settings(10), kernel);
        var streamed = string.Empty;
        await foreach (var piece in chat.GetStreamingChatMessageContentsAsync(History(), Settings(10), kernel))
        {
            streamed += piece.Content;
        }

        Assert.Equal(once.Content, streamed);
        var parallel = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => chat.GetChatMessageContentAsync(History(), Settings(10), kernel)));
        Assert.All(parallel, r => Assert.Equal(once.Content, r.Content));
    }

    [Fact]
    public async Task CancellingAStreamReleasesTheModelForTheNextRequest()
    {
        var kernel = Kernel.CreateBuilder().AddDirecterChatCompletion(ChatCheckpoint.Path).Build();
        var chat = kernel.GetRequiredService<IChatCompletionService>();
        using var cts = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in chat.GetStreamingChatMessageContentsAsync(History(), Settings(200), kernel, cts.Token))
            {
                await cts.CancelAsync();
            }

            cts.Token.ThrowIfCancellationRequested();
        });
        var next = await chat.GetChatMessageContentAsync(History(), Settings(5), kernel);
        Assert.NotNull(next.Content);
    }

    [Fact]
    public async Task TheLastStreamedUpdateCarriesTheUsageForBothApis()
    {
        var kernel = Kernel.CreateBuilder().AddDirecterChatCompletion(ChatCheckpoint.Path).Build();
        var chat = kernel.GetRequiredService<IChatCompletionService>();
        var chunks = new List<StreamingChatMessageContent>();
        await foreach (var chunk in chat.GetStreamingChatMessageContentsAsync(History(), Settings(6), kernel))
        {
            chunks.Add(chunk);
        }

        var usage = Assert.IsType<UsageDetails>(chunks[^1].Metadata!["Usage"]);
        Assert.InRange(usage.OutputTokenCount ?? 0, 1, 6);
        Assert.All(chunks.SkipLast(1), c => Assert.False(c.Metadata?.ContainsKey("Usage") == true));

        var client = kernel.GetRequiredService<IChatClient>();
        var updates = await client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hello world")], new ChatOptions { MaxOutputTokens = 6 }).ToListAsync();
        var last = Assert.Single(updates[^1].Contents.OfType<UsageContent>()).Details;
        Assert.Equal(last.InputTokenCount + last.OutputTokenCount, last.TotalTokenCount);
        Assert.Equal(Path.GetFileName(ChatCheckpoint.Path), updates[^1].ModelId);
        Assert.NotNull(updates[^1].FinishReason);
        Assert.All(updates.SkipLast(1), u => Assert.Empty(u.Contents.OfType<UsageContent>()));
    }
}
