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

    /// <summary>The families found among the 97 hub templates and the built-in ones; every other template shows no tool
    /// format (docs/TEMPLATES.md says why for the notable ones: Command R's action lists, GLM-4, Phi-4-mini's tools in
    /// the system message, firefunction's functools, cogito-3b's bare list, Mistral templates whose GGUF copy dropped
    /// the tool section).</summary>
    private static readonly Dictionary<string, ToolCallFormat> Families = new()
    {
        ["cogito-14b"] = ToolCallFormat.Hermes,
        ["granite4-350m"] = ToolCallFormat.Hermes,
        ["granite4-latest"] = ToolCallFormat.Hermes,
        ["qwen2.5-0.5b"] = ToolCallFormat.Hermes,
        ["qwen2.5-coder-1.5b"] = ToolCallFormat.Hermes,
        ["qwen3-0.6b"] = ToolCallFormat.Hermes,
        ["qwen3-next-80b"] = ToolCallFormat.Hermes,
        ["qwq-32b"] = ToolCallFormat.Hermes,
        ["qwq-32b-v2"] = ToolCallFormat.Hermes,
        ["qwq-32b-v3"] = ToolCallFormat.Hermes,
        ["rnj-1-latest"] = ToolCallFormat.Hermes,
        ["qwen3-coder-30b"] = ToolCallFormat.QwenXml,
        ["llama3.1-8b"] = ToolCallFormat.Llama3Json,
        ["llama3.2-3b"] = ToolCallFormat.Llama3Json,
        ["llama3.2-vision-90b"] = ToolCallFormat.Llama3Json,
        ["llama3.2-vision-latest"] = ToolCallFormat.Llama3Json,
        ["llama4-latest"] = ToolCallFormat.Llama3Json,
        ["nemotron-70b"] = ToolCallFormat.Llama3Json,
        ["granite3-dense-2b"] = ToolCallFormat.Granite,
        ["granite3.1-moe-1b"] = ToolCallFormat.Granite,
        ["granite3.2-8b"] = ToolCallFormat.Granite,
        ["granite3.2-vision-2b"] = ToolCallFormat.Granite,
        ["granite3.3-2b"] = ToolCallFormat.Granite,
    };

    [Fact]
    public void EveryHubTemplateFallsInItsFamily()
    {
        var files = Directory.GetFiles(Path.Combine(TemplateFixtures.Directory, "hub"), "*.jinja");
        Assert.Equal(97, files.Length);
        foreach (string file in files)
        {
            string id = Path.GetFileNameWithoutExtension(file);
            var expected = Families.GetValueOrDefault(id, ToolCallFormat.None);
            Assert.True(expected == JinjaChatTemplate.DetectToolCallFormat(File.ReadAllText(file)), $"{id}: expected {expected}");
        }

        Assert.All(Families.Keys, id => Assert.True(File.Exists(Path.Combine(TemplateFixtures.Directory, "hub", id + ".jinja")), id));
    }

    [Theory]
    [InlineData("qwen2.5", ToolCallFormat.Hermes)]
    [InlineData("llama3", ToolCallFormat.Llama3Json)]
    [InlineData("mistral", ToolCallFormat.Mistral)]
    [InlineData("llama3.0", ToolCallFormat.None)]
    [InlineData("llama2", ToolCallFormat.None)]
    [InlineData("chatml", ToolCallFormat.None)]
    [InlineData("qwen2", ToolCallFormat.None)]
    [InlineData("smollm2", ToolCallFormat.None)]
    [InlineData("phi3", ToolCallFormat.None)]
    [InlineData("phi3.5", ToolCallFormat.None)]
    public void BuiltInTemplatesHaveTheirFamilysFormat(string name, ToolCallFormat expected)
    {
        var template = (JinjaChatTemplate)ChatTemplates.ByName(name);
        Assert.Equal(expected, template.ToolCallFormat);
        Assert.Equal(expected != ToolCallFormat.None, template.SupportsTools);
        Assert.Equal(expected != ToolCallFormat.None, ChatTemplates.ToolCapableNames.Contains(template.Name));
    }

    [Theory]
    [InlineData("qwen3-0.6b", "<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call>")]
    [InlineData("llama3.1-8b", "<|python_tag|>{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}")]
    [InlineData("llama3.1-8b", "{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}")]
    [InlineData("mistral-v0.3", "[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}]")]
    [InlineData("granite3.3-2b", "<|tool_call|>[{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}]")]
    [InlineData("qwen3-coder-30b", "<tool_call>\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n</function>\n</tool_call>")]
    [InlineData("llama3.2-3b", "[{\"name\": \"get_weather\", \"parameters\": {\"city\": \"Paris\"}}]")]
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
