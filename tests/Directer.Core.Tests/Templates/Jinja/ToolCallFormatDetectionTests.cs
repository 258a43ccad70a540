using Directer.Core.Chat;
using Directer.Core.Templates;

namespace Directer.Core.Tests.Templates.Jinja;

/// <summary>The tool-call format is read off each real template, and the model's output is parsed in that format.</summary>
public sealed class ToolCallFormatDetectionTests
{
    private static string Hub(string id) => id == "mistral-v0.3"
        ? TemplateFixtures.Jinja("mistral")
        : File.ReadAllText(Path.Combine(TemplateFixtures.Directory, "hub", id + ".jinja"));

    [Theory]
    [InlineData("qwen2.5-0.5b", ToolCallFormat.Hermes)]
    [InlineData("qwen3-0.6b", ToolCallFormat.Hermes)]
    [InlineData("qwq-32b", ToolCallFormat.Hermes)]
    [InlineData("hermes3-70b", ToolCallFormat.None)] // its tokenizer_config template has no tool section
    [InlineData("llama3.1-8b", ToolCallFormat.Llama3Json)]
    [InlineData("llama3.2-vision-latest", ToolCallFormat.Llama3Json)]
    [InlineData("mistral-7b-instruct-fp16", ToolCallFormat.None)]
    [InlineData("mixtral-8x22b", ToolCallFormat.None)]
    [InlineData("mistral-v0.3", ToolCallFormat.Mistral)]
    [InlineData("phi3-3.8b", ToolCallFormat.None)]
    public void FormatIsDetectedFromTheTemplate(string id, ToolCallFormat expected)
    {
        var template = (JinjaChatTemplate)ChatTemplates.Detect(Hub(id), null);
        Assert.Equal(expected, template.ToolCallFormat);
        Assert.Equal(expected != ToolCallFormat.None && template.Source.Contains("tools", StringComparison.Ordinal), template.SupportsTools);
    }

    [Theory]
    [InlineData("qwen3-0.6b", "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>")]
    [InlineData("llama3.1-8b", "<|python_tag|>{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}")]
    [InlineData("llama3.1-8b", "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}")]
    [InlineData("mistral-v0.3", "[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}]")]
    public void RepliesAreParsedInTheTemplatesFormat(string id, string reply)
    {
        var template = ChatTemplates.Detect(Hub(id), null);
        var calls = template.ParseToolCalls(reply, out string rest);
        var call = Assert.Single(calls);
        Assert.Equal("get_weather", call.Name);
        Assert.Equal("{\"city\": \"Paris\"}", call.ArgumentsJson.Replace(":\"", ": \"", StringComparison.Ordinal));
        Assert.Equal(string.Empty, rest);
    }

    [Fact]
    public void ToolsRenderThroughTheLlama32Template()
    {
        var template = ChatTemplates.Detect(File.ReadAllText(Path.Combine(TemplateFixtures.Directory, "hub", "llama3.2-vision-latest.jinja")), null,
            new ChatTemplateOptions { BosToken = "<|begin_of_text|>", StrftimeNow = _ => "03 Dec 2026" });
        var text = template.Render([new ChatTurn(ChatRole.User, "Weather?")], [new ToolDefinition("get_weather", "Weather now.", "{\"type\": \"object\"}")], true).Text;
        Assert.Contains("Today Date: 03 Dec 2026", text, StringComparison.Ordinal);
        Assert.Contains("\"name\": \"get_weather\"", text, StringComparison.Ordinal);
    }
}
