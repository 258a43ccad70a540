using System.Text.Json.Nodes;
using Directer.Training.Data;
using Directer.Training.Tokenization;

namespace Directer.Training.Tests;

public class ChatMlRendererTests
{
    // Expected strings were produced by jinja2 running Qwen2.5's chat template verbatim, with Hugging Face's
    // tojson filter (json.dumps(x, ensure_ascii=False)).
    private const string ExpectedFull = "<|im_start|>system\nYou are terse. Use only lowercase letters.\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>\n{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Get the \\\"current\\\" weather in Z\u00fcrich-style cities.\", \"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\", \"description\": \"City name\"}, \"unit\": {\"type\": \"string\", \"description\": \"Unit\", \"enum\": [\"celsius\", \"fahrenheit\"]}}, \"required\": [\"city\"]}}}\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n<|im_start|>user\nWeather in Z\u00fcrich?<|im_end|>\n<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Z\u00fcrich\", \"days\": 2}}\n</tool_call><|im_end|>\n<|im_start|>user\n<tool_response>\n{\"temperature\": 21.5}\n</tool_response><|im_end|>\n<|im_start|>assistant\nit is 21.5 degrees.<|im_end|>\n";

    private const string ExpectedPrompt = "<|im_start|>system\nYou are terse. Use only lowercase letters.<|im_end|>\n<|im_start|>user\nWeather in Z\u00fcrich?<|im_end|>\n<|im_start|>assistant\n";

    private static readonly ToolDefinition Weather = new(
        "get_weather",
        "Get the \"current\" weather in Zürich-style cities.",
        [new ToolParameter("city", "string", "City name", true), new ToolParameter("unit", "string", "Unit", false, ["celsius", "fahrenheit"])]);

    private static List<ChatMessage> Conversation() =>
    [
        ChatMessage.System("You are terse. Use only lowercase letters."),
        ChatMessage.User("Weather in Zürich?"),
        ChatMessage.AssistantCall(new ToolCall("get_weather", new JsonObject { ["city"] = "Zürich", ["days"] = 2 })),
        ChatMessage.Tool("{\"temperature\": 21.5}"),
        ChatMessage.Assistant("it is 21.5 degrees."),
    ];

    [Fact]
    public void RendersToolConversationExactlyLikeQwenTemplate()
    {
        var rendered = ChatMlRenderer.Render(Conversation(), [Weather]);
        Assert.Equal(ExpectedFull, rendered.Text);
    }

    [Fact]
    public void RendersGenerationPromptWithoutTools()
    {
        var rendered = ChatMlRenderer.Render(Conversation().Take(2).ToList(), null, addGenerationPrompt: true);
        Assert.Equal(ExpectedPrompt, rendered.Text);
        Assert.Empty(rendered.TrainableRanges);
    }

    [Fact]
    public void TrainableRangesCoverExactlyTheAssistantReplies()
    {
        var rendered = ChatMlRenderer.Render(Conversation(), [Weather]);
        var spans = rendered.TrainableRanges.Select(r => rendered.Text[r.Start..r.End]).ToList();
        Assert.Equal(
            [
                "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Zürich\", \"days\": 2}}\n</tool_call><|im_end|>",
                "it is 21.5 degrees.<|im_end|>",
            ],
            spans);
    }

    [Fact]
    public void ShippedTemplateIsQwen25Verbatim()
    {
        string template = QwenChatTemplate.Text;
        Assert.Equal(2507, template.Length);
        Assert.StartsWith("{%- if tools %}\n    {{- '<|im_start|>system\\n' }}", template, StringComparison.Ordinal);
        Assert.Contains("You are Qwen, created by Alibaba Cloud. You are a helpful assistant.", template, StringComparison.Ordinal);
        Assert.EndsWith("{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n' }}\n{%- endif %}\n", template, StringComparison.Ordinal);
    }

    [Fact]
    public void PyJsonMatchesPythonJsonDumps()
    {
        var o = new JsonObject { ["b"] = 1, ["a"] = new JsonArray(1.5, 2.0, "x\"y\n", true, null), ["é"] = "ü\u0001" };
        Assert.Equal("{\"b\": 1, \"a\": [1.5, 2.0, \"x\\\"y\\n\", true, null], \"é\": \"ü\\u0001\"}", Directer.Core.PythonCompat.PythonJson.Dumps(o));
    }
}
