using Directer.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

#pragma warning disable SKEXP0110 // ReasoningContent is experimental in SK 1.82: what SK gives callers for reasoning

namespace Directer.SemanticKernel.Tests;

/// <summary>
/// A Qwen3 reply's reasoning through Semantic Kernel: a <see cref="ReasoningContent"/> item (streamed as
/// <see cref="StreamingReasoningContent"/>), never in the message's text; <c>enable_thinking</c> as a typed setting
/// or extension data.
/// </summary>
public sealed class ReasoningTests : IDisposable
{
    private const string Reasoning = "The user greets; greet back.";
    private readonly string folder = Directory.CreateTempSubdirectory("directer-sk-reasoning-").FullName;
    private readonly ServiceProvider provider;

    public ReasoningTests()
    {
        ScriptedQwen3.Write(folder, "<think>", "\n" + Reasoning + "\n", "</think>", "\n\nHi there!");
        var services = new ServiceCollection();
        services.AddDirecterChatCompletion(folder);
        provider = services.BuildServiceProvider();
    }

    private IChatCompletionService Chat => provider.GetRequiredService<IChatCompletionService>();

    public void Dispose()
    {
        provider.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    private static ChatHistory Hello()
    {
        var history = new ChatHistory();
        history.AddUserMessage("hello");
        return history;
    }

    [Fact]
    public async Task TheReasoningIsAReasoningItemNotText()
    {
        var reply = await Chat.GetChatMessageContentAsync(Hello());
        Assert.Equal("Hi there!", reply.Content);
        Assert.Equal(Reasoning, Assert.Single(reply.Items.OfType<ReasoningContent>()).Text);
    }

    [Fact]
    public async Task StreamedReasoningIsNeverText()
    {
        var chunks = new List<StreamingChatMessageContent>();
        await foreach (var chunk in Chat.GetStreamingChatMessageContentsAsync(Hello()))
        {
            chunks.Add(chunk);
        }

        Assert.Equal("Hi there!", string.Concat(chunks.Select(c => c.Content)));
        Assert.Equal(Reasoning, string.Concat(chunks.SelectMany(c => c.Items).OfType<StreamingReasoningContent>().Select(r => r.Text)));
    }

    [Fact]
    public void EnableThinkingIsASettingTypedAndAsExtensionData()
    {
        Assert.False(ExecutionSettingsReader.Read(new DirecterPromptExecutionSettings { EnableThinking = false }, new RequestOptions()).EnableThinking);
        var plain = new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { ["enable_thinking"] = "false" } };
        Assert.False(ExecutionSettingsReader.Read(plain, new RequestOptions()).EnableThinking);
        Assert.False(DirecterPromptExecutionSettings.FromExecutionSettings(plain).EnableThinking);
        Assert.Null(ExecutionSettingsReader.Read(new PromptExecutionSettings(), new RequestOptions()).EnableThinking);
        Assert.True(ExecutionSettingsReader.Read(new PromptExecutionSettings(), new RequestOptions { EnableThinking = true }).EnableThinking);
    }
}
