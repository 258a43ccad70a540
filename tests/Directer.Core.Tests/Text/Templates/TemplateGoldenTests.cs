using System.Text.Json;
using Directer.Core.Text.Templates;

namespace Directer.Core.Tests.Text.Templates;

/// <summary>
/// Our renderers against Hugging Face's renderer: goldens made by reference/template_reference.py,
/// which renders each checkpoint's real jinja chat template with jinja2 in transformers'
/// apply_chat_template environment.
/// </summary>
public sealed class TemplateGoldenTests
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "templates");

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        using var goldens = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "goldens.json")));
        foreach (var result in goldens.RootElement.GetProperty("results").EnumerateArray())
        {
            string template = result.GetProperty("template").GetString()!;
            if (ChatTemplates.Names.Contains(template, StringComparer.OrdinalIgnoreCase))
            {
                data.Add(template, result.GetProperty("case").GetString()!);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void RendersExactlyAsHuggingFace(string templateName, string caseName)
    {
        var (turns, tools, addGenerationPrompt) = LoadCase(caseName);
        var template = ChatTemplates.ByName(templateName);
        using var goldens = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "goldens.json")));
        var golden = goldens.RootElement.GetProperty("results").EnumerateArray()
            .Single(r => r.GetProperty("template").GetString() == templateName && r.GetProperty("case").GetString() == caseName);
        bool usesTools = tools.Count > 0 || turns.Any(t => t.ToolCalls.Count > 0 || t.Role == ChatRole.Tool);
        if (golden.TryGetProperty("error", out var error))
        {
            Assert.ThrowsAny<Exception>(() => template.Render(turns, tools, addGenerationPrompt));
            _ = error;
            return;
        }

        if (usesTools && !template.SupportsTools)
        {
            // The jinja template would silently drop the tools; we refuse instead.
            var refusal = Assert.Throws<ChatTemplateException>(() => template.Render(turns, tools, addGenerationPrompt));
            Assert.Contains(templateName, refusal.Message);
            return;
        }

        string expected = golden.GetProperty("text").GetString()!;
        Assert.Equal(expected, template.Render(turns, tools, addGenerationPrompt).Text);
    }

    [Fact]
    public void DetectRecognisesEachRealTemplateAndRefusesOthersClearly()
    {
        Assert.Equal("qwen2.5", ChatTemplates.Detect(Jinja("qwen2.5.jinja")).Name);
        Assert.Equal("qwen2", ChatTemplates.Detect(Jinja("qwen2.jinja")).Name);
        Assert.Equal("smollm2", ChatTemplates.Detect(Jinja("smollm2.jinja")).Name);
        Assert.Equal("chatml", ChatTemplates.Detect(Jinja("chatml.jinja")).Name);
        Assert.Equal("llama3", ChatTemplates.Detect(Jinja("llama3.1.jinja")).Name);
        Assert.Equal("llama3.0", ChatTemplates.Detect(Jinja("llama3.jinja")).Name);
        Assert.Equal("phi3", ChatTemplates.Detect(Jinja("phi3.jinja")).Name);
        Assert.Equal("phi3.5", ChatTemplates.Detect(Jinja("phi3.5.jinja")).Name);
        Assert.Equal("llama2", ChatTemplates.Detect(Jinja("llama2.jinja")).Name);
        Assert.Equal("mistral", ChatTemplates.Detect(Jinja("mistral-v0.3.jinja")).Name);
        var unknown2 = Assert.Throws<ChatTemplateException>(() => ChatTemplates.Detect("{% for m in messages %}<<user>>{{ m.content }}{% endfor %}"));
        Assert.Contains("override", unknown2.Message);
        Assert.Throws<ChatTemplateException>(() => ChatTemplates.Detect(null, "llama"));
        var unknown = Assert.Throws<ChatTemplateException>(() => ChatTemplates.ByName("vicuna"));
        Assert.Contains("qwen2.5", unknown.Message);
    }

    private static string Jinja(string file) => File.ReadAllText(Path.Combine(Folder, file));

    internal static (List<ChatTurn> Turns, List<ToolDefinition> Tools, bool AddGenerationPrompt) LoadCase(string name)
    {
        using var cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(Folder, "cases.json")));
        var c = cases.RootElement.GetProperty("cases").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var turns = c.GetProperty("turns").EnumerateArray().Select(t => new ChatTurn(
            Enum.Parse<ChatRole>(t.GetProperty("role").GetString()!, ignoreCase: true),
            t.GetProperty("content").GetString()!)
        {
            ToolCalls = t.TryGetProperty("toolCalls", out var calls)
                ? calls.EnumerateArray().Select(k => new ToolCall(k.GetProperty("name").GetString()!, k.GetProperty("arguments").GetString()!, k.TryGetProperty("id", out var id) ? id.GetString() : null)).ToList()
                : [],
            ToolCallId = t.TryGetProperty("toolCallId", out var callId) ? callId.GetString() : null,
            ToolName = t.TryGetProperty("toolName", out var toolName) ? toolName.GetString() : null,
        }).ToList();
        var tools = c.TryGetProperty("tools", out var toolList)
            ? toolList.EnumerateArray().Select(t => new ToolDefinition(t.GetProperty("name").GetString()!, t.GetProperty("description").ValueKind == JsonValueKind.Null ? null : t.GetProperty("description").GetString(), t.GetProperty("parameters").GetString()!)).ToList()
            : [];
        return (turns, tools, c.GetProperty("addGenerationPrompt").GetBoolean());
    }
}
