using Directer.Core.Emphasis;
using Directer.Core.Requests;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using AIChatRole = Microsoft.Extensions.AI.ChatRole;

namespace Directer.Extensions.AI.Tests;

/// <summary>
/// Issue 14: Mistral 7B v0.3's own template renders the system message only before the last user message, so the
/// request after a tool result has none. The default system-message emphasis then steers nothing for that request,
/// reports it in the reply's properties and logs one warning per client, instead of failing an agent's tool round
/// trip; emphasis asked for explicitly stays an error. Through the real client on a scripted checkpoint, with the
/// template's tool-result rendering and DIRECTER steering on.
/// </summary>
public sealed class SystemMessageNotRenderedTests : IDisposable
{
    private readonly string folder = ScriptedCheckpoint.Write(["The", " answer", " is", " 444."], "]", []);
    private readonly CapturingLoggerProvider logs = new();
    private readonly ServiceProvider provider;

    public SystemMessageNotRenderedTests()
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        services.AddDirecterChatClient(folder, o => o.ChatTemplate = "mistral");
        provider = services.BuildServiceProvider();
    }

    private IChatClient Client => provider.GetRequiredService<IChatClient>();

    private static readonly AIFunction Multiply = AIFunctionFactory.Create((int a, int b) => a * b, "multiply", "Multiplies two numbers.");

    private static List<ChatMessage> AfterToolResult() =>
    [
        new(AIChatRole.System, "Answer in lowercase."),
        new(AIChatRole.User, "What is 12 times 37?"),
        new(AIChatRole.Assistant, [new FunctionCallContent("abc123XYZ", "multiply", new Dictionary<string, object?> { ["a"] = 12, ["b"] = 37 })]),
        new(AIChatRole.Tool, [new FunctionResultContent("abc123XYZ", "444")]),
    ];

    private IReadOnlyList<CapturingLoggerProvider.Entry> Warnings() =>
        logs.Entries.Where(e => e.Category == typeof(DirecterChatClient).FullName && e.EventId.Id == 10).ToList();

    [Fact]
    public async Task ByDefaultTheRoundTripAnswersAndReportsThatTheSystemMessageWasNotSteered()
    {
        var options = new ChatOptions { Tools = [Multiply] };

        // Before the tool call the user message is last: the system message is rendered and emphasised.
        var first = await Client.GetResponseAsync([new(AIChatRole.System, "Answer in lowercase."), new(AIChatRole.User, "What is 12 times 37?")], options);
        Assert.False(first.AdditionalProperties!.ContainsKey(DirecterChatClient.SystemMessageNotRenderedKey));
        Assert.NotEmpty((System.Collections.IEnumerable)first.AdditionalProperties[DirecterChatClient.EmphasisSpansKey]!);
        Assert.Empty(Warnings());

        // After the tool result the template drops it: the request still answers, and says so.
        var second = await Client.GetResponseAsync(AfterToolResult(), options);
        Assert.Equal("The answer is 444.", second.Text);
        Assert.Equal(true, second.AdditionalProperties![DirecterChatClient.SystemMessageNotRenderedKey]);
        Assert.Empty((System.Collections.IEnumerable)second.AdditionalProperties[DirecterChatClient.EmphasisSpansKey]!);
        var warning = Assert.Single(Warnings());
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("did not render the system message", warning.Message, StringComparison.Ordinal);

        // Once per client: the next request reports it again but does not log again; streaming reports it too.
        var third = await Client.GetResponseAsync(AfterToolResult(), options);
        Assert.Equal(true, third.AdditionalProperties![DirecterChatClient.SystemMessageNotRenderedKey]);
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in Client.GetStreamingResponseAsync(AfterToolResult(), options))
        {
            updates.Add(update);
        }

        Assert.Contains(updates, u => u.AdditionalProperties?.ContainsKey(DirecterChatClient.SystemMessageNotRenderedKey) == true);
        Assert.Single(Warnings());
    }

    [Fact]
    public async Task EmphasisAskedForExplicitlyStaysAnError()
    {
        var options = new ChatOptions { Tools = [Multiply], AdditionalProperties = new() { [DirecterSettingKeys.EmphasizeSystemMessage] = true } };
        var error = await Assert.ThrowsAsync<EmphasisNotFoundException>(() => Client.GetResponseAsync(AfterToolResult(), options));
        Assert.Contains("system message", error.Message, StringComparison.Ordinal);

        // Turned off, there is nothing to report.
        var off = new ChatOptions { Tools = [Multiply], AdditionalProperties = new() { [DirecterSettingKeys.EmphasizeSystemMessage] = false } };
        var reply = await Client.GetResponseAsync(AfterToolResult(), off);
        Assert.False(reply.AdditionalProperties!.ContainsKey(DirecterChatClient.SystemMessageNotRenderedKey));
        Assert.Empty(Warnings());
    }

    public void Dispose()
    {
        provider.Dispose();
        Directory.Delete(folder, recursive: true);
    }
}
