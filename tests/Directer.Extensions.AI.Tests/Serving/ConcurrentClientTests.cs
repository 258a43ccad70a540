using Directer.Core.Chat;
using Directer.Core.Generation;
using Directer.Evaluation.Demo;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using AIChatRole = Microsoft.Extensions.AI.ChatRole;

namespace Directer.Extensions.AI.Tests.Serving;

/// <summary>
/// Concurrent callers of one client on the demo model decode together (the complaint of issue 16: eight parallel
/// requests took as long as eight sequential ones) and each gets the reply it gets alone; a full queue is a clear
/// error, not a wait.
/// </summary>
public sealed class ConcurrentClientTests
{
    private static readonly string[] Questions = ["What is 12 times 37?", "How many blue widgets are in stock?", "Say hello.", "Which site shipped SH-1040?"];

    private static ServiceProvider Client(Action<DirecterConnectorOptions> configure, CapturingLoggerProvider? logs = null)
    {
        var services = new ServiceCollection();
        if (logs is not null)
        {
            services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information));
        }

        services.AddDirecterChatClient(DemoModel.Require(), configure);
        return services.BuildServiceProvider();
    }

    private static List<ChatMessage> Conversation(string question) =>
        [new(AIChatRole.System, "You are a helpful assistant. Answer in one short sentence."), new(AIChatRole.User, question)];

    /// <summary>
    /// Every question alone (one row, no reuse), then all at once on a fresh client with four rows: the replies must be
    /// equal. Returns that client, its captured logs and its provider (the caller disposes it).
    /// </summary>
    private static async Task<(IChatClient Client, CapturingLoggerProvider Logs, ServiceProvider Provider)> SoloThenTogetherAsync(ChatOptions options)
    {
        using var soloProvider = Client(o => { o.MaxConcurrentRows = 1; o.ReusePrefixes = false; });
        var solo = soloProvider.GetRequiredService<IChatClient>();
        var alone = new List<string>();
        foreach (string q in Questions)
        {
            alone.Add((await solo.GetResponseAsync(Conversation(q), options)).Text);
        }

        var logs = new CapturingLoggerProvider();
        var provider = Client(o => { o.MaxConcurrentRows = 4; o.ReusePrefixes = false; }, logs);
        try
        {
            var client = provider.GetRequiredService<IChatClient>();
            var together = await Task.WhenAll(Questions.Select(q => client.GetResponseAsync(Conversation(q), options)));
            Assert.Equal(alone, together.Select(r => r.Text));
            return (client, logs, provider);
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }
    }

    [Fact]
    public async Task Concurrent_requests_decode_together_and_each_equals_its_solo_reply()
    {
        var options = new ChatOptions { MaxOutputTokens = 24, AdditionalProperties = new() { ["steering"] = "none" } };
        var (client, logs, provider) = await SoloThenTogetherAsync(options);
        using var owned = provider;
        var generator = ((ChatModel)client.GetService(typeof(ChatModel))!).Generator;
        Assert.True(generator.PeakRows > 1, "the requests never decoded together");
        Assert.True(generator.BatchedPasses > 0);
        var finished = logs.Entries.Where(e => e.EventId.Id == 2 && e.Category == typeof(DirecterChatClient).FullName).Select(e => e.Message).ToList();
        Assert.Equal(Questions.Length, finished.Count);
        Assert.Contains(finished, m => !m.Contains("requests decoded together: up to 1,", StringComparison.Ordinal)); // the log shows the batch size
    }

    [Fact]
    public async Task Concurrent_steered_requests_share_their_steered_passes_equal_their_solo_replies_and_log_the_batch()
    {
        // DIRECTER on the emphasised system message, candidates after the gate (the strategy whose candidates batch across
        // requests); a low beta lets the gate through often.
        var options = new ChatOptions
        {
            MaxOutputTokens = 16,
            AdditionalProperties = new() { ["steering"] = "directer", ["emphasize_system_message"] = true, ["strategy"] = "batched-after-gate", ["beta"] = 0.05, ["alpha"] = 8.0 },
        };
        var (client, logs, provider) = await SoloThenTogetherAsync(options);
        using var owned = provider;
        var generator = ((ChatModel)client.GetService(typeof(ChatModel))!).Generator;
        Assert.True(generator.BatchedSteeredPasses > 0, "no steered pass served several requests");
        var finished = logs.Entries.Where(e => e.EventId.Id == 2 && e.Category == typeof(DirecterChatClient).FullName).Select(e => e.Message).ToList();
        Assert.Contains(finished, m => m.Contains($"steered passes shared by up to {generator.PeakSteeredRequests} requests", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_request_beyond_the_queue_bound_fails_at_once_naming_the_option()
    {
        using var provider = Client(o => { o.MaxConcurrentRows = 1; o.MaxQueuedRequests = 0; });
        var client = provider.GetRequiredService<IChatClient>();
        var options = new ChatOptions { MaxOutputTokens = 48, AdditionalProperties = new() { ["steering"] = "none" } };
        await client.GetResponseAsync(Conversation("Say hello."), new ChatOptions { MaxOutputTokens = 1 }); // load the model

        // Hold the one row: a generation on the same model whose token callback waits until released.
        var chat = (ChatModel)client.GetService(typeof(ChatModel))!;
        using var release = new SemaphoreSlim(0);
        using var started = new SemaphoreSlim(0);
        int tokens = 0;
        var running = chat.Generator.GenerateAsync([1, 2, 3], new GenerationOptions { MaxNewTokens = 3, EosTokenIds = [] }, null, _ =>
        {
            if (tokens++ == 0)
            {
                started.Release();
                release.Wait();
            }
        });
        Assert.True(await started.WaitAsync(TimeSpan.FromSeconds(60)));

        var error = await Assert.ThrowsAsync<RequestQueueFullException>(() => client.GetResponseAsync(Conversation(Questions[1]), options));
        Assert.Contains("MaxQueuedRequests", error.Message, StringComparison.Ordinal);
        release.Release();
        Assert.Equal(3, (await running).Ids.Count);
        Assert.False(string.IsNullOrEmpty((await client.GetResponseAsync(Conversation(Questions[1]), options)).Text)); // room again
    }
}
