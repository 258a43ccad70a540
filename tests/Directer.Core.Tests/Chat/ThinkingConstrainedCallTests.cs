using Directer.Core.Chat;
using Directer.Core.Runtime;
using Directer.Testing;

namespace Directer.Core.Tests.Chat;

/// <summary>
/// Constrained tool calls on a reasoning model (a scripted Qwen3 checkpoint with Qwen3's real template): the call grammar
/// holds the answer only. A call the model sketches while reasoning — here one naming a tool that is not listed, which
/// the grammar would forbid — is left as the model wrote it, and the call after <c>&lt;/think&gt;</c> is constrained and made.
/// </summary>
public sealed class ThinkingConstrainedCallTests : IDisposable
{
    private const string Sketch = "\nMaybe <tool_call>\n{\"name\": \"bogus_tool\"} first.\n";
    private const string Call = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Oslo\"}}\n</tool_call>";

    private static readonly ToolDefinition Weather = new(
        "get_weather", "Weather of a city.", """{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}""");

    private readonly string directory = Directory.CreateTempSubdirectory("directer-thinking-call-").FullName;
    private readonly ChatModel chat;

    public ThinkingConstrainedCallTests()
    {
        TorchRuntime.EnsureInitialized();
        ScriptedQwen3.Write(directory, "<think>", Sketch, "</think>", "\n\n", Call);
        chat = ChatModel.Load(directory, new ChatModelOptions { Model = new() { MaxSequenceLength = 1024 } });
    }

    public void Dispose()
    {
        chat.Dispose();
        Directory.Delete(directory, recursive: true);
    }

    private static ChatRequest Request(bool constrain, bool requireCall = false) => new()
    {
        Turns = [new ChatTurn(ChatRole.User, "weather in Oslo?")],
        Tools = [Weather],
        ConstrainToolCalls = constrain,
        RequireToolCall = requireCall,
        MaxNewTokens = 8,
    };

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task TheReasoningIsLeftAsWrittenAndTheAnswersCallIsMade(bool constrain, bool requireCall)
    {
        var result = await chat.CompleteAsync(Request(constrain, requireCall));

        Assert.Equal("Maybe <tool_call>\n{\"name\": \"bogus_tool\"} first.", result.Reasoning);
        var call = Assert.Single(result.ToolCalls);
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("Oslo", System.Text.Json.Nodes.JsonNode.Parse(call.ArgumentsJson)!["city"]!.GetValue<string>());
    }
}
