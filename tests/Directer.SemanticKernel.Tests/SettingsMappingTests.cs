using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using AIChatRole = Microsoft.Extensions.AI.ChatRole;

namespace Directer.SemanticKernel.Tests;

/// <summary>Semantic Kernel settings reaching the engine request, on checkpoints that write a known reply.</summary>
public sealed class SettingsMappingTests
{
    private static readonly AITool[] Tools =
    [
        AIFunctionFactory.Create((string zone) => "12:00", "get_time", "Current time in a zone."),
        AIFunctionFactory.Create(() => "today", "get_date", "Today's date."),
    ];

    private static List<ChatMessage> Ask(string text = "what time is it?") => [new(AIChatRole.User, text)];

    [Fact]
    public async Task SemanticKernelSettingsCarryTheResponseFormatToTheHint()
    {
        using var scripted = new ScriptedClient(["forty-two"], register: (s, path, c) => s.AddDirecterChatCompletion(path, c));
        var chat = scripted.Services.GetRequiredService<IChatCompletionService>();
        var history = new ChatHistory();
        history.AddUserMessage("answer?");
        await chat.GetChatMessageContentAsync(history, new DirecterPromptExecutionSettings { ResponseFormat = "json_object" });
        await chat.GetChatMessageContentAsync(history, new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { ["response_format"] = JsonDocument.Parse("""{"type":"object"}""").RootElement } });
        await chat.GetChatMessageContentAsync(history, new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { ["response_format"] = "text" } });
        Assert.Equal(2, scripted.ClientLogs(LogLevel.Warning).Count(e => e.EventId.Id == 5));
    }

    [Fact]
    public void SettingsReadByTheServiceReachTheEngineRequestWithoutBeingReadAgain()
    {
        var off = new RequestOptions();
        var on = new RequestOptions { ConstrainToolCalls = true };
        using var scripted = new ScriptedClient(["forty-two"]);
        var client = scripted.Client;

        // Semantic Kernel settings, typed or as extension data, arrive as the request options the SK service read.
        foreach (var (settings, defaults, expected) in new (PromptExecutionSettings, RequestOptions, bool)[]
        {
            (new DirecterPromptExecutionSettings { ConstrainToolCalls = true }, off, true),
            (new DirecterPromptExecutionSettings { ConstrainToolCalls = false }, on, false),
            (new DirecterPromptExecutionSettings(), on, true),
            (new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { ["constrain_tool_calls"] = "true" } }, off, true),
            (new PromptExecutionSettings { ExtensionData = new Dictionary<string, object> { ["constrain_tool_calls"] = false } }, on, false),
        })
        {
            // Read once by the SK front end, handed to the client as the options' raw representation, not read again.
            var parsed = ExecutionSettingsReader.Read(settings, defaults);
            var options = new ChatOptions { Tools = Tools, RawRepresentationFactory = _ => parsed, AdditionalProperties = new() { ["constrain_tool_calls"] = "not read" } };
            Assert.Equal(expected, DirecterRequestMapper.Map(Ask(), options, defaults, client).Request.ConstrainToolCalls);
        }
    }
}
