using Directer.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using AIChatRole = Microsoft.Extensions.AI.ChatRole;

namespace Directer.Extensions.AI.Tests;

/// <summary>
/// A Qwen3 reply's &lt;think&gt; block through <see cref="IChatClient"/>: a <see cref="TextReasoningContent"/>, never
/// text (whole or streamed), and given back in the history it renders as the model's raw reply does.
/// </summary>
public sealed class ReasoningContentTests : IDisposable
{
    private const string Reasoning = "The user greets; greet back.";
    private readonly string folder = Directory.CreateTempSubdirectory("directer-reasoning-").FullName;
    private readonly ServiceProvider provider;

    public ReasoningContentTests()
    {
        ScriptedQwen3.Write(folder, "<think>", "\n" + Reasoning + "\n", "</think>", "\n\nHi there!");
        provider = new ServiceCollection().AddDirecterChatClient(folder).BuildServiceProvider();
    }

    private IChatClient Client => provider.GetRequiredService<IChatClient>();

    public void Dispose()
    {
        provider.Dispose();
        Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task TheReplyCarriesTheReasoningAsReasoningContent()
    {
        var response = await Client.GetResponseAsync([new(AIChatRole.User, "hello")]);
        var message = response.Messages.Single();
        Assert.Equal(Reasoning, Assert.Single(message.Contents.OfType<TextReasoningContent>()).Text);
        Assert.Equal("Hi there!", response.Text);
        Assert.Equal(["Hi there!"], message.Contents.OfType<TextContent>().Select(t => t.Text));
    }

    [Fact]
    public async Task StreamedReasoningIsNeverText()
    {
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in Client.GetStreamingResponseAsync([new(AIChatRole.User, "hello")]))
        {
            updates.Add(update);
        }

        Assert.Equal("Hi there!", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(Reasoning, string.Concat(updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>().Select(r => r.Text)));
        var combined = updates.ToChatResponse();
        Assert.Equal("Hi there!", combined.Text);
    }

    [Fact]
    public async Task ReasoningGivenBackRendersAsTheRawReplyWhereTheTemplateKeepsIt()
    {
        var call = new FunctionCallContent("call_1", "clock", new Dictionary<string, object?>());
        var result = new ChatMessage(AIChatRole.Tool, [new FunctionResultContent("call_1", "12:00")]);
        var tools = new ChatOptions { Tools = [AIFunctionFactory.Create(() => "12:00", "clock", "The time.")], MaxOutputTokens = 1 };
        async Task<long> PromptTokens(params AIContent[] assistant) =>
            (await Client.GetResponseAsync([new(AIChatRole.User, "time?"), new(AIChatRole.Assistant, assistant), result], tools)).Usage!.InputTokenCount!.Value;

        long returned = await PromptTokens(new TextReasoningContent(Reasoning), new TextContent("Hi there!"), call);
        long raw = await PromptTokens(new TextContent($"<think>\n{Reasoning}\n</think>\n\nHi there!"), call);
        long without = await PromptTokens(new TextContent("Hi there!"), call);
        Assert.Equal(raw, returned);
        Assert.True(returned > without, $"{returned} prompt tokens with the reasoning, {without} without");
    }

    [Fact]
    public void EnableThinkingIsReadFromTheOptions()
    {
        var off = ChatOptionsReader.Read(new ChatOptions { AdditionalProperties = new() { ["enable_thinking"] = false } }, new RequestOptions());
        Assert.False(off.EnableThinking);
        Assert.False(off.ToChatRequest([]).EnableThinking);
        Assert.Null(ChatOptionsReader.Read(new ChatOptions(), new RequestOptions()).EnableThinking);
        var error = Assert.Throws<ArgumentException>(() => ChatOptionsReader.Read(new ChatOptions { AdditionalProperties = new() { ["enable_thinking"] = "maybe" } }, new RequestOptions()));
        Assert.Contains("enable_thinking", error.Message);
    }
}
