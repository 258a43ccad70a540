using Directer.Core.Templates;
using Directer.Core.Chat;

namespace Directer.Core.Tests.Templates;

public sealed class ToolCallParsingTests
{
    private static readonly IChatTemplate Qwen = ChatTemplates.ByName("qwen2.5");
    private static readonly IChatTemplate Llama = ChatTemplates.ByName("llama3");
    private static readonly IChatTemplate Mistral = ChatTemplates.ByName("mistral");

    [Fact]
    public void HermesBlocksWithTextAround()
    {
        const string reply = "Let me look.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Paris\", \"days\": [1, 2]}}\n</tool_call>\n<tool_call>\n{\"name\": \"get_time\", \"arguments\": {}}\n</tool_call>";
        var calls = Qwen.ParseToolCalls(reply, out string remaining);
        Assert.Equal(2, calls.Count);
        Assert.Equal("get_weather", calls[0].Name);
        Assert.Equal("{\"location\": \"Paris\", \"days\": [1, 2]}", calls[0].ArgumentsJson);
        Assert.Null(calls[0].Id);
        Assert.Equal(new ToolCall("get_time", "{}"), calls[1]);
        Assert.Equal("Let me look.", remaining);
    }

    [Fact]
    public void HermesUnclosedLastBlockAndStringArguments()
    {
        var calls = Qwen.ParseToolCalls("<tool_call>\n{\"name\": \"f\", \"arguments\": \"{\\\"x\\\": 1}\"}", out string remaining);
        Assert.Equal(new ToolCall("f", "{\"x\": 1}"), Assert.Single(calls));
        Assert.Equal(string.Empty, remaining);
    }

    [Theory]
    [InlineData("<tool_call>\n{\"name\": \"f\", \"arguments\": {\"x\": }\n</tool_call>", "invalid JSON")]
    [InlineData("<tool_call>\n{\"arguments\": {}}\n</tool_call>", "no \"name\"")]
    [InlineData("<tool_call>\n{\"name\": \"f\", \"arguments\": [1]}\n</tool_call>", "not a JSON object")]
    [InlineData("oops </tool_call>", "without")]
    public void HermesMalformedCallsAreReported(string reply, string reason)
    {
        var result = Qwen.ParseToolCallsDetailed(reply);
        Assert.True(result.HasMalformed);
        Assert.Contains(reason, result.Malformed[0].Reason, StringComparison.Ordinal);
        var error = Assert.Throws<ToolCallFormatException>(() => Qwen.ParseToolCalls(reply, out _));
        Assert.Equal(result.Malformed, error.Result.Malformed);
        Assert.Contains("qwen2.5", error.Message, StringComparison.Ordinal);
        Assert.True(error.Result.HasMalformed);
    }

    [Fact]
    public void PlainTextIsNotAToolCall()
    {
        foreach (var template in new[] { Qwen, Llama, Mistral, ChatTemplates.ByName("phi3") })
        {
            var calls = template.ParseToolCalls("  The answer is {42}.  ", out string remaining);
            Assert.Empty(calls);
            Assert.Equal("  The answer is {42}.  ", remaining);
        }
    }

    [Fact]
    public void LlamaJsonCall()
    {
        var calls = Llama.ParseToolCalls("{\"name\": \"get_weather\", \"parameters\": {\"location\": \"Oslo\"}}", out string remaining);
        Assert.Equal(new ToolCall("get_weather", "{\"location\": \"Oslo\"}"), Assert.Single(calls));
        Assert.Equal(string.Empty, remaining);
    }

    [Fact]
    public void LlamaPythonTagSeveralCallsAndTypeFirst()
    {
        const string reply = "<|python_tag|>{\"type\": \"function\", \"name\": \"a\", \"parameters\": {\"x\": 1}}; {\"name\": \"b\", \"arguments\": {}}";
        var calls = Llama.ParseToolCalls(reply, out string remaining);
        Assert.Equal([new ToolCall("a", "{\"x\": 1}"), new ToolCall("b", "{}")], calls);
        Assert.Equal(string.Empty, remaining);
    }

    [Fact]
    public void LlamaCallAfterTextAndDataThatIsNoCall()
    {
        var calls = Llama.ParseToolCalls("Sure. {\"name\": \"Alice\", \"age\": 3} {\"name\": \"f\", \"parameters\": {}}", out string remaining);
        Assert.Equal(new ToolCall("f", "{}"), Assert.Single(calls));
        Assert.Equal("Sure. {\"name\": \"Alice\", \"age\": 3}", remaining);
    }

    [Theory]
    [InlineData("{\"name\": \"f\", \"parameters\": {\"x\": 1}", "never closes")]
    [InlineData("{\"name\": \"f\", \"parameters\": {\"x\": 1,}}", "invalid JSON")]
    [InlineData("<|python_tag|>brave_search.call(query=\"x\")", "built-in tools")]
    public void LlamaMalformed(string reply, string reason)
    {
        var result = Llama.ParseToolCallsDetailed(reply);
        Assert.Contains(reason, Assert.Single(result.Malformed).Reason, StringComparison.Ordinal);
        Assert.Throws<ToolCallFormatException>(() => Llama.ParseToolCalls(reply, out _));
    }

    [Fact]
    public void MistralCallsWithAndWithoutIds()
    {
        const string reply = "[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Paris\"}, \"id\": \"abcDEF123\"}, {\"name\": \"get_time\", \"arguments\": {}}]";
        var calls = Mistral.ParseToolCalls(reply, out string remaining);
        Assert.Equal([new ToolCall("get_weather", "{\"location\": \"Paris\"}", "abcDEF123"), new ToolCall("get_time", "{}")], calls);
        Assert.Equal(string.Empty, remaining);
    }

    [Theory]
    [InlineData("[TOOL_CALLS] {\"name\": \"f\"}", "complete JSON array")]
    [InlineData("[TOOL_CALLS] [{\"name\": \"f\", \"arguments\": {}]", "complete JSON array")]
    [InlineData("[TOOL_CALLS] [{\"arguments\": {}}]", "no \"name\"")]
    public void MistralMalformed(string reply, string reason)
    {
        var result = Mistral.ParseToolCallsDetailed(reply);
        Assert.Contains(reason, result.Malformed[0].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void ParsedCallsRenderBackInTheFamilysFormat()
    {
        const string reply = "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\":\"Paris\",\"n\":1.50}}\n</tool_call>";
        var calls = Qwen.ParseToolCalls(reply, out string remaining);
        var turns = new[]
        {
            new ChatTurn(ChatRole.User, "Weather?"),
            new ChatTurn(ChatRole.Assistant, remaining) { ToolCalls = calls },
        };
        var tools = new[] { new ToolDefinition("get_weather", null, "{}") };
        string text = Qwen.Render(turns, tools, false).Text;
        Assert.EndsWith("<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"location\": \"Paris\", \"n\": 1.5}}\n</tool_call><|im_end|>\n", text, StringComparison.Ordinal);
    }
}
