using System.Text.Json;
using Directer.Core.Templates;
using Directer.Core.Chat;

namespace Directer.Core.Tests.Templates;

/// <summary>The real chat templates, the shared conversations and the goldens written by reference/template_reference.py.</summary>
internal static class TemplateFixtures
{
    public static readonly string Directory = Path.Combine(AppContext.BaseDirectory, "Fixtures", "templates");

    private static readonly Lazy<JsonElement> Templates = new(() => Load("templates.json").GetProperty("templates"));
    private static readonly Lazy<JsonElement> Cases = new(() => Load("cases.json").GetProperty("cases"));
    private static readonly Lazy<Dictionary<(string, string), JsonElement>> Goldens = new(() =>
        Load("goldens.json").GetProperty("results").EnumerateArray()
            .ToDictionary(r => (r.GetProperty("template").GetString()!, r.GetProperty("case").GetString()!)));

    public static JsonElement Load(string file) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory, file))).RootElement;

    public static IEnumerable<JsonElement> TemplateSpecs() => Templates.Value.EnumerateArray();

    public static JsonElement Spec(string id) => TemplateSpecs().Single(t => t.GetProperty("id").GetString() == id);

    public static string Jinja(string id) => File.ReadAllText(Path.Combine(Directory, Spec(id).GetProperty("file").GetString()!));

    public static IEnumerable<string> CaseNames() => Cases.Value.EnumerateArray().Select(c => c.GetProperty("name").GetString()!);

    public static JsonElement Case(string name) => Cases.Value.EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    public static JsonElement Golden(string templateId, string caseName) => Goldens.Value[(templateId, caseName)];

    public static int GoldenCount => Goldens.Value.Count;

    public static IReadOnlyList<ChatTurn> Turns(JsonElement @case) =>
        @case.GetProperty("turns").EnumerateArray().Select(t => new ChatTurn(Enum.Parse<ChatRole>(t.GetProperty("role").GetString()!, ignoreCase: true), t.GetProperty("content").GetString()!)
        {
            ToolCalls = t.TryGetProperty("toolCalls", out var calls)
                ? calls.EnumerateArray().Select(c => new ToolCall(
                    c.GetProperty("name").GetString()!,
                    c.GetProperty("arguments").GetString()!,
                    c.TryGetProperty("id", out var id) ? id.GetString() : null)).ToList()
                : [],
            ToolCallId = t.TryGetProperty("toolCallId", out var callId) ? callId.GetString() : null,
            ToolName = t.TryGetProperty("toolName", out var toolName) ? toolName.GetString() : null,
        }).ToList();

    public static IReadOnlyList<ToolDefinition> Tools(JsonElement @case) =>
        @case.TryGetProperty("tools", out var tools)
            ? tools.EnumerateArray().Select(t => new ToolDefinition(
                t.GetProperty("name").GetString()!,
                t.GetProperty("description").ValueKind == JsonValueKind.Null ? null : t.GetProperty("description").GetString(),
                t.GetProperty("parameters").GetString()!)).ToList()
            : [];
}
