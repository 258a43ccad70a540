using Directer.Core.Chat;
using Directer.Core.Modeling;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using AIChatRole = Microsoft.Extensions.AI.ChatRole;

namespace Directer.Extensions.AI.Tests;

/// <summary>Rough edges of the connector a new user hit (issue 13), through the real <see cref="IChatClient"/>.</summary>
public sealed class ConnectorEdgeTests
{
    private static readonly string[] Script = Enumerable.Range(0, 16).Select(i => $"w{i:00}").ToArray();

    [Fact]
    public async Task TheFinishReasonIsInTheResponseAndInTheMessageProperties()
    {
        using var scripted = new ScriptedClient(Script);
        var stopped = await scripted.Client.GetResponseAsync([new(AIChatRole.User, "go")]);
        Assert.Equal(ChatFinishReason.Stop, stopped.FinishReason);
        Assert.Equal("stop", stopped.Messages.Single().AdditionalProperties![DirecterChatClient.FinishReasonKey]);
        Assert.Equal(Script.Length + 1, stopped.Usage!.OutputTokenCount); // the end-of-turn token counts

        var cut = await scripted.Client.GetResponseAsync([new(AIChatRole.User, "go")], new ChatOptions { MaxOutputTokens = 12 });
        Assert.Equal(ChatFinishReason.Length, cut.FinishReason);
        Assert.Equal("length", cut.Messages.Single().AdditionalProperties![DirecterChatClient.FinishReasonKey]);
        Assert.Equal(12, cut.Usage!.OutputTokenCount);
        Assert.Equal(string.Concat(Script.Take(12)), cut.Text);
    }

    [Fact]
    public async Task AContextOverflowNamesTheConnectorSettingToChange()
    {
        using var scripted = new ScriptedClient(Script, o => o.MaxSequenceLength = 16);
        var error = await Assert.ThrowsAsync<ContextLengthExceededException>(() => scripted.Client.GetResponseAsync([new(AIChatRole.User, string.Join(' ', Enumerable.Repeat("hello", 40)))]));
        Assert.Contains("MaxSequenceLength", error.Message);
        Assert.Contains("DirecterConnectorOptions.MaxSequenceLength, configuration key 'MaxSequenceLength'; now 16", error.Message);
        Assert.DoesNotContain("ModelOptions.", error.Message); // not the engine's property
        Assert.IsType<ContextLengthExceededException>(error.InnerException);
        Assert.Equal(16, error.Capacity);

        var streamed = await Assert.ThrowsAsync<ContextLengthExceededException>(async () =>
        {
            await foreach (var _ in scripted.Client.GetStreamingResponseAsync([new(AIChatRole.User, string.Join(' ', Enumerable.Repeat("hello", 40)))]))
            {
            }
        });
        Assert.Contains("configuration key 'MaxSequenceLength'", streamed.Message);
    }

    [Fact]
    public async Task OptionValuesAreCheckedBeforeTheModelLoads()
    {
        string missing = Path.Combine(Path.GetTempPath(), "directer-no-such-model-" + Guid.NewGuid().ToString("N"));
        using var provider = new ServiceCollection().AddDirecterChatClient(missing).BuildServiceProvider();
        var client = provider.GetRequiredService<IChatClient>();
        var bad = new ChatOptions { AdditionalProperties = new() { ["alpha"] = -1.0 } };
        var error = await Assert.ThrowsAsync<ArgumentException>(() => client.GetResponseAsync([new(AIChatRole.User, "hi")], bad));
        Assert.Equal("Setting 'alpha' must be a finite number > 0; got -1.", error.Message);
        Assert.Equal(0, provider.GetRequiredService<DirecterModelRegistry>().LoadedCount);

        // A valid request does try to load, and then says what is wrong with the folder.
        await Assert.ThrowsAsync<DirectoryNotFoundException>(() => client.GetResponseAsync([new(AIChatRole.User, "hi")]));
    }

    [Fact]
    public async Task OneFolderWithATrailingSeparatorOrThroughALinkLoadsOnce()
    {
        string link = Path.Combine(Path.GetTempPath(), "directer-link-" + Guid.NewGuid().ToString("N"));
        Directory.CreateSymbolicLink(link, ChatCheckpoint.Path);
        try
        {
            var services = new ServiceCollection();
            services.AddDirecterChatClient(ChatCheckpoint.Path, serviceId: "plain");
            services.AddDirecterChatClient(ChatCheckpoint.Path + Path.DirectorySeparatorChar, serviceId: "slash");
            services.AddDirecterChatClient(link, serviceId: "link");
            services.AddDirecterChatClient(Path.Combine(ChatCheckpoint.Path, "..", Path.GetFileName(ChatCheckpoint.Path)), serviceId: "dots");
            using var provider = services.BuildServiceProvider();
            var models = new List<ChatModel>();
            foreach (string key in new[] { "plain", "slash", "link", "dots" })
            {
                models.Add(await provider.GetRequiredKeyedService<DirecterChatClient>(key).LoadAsync());
            }

            Assert.All(models, m => Assert.Same(models[0], m));
            Assert.Equal(1, provider.GetRequiredService<DirecterModelRegistry>().LoadedCount);
        }
        finally
        {
            Directory.Delete(link);
        }
    }
}
